#!/usr/bin/env python3
"""GETs of projects while evidence files upload (issue 17: 20 concurrent 50 MiB uploads do
not slow GETs of projects by more than 2x; uploads stream to disk, so memory does not grow
with the file size).

Prints `name: value unit` lines on stdout (progress on stderr):
  upload_get_p50_ms / upload_get_p95_ms            GET /api/projects/{id} of random projects,
                                                   one keep-alive client, no upload running
  upload_get_loaded_p50_ms / upload_get_loaded_p95_ms  the same while UPLOAD_BENCH_UPLOADS
                                                   clients (default 20) each upload a
                                                   UPLOAD_BENCH_MIB file (default 50) again
                                                   and again (curl, streamed from disk)
  upload_get_slowdown_p50 / upload_get_slowdown_p95  loaded ÷ unloaded (the bar: <= 2)
  upload_mib_per_s                                 what the uploads moved meanwhile
  upload_rss_mb                                    peak RSS of the server afterwards

Usage: bench/upload_bench.py BUILD_DIR   (a Release build; needs curl)
Environment: INVESTFLOW_BENCH_DB (an existing database, e.g. 1,000,000 projects from
`investflow seed`: a user `bench-upload` is added to it, and attachments; use a copy),
otherwise UPLOAD_BENCH_PROJECTS (default 2000) are seeded in a temporary directory;
UPLOAD_BENCH_SECONDS (how long each phase measures, default 15); UPLOAD_BENCH_CLIENT_NICE
(default 0; e.g. 19 runs the upload clients at the lowest CPU priority, like browsers on
other machines whose CPU is not the server's: by default, on a small machine, the
uploading clients' own CPU is measured too).
"""

import http.client
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORKFLOWS = os.path.join(ROOT, "workflows", "definitions")


def log(message):
    print(f"upload_bench: {message}", file=sys.stderr, flush=True)


def peak_rss_mb(pid):
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def get_times(port, token, ids, seconds):
    """GETs of random projects on one keep-alive connection for `seconds`; their times in ms."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Authorization": f"Bearer {token}"}
    times = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        started = time.perf_counter()
        connection.request("GET", f"/api/projects/{random.choice(ids)}", headers=headers)
        response = connection.getresponse()
        response.read()
        times.append((time.perf_counter() - started) * 1000)
        if response.status != 200:
            raise RuntimeError(f"GET answered {response.status}")
        time.sleep(0.002)  # a client reading pages, not a load generator
    connection.close()
    return times


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    if not shutil.which("curl"):
        log("curl missing")
        return 1
    binary = os.path.join(os.path.abspath(sys.argv[1]), "app", "investflow")
    seconds = int(os.environ.get("UPLOAD_BENCH_SECONDS", "15"))
    uploads = int(os.environ.get("UPLOAD_BENCH_UPLOADS", "20"))
    nice = int(os.environ.get("UPLOAD_BENCH_CLIENT_NICE", "0"))
    client_nice = ["nice", "-n", str(nice)] if nice else []
    mib = int(os.environ.get("UPLOAD_BENCH_MIB", "50"))
    workdir = tempfile.mkdtemp(prefix="investflow-upload-")
    server = None
    try:
        db = os.environ.get("INVESTFLOW_BENCH_DB")
        if db:
            db = os.path.abspath(db)
            log(f"using {db}")
        else:
            db = os.path.join(workdir, "seeded.db")
            count = os.environ.get("UPLOAD_BENCH_PROJECTS", "2000")
            log(f"seeding {count} projects")
            subprocess.run([binary, "seed", db, "--projects", count, "--workflow",
                            "qingyuan-investment", "--synchronous", "off"], check=True,
                           stdout=subprocess.DEVNULL)
        add = subprocess.run([binary, "user", "add", "bench-upload", "--role", "staff", "--role",
                              "manager", "--password", f"bench-{random.getrandbits(64):x}",
                              "--db", db], capture_output=True, text=True)
        if add.returncode != 0 and "exist" not in (add.stderr + add.stdout):
            raise RuntimeError(f"user add: {add.stderr}")
        token = subprocess.run([binary, "user", "token", "bench-upload", "--db", db], check=True,
                               capture_output=True, text=True).stdout.strip()
        import sqlite3
        connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        total = connection.execute("SELECT max(rowid) FROM projects").fetchone()[0]
        ids = [row[0] for row in connection.execute(
            "SELECT id FROM projects WHERE rowid IN (%s)" %
            ",".join(str(random.randint(1, total)) for _ in range(2000)))]
        connection.close()

        # A PDF by its magic bytes, the rest random (so nothing compresses it away).
        upload_file = os.path.join(workdir, "evidence.pdf")
        with open(upload_file, "wb") as out:
            out.write(b"%PDF-1.7\n")
            out.write(os.urandom(mib * 1024 * 1024 - 9))

        log_file = open(os.path.join(workdir, "serve.log"), "ab")
        server = subprocess.Popen(
            [binary, "serve", "--db", db, "--listen", "127.0.0.1:0", "--no-dispatch",
             "--workflows", WORKFLOWS], stdout=subprocess.PIPE, stderr=log_file)
        line = server.stdout.readline().decode(errors="replace")
        match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        if not match:
            raise RuntimeError(f"serve did not start: {line!r}")
        port = int(match.group(1))

        get_times(port, token, ids, 2)  # warm
        unloaded = get_times(port, token, ids, seconds)

        stop = threading.Event()
        moved = [0] * uploads
        failures = []

        def upload(slot):
            # A project that refuses files (422: e.g. ended, in a terminal state, as many of
            # a seeded database's are; 403: not in a stage where this role may attach) hands
            # the upload on to another one.
            target = slot
            project = ids[target % len(ids)]
            url = f"http://127.0.0.1:{port}/api/projects/{project}/attachments?filename=bench-{slot}.pdf"
            while not stop.is_set():
                result = subprocess.run(
                    client_nice + ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST",
                     "-T", upload_file, "-H", f"Authorization: Bearer {token}",
                     "-H", "Content-Type: application/pdf", url],
                    capture_output=True, text=True)
                if result.stdout.strip() in ("403", "422") and target < slot + 100 * uploads:
                    target += uploads
                    project = ids[target % len(ids)]
                    url = (f"http://127.0.0.1:{port}/api/projects/{project}/attachments"
                           f"?filename=bench-{slot}.pdf")
                    continue
                if result.stdout.strip() not in ("200", "201"):
                    failures.append(result.stdout.strip() or result.stderr.strip())
                    return
                moved[slot] += mib

        threads = [threading.Thread(target=upload, args=(slot,)) for slot in range(uploads)]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        time.sleep(1)  # every upload under way
        loaded = get_times(port, token, ids, seconds)
        stop.set()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
        if failures:
            raise RuntimeError(f"an upload failed: {failures[0]}")

        p50, p95 = statistics.median(unloaded), percentile(unloaded, 0.95)
        l50, l95 = statistics.median(loaded), percentile(loaded, 0.95)
        print(f"upload_get_p50_ms: {p50:.2f} ms ({len(unloaded)} GETs)")
        print(f"upload_get_p95_ms: {p95:.2f} ms")
        print(f"upload_get_loaded_p50_ms: {l50:.2f} ms ({len(loaded)} GETs, {uploads} uploads of {mib} MiB)")
        print(f"upload_get_loaded_p95_ms: {l95:.2f} ms")
        print(f"upload_get_slowdown_p50: {l50 / p50:.2f} x")
        print(f"upload_get_slowdown_p95: {l95 / p95:.2f} x")
        print(f"upload_mib_per_s: {sum(moved) / elapsed:.0f} MiB/s")
        print(f"upload_rss_mb: {peak_rss_mb(server.pid):.1f} MB")
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
