#!/usr/bin/env python3
"""Soak test (issue 8, `make soak MINUTES=10`; not in CI).

`investflow serve` on a seeded database under mixed read/write load for MINUTES: wrk at 32
connections running tests/soak/mixed.lua (GET a project, list a page, read a history, PATCH a
field, take a transition that may be refused), while this script samples the server's RSS
and open file descriptors every 10 s.

It fails when either grows: after a warm-up (the first quarter of the run), the mean of the
last quarter's samples may exceed the warm-up's mean by at most 10% + 16 MB for RSS and 8 for
file descriptors; a server that dies or stops answering also fails it. Samples go to stderr
and, as CSV, to the file given with --csv.

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


def healthy(port):
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", "/healthz")
        status = connection.getresponse().status
        connection.close()
        return status == 200
    except OSError:
        return False


def grown(samples, index, allowance):
    quarter = max(1, len(samples) // 4)
    warm = statistics.mean(sample[index] for sample in samples[quarter:2 * quarter] or samples[:quarter])
    late = statistics.mean(sample[index] for sample in samples[-quarter:])
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
        subprocess.run([binary, "seed", db, "--projects", str(args.projects)], check=True, stdout=subprocess.DEVNULL)
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
            csv.write("seconds,rss_mb,fds\n")
        started = time.monotonic()
        failures = []
        while wrk.poll() is None:
            time.sleep(INTERVAL)
            if wrk.poll() is not None:
                break  # samples are of the server under load
            if server.poll() is not None:
                failures.append(f"the server exited with {server.returncode}")
                break
            sample = (round(time.monotonic() - started), rss_mb(server.pid), fds(server.pid))
            samples.append(sample)
            log(f"t={sample[0]:5d}s rss={sample[1]:7.1f} MB fds={sample[2]}")
            if csv:
                csv.write(f"{sample[0]},{sample[1]:.1f},{sample[2]}\n")
                csv.flush()
        output = wrk.communicate()[0]
        log("wrk: " + " | ".join(line.strip() for line in output.splitlines() if line.strip()))
        if not healthy(port):
            failures.append("the server does not answer /healthz after the load")
        if len(samples) >= 4:
            warm, late, bad = grown(samples, 1, lambda base: base * 1.10 + 16)
            log(f"rss: warm {warm:.1f} MB, end {late:.1f} MB")
            if bad:
                failures.append(f"RSS grew from {warm:.1f} MB to {late:.1f} MB")
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
