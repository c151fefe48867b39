#!/usr/bin/env python3
"""Memory and start-up of `investflow serve` (issue 8; docs/performance.md: RSS idle < 50 MB,
start-up with 1M projects < 200 ms, no replay at start).

Prints `name: value unit` lines on stdout (progress on stderr):
  rss_idle_mb                 peak RSS (VmHWM) of a server on an empty database, after its
                              first answered request
  rss_seeded_projects         how many projects the seeded database holds
  startup_to_first_answer_ms  from exec to the first answered GET /api/projects/{id} on the
                              seeded database (median of 5 starts)
  rss_seeded_mb               peak RSS of that server after its first answers
  rss_under_load_mb           peak RSS after HTTP load on the seeded database (wrk, 64
                              connections: GETs of random projects; then field edits too
                              when the database is this script's own)
  seed_peak_rss_mb            peak RSS of `investflow seed` (only when this script seeded)

With INVESTFLOW_BENCH_DB=FILE (e.g. a 1,000,000-project database from `investflow seed`) the
seeded figures use a copy-free read of that file: the load then only reads, so the file is
not changed except for one user `bench-resources` added to it. Otherwise a database of
RESOURCES_BENCH_PROJECTS projects (default 100,000) is seeded here, and the output says so.

Usage: bench/resources_bench.py BUILD_DIR   (a Release build; needs wrk for the load figure)
Environment: RESOURCES_BENCH_SECONDS (load duration, default 10).
"""

import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import http.client

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORKFLOWS = os.path.join(ROOT, "workflows", "definitions")


def log(message):
    print(f"resources_bench: {message}", file=sys.stderr, flush=True)


def peak_rss_mb(pid):
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


class Serve:
    def __init__(self, binary, db, workdir):
        self.started = time.monotonic()
        self.log = open(os.path.join(workdir, "serve.log"), "ab")
        self.process = subprocess.Popen(
            [binary, "serve", "--db", db, "--listen", "127.0.0.1:0", "--workflows", WORKFLOWS],
            stdout=subprocess.PIPE, stderr=self.log)
        line = self.process.stdout.readline().decode(errors="replace")
        match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        if not match:
            self.process.kill()
            raise RuntimeError(f"serve did not start: {line!r}")
        self.port = int(match.group(1))

    def get(self, path, token=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        connection.close()
        return response.status

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process.stdout.close()
        self.log.close()


def first_answer_ms(binary, db, workdir, path, token):
    """Exec to the first answered request: the server prints its port once listening, and
    the request goes out at once; the time includes opening the database."""
    started = time.monotonic()
    server = Serve(binary, db, workdir)
    status = server.get(path, token)
    elapsed = (time.monotonic() - started) * 1000
    server.stop()
    if status != 200:
        raise RuntimeError(f"GET {path} answered {status}")
    return elapsed


def token_for(binary, db):
    add = subprocess.run([binary, "user", "add", "bench-resources", "--role", "staff", "--role", "manager",
                          "--password", f"bench-{random.getrandbits(64):x}", "--db", db],
                         capture_output=True, text=True)
    if add.returncode != 0 and "exist" not in (add.stderr + add.stdout):
        raise RuntimeError(f"user add: {add.stderr}")
    return subprocess.run([binary, "user", "token", "bench-resources", "--db", db], check=True,
                          capture_output=True, text=True).stdout.strip()


def some_ids(db, count):
    import sqlite3
    connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        total = connection.execute("SELECT max(rowid) FROM projects").fetchone()[0] or 0
        rows = connection.execute(
            "SELECT id FROM projects WHERE rowid IN (%s)" %
            ",".join(str(random.randint(1, total)) for _ in range(count)) if total else "SELECT id FROM projects WHERE 0"
        ).fetchall()
        projects = connection.execute("SELECT count(*) FROM projects").fetchone()[0]
    finally:
        connection.close()
    return [row[0] for row in rows], projects


def load(server, token, ids_file, seconds, writes):
    if not shutil.which("wrk"):
        log("wrk missing: no load figure (INVESTFLOW_BENCH_TOOLS=1 scripts/install-deps.sh)")
        return False
    for script in ["get_project.lua"] + (["edit_project.lua"] if writes else []):
        subprocess.run(["wrk", "-t2", "-c64", f"-d{seconds}s", "-s", os.path.join(ROOT, "bench", "http", script),
                        f"http://127.0.0.1:{server.port}", "--", ids_file, token],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return True


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    binary = os.path.join(os.path.abspath(sys.argv[1]), "app", "investflow")
    seconds = int(os.environ.get("RESOURCES_BENCH_SECONDS", "10"))
    workdir = tempfile.mkdtemp(prefix="investflow-resources-")
    try:
        # --- idle, empty database --------------------------------------------------------
        empty = os.path.join(workdir, "empty.db")
        subprocess.run([binary, "init", empty], check=True, stdout=subprocess.DEVNULL)
        server = Serve(binary, empty, workdir)
        server.get("/healthz")
        time.sleep(0.5)
        print(f"rss_idle_mb: {peak_rss_mb(server.process.pid):.1f} MB")
        server.stop()

        # --- the seeded database ---------------------------------------------------------
        db = os.environ.get("INVESTFLOW_BENCH_DB")
        if db:
            db = os.path.abspath(db)
            log(f"using {db}")
        else:
            count = int(os.environ.get("RESOURCES_BENCH_PROJECTS", "100000"))
            db = os.path.join(workdir, "seeded.db")
            log(f"seeding {count} projects (INVESTFLOW_BENCH_DB=FILE uses an existing database)")
            before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            subprocess.run([binary, "seed", db, "--projects", str(count), "--workflow", "qingyuan-investment", "--synchronous", "off"], check=True,
                           stdout=subprocess.DEVNULL)
            after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            if after > before:
                print(f"seed_peak_rss_mb: {after / 1024:.1f} MB")
        token = token_for(binary, db)
        ids, projects = some_ids(db, 2000)
        print(f"rss_seeded_projects: {projects} projects{'' if projects >= 1000000 else ' (set INVESTFLOW_BENCH_DB to a 1,000,000-project database for the issue figure)'}")
        path = f"/api/projects/{ids[0]}"
        first_answer_ms(binary, db, workdir, path, token)  # the file into the page cache
        starts = [first_answer_ms(binary, db, workdir, path, token) for _ in range(5)]
        print(f"startup_to_first_answer_ms: {statistics.median(starts):.0f} ms")

        server = Serve(binary, db, workdir)
        for project in ids[:50]:
            server.get(f"/api/projects/{project}", token)
        server.get("/api/projects?limit=50", token)
        print(f"rss_seeded_mb: {peak_rss_mb(server.process.pid):.1f} MB")
        ids_file = os.path.join(workdir, "ids")
        with open(ids_file, "w", encoding="utf-8") as out:
            out.write("\n".join(ids) + "\n")
        if load(server, token, ids_file, seconds, writes=not os.environ.get("INVESTFLOW_BENCH_DB")):
            print(f"rss_under_load_mb: {peak_rss_mb(server.process.pid):.1f} MB")
        server.stop()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
