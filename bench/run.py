"""make bench: every DESIGN.md section 8 budget, the measured median, and pass/fail.

    .venv/bin/python bench/run.py [NAME ...]     (NAME: a bench module, e.g. stats)

Runs each bench/bench_*.py module's ``run(report)`` against a fresh SQLite file database in
a temporary folder, then prints one table. Exits 1 if any budget is missed. Under
``bin/with-secantusdb`` (DATABASE_URL names a MongoDB) it runs on that server instead:
``make bench`` runs the nightscout module so on both legs.
"""

import importlib
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(names: list[str]) -> int:
    workdir = tempfile.mkdtemp(prefix="bgt-bench-")
    if not os.environ.get("DATABASE_URL", "").startswith("mongodb"):
        os.environ["DATABASE_URL"] = f"sqlite:///{workdir}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bgt.settings")
    # Production's default cache (the rate limits count there), not DEBUG's in-memory one.
    os.environ.setdefault("CACHE_URL", f"filecache://{workdir}/cache")
    sys.path.insert(0, str(ROOT))

    import django

    django.setup()
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    from bench.common import Report
    from bgt.collector import tune_after_start_up

    # DEBUG off (no query log), test client's host allowed, mail kept in memory.
    setup_test_environment(debug=False)
    call_command("migrate", verbosity=0)
    tune_after_start_up()  # as bgt/wsgi.py does in production

    modules = sorted(p.stem for p in (ROOT / "bench").glob("bench_*.py"))
    if names:
        modules = [m for m in modules if m.removeprefix("bench_") in names or m in names]
    report = Report()
    try:
        for name in modules:
            print(f"== {name}", flush=True)
            started = time.perf_counter()
            importlib.import_module(f"bench.{name}").run(report)
            print(f"   ({time.perf_counter() - started:.0f} s)", flush=True)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)  # the roster bench leaves ~0.5 GB
    print()
    print(report.table())
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
