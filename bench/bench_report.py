"""The glucose profile report PDF at 14 and 90 days of CGM (DESIGN.md section 8: ≤ 2 s).

The whole request through the test client: the figures of the period and of the one
before it (readings.figures), the SVG charts (matplotlib), the template and WeasyPrint's
layout into a PDF. The patient has 180 days of 5-minute CGM and six meter readings a day,
so every page of the report is drawn. Besides the wall time (the budget), the CPU time of
the same requests is reported: on a shared machine it is what the report itself costs."""

import io
import statistics
import time

from bench.common import logged_in_client, make_patient, measure
from reports.tests.seed import seed_meter

BUDGET_MS = 2000


def run(report):
    import pypdf

    from bench.common import seed_cgm

    patient = make_patient("bench-report@example.org", timezone="Europe/Paris")
    seed_cgm(patient, days=180)
    seed_meter(patient.record, days=90)
    client = logged_in_client(patient)
    for days in (14, 90):
        url = f"/report.pdf?days={days}&paper=a4"
        response = client.get(url)
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        pages = len(pypdf.PdfReader(io.BytesIO(response.content)).pages)
        cpu = []

        def produce(url=url, cpu=cpu):
            started = time.process_time()
            client.get(url)
            cpu.append(time.process_time() - started)

        timing = measure(produce, repeat=9, warmup=2)
        report.add(
            f"glucose profile report PDF, {days} days CGM ({pages} pages, "
            f"{len(response.content) / 1024:.0f} KB)",
            "≤ 2 s (DESIGN.md 8)",
            f"{timing}; CPU {statistics.median(cpu[2:]) * 1000:.0f} ms",
            timing.median_ms <= BUDGET_MS,
            "figures of both periods, SVG charts (matplotlib) and WeasyPrint layout, one request",
        )
