"""Concurrency and load: gunicorn workers on one database, many clients at once.

    .venv/bin/python bench/load_test.py [--mix uploads|mixed] [--seconds 30] [--clients 20]
                                        [--workers 3]
    bin/with-secantusdb .venv/bin/python bench/load_test.py      (the MongoDB leg)

Starts gunicorn (production settings, 127.0.0.1, a free port) on a fresh database — a
temporary SQLite file unless DATABASE_URL names a MongoDB — and runs N clients for a
bounded time. ``--mix uploads`` (issue 21): each client is a CGM uploader posting one
Nightscout entry per request to ``/api/v1/entries`` with its record's upload secret, as
xDrip+ does. ``--mix mixed``: each client posts readings through BGT's API and reads
stats and pages. Then it checks: no 5xx, no client time-out or connection error, no
"database is locked" in the server's log, and every reading acknowledged (201, or an
entry answered "stored") is stored exactly once (and nothing else is). Prints requests/s
and p50/p99 latency. Loopback only; every loop is bounded in time; the server is always
stopped.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import os
import random
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_environment(workdir: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.setdefault("DATABASE_URL", f"sqlite:///{workdir}/load.sqlite3")
    env.update(
        DJANGO_DEBUG="False",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="False",
        EMAIL_URL="consolemail://",
        CACHE_URL=f"filecache://{workdir}/cache",
        # Measure the server, not the throttle: 20 clients from one address.
        API_THROTTLE_USER="1000000/minute",
        API_THROTTLE_ANON="1000000/minute",
        BGT_NIGHTSCOUT_RATE_LIMIT="1000000/m/ip",
        DJANGO_SETTINGS_MODULE="bgt.settings",
    )
    return env


def prepare(env: dict, clients: int) -> list[dict]:
    """Migrate, collect static files, and make one patient (token + session) per client."""
    for command in (["migrate", "--noinput", "-v0"], ["collectstatic", "--noinput", "-v0"]):
        subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True)
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from rest_framework.authtoken.models import Token

    from accounts import roles
    from accounts.models import User
    from integrations.nightscout.credentials import upload_secret_rotate
    from patients.services import patient_create_for_self

    people = []
    for n in range(clients):
        user = User.objects.create_user(email=f"load{n}@example.org", password=secrets.token_hex(8))
        roles.grant_role(user, roles.PATIENTS)
        record = patient_create_for_self(user=user, timezone_name="UTC")
        secret = upload_secret_rotate(patient=record)
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        people.append(
            {
                "record": record,
                "token": Token.objects.create(user=user).key,
                "session": session.session_key,
                "api_secret": hashlib.sha1(secret.encode()).hexdigest(),  # noqa: S324 (Nightscout's)
            }
        )
    return people


class Client(threading.Thread):
    def __init__(self, n, person, port, deadline, mix):
        super().__init__(daemon=True)
        self.n, self.person, self.port, self.deadline = n, person, port, deadline
        self.mix = mix
        self.latencies: list[float] = []
        self.statuses: Counter = Counter()
        self.created: list[str] = []  # external ids answered with 201
        self.errors: list[str] = []

    def request(self, conn, method, path, payload=None, headers=None, *, body=False):
        started = time.perf_counter()
        conn.request(method, path, body=payload, headers=headers or {})
        response = conn.getresponse()
        answer = response.read()
        self.latencies.append((time.perf_counter() - started) * 1000)
        self.statuses[response.status] += 1
        if response.status >= 500:
            self.errors.append(f"{method} {path} -> {response.status}: {answer[:200]!r}")
        return (response.status, answer) if body else response.status

    def run(self):
        if self.mix == "uploads":
            self.upload_entries()
        else:
            self.mixed()

    def upload_entries(self):
        """One Nightscout sgv entry per request, every 5 minutes of CGM time, as xDrip+."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"api-secret": self.person["api_secret"], "Content-Type": "application/json"}
        start = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(days=60)
        i = 0
        while time.monotonic() < self.deadline:
            i += 1
            at = start + timedelta(minutes=5 * i)
            entry = {
                "type": "sgv",
                "sgv": 80 + (i * 7) % 200,
                "date": int(at.timestamp() * 1000),
                "dateString": at.isoformat(),
                "direction": "Flat",
                "device": "xDrip-LibreReceiver",
            }
            try:
                status, payload = self.request(
                    conn, "POST", "/api/v1/entries", json.dumps([entry]), headers, body=True
                )
                if status == 200 and json.loads(payload)[0]["outcome"] == "stored":
                    self.created.append(int(at.timestamp()))
            except (OSError, http.client.HTTPException, ValueError) as error:
                self.errors.append(f"connection error: {error!r}")
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        conn.close()

    def mixed(self):
        rng = random.Random(self.n)  # noqa: S311 - load mix, not security
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        api = {"Authorization": f"Token {self.person['token']}", "Content-Type": "application/json"}
        page = {"Cookie": f"sessionid={self.person['session']}", "X-Forwarded-Proto": "https"}
        base = datetime.now(UTC) - timedelta(days=20) + timedelta(hours=12 * self.n)
        i = 0
        while time.monotonic() < self.deadline:
            i += 1
            choice = rng.random()
            try:
                if choice < 0.6:
                    external_id = f"load-{self.n}-{i}"
                    body = json.dumps(
                        {
                            "value": rng.randint(40, 350),
                            "unit": "mg/dL",
                            "taken_at": (base + timedelta(seconds=7 * i)).isoformat(),
                            "kind": "cgm",
                            "external_id": external_id,
                        }
                    )
                    if self.request(conn, "POST", "/api/v1/readings/", body, api) == 201:
                        self.created.append(external_id)
                elif choice < 0.75:
                    self.request(conn, "GET", "/api/v1/stats/?days=30", headers=api)
                elif choice < 0.9:
                    self.request(conn, "GET", "/readings/", headers=page)
                else:
                    self.request(conn, "GET", "/dashboard/?days=30", headers=page)
            except (OSError, http.client.HTTPException) as error:
                self.errors.append(f"connection error: {error!r}")
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        conn.close()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--mix", choices=("uploads", "mixed"), default="uploads")
    args = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="bgt-load-")
    env = server_environment(workdir)
    database = "MongoDB" if env["DATABASE_URL"].startswith("mongodb") else "SQLite"
    people = prepare(env, args.clients)
    port = free_port()
    log_path = Path(workdir) / "gunicorn.log"
    with open(log_path, "w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "bgt.wsgi"],
            cwd=ROOT,
            env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": str(args.workers)},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            wait_until_up(port, server)
            deadline = time.monotonic() + args.seconds
            clients = [
                Client(n, person, port, deadline, args.mix) for n, person in enumerate(people)
            ]
            started = time.monotonic()
            for client in clients:
                client.start()
            for client in clients:
                client.join(timeout=args.seconds + 60)
            elapsed = time.monotonic() - started
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
    return report(database, args, clients, people, elapsed, log_path.read_text())


def wait_until_up(port: int, server: subprocess.Popen) -> None:
    for _ in range(300):
        if server.poll() is not None:
            raise SystemExit("gunicorn exited during start-up; see its log.")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise SystemExit("gunicorn did not answer /healthz within 30 s.")


# What identifies an acknowledged reading: the entry's time (uploads carry no id, as
# xDrip+'s do not), or the API reading's external id.
KEY = {"uploads": ("taken_at",), "mixed": ("external_id",)}
# 20 uploaders against Nightscout 15 on SecantusDB, its dbStats call skipped (issue 21).
NIGHTSCOUT_UPLOADS_PER_S = 163


def report(database, args, clients, people, elapsed, server_log) -> int:
    from readings.models import Reading

    latencies = sorted(x for c in clients for x in c.latencies)
    statuses = sum((c.statuses for c in clients), Counter())
    errors = [e for c in clients for e in c.errors]
    server_errors = sum(n for status, n in statuses.items() if status >= 500)
    locked = server_log.count("database is locked")
    lost_or_doubled = []
    for client, person in zip(clients, people, strict=True):
        stored = list(Reading.objects.filter(patient=person["record"]).values_list(*KEY[args.mix]))
        if args.mix == "uploads":
            stored = [int(moment.timestamp()) for (moment,) in stored]
        else:
            stored = [external_id for (external_id,) in stored]
        if sorted(stored) != sorted(client.created) or len(set(stored)) != len(stored):
            lost_or_doubled.append(
                f"client {client.n}: {len(client.created)} acknowledged, {len(stored)} stored"
            )
    total = len(latencies)
    p99 = latencies[min(total - 1, int(total * 0.99))] if total else float("nan")
    print(
        f"{database}, {args.mix}: {args.clients} clients, {args.workers} gunicorn workers, "
        f"{elapsed:.1f} s\n"
        f"  requests: {total} ({total / elapsed:.1f}/s); "
        f"statuses: {dict(sorted(statuses.items()))}\n"
        f"  latency: p50 {statistics.median(latencies):.1f} ms, p99 {p99:.1f} ms\n"
        f"  readings acknowledged: {sum(len(c.created) for c in clients)}, "
        f"stored exactly once: {'yes' if not lost_or_doubled else 'NO'}\n"
        f"  5xx: {server_errors}; 'database is locked' in the server log: {locked}; "
        f"client errors: {len(errors)}"
    )
    if args.mix == "uploads":
        rate = total / elapsed
        verdict = "above" if rate > NIGHTSCOUT_UPLOADS_PER_S else "BELOW"
        print(
            f"  uploads/s: {rate:.1f}, {verdict} Nightscout's {NIGHTSCOUT_UPLOADS_PER_S} "
            "(issue 21: Nightscout on SecantusDB with its dbStats call skipped)"
        )
    for line in (errors + lost_or_doubled)[:20]:
        print("  !", line)
    throttled = statuses.get(429, 0)  # would measure the rate limit, not the server
    ok = not (server_errors or locked or errors or lost_or_doubled or throttled) and total > 0
    print("  result:", "pass" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
