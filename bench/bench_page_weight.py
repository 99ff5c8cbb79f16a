"""The dashboard's first load on a phone (DESIGN.md section 8, issue 18): bytes transferred
and requests, in Debian's Chromium at 390 x 844 px, signed in as a patient with 14 days of
5-minute CGM, under production settings (bench/production.py: DEBUG off, whitenoise's
compressed manifest storage, gunicorn). "Transferred" is what Chromium received: headers
plus the encoded body of every request until the network is idle. Measured twice: with
the browser's own Accept-Encoding (brotli where whitenoise has it) and with gzip only;
then once more after scrolling every chart into view (plotly.js loads then)."""

from __future__ import annotations

import gzip

from bench.common import make_patient, seed_cgm
from bench.production import production_server

BUDGET_BYTES = 500 * 1000
PHONE = {"width": 390, "height": 844}


def first_load(browser, base: str, session: str, *, encoding: str | None, scroll: bool):
    headers = {"Accept-Encoding": encoding} if encoding else {}
    context = browser.new_context(viewport=PHONE, extra_http_headers=headers)
    context.add_cookies([{"name": "sessionid", "value": session, "url": base}])
    page = context.new_page()
    sizes = {}
    html = {}

    def finished(request):
        size = request.sizes()
        sizes[request.url] = size["responseHeadersSize"] + size["responseBodySize"]

    page.on("requestfinished", finished)
    response = page.goto(f"{base}/dashboard/", wait_until="networkidle")
    assert response.status == 200 and "data-now" in response.text(), (
        page.url,
        response.text()[:3000],
    )
    html["body"] = response.body()
    if scroll:
        for chart in page.locator("[data-plotly-figure]").all():
            chart.scroll_into_view_if_needed()
            chart.locator(".main-svg").first.wait_for(timeout=30_000)
        page.wait_for_load_state("networkidle")
    context.close()
    return sizes, html["body"]


def run(report):
    from playwright.sync_api import sync_playwright

    patient = make_patient("bench-weight@example.org", timezone="Europe/Paris")
    seed_cgm(patient, days=14)
    with production_server() as server:
        base, session = server.base, server.session_for(patient)  # before Playwright's loop
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"]
            )
            try:
                default, html = first_load(browser, base, session, encoding=None, scroll=False)
                gzip_only, _ = first_load(browser, base, session, encoding="gzip", scroll=False)
                scrolled, _ = first_load(browser, base, session, encoding="gzip", scroll=True)
            finally:
                browser.close()

    def total(sizes):
        return sum(sizes.values())

    biggest = sorted(gzip_only.items(), key=lambda item: -item[1])[:4]
    note = ", ".join(f"{url.split('/', 3)[-1]} {size / 1000:.0f} KB" for url, size in biggest)
    html_gzip = len(gzip.compress(html, 6))
    report.add(
        "dashboard first load on a phone, 14 days CGM, gzip (production settings)",
        "≤ 500 KB (DESIGN.md 8)",
        f"{total(gzip_only) / 1000:.0f} KB in {len(gzip_only)} requests",
        total(gzip_only) <= BUDGET_BYTES,
        f"largest: {note}; the HTML itself is {len(html) / 1000:.0f} KB "
        f"({html_gzip / 1000:.0f} KB if the server gzips it)",
    )
    report.add(
        "dashboard first load, the browser's own encodings (brotli)",
        "≤ 500 KB",
        f"{total(default) / 1000:.0f} KB in {len(default)} requests",
        total(default) <= BUDGET_BYTES,
    )
    report.add(
        "dashboard after scrolling to every chart (plotly.js loaded), gzip",
        "info",
        f"{total(scrolled) / 1000:.0f} KB in {len(scrolled)} requests",
        None,
    )
