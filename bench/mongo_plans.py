"""What each hot path sends to MongoDB, and how the server plans it (issue 21).

    bin/with-secantusdb .venv/bin/python bench/mongo_plans.py [OUT]

One patient with 10 days of CGM on a throwaway database; each hot path (the latest
entries, a period's readings, stats, the dashboard and its poll, the roster, an upload)
is requested once through the test client while every call BGT's driver makes is
recorded (one per round trip, cursor batches after the first not counted). Each recorded
``aggregate`` is then explained (queryPlanner) and summarised: the collection, the
filter, the plan's stages (IXSCAN on which index, or COLLSCAN) and whether a sort or
limit reached the server. Written to OUT (default bench/results/mongo_plans.txt).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CALLS = ("aggregate", "find", "insert_many", "insert_one", "update_many", "update_one")
LATEST = "/api/v1/entries/sgv.json?count=288"
OUT = ROOT / "bench" / "results" / "mongo_plans.txt"
CALLS += ("delete_many", "delete_one", "bulk_write", "count_documents", "find_one_and_update")


def main(out: Path) -> int:
    if not os.environ.get("DATABASE_URL", "").startswith("mongodb"):
        raise SystemExit("Run under bin/with-secantusdb (a MongoDB DATABASE_URL).")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bgt.settings")
    os.environ.setdefault("CACHE_URL", f"filecache://{tempfile.mkdtemp(prefix='bgt-plans-')}")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    import hashlib

    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.utils import timezone
    from pymongo.collection import Collection

    from bench.bench_api import xdrip_day
    from bench.common import logged_in_client, make_patient, seed_cgm
    from integrations.nightscout.credentials import upload_secret_rotate

    setup_test_environment(debug=False)
    call_command("migrate", verbosity=0)
    patient = make_patient("plans@example.org")
    now = timezone.now().replace(second=0, microsecond=0)
    seed_cgm(patient, days=10, end=now - timedelta(hours=1))
    secret = upload_secret_rotate(patient=patient.record)
    device = Client(headers={"api-secret": hashlib.sha1(secret.encode()).hexdigest()})  # noqa: S324
    browser = logged_in_client(patient)
    since = int((now - timedelta(days=90)).timestamp() * 1000)
    uploaded = [0]

    def upload():
        uploaded[0] += 1  # a new day each time: the measured upload stores 288 readings
        body = xdrip_day(now - timedelta(days=20 + uploaded[0]))
        return device.post(
            "/api/v1/entries",
            body,
            content_type="application/json",
            headers={"content-encoding": "gzip"},
        )

    def upload_again():
        body = xdrip_day(now - timedelta(days=20 + uploaded[0]))
        return device.post(
            "/api/v1/entries",
            body,
            content_type="application/json",
            headers={"content-encoding": "gzip"},
        )

    recorded: list[tuple[str, str, object]] = []
    seen: list[tuple[str, str, object]] = []
    originals = {name: getattr(Collection, name) for name in CALLS}

    def recording(name):
        def call(self, *args, **kwargs):
            first = args[0] if args else next(iter(kwargs.values()), None)
            recorded.append((name, self.name, first))
            return originals[name](self, *args, **kwargs)

        return call

    paths = [
        (
            "latest entries: sgv.json?count=288",
            lambda: device.get("/api/v1/entries/sgv.json?count=288"),
        ),
        ("  again, nothing changed", lambda: device.get("/api/v1/entries/sgv.json?count=288")),
        (
            "a period's readings: entries.json?find[date][$gte]=<90 d>",
            lambda: device.get(f"/api/v1/entries.json?find[date][$gte]={since}&count=30000"),
        ),
        ("stats: /api/v1/stats/?days=14", lambda: browser.get("/api/v1/stats/?days=14")),
        ("dashboard: /dashboard/?days=14", lambda: browser.get("/dashboard/?days=14")),
        ("dashboard poll: /readings/version.json", lambda: browser.get("/readings/version.json")),
        ("upload: POST /api/v1/entries, 288 new entries", upload),
        ("upload: the same 288 again (all duplicates)", upload_again),
    ]
    lines = [
        f"# MongoDB plans of BGT's hot paths (server {connection.settings_dict['HOST']})",
        "",
    ]
    for label, request in paths:
        request()  # warm: first-use rows (the change counter) are made here
        recorded.clear()
        for name in CALLS:
            setattr(Collection, name, recording(name))
        try:
            status = request().status_code
        finally:
            for name in CALLS:
                setattr(Collection, name, originals[name])
        seen.extend(recorded)
        lines.append(f"## {label}: HTTP {status}, {len(recorded)} round trips")
        for name, collection, first in recorded:
            lines.append(f"- {name} {collection}: {summary(connection, name, collection, first)}")
        lines.append("")
    lines.append("## Indexes of the collections above")
    for collection in sorted({c for _, c, _ in seen}):
        for index in connection.database[collection].list_indexes():
            info = {
                k: v for k, v in index.items() if k in ("key", "unique", "partialFilterExpression")
            }
            lines.append(f"- {collection} {index['name']}: {_short(info)}")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines))
    print("\n".join(lines))
    return 0


def summary(connection, name: str, collection: str, first) -> str:
    if name != "aggregate" or not isinstance(first, list):
        return _short(first)
    match = next((stage["$match"] for stage in first if "$match" in stage), {})
    tail = [next(iter(stage)) for stage in first if "$match" not in stage]
    try:
        explained = connection.database.command(
            "explain",
            {"aggregate": collection, "pipeline": first, "cursor": {}},
            verbosity="queryPlanner",
        )
    except Exception as error:  # noqa: BLE001 - evidence, whatever the server says
        return f"match {_short(match)}; then {tail}; explain failed: {error}"
    cursor = explained["stages"][0]["$cursor"] if "stages" in explained else explained
    plan = cursor.get("queryPlanner", {}).get("winningPlan", {})
    return f"match {_short(match)}; then {tail}; plan {_stages(plan)}"


def _stages(plan: dict) -> str:
    names = []
    while plan:
        stage = plan.get("stage", "?")
        if plan.get("indexName"):
            stage += f"({plan['indexName']})"
        names.append(stage)
        plan = plan.get("inputStage") or (plan.get("inputStages") or [None])[0] or {}
    return " <- ".join(names)


def _short(value) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= 300 else text[:297] + "..."


if __name__ == "__main__":
    target = (
        Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "bench" / "results" / "mongo_plans.txt"
    )
    sys.exit(main(target))
