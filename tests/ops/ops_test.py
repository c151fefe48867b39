#!/usr/bin/env python3
"""issue 20: `investflow serve` operated as a service, through the real binary.

- --listen forms: :PORT, localhost:PORT, [::1]:PORT (when the host has IPv6 loopback)
- Type=notify: READY=1 and STOPPING=1 on $NOTIFY_SOCKET
- SIGHUP: the server stays up and reopens its log file (logrotate's move-and-HUP)
- --log-format json: RFC 3339 times with +08:00, request id, user, route, status, latency, bytes
- /metrics: process_*, investflow_build_info; /readyz distinct from /healthz
- --backup-dir/--backup-every/--keep: verified backups, the oldest pruned; the restore drill
  (docs/operations.md): stop, copy a backup into place, verify, serve it, read the data back
- the configuration file and INVESTFLOW_* variables reach serve

Usage: ops_test.py BINARY
"""
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request

BINARY = sys.argv[1]
failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
        print("FAIL:", message, file=sys.stderr)


def run(*args, env=None, ok=True):
    result = subprocess.run([BINARY, *args], capture_output=True, text=True, env=env)
    if ok and result.returncode != 0:
        raise SystemExit(f"{args} exited {result.returncode}: {result.stderr}")
    return result


class Server:
    def __init__(self, work, *args, env=None):
        self.out = open(os.path.join(work, "serve.out"), "w+")
        self.err = open(os.path.join(work, "serve.err"), "w+")
        self.process = subprocess.Popen([BINARY, "serve", *args], stdout=self.out,
                                        stderr=self.err, env=env)
        self.url = None
        deadline = time.time() + 60
        while time.time() < deadline:
            self.out.seek(0)
            match = re.search(r" on (http://\S+)/ ", self.out.read())
            if match:
                self.url = match.group(1)
                return
            if self.process.poll() is not None:
                self.err.seek(0)
                raise SystemExit("serve exited: " + self.err.read())
            time.sleep(0.05)
        raise SystemExit("serve did not start")

    def get(self, path, token=None):
        request = urllib.request.Request(self.url + path)
        if token:
            request.add_header("Authorization", "Bearer " + token)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=60)
        self.err.seek(0)
        return code, self.err.read()


def main():
    work = tempfile.mkdtemp(prefix="investflow-ops-")
    try:
        db = os.path.join(work, "zone.db")
        run("init", db)
        run("seed", db, "--projects", "3", "--synchronous", "off")
        run("user", "add", "ops", "--role", "manager", "--password", "ops-password-1", db)
        token = run("user", "token", "ops", "--db", db).stdout.strip()

        # --listen forms.
        for listen in (":0", "localhost:0"):
            server = Server(work, "--db", db, "--listen", listen, "--no-dispatch")
            status, _ = server.get("/healthz")
            check(status == 200, f"--listen {listen}: /healthz {status}")
            check(server.stop()[0] == 0, f"--listen {listen}: exit code")
        try:
            probe = socket.socket(socket.AF_INET6)
            probe.bind(("::1", 0))
            probe.close()
            server = Server(work, "--db", db, "--listen", "[::1]:0", "--no-dispatch")
            check(server.url.startswith("http://[::1]:"), "IPv6 url " + server.url)
            check(server.get("/healthz")[0] == 200, "[::1]: /healthz")
            server.stop()
        except OSError:
            print("note: no IPv6 loopback here; [::1]:PORT not tried")
        bad = run("serve", "--db", db, "--listen", "8080", ok=False)
        check(bad.returncode == 2 and "HOST:PORT" in bad.stderr, "--listen 8080 refused: " + bad.stderr)

        # The configuration file, overridden by the environment; json logs to a file.
        log = os.path.join(work, "investflow.log")
        config = os.path.join(work, "investflow.yaml")
        with open(config, "w") as f:
            f.write(f"db: {db}\nlisten: 127.0.0.1:1\naccess-log: true\nlog-format: json\n"
                    f"log-file: {log}\n"
                    f"backup-dir: {work}/backups\nbackup-every: 1s\nkeep: 2\n")
        notify_path = os.path.join(work, "notify.sock")
        notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        notify.bind(notify_path)
        notify.settimeout(60)
        env = dict(os.environ, INVESTFLOW_LISTEN="127.0.0.1:0", NOTIFY_SOCKET=notify_path)
        server = Server(work, "--config", config, env=env)
        ready = notify.recv(4096).decode()
        check(ready.startswith("READY=1"), "sd_notify READY=1: " + ready)

        status, _ = server.get("/api/projects?limit=1", token)
        check(status == 200, f"GET /api/projects {status}")
        check(server.get("/readyz") == (200, '{"status":"ready"}'), "/readyz")
        status, metrics = server.get("/metrics")
        for name in ("process_cpu_seconds_total", "process_resident_memory_bytes",
                     "process_open_fds", "process_start_time_seconds"):
            match = re.search(rf"^{name} (\S+)$", metrics, re.M)
            check(match and float(match.group(1)) > 0, f"/metrics {name}")
        version = run("--version").stdout.split()[1]
        check(f'investflow_build_info{{version="{version}"}} 1' in metrics, "investflow_build_info")
        check("investflow_webhook_deliveries_total" in metrics, "webhook deliveries family")

        # The access log: one JSON object per line, +08:00, with the user.
        time.sleep(0.2)
        with open(log) as f:
            lines = [json.loads(line) for line in f if line.strip()]
        access = [line for line in lines if line.get("logger") == "access"
                  and line.get("route") == "/api/projects"]
        check(len(access) == 1, f"one access line for /api/projects: {lines}")
        if access:
            line = access[0]
            check(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+08:00", line["time"]),
                  "RFC 3339 +08:00: " + line["time"])
            check(line["user"] == "ops" and line["status"] == 200 and line["bytes"] > 0
                  and line["latency_ms"] >= 0 and line["request_id"], f"access members: {line}")

        # logrotate: move the file, SIGHUP; the server lives on and writes a new file.
        os.rename(log, log + ".1")
        server.process.send_signal(signal.SIGHUP)
        reloading = notify.recv(4096).decode()
        check(reloading.startswith("RELOADING=1"), "sd_notify RELOADING=1: " + reloading)
        time.sleep(0.3)
        check(server.process.poll() is None, "SIGHUP ended the server")
        check(server.get("/healthz")[0] == 200, "/healthz after SIGHUP")
        time.sleep(0.2)
        check(os.path.exists(log), "the log file reopened after SIGHUP")

        # Scheduled backups: at least three written, two kept, each verified.
        deadline = time.time() + 60
        backups = []
        while time.time() < deadline:
            time.sleep(0.5)
            status, metrics = server.get("/metrics")
            written = re.search(r"^investflow_backups_written_total (\S+)$", metrics, re.M)
            if written and float(written.group(1)) >= 3:
                break
        backups = sorted(f for f in os.listdir(os.path.join(work, "backups")) if f.endswith(".db"))
        check(len(backups) == 2, f"--keep 2 keeps two: {backups}")
        code, err = server.stop()
        check(code == 0, "exit code after SIGTERM: " + err)
        stopping = ""
        try:
            while not stopping.startswith("STOPPING=1"):
                stopping = notify.recv(4096).decode()
        except socket.timeout:
            pass
        check(stopping.startswith("STOPPING=1"), "sd_notify STOPPING=1")

        # The restore drill: the newest backup replaces the database, verifies and serves.
        restored = os.path.join(work, "restored.db")
        shutil.copy(os.path.join(work, "backups", backups[-1]), restored)
        files = os.path.join(work, "backups", backups[-1] + ".files")
        if os.path.isdir(files):
            shutil.copytree(files, restored + ".files")
        verify = run("verify", restored, ok=False)
        check(verify.returncode == 0 and "ok" in verify.stdout, "verify the restored copy: " + verify.stdout + verify.stderr)
        server = Server(work, "--db", restored, "--listen", "127.0.0.1:0", "--no-dispatch")
        status, body = server.get("/api/projects?limit=100", token)
        check(status == 200, f"GET /api/projects on the restored copy: {status}")
        with sqlite3.connect(db) as original:
            expected = original.execute("SELECT count(*) FROM projects").fetchone()[0]
        check(len(json.loads(body)["projects"]) == expected, f"restored projects: {body[:200]}")
        server.stop()

        # config check names the bad line and column.
        with open(config, "w") as f:
            f.write(f"db: {db}\nthreads: many\nlisen: 1\n")
        checked = run("config", "check", "--config", config, ok=False)
        check(checked.returncode == 1, "config check exit code")
        check(f"{config}:3:1: unknown setting 'lisen'; did you mean 'listen'?" in checked.stderr,
              "unknown key with line:col: " + checked.stderr)
        check(f"{config}:2:10: threads takes a whole number" in checked.stderr,
              "bad value with line:col: " + checked.stderr)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if failures:
        print(f"{len(failures)} failures", file=sys.stderr)
        return 1
    print("ops test: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
