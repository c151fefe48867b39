#!/usr/bin/env python3
"""Soak test (issue 8, `make soak MINUTES=10`; not in CI).

`investflow serve` on a seeded database under mixed read/write load for MINUTES: wrk at 32
connections running tests/soak/mixed.lua (GET a project, list a page, read a history, PATCH a
field, take a transition that may be refused), while this script samples the server's RSS,
its open file descriptors and, from /metrics, SQLite's own heap every 10 s.

SQLite's page caches (PRAGMA cache_size: 128 MiB per writing connection, 16 MiB per reader)
fill as pages are read, hold more as the writes grow the database, and are dropped whole
when another connection has committed (WAL), so SQLite's heap swings by tens of MB and
drifts upward, and RSS with it, without any leak. What is judged is therefore split in two:
  - RSS minus SQLite's memory (investflow_sqlite_memory_bytes), the part a leak would grow:
    after a warm-up (the first quarter of the run), the mean of the last quarter's samples
    may exceed the warm-up's mean by at most 10% + 16 MB;
    (jemalloc gives pages SQLite freed back within seconds; glibc's malloc keeps them, and
    they count here);
  - SQLite's memory, which may grow but must stay within the configured caches
    (investflow_sqlite_cache_budget_bytes) + 32 MB for schemas and prepared statements.
File descriptors may grow by at most 8 (same means); a server that dies or stops answering
also fails it. Samples go to stderr and, as CSV, to the file given with --csv.

Usage: soak.py INVESTFLOW_BINARY [--minutes M] [--projects N] [--csv FILE]
"""

import argparse
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import http.client

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
WORKFLOWS = os.path.join(ROOT, "workflows", "definitions")
INTERVAL = 10
MB = 1024 * 1024
SQLITE_MARGIN_MB = 32  # schemas, prepared statements, lookaside: outside the page caches
SQLITE_GAUGES = ("investflow_sqlite_memory_bytes", "investflow_sqlite_page_cache_bytes",
                 "investflow_sqlite_cache_budget_bytes")


def log(message):
    print(f"soak: {message}", file=sys.stderr, flush=True)


def rss_mb(pid):
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def fds(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def sqlite_mb(port):
    """SQLite's gauges from /metrics (which needs no credentials), in MB; None if unanswered."""
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", "/metrics")
        response = connection.getresponse()
        text = response.read().decode()
        connection.close()
    except OSError:
        return None
    values = {}
    for line in text.splitlines():
        name, _, value = line.partition(" ")
        if name in SQLITE_GAUGES:
            values[name] = float(value) / MB
    return tuple(values[name] for name in SQLITE_GAUGES) if len(values) == len(SQLITE_GAUGES) else None


def healthy(port):
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", "/healthz")
        status = connection.getresponse().status
        connection.close()
        return status == 200
    except OSError:
        return False


def means(samples, index):
    """The mean after the warm-up (second quarter) and the mean of the last quarter."""
    quarter = max(1, len(samples) // 4)
    warm = statistics.mean(sample[index] for sample in samples[quarter:2 * quarter] or samples[:quarter])
    late = statistics.mean(sample[index] for sample in samples[-quarter:])
    return warm, late


def grown(samples, index, allowance):
    warm, late = means(samples, index)
    return warm, late, late > allowance(warm)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("binary")
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--projects", type=int, default=5000)
    parser.add_argument("--csv")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        log("wrk is missing (INVESTFLOW_BENCH_TOOLS=1 scripts/install-deps.sh)")
        return 1
    workdir = tempfile.mkdtemp(prefix="investflow-soak-")
    server = None
    wrk = None
    try:
        db = os.path.join(workdir, "soak.db")
        binary = os.path.abspath(args.binary)
        log(f"seeding {args.projects} projects")
        subprocess.run([binary, "seed", db, "--projects", str(args.projects), "--workflow", "qingyuan-investment"], check=True, stdout=subprocess.DEVNULL)
        subprocess.run([binary, "user", "add", "soak", "--role", "staff", "--role", "manager", "--password",
                        f"soak-{random.getrandbits(64):x}", "--db", db], check=True, stdout=subprocess.DEVNULL)
        token = subprocess.run([binary, "user", "token", "soak", "--db", db], check=True, capture_output=True,
                               text=True).stdout.strip()
        import sqlite3
        connection = sqlite3.connect(db)
        ids = [row[0] for row in connection.execute("SELECT id FROM projects ORDER BY id")]
        connection.close()
        ids_file = os.path.join(workdir, "ids")
        with open(ids_file, "w", encoding="utf-8") as out:
            out.write("\n".join(ids) + "\n")

        server_log = open(os.path.join(workdir, "serve.log"), "wb")
        server = subprocess.Popen([binary, "serve", "--db", db, "--listen", "127.0.0.1:0", "--workflows", WORKFLOWS],
                                  stdout=subprocess.PIPE, stderr=server_log)
        port = int(re.search(r"http://127\.0\.0\.1:(\d+)/", server.stdout.readline().decode()).group(1))
        seconds = int(args.minutes * 60)
        wrk = subprocess.Popen(["wrk", "-t2", "-c32", f"-d{seconds}s", "--timeout", "10s",
                                "-s", os.path.join(ROOT, "tests", "soak", "mixed.lua"),
                                f"http://127.0.0.1:{port}", "--", ids_file, token],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        samples = []
        csv = open(args.csv, "w", encoding="utf-8") if args.csv else None
        if csv:
            csv.write("seconds,rss_mb,fds,sqlite_mb,page_cache_mb,other_mb\n")
        started = time.monotonic()
        failures = []
        while wrk.poll() is None:
            time.sleep(INTERVAL)
            if wrk.poll() is not None:
                break  # samples are of the server under load
            if server.poll() is not None:
                failures.append(f"the server exited with {server.returncode}")
                break
            seconds, rss, descriptors = round(time.monotonic() - started), rss_mb(server.pid), fds(server.pid)
            sqlite = sqlite_mb(port)
            if sqlite is None:
                failures.append(f"the server does not answer /metrics with SQLite's memory (t={seconds}s)")
                break
            budget = sqlite[2]
            # (seconds, RSS, fds, SQLite's heap, of it page caches, RSS that is not SQLite's)
            sample = (seconds, rss, descriptors, sqlite[0], sqlite[1], rss - sqlite[0])
            samples.append(sample)
            log(f"t={sample[0]:5d}s rss={sample[1]:7.1f} MB fds={sample[2]} sqlite={sample[3]:6.1f} MB "
                f"(page cache {sample[4]:6.1f} MB) non-sqlite={sample[5]:7.1f} MB")
            if csv:
                csv.write(",".join([str(sample[0]), f"{sample[1]:.1f}", str(sample[2])] +
                                   [f"{value:.1f}" for value in sample[3:]]) + "\n")
                csv.flush()
        output = wrk.communicate()[0]
        log("wrk: " + " | ".join(line.strip() for line in output.splitlines() if line.strip()))
        if not healthy(port):
            failures.append("the server does not answer /healthz after the load")
        if len(samples) >= 4:
            warm, late = means(samples, 1)
            log(f"rss: warm {warm:.1f} MB, end {late:.1f} MB (not judged as a whole: see below)")
            warm, late = means(samples, 3)
            peak = max(sample[3] for sample in samples)
            log(f"sqlite: warm {warm:.1f} MB, end {late:.1f} MB, peak {peak:.1f} MB "
                f"(page caches may hold {budget:.0f} MB)")
            if peak > budget + SQLITE_MARGIN_MB:
                failures.append(f"SQLite's memory reached {peak:.1f} MB, over its caches' {budget:.0f} MB "
                                f"+ {SQLITE_MARGIN_MB} MB")
            warm, late, bad = grown(samples, 5, lambda base: base * 1.10 + 16)
            log(f"rss - sqlite: warm {warm:.1f} MB, end {late:.1f} MB")
            if bad:
                failures.append(f"RSS other than SQLite's grew from {warm:.1f} MB to {late:.1f} MB")
            warm, late, bad = grown(samples, 2, lambda base: base + 8)
            log(f"fds: warm {warm:.1f}, end {late:.1f}")
            if bad:
                failures.append(f"file descriptors grew from {warm:.1f} to {late:.1f}")
        else:
            failures.append("too few samples: run at least a minute")
        match = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
        requests = re.search(r"(\d+) requests in", output)
        if requests:
            log(f"{requests.group(1)} requests, {match.group(1) if match else 0} refused by the rules (expected)")
        for failure in failures:
            log(f"FAIL {failure}")
        log("FAILED" if failures else "passed")
        return 1 if failures else 0
    finally:
        if wrk and wrk.poll() is None:
            wrk.kill()
            wrk.wait()
        if server and server.poll() is None:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
