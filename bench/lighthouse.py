"""make lighthouse: Lighthouse 12.2.3 (npm, installed into var/tools by make) with its
mobile defaults (Moto G Power viewport, simulated slow 4G, 4x CPU slowdown) driving Debian's
Chromium against the site under production settings (bench/production.py), for the landing,
login, dashboard and readings pages; the dashboard and readings signed in as a patient with
14 days of 5-minute CGM. Prints performance and accessibility scores, total blocking time,
largest contentful paint and bytes, and every accessibility audit that failed. The JSON
reports are kept in var/lighthouse/.

    .venv/bin/python bench/lighthouse.py [PAGE ...]     (PAGE: landing login dashboard readings)
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIGHTHOUSE = ROOT / "var" / "tools" / "node_modules" / ".bin" / "lighthouse"
OUT = ROOT / "var" / "lighthouse"
PAGES = {  # name -> (path, signed in)
    "landing": ("/", False),
    "login": ("/accounts/login/", False),
    "dashboard": ("/dashboard/", True),
    "readings": ("/readings/", True),
}


def lighthouse(url: str, name: str, cookie: str | None) -> dict:
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"{name}.json"
    command = [
        str(LIGHTHOUSE),
        url,
        "--quiet",
        "--output=json",
        f"--output-path={path}",
        "--only-categories=performance,accessibility",
        "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
    ]
    if cookie:
        command.append(f"--extra-headers={json.dumps({'Cookie': cookie})}")
    env = {**os.environ, "CHROME_PATH": "/usr/bin/chromium"}
    subprocess.run(command, env=env, check=True, timeout=300)
    return json.loads(path.read_text())


def summary(name: str, result: dict) -> tuple[str, list[str]]:
    categories, audits = result["categories"], result["audits"]
    performance = round(categories["performance"]["score"] * 100)
    accessibility = round(categories["accessibility"]["score"] * 100)
    tbt = audits["total-blocking-time"]["numericValue"]
    lcp = audits["largest-contentful-paint"]["numericValue"] / 1000
    weight = audits["total-byte-weight"]["numericValue"] / 1000
    line = (
        f"{name:<10} performance {performance:>3}  accessibility {accessibility:>3}  "
        f"TBT {tbt:>5.0f} ms  LCP {lcp:>4.1f} s  {weight:>5.0f} KB"
    )
    failed = [
        f"{name}: {audit['id']}: {audit['title']}"
        for ref in categories["accessibility"]["auditRefs"]
        if (audit := audits[ref["id"]])["score"] is not None
        and audit["score"] < 1
        and audit["scoreDisplayMode"] not in ("notApplicable", "manual", "informative")
    ]
    return line, failed


def main(names: list[str]) -> int:
    if not LIGHTHOUSE.exists():
        sys.exit(f"{LIGHTHOUSE} is missing: make lighthouse installs it")
    workdir = tempfile.mkdtemp(prefix="bgt-lighthouse-")
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir}/lighthouse.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bgt.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    from bench.common import make_patient, seed_cgm
    from bench.production import production_server

    call_command("migrate", verbosity=0)
    patient = make_patient("lighthouse@example.org", timezone="Europe/Paris")
    seed_cgm(patient, days=14)
    lines, failed = [], []
    try:
        with production_server() as server:
            cookie = f"sessionid={server.session_for(patient)}"
            for name in names or PAGES:
                path, signed_in = PAGES[name]
                result = lighthouse(server.base + path, name, cookie if signed_in else None)
                final = result["finalDisplayedUrl"]
                if not final.endswith(path):
                    sys.exit(f"{name}: Lighthouse ended on {final}, not {path}")
                line, failures = summary(name, result)
                print(line, flush=True)
                lines.append(line)
                failed += failures
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print()
    print("\n".join(lines))
    print("\n".join(["Accessibility audits failed:", *failed]) if failed else "No failed audits.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
