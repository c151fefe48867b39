#!/usr/bin/env python3
"""Crash test over HTTP (issue 8, `make crash-test`, also run by ctest).

The real `investflow serve` under load from several clients is SIGKILLed at random moments,
many times, and restarted on the same database. Each client walks its own projects through
real writes: create a lead, take `accept_lead`, edit a field twice. Every write carries an
Idempotency-Key and a marker unique to it (in a field value or the transition's comment);
when the connection breaks, the client retries the same request with the same key once the
server is back, as a careful integration would, until it is acknowledged.

Afterwards, with the server stopped gracefully:
  - every acknowledged write's marker is in the event log exactly once (none lost, none
    applied twice by a retry), at the version the acknowledgement named;
  - `investflow verify` is clean (hash chains, projections);
  - every project is in the state its acknowledged writes put it in;
  - when the webhook API exists (POST /api/webhooks): every acknowledged event was delivered
    to this script's receiver at least once, with a valid X-Investflow-Signature.

With --postgres (issue 21), the same on a PostgreSQL database the script starts itself
(initdb into a temporary directory, as the `postgres` user when run as root; a Unix socket,
no TCP), served by TWO `investflow serve` processes, as behind a load balancer. Each kill
takes either server; a client whose server does not answer sends the same request, with the
same Idempotency-Key, to the other one. Besides the checks above:
  - an event written through one server reaches a live update stream (GET /api/stream)
    opened on the other, resuming from Last-Event-ID;
  - webhooks are delivered by whichever server holds the duty lease at the time, so every
    acknowledged event still arrives while either is killed;
  - `investflow verify URI` is clean.
Exit status 77 (skipped) when PostgreSQL 15 is not installed or cannot start.

Usage: crash_test.py INVESTFLOW_BINARY [--kills N] [--clients N] [--postgres] [--keep]
Exit status 0 when every check holds; the reasons otherwise.
"""

import argparse
import collections
import csv
import io
import pwd
import hashlib
import hmac
import http.client
import http.server
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
WORKFLOWS = os.path.join(ROOT, "workflows", "definitions")
WEBHOOK_SECRET = "crash-test-secret"


def log(message):
    print(f"crash_test: {message}", file=sys.stderr, flush=True)


PG_BIN = "/usr/lib/postgresql/15/bin"
SKIPPED = 77


class Postgres:
    """A private PostgreSQL 15 in `directory`, on a Unix socket only; as the `postgres` user
    when this runs as root (PostgreSQL refuses to run as root)."""

    def __init__(self, directory):
        self.directory = directory
        self.data = os.path.join(directory, "data")
        self.as_postgres = os.geteuid() == 0

    def command(self, argv):
        if self.as_postgres:
            return ["runuser", "-u", "postgres", "--"] + argv
        return argv

    def start(self):
        """None when started; else why not."""
        if not os.path.exists(os.path.join(PG_BIN, "initdb")):
            return f"PostgreSQL 15 is not installed ({PG_BIN}/initdb)"
        if self.as_postgres:
            try:
                entry = pwd.getpwnam("postgres")
            except KeyError:
                return "running as root and there is no postgres user to run PostgreSQL as"
            os.chown(self.directory, entry.pw_uid, entry.pw_gid)
        init = subprocess.run(self.command([os.path.join(PG_BIN, "initdb"), "-D", self.data, "-U", "postgres",
                                            "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync"]),
                              capture_output=True, text=True, cwd=self.directory)
        if init.returncode != 0:
            return f"initdb failed: {init.stdout}{init.stderr}"
        options = f"-c listen_addresses='' -c unix_socket_directories={self.directory} -c max_connections=200"
        started = subprocess.run(self.command([os.path.join(PG_BIN, "pg_ctl"), "-D", self.data, "-o", options,
                                               "-l", os.path.join(self.directory, "postgres.log"), "-w", "start"]),
                                 capture_output=True, text=True, cwd=self.directory)
        if started.returncode != 0:
            return f"pg_ctl start failed: {started.stdout}{started.stderr}"
        return None

    def uri(self, database="postgres"):
        return f"postgresql:///{database}?host={self.directory}&user=postgres"

    def query(self, sql):
        """The rows of a query, as lists of text (psql, CSV)."""
        out = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", self.uri(), "-c",
                              f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)"],
                             capture_output=True, text=True, check=True).stdout
        return list(csv.reader(io.StringIO(out)))

    def stop(self):
        subprocess.run(self.command([os.path.join(PG_BIN, "pg_ctl"), "-D", self.data, "-m", "immediate", "stop"]),
                       capture_output=True, cwd=self.directory)


class Server:
    """`investflow serve` on port 0; the port is read from its first line."""

    def __init__(self, binary, db, workdir, extra=(), name="serve"):
        self.binary, self.db, self.workdir = binary, db, workdir
        self.extra, self.name = list(extra), name
        self.process = None
        self.port = None
        self.starts = 0
        self.lock = threading.Lock()
        self.up = threading.Event()

    def start(self):
        self.starts += 1
        logfile = open(os.path.join(self.workdir, f"{self.name}-{self.starts}.log"), "wb")
        process = subprocess.Popen(
            [self.binary, "serve", "--db", self.db, "--listen", "127.0.0.1:0", "--workflows", WORKFLOWS,
             "--webhook-allow", "127.0.0.1"] + self.extra,  # the test's receiver is on loopback
            stdout=subprocess.PIPE, stderr=logfile)
        line = process.stdout.readline().decode(errors="replace")
        match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        if not match:
            process.kill()
            raise RuntimeError(f"serve did not report its port: {line!r} (see {logfile.name})")
        # Keep draining stdout so the server never blocks on a full pipe.
        threading.Thread(target=process.stdout.read, daemon=True).start()
        with self.lock:
            self.process, self.port = process, int(match.group(1))
        self.up.set()

    def kill(self):
        self.up.clear()
        with self.lock:
            process = self.process
        process.send_signal(signal.SIGKILL)
        process.wait()

    def stop(self):
        self.up.clear()
        with self.lock:
            process = self.process
        process.send_signal(signal.SIGTERM)
        try:
            return process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            return "hung"

    def current_port(self):
        with self.lock:
            return self.port


def request(port, method, path, token, body=None, headers=None, timeout=5):
    """One request on a fresh connection; (status, parsed body) or None when the connection
    broke (the server was killed, or is not up yet)."""
    all_headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    all_headers.update(headers or {})
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        connection.request(method, path, body=json.dumps(body) if body is not None else None,
                           headers=all_headers)
        response = connection.getresponse()
        data = response.read()
        connection.close()
    except (OSError, http.client.HTTPException):
        return None
    try:
        return response.status, json.loads(data) if data else None
    except ValueError:
        return response.status, data


class Client(threading.Thread):
    """Walks projects through writes until told to stop; records every acknowledgement.
    With several servers, a request that finds its server down goes to the next one."""

    def __init__(self, number, servers, token, stop, failures):
        super().__init__(daemon=True)
        self.number, self.servers, self.token, self.stop, self.failures = number, servers, token, stop, failures
        self.turn = number % len(servers)
        self.acked = []  # (marker, project_id, version, kind)
        self.retries = 0
        self.switches = 0  # retries sent to another server than the first attempt's

    def write(self, method, path, body, key):
        """Sends until acknowledged (same Idempotency-Key each time); the answer or None."""
        deadline = time.monotonic() + 60
        first = None
        while time.monotonic() < deadline:
            server = self.servers[self.turn]
            if len(self.servers) == 1:
                server.up.wait(timeout=10)
            elif not server.up.is_set():
                self.turn = (self.turn + 1) % len(self.servers)
                time.sleep(0.02)
                continue
            first = server if first is None else first
            if server is not first:
                self.switches += 1
            answer = request(server.current_port(), method, path, self.token, body,
                             {"Idempotency-Key": key})
            if answer is None or answer[0] == 503:
                self.retries += 1
                if len(self.servers) > 1:
                    self.turn = (self.turn + 1) % len(self.servers)
                time.sleep(0.02)
                continue
            status, parsed = answer
            if status in (200, 201):
                return parsed
            self.failures.append(f"client {self.number}: {method} {path} ({key}) answered {status}: {parsed}")
            return None
        self.failures.append(f"client {self.number}: {method} {path} ({key}) never acknowledged")
        return None

    def ack(self, marker, answer, kind):
        self.acked.append((marker, answer["project_id"], answer["version"], kind))

    def run(self):
        n = 0
        while not self.stop.is_set():
            n += 1
            tag = f"ck{self.number}x{n}"
            created = self.write("POST", "/api/projects", {
                "workflow": "qingyuan-investment",
                "fields": {"name": f"崩溃测试 {tag}-name", "investor": "测试投资方", "contact": f"{tag}-contact0",
                           "industry": "electronics", "total_investment": 30000, "promoting_unit": "招商一科"},
            }, f"{tag}-create")
            if created is None:
                return
            self.ack(f"{tag}-name", created, "project_created")
            path = f"/api/projects/{created['project_id']}"
            taken = self.write("POST", path + "/transitions",
                               {"transition": "accept_lead", "comment": f"{tag}-accept"}, f"{tag}-accept")
            if taken is None:
                return
            self.ack(f"{tag}-accept", taken, "transition_taken")
            for edit in (1, 2):
                edited = self.write("PATCH", path, {"fields": {"contact": f"{tag}-contact{edit}"}},
                                    f"{tag}-edit{edit}")
                if edited is None:
                    return
                self.ack(f"{tag}-contact{edit}", edited, "fields_edited")


class WebhookReceiver:
    """Records the event ids the server delivers, checking each signature."""

    def __init__(self):
        self.event_ids = set()
        self.bad_signatures = 0
        self.deliveries = 0
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                expected = "sha256=" + hmac.new(WEBHOOK_SECRET.encode(), body, hashlib.sha256).hexdigest()
                if not hmac.compare_digest(self.headers.get("X-Investflow-Signature", ""), expected):
                    receiver.bad_signatures += 1
                else:
                    try:
                        event_id = json.loads(body).get("event_id")
                    except ValueError:
                        event_id = None
                    if event_id is None:
                        event_id = self.headers.get("X-Investflow-Event-Id")
                    if event_id is not None:
                        receiver.event_ids.add(int(event_id))
                receiver.deliveries += 1
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/hook"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


def webhook_api_exists():
    routes = os.path.join(ROOT, "web", "api_routes.cpp")
    try:
        return "/api/webhooks" in open(routes, encoding="utf-8").read()
    except OSError:
        return False


def sqlite_reader(db):
    def rows(sql):
        connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            return connection.execute(sql).fetchall()
        finally:
            connection.close()
    return rows


def postgres_reader(postgres):
    def rows(sql):
        return [tuple(int(value) if value.isdigit() else value for value in row) for row in postgres.query(sql)]
    return rows


def run(args):
    workdir = tempfile.mkdtemp(prefix="investflow-crash-")
    failures = []
    postgres = None
    try:
        if args.postgres:
            postgres = Postgres(workdir)
            why = postgres.start()
            if why is not None:
                log(f"SKIPPED: {why}")
                return None
            db = postgres.uri()
            rows = postgres_reader(postgres)
            # Every server shares the attachments' directory and the webhook secrets' key.
            shared = ["--files-dir", os.path.join(workdir, "files"),
                      "--secret-key", os.path.join(workdir, "secret-key")]
            servers = [Server(args.binary, db, workdir, shared, name=f"serve{n}") for n in (1, 2)]
        else:
            db = os.path.join(workdir, "crash.db")
            rows = sqlite_reader(db)
            servers = [Server(args.binary, db, workdir)]
        subprocess.run([args.binary, "init", db], check=True, stdout=subprocess.DEVNULL)
        subprocess.run([args.binary, "user", "add", "crash", "--role", "staff", "--role", "manager",
                        "--role", "admin", "--password", f"crash-{random.getrandbits(64):x}", "--db", db],
                       check=True, stdout=subprocess.DEVNULL)
        token = subprocess.run([args.binary, "user", "token", "crash", "--db", db], check=True,
                               capture_output=True, text=True).stdout.strip()
        for server in servers:
            server.start()

        receiver = None
        if webhook_api_exists():
            receiver = WebhookReceiver()
            answer = request(servers[0].current_port(), "POST", "/api/webhooks", token,
                             {"url": receiver.url, "secret": WEBHOOK_SECRET, "events": ["*"], "format": "json"})
            if answer is None or answer[0] not in (200, 201):
                failures.append(f"POST /api/webhooks answered {answer}")
                receiver = None
        else:
            log("PENDING: no /api/webhooks route in web/api_routes.cpp yet: webhook delivery not checked")

        stop = threading.Event()
        clients = [Client(i, servers, token, stop, failures) for i in range(args.clients)]
        for client in clients:
            client.start()
        rng = random.Random(args.seed)
        killed = collections.Counter()
        for kill in range(args.kills):
            time.sleep(rng.uniform(0.2, args.max_interval))
            server = rng.choice(servers)
            killed[server.name] += 1
            server.kill()
            time.sleep(rng.uniform(0, 0.2))
            server.start()
        time.sleep(0.5)
        stop.set()
        for client in clients:
            client.join(timeout=90)
            if client.is_alive():
                failures.append(f"client {client.number} did not finish")

        acked = [entry for client in clients for entry in client.acked]
        retries = sum(client.retries for client in clients)
        switches = sum(client.switches for client in clients)
        log(f"{args.kills} kills ({dict(killed)}), {len(acked)} acknowledged writes, {retries} retried "
            f"requests, {switches} of them on another server")
        if len(acked) < args.clients:
            failures.append(f"only {len(acked)} writes acknowledged: the server hardly served")

        if len(servers) > 1 and acked:
            check_stream_across(servers, token, rows, failures)
        check_reports(servers, token, rows, failures)

        delivered_ok = True
        if receiver is not None:
            delivered_ok = wait_for_deliveries(rows, receiver, acked, failures, args.delivery_timeout)

        for server in servers:
            status = server.stop()
            if status != 0:
                failures.append(f"graceful stop of {server.name} exited with {status} "
                                f"(see {workdir}/{server.name}-{server.starts}.log)")

        check_log(rows, acked, failures)
        verify = subprocess.run([args.binary, "verify", db], capture_output=True, text=True)
        if verify.returncode != 0:
            failures.append(f"investflow verify: exit {verify.returncode}: {verify.stdout}{verify.stderr}")
        if receiver is not None and delivered_ok:
            log(f"webhook: {receiver.deliveries} deliveries, every acknowledged event received")
    finally:
        if postgres is not None:
            postgres.stop()
        if failures or args.keep:
            log(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return failures


def check_reports(servers, token, rows, failures):
    """The pipeline report, answered from the summaries each writer keeps in its transactions,
    counts every project the log holds, and every server answers the same."""
    expected = rows("SELECT count(*) FROM projects WHERE workflow = 'qingyuan-investment'")[0][0]
    answers = {}
    for server in servers:
        answer = request(server.current_port(), "GET",
                         "/api/reports/pipeline?workflow=qingyuan-investment", token)
        if answer is None or answer[0] != 200:
            failures.append(f"GET /api/reports/pipeline on {server.name} answered {answer}")
            return
        answers[server.name] = answer[1]
    counts = {name: report["total"]["count"] for name, report in answers.items()}
    if any(count != expected for count in counts.values()):
        failures.append(f"the pipeline report counts {counts}, the database {expected} projects")
    elif len({json.dumps(report, sort_keys=True) for report in answers.values()}) != 1:
        failures.append(f"the servers answer different pipeline reports: {answers}")
    else:
        log(f"reports: the pipeline counts all {expected} projects on every server")


def check_stream_across(servers, token, rows, failures):
    """An event written through one server reaches a stream opened on the other (resuming
    from Last-Event-ID) within a few seconds."""
    last = rows("SELECT max(id) FROM events")[0][0]
    reader, writer = servers[1], servers[0]
    connection = http.client.HTTPConnection("127.0.0.1", reader.current_port(), timeout=10)
    connection.request("GET", "/api/stream", headers={"Authorization": f"Bearer {token}",
                                                      "Accept": "text/event-stream",
                                                      "Last-Event-ID": str(last)})
    response = connection.getresponse()
    if response.status != 200:
        failures.append(f"GET /api/stream on {reader.name} answered {response.status}")
        return
    created = request(writer.current_port(), "POST", "/api/projects", token, {
        "workflow": "qingyuan-investment",
        "fields": {"name": "跨服务器推送", "investor": "测试投资方", "contact": "stream",
                   "industry": "electronics", "total_investment": 100, "promoting_unit": "招商一科"}})
    if created is None or created[0] not in (200, 201):
        failures.append(f"POST /api/projects on {writer.name} for the stream check answered {created}")
        return
    project = created[1]["project_id"]
    started = time.monotonic()
    seen = False
    while time.monotonic() - started < 10 and not seen:
        try:
            line = response.fp.readline().decode(errors="replace")
        except OSError:
            break
        seen = project in line
    connection.close()
    if not seen:
        failures.append(f"{project}, created on {writer.name}, never reached the stream on {reader.name}")
    else:
        log(f"stream: an event written on {writer.name} reached {reader.name} in "
            f"{time.monotonic() - started:.2f} s")


def written_text(payload):
    """Every string in an event's JSON except those under a "before" member."""
    out = []

    def walk(value):
        if isinstance(value, dict):
            for key, item in value.items():
                if key != "before":
                    walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, str):
            out.append(value)

    walk(json.loads(payload))
    return "\n".join(out)


def check_log(rows, acked, failures):
    events = rows("SELECT id, project_id, seq, type, payload FROM events")
    markers = collections.Counter()
    where = {}
    for event_id, project_id, seq, kind, payload in events:
        # A field edit also records the value before it: only what the event wrote counts.
        for marker in set(re.findall(r"ck\d+x\d+-(?:name|accept|contact\d)", written_text(payload))):
            markers[marker] += 1
            where[marker] = (project_id, seq, kind, event_id)
    lost = duplicated = misplaced = 0
    for marker, project_id, version, kind in acked:
        count = markers.get(marker, 0)
        if count == 0:
            lost += 1
            failures.append(f"acknowledged {kind} {marker} ({project_id} v{version}) is not in the log")
        elif count > 1:
            duplicated += 1
            failures.append(f"acknowledged {kind} {marker} is in the log {count} times")
        elif where[marker][:3] != (project_id, version, kind):
            misplaced += 1
            failures.append(f"{marker}: acknowledged as {project_id} v{version} {kind}, logged as {where[marker][:3]}")
    log(f"event log: {len(events)} events; acknowledged writes lost {lost}, duplicated {duplicated}, "
        f"misplaced {misplaced}")
    # Each project is where its acknowledged writes left it (the projection agrees).
    states = dict(rows("SELECT id, state FROM projects"))
    for marker, project_id, _, kind in acked:
        if kind == "transition_taken" and states.get(project_id) != "screening":
            failures.append(f"{project_id}: accept_lead acknowledged, state is {states.get(project_id)}")


def wait_for_deliveries(rows, receiver, acked, failures, timeout):
    ids = {}
    for event_id, project_id, seq in rows("SELECT id, project_id, seq FROM events"):
        ids[(project_id, seq)] = event_id
    wanted = {ids[(project_id, version)] for _, project_id, version, _ in acked if (project_id, version) in ids}
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not wanted <= receiver.event_ids:
        time.sleep(0.2)
    missing = sorted(wanted - receiver.event_ids)
    if missing:
        failures.append(f"webhook: {len(missing)} of {len(wanted)} acknowledged events never delivered "
                        f"(first: {missing[:5]})")
    if receiver.bad_signatures:
        failures.append(f"webhook: {receiver.bad_signatures} deliveries with a wrong signature")
    return not missing and not receiver.bad_signatures


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("binary")
    parser.add_argument("--kills", type=int, default=int(os.environ.get("CRASH_KILLS", 12)))
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--max-interval", type=float, default=1.5, help="longest run between kills (s)")
    parser.add_argument("--delivery-timeout", type=float, default=90)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--keep", action="store_true", help="keep the database and logs")
    parser.add_argument("--postgres", action="store_true",
                        help="two servers on one PostgreSQL database the script starts (exit 77 if it cannot)")
    args = parser.parse_args()
    started = time.monotonic()
    failures = run(args)
    if failures is None:
        return SKIPPED
    for failure in failures[:50]:
        log(f"FAIL {failure}")
    log(f"{'FAILED' if failures else 'passed'} in {time.monotonic() - started:.1f} s")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
