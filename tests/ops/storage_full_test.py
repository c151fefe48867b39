#!/usr/bin/env python3
"""Storage failures through the real binary (`investflow serve`).

- A full disk: the database on a small filesystem (a tmpfs of its own, in a private mount
  namespace, when unshare and mount are allowed), filled by the server's own writes (comments
  over HTTP) once a ballast file has taken most of the room. The write that finds no room is
  507 problem+json (code storage_full, 存储空间不足 in Chinese) with a request id the log
  line names; /readyz turns 503 (not_ready, 存储空间不足) while /healthz stays 200; once space
  is freed a write succeeds and /readyz is 200 again; `investflow verify` is clean after.
  Where mounts are not allowed (an unprivileged container), the server runs with a file size
  limit instead (RLIMIT_FSIZE, SIGXFSZ ignored): its writes past the limit fail with EFBIG,
  which is as real a refusal by the OS; "freeing space" is raising the limit (prlimit).
- Start-up: a database whose write lock another process holds is a clear error naming the
  file and that process (pid and name, from /proc/locks); on a read-only filesystem (when
  mounts are allowed) a clear error saying so. Both exit 1.

Usage: storage_full_test.py BINARY   (STORAGE_FULL_TEST_NO_MOUNT=1: the fallback even where
mounts are allowed)
"""
import json
import os
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

BINARY = os.path.abspath(sys.argv[1])
IN_NAMESPACE = len(sys.argv) > 2 and sys.argv[2] == "--in-namespace"
failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
        print("FAIL:", message, file=sys.stderr)


def run(*args, ok=True):
    result = subprocess.run([BINARY, *args], capture_output=True, text=True)
    if ok and result.returncode != 0:
        raise SystemExit(f"{args} exited {result.returncode}: {result.stderr}")
    return result


def request(url, method="GET", body=None, token=None, lang="zh-CN"):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method)
    req.add_header("Accept-Language", lang)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


class Server:
    def __init__(self, work, db, limited=False):
        self.out = open(os.path.join(work, "serve.out"), "w+")
        self.err = open(os.path.join(work, "serve.err"), "w+")

        def ignore_xfsz():
            # Ignored signals stay ignored across exec: past a file size limit write() then
            # fails with EFBIG instead of the process being killed.
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)

        self.process = subprocess.Popen(
            [BINARY, "serve", "--db", db, "--listen", "127.0.0.1:0", "--no-dispatch"],
            stdout=self.out, stderr=self.err, preexec_fn=ignore_xfsz if limited else None)
        deadline = time.time() + 60
        while time.time() < deadline:
            self.out.seek(0)
            text = self.out.read()
            if " on http://" in text:
                self.url = text.split(" on ", 1)[1].split("/ ", 1)[0]
                return
            if self.process.poll() is not None:
                raise SystemExit("serve exited: " + self.log())
            time.sleep(0.05)
        raise SystemExit("serve did not start")

    def log(self):
        self.err.seek(0)
        return self.err.read()

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=60)


def prepare(db):
    run("init", db)
    run("seed", db, "--projects", "2", "--synchronous", "off")
    run("user", "add", "ops", "--role", "manager", "--password", "ops-password-1", db)
    return run("user", "token", "ops", "--db", db).stdout.strip()


def disk_full(work, small, mounted):
    db = os.path.join(small, "zone.db")
    token = prepare(db)
    ballast = os.path.join(small, "ballast")
    if mounted:
        # Leave a little room: the server's own writes take the rest.
        volume = os.statvfs(small)
        with open(ballast, "wb") as f:
            f.write(b"\0" * max(0, volume.f_bavail * volume.f_frsize - 512 * 1024))
    server = Server(work, db, limited=not mounted)
    if not mounted:
        # No write of the server's may reach past 192 KiB into any file from now on: its WAL
        # soon fills that (checkpoints into the larger database file fail too), and the
        # readiness probe's 256 KiB do not fit.
        resource.prlimit(server.process.pid, resource.RLIMIT_FSIZE,
                         (192 * 1024, resource.RLIM_INFINITY))
    try:
        status, _, body = request(server.url + "/api/projects?limit=1", token=token)
        check(status == 200, f"GET /api/projects: {status} {body}")
        project = json.loads(body)["projects"][0]["id"]
        comment = {"text": "存储空间测试" * 220}  # about 4,000 bytes
        answered = []
        for _ in range(3000):
            status, headers, body = request(
                server.url + f"/api/projects/{project}/comments", "POST", comment, token)
            answered.append(status)
            if status not in (200, 201):
                break
        check(answered[-1] == 507,
              f"a write on a full disk is 507, got {answered[-1]} after {len(answered)}: {body}")
        check(headers.get("Content-Type") == "application/problem+json",
              "507 content type " + str(headers.get("Content-Type")))
        problem = json.loads(body)
        check(problem.get("code") == "storage_full" and "存储空间不足" in problem.get("detail", ""),
              "507 in Chinese: " + body)
        request_id = problem.get("request_id", "")
        check(request_id and f"request_id={request_id} storage failure (full)" in server.log(),
              f"the log names request {request_id}: {server.log()[-2000:]}")
        status, _, body = request(server.url + f"/api/projects/{project}/comments", "POST",
                                  comment, token, lang="en")
        check(status == 507 and "Insufficient storage" in body, f"507 in English: {status} {body}")

        status, _, body = request(server.url + "/readyz")
        check(status == 503 and '"not_ready"' in body and "存储空间不足" in body,
              f"/readyz while full: {status} {body}")
        status, _, body = request(server.url + "/healthz")
        check(status == 200, f"/healthz stays 200 (liveness): {status} {body}")
        status, _, body = request(server.url + "/metrics")
        check("investflow_storage_full 1" in body, "investflow_storage_full 1")

        # Room again.
        if mounted:
            os.remove(ballast)
        else:
            resource.prlimit(server.process.pid, resource.RLIMIT_FSIZE,
                             (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
        status, _, body = request(server.url + f"/api/projects/{project}/comments", "POST",
                                  {"text": "空间已释放"}, token)
        check(status in (200, 201), f"a write once space is freed: {status} {body}")
        status, _, body = request(server.url + "/readyz")
        check(status == 200, f"/readyz after recovery: {status} {body}")
        status, _, body = request(server.url + "/metrics")
        check("investflow_storage_full 0" in body, "investflow_storage_full 0")
    finally:
        code = server.stop()
    check(code == 0, f"serve exit code {code}: {server.log()[-2000:]}")
    verified = run("verify", db, ok=False)
    check(verified.returncode == 0, f"verify after the full disk: {verified.stdout}{verified.stderr}")


def locked(work):
    db = os.path.join(work, "locked.db")
    run("init", db)
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("PRAGMA user_version = user_version")
    try:
        started = run("serve", "--db", db, "--listen", "127.0.0.1:0", "--no-dispatch", ok=False)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    name = open(f"/proc/{os.getpid()}/comm").read().strip()
    check(started.returncode == 1, f"serve on a locked database exits 1: {started.returncode}")
    check(db in started.stderr and "another process holds its write lock" in started.stderr
          and f"pid {os.getpid()} ({name})" in started.stderr,
          "serve on a locked database: " + started.stderr)
    added = run("user", "add", "li", "--role", "staff", "--password", "li-password-2026", db)
    check(added.returncode == 0, "the lock released: the database is writable again")


def read_only(small):
    db = os.path.join(small, "zone.db")
    subprocess.run(["mount", "-o", "remount,ro", small], check=True)
    try:
        started = run("serve", "--db", db, "--listen", "127.0.0.1:0", "--no-dispatch", ok=False)
    finally:
        subprocess.run(["mount", "-o", "remount,rw", small], check=True)
    check(started.returncode == 1 and db in started.stderr
          and "the filesystem holding it is mounted read-only" in started.stderr,
          f"serve on a read-only filesystem: {started.returncode} {started.stderr}")


def main():
    if not IN_NAMESPACE and not os.environ.get("STORAGE_FULL_TEST_NO_MOUNT") and \
            os.geteuid() == 0 and shutil.which("unshare") and \
            subprocess.run(["unshare", "-m", "sh", "-c", "mount -t tmpfs none /mnt"],
                           capture_output=True).returncode == 0:
        os.execvp("unshare", ["unshare", "-m", "--propagation", "private", sys.executable,
                              os.path.abspath(__file__), BINARY, "--in-namespace"])
    work = tempfile.mkdtemp(prefix="investflow-storage-full-")
    try:
        small = os.path.join(work, "small")
        os.mkdir(small)
        mounted = IN_NAMESPACE
        if mounted:
            subprocess.run(["mount", "-t", "tmpfs", "-o", "size=6m,mode=0700", "none", small],
                           check=True)
            print("a 6 MiB tmpfs in a private mount namespace")
        else:
            print("note: no mount namespace here; a file size limit (RLIMIT_FSIZE) stands in "
                  "for the small filesystem, and the read-only filesystem is not tried")
        disk_full(work, small, mounted)
        locked(work)
        if mounted:
            read_only(small)
    finally:
        if IN_NAMESPACE:
            subprocess.run(["umount", os.path.join(work, "small")])
        shutil.rmtree(work, ignore_errors=True)
    if failures:
        print(f"{len(failures)} failure(s)", file=sys.stderr)
        return 1
    print("storage full test: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
