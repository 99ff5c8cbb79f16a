"""How the serving process sets up Python's garbage collector (bgt/wsgi.py; the benchmarks
do the same so that they measure what production runs).

- ``gc.freeze()`` after start-up: the objects Django and the apps make when they load are
  never scanned again (with gunicorn's ``preload_app`` they also stay shared between
  workers instead of being copied on the first collection).
- A young-generation threshold of 50,000 instead of CPython's 700: a physician's roster of
  2,000 records builds some 10^5 short-lived objects per request, and at 700 the collector
  ran about a hundred times per request, half of the page's time (measured with the roster
  benchmark: 575 -> 287 ms CPU on a loaded machine). The objects are freed by reference
  counting anyway; the collector is only for cycles, which a request rarely makes. Memory
  cost: at most 50,000 young objects waiting, a few MB per worker.
"""

import gc

YOUNG_THRESHOLD = 50_000


def tune_after_start_up() -> None:
    gc.collect()
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, older, oldest)
