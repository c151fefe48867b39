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
- --tls-cert/--tls-key: HTTPS only, HSTS, a Secure session cookie, plain HTTP refused and
  counted, the certificate reread on SIGHUP (a broken one leaves the running one), bad
  files named at start
- data at rest: the database and its backups 0600
- accounts: --password-stdin, weak passwords refused, user list/disable/enable, token
  list/revoke and expiry, passwd --revoke-tokens, each seen by a running server
- --trusted-proxies: the client's address from X-Forwarded-For and a Secure cookie from
  X-Forwarded-Proto, only from the proxies named
- /metrics: this machine only by default; --metrics-token-file (Bearer) and
  --metrics-listen (a separate address)

Usage: ops_test.py BINARY
"""
import http.client
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request

BINARY = sys.argv[1]
# A self-signed certificate for 127.0.0.1 and localhost (the notify tests' receiver's).
TLS_DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "notify")
TLS_CERT = os.path.join(TLS_DATA, "test_receiver.crt")
TLS_KEY = os.path.join(TLS_DATA, "test_receiver.key")
failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
        print("FAIL:", message, file=sys.stderr)


def run(*args, env=None, ok=True, stdin=None):
    result = subprocess.run([BINARY, *args], capture_output=True, text=True, env=env,
                            input=stdin)
    if ok and result.returncode != 0:
        raise SystemExit(f"{args} exited {result.returncode}: {result.stderr}")
    return result


def get(url, token=None, context=None):
    request = urllib.request.Request(url)
    if token:
        request.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(request, timeout=10, context=context) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


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
            match = re.search(r" on (https?://\S+)/ ", self.out.read())
            if match:
                self.url = match.group(1)
                return
            if self.process.poll() is not None:
                self.err.seek(0)
                raise SystemExit("serve exited: " + self.err.read())
            time.sleep(0.05)
        raise SystemExit("serve did not start")

    def get(self, path, token=None, context=None):
        return get(self.url + path, token, context)

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=60)
        self.err.seek(0)
        return code, self.err.read()


def tls(work, db):
    cert = os.path.join(work, "server.crt")
    key = os.path.join(work, "server.key")
    shutil.copy(TLS_CERT, cert)
    shutil.copy(TLS_KEY, key)
    trusted = ssl.create_default_context(cafile=TLS_CERT)
    server = Server(work, "--db", db, "--listen", "127.0.0.1:0", "--no-dispatch",
                    "--tls-cert", cert, "--tls-key", key)
    check(server.url.startswith("https://127.0.0.1:"), "https url: " + str(server.url))
    port = int(server.url.rsplit(":", 1)[1])
    # Two requests on one verified connection: HSTS on each, the session cookie Secure.
    connection = http.client.HTTPSConnection("127.0.0.1", port, timeout=10, context=trusted)
    connection.request("GET", "/healthz")
    response = connection.getresponse()
    body = response.read().decode()
    check(response.status == 200 and '"status"' in body, f"https /healthz: {response.status} {body}")
    check(response.getheader("Strict-Transport-Security") == "max-age=31536000",
          "HSTS: " + str(response.getheader("Strict-Transport-Security")))
    connection.request("POST", "/api/login",
                       json.dumps({"username": "ops", "password": "ops-password-1"}),
                       {"Content-Type": "application/json"})
    response = connection.getresponse()
    response.read()
    cookie = response.getheader("Set-Cookie") or ""
    check(response.status == 200 and "; Secure" in cookie and "HttpOnly" in cookie,
          f"login over https: {response.status} cookie {cookie!r}")
    connection.close()
    # A client that does not trust the certificate gets no answer.
    try:
        urllib.request.urlopen(server.url + "/healthz", timeout=10,
                               context=ssl.create_default_context())
        check(False, "an unknown certificate was accepted")
    except urllib.error.URLError as error:
        check("CERTIFICATE_VERIFY_FAILED" in str(error), "untrusted: " + str(error))
    # Plain HTTP to the HTTPS port: closed, never answered in clear, and counted.
    plain = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        plain.request("GET", "/healthz")
        answer = plain.getresponse()
        check(False, f"plain http answered {answer.status}")
    except (http.client.HTTPException, OSError):
        pass
    plain.close()
    status, metrics = server.get("/metrics", context=trusted)
    match = re.search(r"^investflow_http_tls_handshake_failures_total (\d+)$", metrics, re.M)
    check(status == 200 and match and int(match.group(1)) >= 2,
          "tls handshake failures counted: " + (match.group(0) if match else "missing"))
    # SIGHUP with a broken certificate file: logged, and the running one still serves.
    with open(cert, "w") as f:
        f.write("not a certificate\n")
    server.process.send_signal(signal.SIGHUP)
    deadline = time.time() + 20
    said = ""
    while time.time() < deadline and "the running certificate stays" not in said:
        time.sleep(0.1)
        server.err.seek(0)
        said = server.err.read()
    check(f"cannot use the TLS certificate {cert}" in said and
          "the running certificate stays" in said, "SIGHUP with a broken certificate: " + said)
    check(server.get("/healthz", context=trusted)[0] == 200, "https after a failed reload")
    shutil.copy(TLS_CERT, cert)
    server.process.send_signal(signal.SIGHUP)
    time.sleep(0.5)
    check(server.get("/healthz", context=trusted)[0] == 200, "https after a reload")
    code, said = server.stop()
    check(code == 0, f"TLS server exit code {code}: {said}")

    # Bad settings: named at start.
    half = run("serve", "--db", db, "--tls-cert", cert, ok=False)
    check(half.returncode == 2 and "needs --tls-key" in half.stderr, "--tls-cert alone: " + half.stderr)
    with open(key, "w") as f:
        f.write("-----BEGIN PRIVATE KEY-----\nnot base64\n-----END PRIVATE KEY-----\n")
    broken = run("serve", "--db", db, "--listen", "127.0.0.1:0", "--no-dispatch",
                 "--tls-cert", cert, "--tls-key", key, ok=False)
    check(broken.returncode == 1 and f"cannot use the TLS key {key}" in broken.stderr,
          f"a broken key: {broken.returncode} {broken.stderr}")


def accounts(work, db):
    for weak, why in (("short-pw", "at least 12 characters"),
                      ("woaini1314520", "first that attackers try"),
                      ("abcdefghijklm", "runs in sequence"),
                      ("zzzzzzzzzzzzzz", "repeats one character")):
        refused = run("user", "add", "weak", "--role", "staff", "--password-stdin", "--db", db,
                      ok=False, stdin=weak + "\n")
        check(refused.returncode == 1 and why in refused.stderr, f"{weak}: {refused.stderr}")
    added = run("user", "add", "chen", "--role", "staff", "--password-stdin", "--db", db,
                stdin="chen-password-2026\n")
    check("added chen (staff)" in added.stdout and "password:" not in added.stdout, added.stdout)
    both = run("user", "passwd", "chen", "--password", "x" * 13, "--password-stdin", "--db", db,
               ok=False, stdin="y\n")
    check(both.returncode == 2, "--password with --password-stdin is a usage error")
    token = run("user", "token", "chen", "--name", "etl", "--db", db).stdout.strip()
    spare = run("user", "token", "chen", "--name", "spare", "--expires", "never", "--db", db).stdout.strip()
    listed = run("token", "list", "--user", "chen", "--db", db).stdout
    check(re.search(r"\betl\b.*\d{4}-\d\d-\d\d.*-$", listed, re.M) and
          re.search(r"\bspare\b.*never", listed), "token list: " + listed)
    check(token not in listed and spare not in listed, "token list shows no secret")
    server = Server(work, "--db", db, "--listen", "127.0.0.1:0", "--no-dispatch")

    def me(bearer):
        return server.get("/api/me", bearer)[0]

    def login(password):
        request = urllib.request.Request(
            server.url + "/api/login", json.dumps({"username": "chen", "password": password}).encode(),
            {"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    check(me(token) == 200 and login("chen-password-2026") == 200, "chen works")
    etl = re.search(r"^(\S+)\s+chen\s+etl\b", listed, re.M).group(1)
    check(run("token", "revoke", etl, "--db", db).returncode == 0, "token revoke")
    check(run("token", "revoke", etl, "--db", db, ok=False).returncode == 1, "revoking twice fails")
    time.sleep(1.2)  # the server trusts a checked token for a second
    check(me(token) == 401 and me(spare) == 200, "a revoked token is refused, another is not")
    check(run("user", "disable", "chen", "--db", db).returncode == 0, "user disable")
    time.sleep(1.2)
    check(me(spare) == 401 and login("chen-password-2026") == 401, "a disabled user is refused")
    users = run("user", "list", "--db", db).stdout
    check(re.search(r"^chen\s+disabled\s+staff\s+-$", users, re.M), "user list: " + users)
    run("user", "enable", "chen", "--db", db)
    check(me(spare) == 200, "enabled again: the token works")
    run("user", "passwd", "chen", "--password-stdin", "--revoke-tokens", "--db", db,
        stdin="chen-new-password-2026\n")
    time.sleep(1.2)
    check(me(spare) == 401 and login("chen-new-password-2026") == 200,
          "passwd --revoke-tokens revokes, the new password logs in")
    server.stop()


def proxies(work, db):
    log = os.path.join(work, "proxied.log")
    server = Server(work, "--db", db, "--listen", "127.0.0.1:0", "--no-dispatch",
                    "--trusted-proxies", "10.0.0.0/8, 127.0.0.1", "--access-log",
                    "--log-format", "json", "--log-file", log)
    port = int(server.url.rsplit(":", 1)[1])
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("POST", "/api/login",
                       json.dumps({"username": "ops", "password": "ops-password-1"}),
                       {"Content-Type": "application/json",
                        "X-Forwarded-For": "1.2.3.4, 198.51.100.7",
                        "X-Forwarded-Proto": "https"})
    response = connection.getresponse()
    response.read()
    cookie = response.getheader("Set-Cookie") or ""
    check(response.status == 200 and "; Secure" in cookie,
          f"login through a trusted https proxy: {response.status} {cookie!r}")
    connection.close()
    server.stop()
    with open(log) as f:
        lines = [json.loads(line) for line in f if '"route"' in line]
    logins = [line for line in lines if line.get("route") == "/api/login"]
    check(logins and logins[-1].get("remote") == "198.51.100.7",
          "the access log names the forwarded client: " + json.dumps(logins))
    bad = run("serve", "--db", db, "--trusted-proxies", "10.0.0.0/33", ok=False)
    check(bad.returncode == 2 and "'10.0.0.0/33' has no valid prefix length" in bad.stderr,
          "a bad --trusted-proxies: " + bad.stderr)


def prompted_password(work, db):
    """user passwd --prompt: asked twice on the terminal, not echoed; differing answers
    change nothing."""
    import pty

    def answer(*lines):
        pid, fd = pty.fork()
        if pid == 0:
            os.execv(BINARY, [BINARY, "user", "passwd", "ops", "--prompt", "--db", db])
        seen = b""
        for line in lines:
            while b"Password" not in seen.split(b"\n")[-1]:
                chunk = os.read(fd, 1024)
                if not chunk:
                    break
                seen += chunk
            os.write(fd, line.encode() + b"\n")
            seen += b"\n"
        while True:
            try:
                chunk = os.read(fd, 1024)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
        _, status = os.waitpid(pid, 0)
        return os.waitstatus_to_exitcode(status), seen.decode(errors="replace")

    code, seen = answer("prompted-password-1", "prompted-password-1")
    check(code == 0 and "password of ops changed" in seen, "--prompt: " + seen)
    check("prompted-password-1" not in seen, "--prompt echoed the password: " + seen)
    code, seen = answer("prompted-password-2", "prompted-password-3")
    check(code == 2 and "the two passwords differ" in seen, "--prompt, differing: " + seen)


def digests(work, db):
    """serve --digest-dir/--digest-key/--digest-webhook: signed digests written every second
    and posted to a witness; verify --digest checks the database against one, and catches
    an event removed behind the server's back (triggers dropped and restored)."""
    import http.server
    import threading
    key = os.path.join(work, "keys", "digest.key")
    os.makedirs(os.path.dirname(key))
    made = run("keygen", "--out", key)
    check(os.stat(key).st_mode & 0o777 == 0o600, "keygen: the key is 0600")
    check("public key " in made.stdout, "keygen prints the public key: " + made.stdout)
    received = []

    class Witness(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            received.append(self.rfile.read(int(self.headers["Content-Length"])).decode())
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    witness = http.server.HTTPServer(("127.0.0.1", 0), Witness)
    threading.Thread(target=witness.serve_forever, daemon=True).start()
    digest_dir = os.path.join(work, "digests")
    server = Server(work, "--db", db, "--listen", "127.0.0.1:0", "--no-dispatch",
                    "--digest-dir", digest_dir, "--digest-key", key, "--digest-every", "1s",
                    "--digest-webhook", f"http://127.0.0.1:{witness.server_port}/digests",
                    "--webhook-allow", "127.0.0.1")
    deadline = time.time() + 60
    while time.time() < deadline and not received:
        time.sleep(0.2)
    code, err = server.stop()
    witness.shutdown()
    check(code == 0, "digests: exit code " + err)
    check(received, "digests: the witness got none")
    files = sorted(os.listdir(digest_dir)) if os.path.isdir(digest_dir) else []
    check(files and files[0].startswith("zone-digest-"), f"digest files: {files}")
    if not received or not files:
        return
    posted = os.path.join(work, "posted-digest.json")
    with open(posted, "w") as f:
        f.write(received[0])
    for digest in (posted, os.path.join(digest_dir, files[-1])):
        verified = run("verify", db, "--digest", digest, "--public-key", key + ".pub", ok=False)
        check(verified.returncode == 0 and verified.stdout.endswith(": ok\n"),
              "verify --digest: " + verified.stdout + verified.stderr)
    with sqlite3.connect(db) as raw:
        triggers = raw.execute("SELECT sql FROM sqlite_master WHERE name = 'events_no_delete'").fetchone()[0]
        raw.execute("DROP TRIGGER events_no_delete")
        raw.execute("PRAGMA foreign_keys = OFF")
        raw.execute("DELETE FROM events WHERE id = (SELECT max(id) FROM events)")
        raw.execute(triggers)
    tampered = run("verify", db, "--digest", posted, "--public-key", key + ".pub", ok=False)
    check(tampered.returncode == 1 and "digest_mismatch" in tampered.stdout,
          "verify --digest after an event was removed: " + tampered.stdout + tampered.stderr)
def metrics_access(work, db):
    # Without a token: this machine, but nothing a proxy forwarded.
    server = Server(work, "--db", db, "--listen", "127.0.0.1:0", "--no-dispatch")
    port = int(server.url.rsplit(":", 1)[1])
    status, _ = server.get("/metrics")
    check(status == 200, f"/metrics from loopback without a token: {status}")
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", "/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
    response = connection.getresponse()
    body = response.read().decode()
    check(response.status == 403 and "metrics_local_only" in body,
          f"/metrics forwarded from elsewhere: {response.status} {body}")
    connection.close()
    server.stop()

    token = "ops-metrics-" + "7" * 24
    token_file = os.path.join(work, "metrics.token")
    with open(token_file, "w") as f:
        f.write(token + "\n")
    server = Server(work, "--db", db, "--listen", "127.0.0.1:0", "--no-dispatch",
                    "--metrics-token-file", token_file, "--metrics-listen", "127.0.0.1:0")
    server.out.seek(0)
    match = re.search(r"metrics on (http://\S+)/metrics", server.out.read())
    check(match is not None, "the metrics address is printed")
    status, _ = server.get("/metrics")
    check(status == 401, f"/metrics without the token: {status}")
    status, _ = server.get("/metrics", "wrong-" + token)
    check(status == 401, f"/metrics with a wrong token: {status}")
    status, metrics = server.get("/metrics", token)
    check(status == 200 and "investflow_http_stream_queued_bytes" in metrics,
          f"/metrics with the token: {status}")
    if match:
        separate = match.group(1)
        status, metrics = get(separate + "/metrics", token)
        check(status == 200 and "investflow_http_requests_total" in metrics,
              f"/metrics on --metrics-listen: {status}")
        status, _ = get(separate + "/metrics")
        check(status == 401, f"/metrics on --metrics-listen without the token: {status}")
        status, _ = get(separate + "/api/projects", token)
        check(status == 404, f"the API is not on --metrics-listen: {status}")
    code, err = server.stop()
    check(code == 0, "serve with --metrics-listen stops cleanly: " + err)

    with open(token_file, "w") as f:
        f.write("short\n")
    bad = run("serve", "--db", db, "--metrics-token-file", token_file, ok=False)
    check(bad.returncode == 2 and "at least 16 characters" in bad.stderr,
          "a short metrics token: " + bad.stderr)


def main():
    work = tempfile.mkdtemp(prefix="investflow-ops-")
    try:
        db = os.path.join(work, "zone.db")
        run("init", db)
        run("seed", db, "--projects", "3", "--synchronous", "off")
        run("user", "add", "ops", "--role", "manager", "--password", "ops-password-1", db)
        token = run("user", "token", "ops", "--db", db).stdout.strip()
        # Data at rest: whatever the caller's umask, the database is its owner's alone.
        for path in (db, db + "-wal", db + "-shm"):
            if os.path.exists(path):
                mode = os.stat(path).st_mode & 0o777
                check(mode == 0o600, f"{os.path.basename(path)} is {oct(mode)}, not 0600")

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
        for name in backups:
            mode = os.stat(os.path.join(work, "backups", name)).st_mode & 0o777
            check(mode == 0o600, f"backup {name} is {oct(mode)}, not 0600")
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

        tls(work, db)
        accounts(work, db)
        proxies(work, db)
        digests(work, db)
        prompted_password(work, db)
        metrics_access(work, db)

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
