"""The fault trial: patients keep logging holds while Redis and PostgreSQL fail under them.

    python loadtest/faults.py URL --redis-port 6390 --pg-port 5440 --pg-data DIR --db NAME

Run by loadtest/faults against the stack of loadtest/stack.sh on servers of the trial's
own (never the machine's shared Redis and PostgreSQL). PATIENTS simulated patients post
holds and open Today throughout, resending a hold whose answer was a 5xx, a 429 or lost
with the same token, as the timer's outbox does; a probe asks /healthz twice a second.
In turn: Redis stopped, then paused (its connections hang), PostgreSQL stopped, then
paused (every process stopped), the database read-only, and 50 clients sending their
headers slowly. Then it
checks the answers seen:

- no 500, and no answer later than the portal's deadline and a margin;
- every 503 has Retry-After; while only Redis is down, no 503 at all;
- /healthz answers within a second throughout, and says what is down;
- a hold is saved again within seconds of each fault's end;
- the slow clients slow nobody down.

The tokens of the acknowledged holds go to --tokens, for `manage.py loadtest_check`.
Figures per phase go to --json. Exit status 1 when a check fails.
"""

import argparse
import contextlib
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path

import requests

DOMAIN = "bulk.example"  # the synthetic clinic's, see seed_bulk
PASSWORD = "holdfast-bulk"  # noqa: S105 -- the synthetic clinic's, see seed_bulk
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
PROGRAM = re.compile(r'href="/program/(\d+)/"')
PATIENTS = 8
CLIENT_TIMEOUT = 20
RESEND_AFTER = 0.5
SLOW_CLIENTS = 50
RECOVERY_LIMIT = 5.0
HEALTHZ_LIMIT = 1.0


@dataclass
class Answer:
    at: float  # seconds since the trial started, when the request was sent
    took: float
    kind: str  # "hold", "today" or "healthz"
    status: int | None  # None: no answer (connection refused, reset or timed out)
    retry_after: bool = False
    body: dict = field(default_factory=dict)


@dataclass
class Phase:
    name: str
    start: float
    end: float


class Trial:
    def __init__(self, args):
        self.args = args
        self.site = args.url.rstrip("/")
        self.started = time.monotonic()
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.answers = []
        self.acknowledged = set()
        self.sent = set()
        self.phases = []
        self.redis = None

    def now(self):
        return time.monotonic() - self.started

    def record(self, answer):
        with self.lock:
            self.answers.append(answer)

    def request(self, session, kind, method, path, **kwargs):
        sent = self.now()
        try:
            response = session.request(
                method, f"{self.site}{path}", timeout=CLIENT_TIMEOUT, **kwargs
            )
        except requests.RequestException:
            self.record(Answer(sent, self.now() - sent, kind, None))
            return None
        body = {}
        if response.headers.get("Content-Type", "").startswith("application/json"):
            try:
                body = response.json()
            except ValueError:
                body = {}
        self.record(
            Answer(
                sent,
                self.now() - sent,
                kind,
                response.status_code,
                "Retry-After" in response.headers,
                body if kind == "healthz" else {},
            )
        )
        return response

    # The patients

    def patient(self, number):
        session = requests.Session()
        page = session.get(f"{self.site}/accounts/login/", timeout=CLIENT_TIMEOUT)
        token = CSRF.search(page.text).group(1)
        today = session.post(
            f"{self.site}/accounts/login/",
            {
                "username": f"patient{number}@{DOMAIN}",
                "password": PASSWORD,
                "csrfmiddlewaretoken": token,
            },
            timeout=CLIENT_TIMEOUT,
        )
        program = PROGRAM.search(today.text)
        csrf = CSRF.search(today.text).group(1)
        if program is None:
            return
        url = f"/program/{program.group(1)}/holds/"
        headers = {"Accept": "application/json", "X-CSRFToken": csrf}
        while not self.stop.is_set():
            hold = {"side": "left", "seconds": "30", "client_token": str(uuid.uuid4())}
            with self.lock:
                self.sent.add(hold["client_token"])
            while True:  # the outbox: the same token until the server decides
                response = self.request(session, "hold", "POST", url, data=hold, headers=headers)
                if response is not None and response.status_code in (200, 201):
                    with self.lock:
                        self.acknowledged.add(hold["client_token"])
                    break
                if (
                    response is not None
                    and response.status_code < 500
                    and (response.status_code != 429)
                ):
                    break  # refused for good (none is expected)
                if self.stop.wait(RESEND_AFTER) and response is None:
                    break
            self.request(session, "today", "GET", "/today/")
            self.stop.wait(0.2)

    def health_probe(self):
        session = requests.Session()
        while not self.stop.is_set():
            self.request(session, "healthz", "GET", "/healthz")
            self.stop.wait(0.5)

    # The faults

    def phase(self, name, seconds, begin, finish):
        start = self.now()
        print(f"--- {start:5.1f} s  {name} for {seconds} s", flush=True)
        begin()
        time.sleep(seconds)
        finish()
        self.phases.append(Phase(name, start, self.now()))

    def redis_stop(self):
        self.redis.kill()
        self.redis.wait()

    def redis_start(self):
        self.redis = subprocess.Popen(  # noqa: S603 -- fixed arguments
            [
                shutil.which("redis-server"),
                "--port",
                str(self.args.redis_port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
        )
        for _ in range(50):
            try:
                socket.create_connection(("127.0.0.1", self.args.redis_port), 0.2).close()
                return
            except OSError:
                time.sleep(0.1)

    def postgres_pids(self):
        postmaster = int(Path(self.args.pg_data, "postmaster.pid").read_text().split()[0])
        children = subprocess.run(  # noqa: S603 -- fixed arguments
            [shutil.which("pgrep"), "-P", str(postmaster)],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.split()
        return [postmaster, *map(int, children)]

    def postgres_signal(self, signum):
        for pid in self.postgres_pids():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signum)

    def pg_ctl(self, *action):
        subprocess.run(  # noqa: S603 -- fixed arguments
            [shutil.which("pg_ctlcluster"), "--skip-systemctl-redirect", self.args.pg_version,
             self.args.pg_cluster, *action],
            check=True,
            capture_output=True,
        )  # fmt: skip

    def sql(self, statement):
        subprocess.run(  # noqa: S603 -- fixed arguments
            [shutil.which("psql"), "-h", "127.0.0.1", "-p", str(self.args.pg_port),
             "-U", "postgres", "-d", "postgres", "-qtAc", statement],
            check=True,
            capture_output=True,
        )  # fmt: skip

    def read_only(self):
        self.sql(f"ALTER DATABASE {self.args.db} SET default_transaction_read_only = on")
        # The database's name is the trial's own constant (loadtest/faults).
        self.sql(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "  # noqa: S608
            f"WHERE datname = '{self.args.db}' AND pid <> pg_backend_pid()"
        )

    def writable(self):
        # Connections made meanwhile stay read-only: the portal must drop them itself.
        self.sql(f"ALTER DATABASE {self.args.db} RESET default_transaction_read_only")

    def slow_clients_start(self):
        self.slow = []
        for _ in range(SLOW_CLIENTS):
            connection = socket.create_connection(("127.0.0.1", self.args.proxy_port), 5)
            connection.sendall(b"GET /today/ HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            self.slow.append(connection)
        self.slow_thread = threading.Thread(target=self.slow_clients_trickle, daemon=True)
        self.slow_running = True
        self.slow_thread.start()

    def slow_clients_trickle(self):
        while self.slow_running:
            for connection in self.slow:
                with contextlib.suppress(OSError):
                    connection.sendall(b"X")
            time.sleep(1)

    def slow_clients_stop(self):
        self.slow_running = False
        self.slow_thread.join()
        for connection in self.slow:
            connection.close()

    def run(self):
        self.redis_start()
        threads = [threading.Thread(target=self.patient, args=(n,)) for n in range(PATIENTS)]
        threads.append(threading.Thread(target=self.health_probe))
        for thread in threads:
            thread.start()
        seconds = self.args.seconds
        time.sleep(4)
        self.phase("Redis stopped", seconds, self.redis_stop, self.redis_start)
        time.sleep(4)
        self.phase(
            "Redis paused",
            seconds,
            lambda: os.kill(self.redis.pid, signal.SIGSTOP),
            lambda: os.kill(self.redis.pid, signal.SIGCONT),
        )
        time.sleep(4)
        self.phase(
            "PostgreSQL stopped",
            seconds,
            lambda: self.pg_ctl("stop", "-m", "immediate"),
            lambda: self.pg_ctl("start"),
        )
        time.sleep(5)
        self.phase(
            "PostgreSQL paused",
            seconds,
            lambda: self.postgres_signal(signal.SIGSTOP),
            lambda: self.postgres_signal(signal.SIGCONT),
        )
        time.sleep(5)
        self.phase("database read-only", seconds, self.read_only, self.writable)
        time.sleep(4)
        self.phase(
            f"{SLOW_CLIENTS} clients sending headers slowly",
            seconds,
            self.slow_clients_start,
            self.slow_clients_stop,
        )
        time.sleep(5)
        self.stop.set()
        for thread in threads:
            thread.join()
        self.redis.kill()


def p95(values):
    if len(values) < 2:
        return max(values, default=0.0)
    return statistics.quantiles(values, n=20)[18]


def judge(trial, deadline):
    failures = []
    answers = trial.answers
    late = deadline + 2
    figures = []
    for bad in [a for a in answers if a.status is not None and a.status >= 500 and a.status != 503]:
        failures.append(f"{bad.kind} answered {bad.status} at {bad.at:.1f} s")
    for slow in [a for a in answers if a.kind != "healthz" and a.took > late]:
        failures.append(f"a {slow.kind} request at {slow.at:.1f} s took {slow.took:.1f} s")
    for unanswered in [a for a in answers if a.status is None]:
        failures.append(f"a {unanswered.kind} request at {unanswered.at:.1f} s had no answer")
    for a in answers:
        if a.status in (503, 429) and not a.retry_after:
            failures.append(f"a {a.status} at {a.at:.1f} s without Retry-After")
    # When a dependency hangs, every worker may be waiting on it with a request already:
    # for one deadline a probe waits behind them. After that it is answered in a second.
    first_wave = [(p.start, p.start + deadline + HEALTHZ_LIMIT) for p in trial.phases]
    for a in answers:
        queued = any(start <= a.at < end for start, end in first_wave)
        if a.kind == "healthz" and a.took > (
            deadline + 2 * HEALTHZ_LIMIT if queued else HEALTHZ_LIMIT
        ):
            failures.append(f"/healthz took {a.took:.2f} s at {a.at:.1f} s")

    for phase in trial.phases:
        during = [a for a in answers if phase.start <= a.at < phase.end]
        work = [a for a in during if a.kind != "healthz"]
        health = sorted(
            {f"{a.status} {a.body.get('database')}/{a.body.get('cache')}"
             for a in during if a.kind == "healthz"}
        )  # fmt: skip
        saved_after = [
            a.at + a.took
            for a in answers
            if a.kind == "hold" and a.at >= phase.end and a.status in (200, 201)
        ]
        recovery = (min(saved_after) - phase.end) if saved_after else None
        row = {
            "phase": phase.name,
            "seconds": round(phase.end - phase.start, 1),
            "requests": len(work),
            "ok": sum(1 for a in work if a.status is not None and a.status < 400),
            "503": sum(1 for a in work if a.status == 503),
            "other": sum(1 for a in work if a.status is None or a.status not in (200, 201, 503)),
            "p95_ms": round(p95([a.took for a in work]) * 1000),
            "max_ms": round(max((a.took for a in work), default=0) * 1000),
            "healthz": health,
            "recovered_s": None if recovery is None else round(recovery, 2),
        }  # fmt: skip
        figures.append(row)
        if recovery is None or recovery > RECOVERY_LIMIT:
            failures.append(f"after {phase.name}, no hold was saved within {RECOVERY_LIMIT} s")
        if phase.name.startswith("Redis") and row["503"]:
            failures.append(f"with only Redis down ({phase.name}), the portal answered 503")
        slow_phase = phase.name.startswith(f"{SLOW_CLIENTS} clients")
        if slow_phase and (row["ok"] != row["requests"] or row["p95_ms"] > 1000):
            failures.append(f"the slow clients slowed the others: {row}")
        expected_health = {
            "Redis stopped": "200 ok/down",
            "Redis paused": "200 ok/down",
            "PostgreSQL stopped": "503 down/ok",
            "PostgreSQL paused": "503 down/ok",
            "database read-only": "200 read-only/ok",
        }.get(phase.name)
        if expected_health and expected_health not in health:
            failures.append(f"during {phase.name} /healthz never said {expected_health!r}")
    return figures, failures


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--proxy-port", type=int, required=True)
    parser.add_argument("--redis-port", type=int, required=True)
    parser.add_argument("--pg-port", type=int, required=True)
    parser.add_argument("--pg-data", required=True)
    parser.add_argument("--pg-version", required=True)
    parser.add_argument("--pg-cluster", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--deadline", type=float, required=True)
    parser.add_argument("--tokens", required=True)
    parser.add_argument("--sent", required=True)
    parser.add_argument("--json", required=True)
    args = parser.parse_args()

    trial = Trial(args)
    trial.run()
    figures, failures = judge(trial, args.deadline)
    Path(args.tokens).write_text("\n".join(sorted(trial.acknowledged)))
    Path(args.sent).write_text("\n".join(sorted(trial.sent)))
    Path(args.json).write_text(
        json.dumps({"phases": figures, "answers": [asdict(a) for a in trial.answers]}, indent=1)
    )
    print(f"\n{'phase':<36} {'requests':>8} {'ok':>5} {'503':>5} {'other':>5} "
          f"{'p95 ms':>7} {'max ms':>7} {'recovered':>9}  /healthz said")  # fmt: skip
    for row in figures:
        recovered = "-" if row["recovered_s"] is None else f"{row['recovered_s']} s"
        print(
            f"{row['phase']:<36} {row['requests']:>8} {row['ok']:>5} {row['503']:>5} "
            f"{row['other']:>5} {row['p95_ms']:>7} {row['max_ms']:>7} {recovered:>9}  "
            f"{', '.join(row['healthz'])}"
        )
    print(f"{len(trial.answers)} answers, {len(trial.acknowledged)} holds acknowledged.")
    if failures:
        print("\nThe fault trial FAILED:")
        for failure in failures[:30]:
            print(f"  {failure}")
        sys.exit(1)
    print("The fault trial passed.")


if __name__ == "__main__":
    main()
