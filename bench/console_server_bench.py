#!/usr/bin/env python3
"""The server part of each console page (issue 22: < 50 ms at 1,000,000 projects): the API
requests a page makes when it opens, timed one by one against `investflow serve` (the median
of CONSOLE_BENCH_RUNS runs each, default 7, after one warm run).

Prints `name: value unit` lines on stdout (progress on stderr):
  console_server_<page>_ms   the sum of the medians of the page's requests (the console
                             sends some of them at once, so this is an upper bound), and
                             the slowest of them
  console_server_<page>_together_ms  for a page of several requests, the median wall time
                             of all of them sent at once on their own connections, as the
                             console sends them (from the first sent to the last answered)
  console_api_<name>_ms      the median of each request, for the ones the issue names
                             (list filtered by industry, search by name, by investor and by
                             ID, the overdue list)

Usage: bench/console_server_bench.py BUILD_DIR DB   (a Release build; DB e.g. 1,000,000
projects from `investflow seed --projects 1000000 --problems 100000`; a user
`bench-console` is added to it)
"""

import http.client
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORKFLOWS = os.path.join(ROOT, "workflows", "definitions")


def log(message):
    print(f"console_server_bench: {message}", file=sys.stderr, flush=True)


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    binary = os.path.join(os.path.abspath(sys.argv[1]), "app", "investflow")
    db = os.path.abspath(sys.argv[2])
    runs = int(os.environ.get("CONSOLE_BENCH_RUNS", "7"))
    add = subprocess.run([binary, "user", "add", "bench-console", "--role", "staff", "--role",
                          "manager", "--role", "leader", "--password",
                          f"bench-{random.getrandbits(64):x}", "--db", db],
                         capture_output=True, text=True)
    if add.returncode != 0 and "exist" not in (add.stderr + add.stdout):
        raise RuntimeError(f"user add: {add.stderr}")
    token = subprocess.run([binary, "user", "token", "bench-console", "--db", db], check=True,
                           capture_output=True, text=True).stdout.strip()
    log_file = tempfile.TemporaryFile()
    server = subprocess.Popen([binary, "serve", "--db", db, "--listen", "127.0.0.1:0",
                               "--no-dispatch", "--workflows", WORKFLOWS],
                              stdout=subprocess.PIPE, stderr=log_file)
    try:
        line = server.stdout.readline().decode(errors="replace")
        match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        if not match:
            raise RuntimeError(f"serve did not start: {line!r}")
        connection = http.client.HTTPConnection("127.0.0.1", int(match.group(1)), timeout=60)
        headers = {"Authorization": f"Bearer {token}"}

        def fetch(path):
            started = time.perf_counter()
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            body = response.read()
            elapsed = (time.perf_counter() - started) * 1000
            if response.status != 200:
                raise RuntimeError(f"GET {path}: {response.status} {body[:300]!r}")
            return elapsed, body

        def median_ms(path):
            fetch(path)
            return statistics.median(fetch(path)[0] for _ in range(runs))

        def q(**params):
            return "?" + urllib.parse.urlencode(params)

        workflow = "qingyuan-investment"
        project = json.loads(fetch("/api/projects" + q(workflow=workflow, limit=1))[1])["projects"][0]
        project_path = f"/api/projects/{urllib.parse.quote(project['id'])}"
        year = time.strftime("%Y")
        today = time.strftime("%Y-%m-%d")
        named = {
            "list_industry": "/api/projects" + q(industry="electronics", limit=50),
            "list_filtered": "/api/projects" + q(state="under_construction", industry="electronics",
                                                 sort="-investment", limit=50),
            "search_name": "/api/projects" + q(q="生物制", limit=50),
            "search_investor": "/api/projects" + q(q="新材料", limit=50),
            "search_rare": "/api/projects" + q(q="华创高端陶瓷", limit=50),
            "search_id": "/api/projects" + q(q=project["id"][:-2].lower(), limit=50),
            "overdue": "/api/projects" + q(workflow=workflow, overdue="true", sort="+due", limit=20),
            "ledger": "/api/projects" + q(workflow="service-problem", limit=50),
            "ledger_filtered": "/api/projects" + q(workflow="service-problem",
                                                   responsible_unit="natural_resources",
                                                   overdue="true", limit=50),
            "problems_report": "/api/reports/problems" + q(**{"from": f"{year}-01-01", "to": today}),
        }
        pages = {
            # One answer holds every open column (web/console/public/js/views/board.js).
            "board": ["/api/board" + q(workflow=workflow, limit=30)],
            "project_list": ["/api/projects" + q(limit=50)],
            "project_list_filtered": [named["list_filtered"]],
            "project_search": [named["search_name"]],
            "project_page": [project_path, project_path + "/transitions", project_path + "/history",
                             "/api/projects" + q(parent=project["id"], workflow="service-problem",
                                                 limit=200)],
            # As web/console/public/js/views/dashboard.js asks, for this year so far.
            "dashboard": ["/api/reports/kpis" + q(workflow=workflow, **{"from": f"{year}-01-01", "to": today}),
                          "/api/reports/funnel" + q(workflow=workflow, **{"from": f"{year}-01-01", "to": today}),
                          "/api/reports/pipeline" + q(workflow=workflow, by="industry"),
                          "/api/reports/pipeline" + q(workflow=workflow, by="chain_role"),
                          "/api/reports/aging" + q(workflow=workflow, **{"from": f"{year}-01-01", "to": today}),
                          named["overdue"],
                          "/api/reports/period" + q(**{"from": f"{year}-01-01", "to": today})],
            "problems": [named["ledger"], named["problems_report"]],
            "workflow": ["/api/workflows", f"/api/workflows/{workflow}",
                         f"/api/workflows/{workflow}/versions"],
            # 我的待办, the page after signing in (the header's count is the same request).
            "work": ["/api/me/work", "/api/notifications" + q(unread="true", limit=1)],
        }
        def together_ms(paths):
            """Wall time of the page's requests sent at once, one connection each (as the
            browser sends them, up to 6 per host), from the first sent to the last answered."""
            connections = [http.client.HTTPConnection("127.0.0.1", int(match.group(1)), timeout=60)
                           for _ in paths]

            def one_round():
                barrier = threading.Barrier(len(paths) + 1)
                errors = []

                def send(connection, path):
                    barrier.wait()
                    connection.request("GET", path, headers=headers)
                    response = connection.getresponse()
                    response.read()
                    if response.status != 200:
                        errors.append(f"GET {path}: {response.status}")

                threads = [threading.Thread(target=send, args=pair) for pair in zip(connections, paths)]
                for thread in threads:
                    thread.start()
                barrier.wait()
                started = time.perf_counter()
                for thread in threads:
                    thread.join()
                if errors:
                    raise RuntimeError(errors[0])
                return (time.perf_counter() - started) * 1000

            one_round()
            taken = statistics.median(one_round() for _ in range(runs))
            for connection in connections:
                connection.close()
            return taken

        for name, path in named.items():
            print(f"console_api_{name}_ms: {median_ms(path):.2f} ms", flush=True)
        for page, paths in pages.items():
            times = [(median_ms(path), path) for path in paths]
            for taken, path in times:
                log(f"{page}: {taken:.2f} ms {path}")
            slowest = max(times)
            print(f"console_server_{page}_ms: {sum(t for t, _ in times):.2f} ms "
                  f"({len(paths)} requests; slowest {slowest[0]:.2f} ms: {slowest[1]})", flush=True)
            if len(paths) > 1:
                print(f"console_server_{page}_together_ms: {together_ms(paths):.2f} ms "
                      f"({len(paths)} requests at once)", flush=True)
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
