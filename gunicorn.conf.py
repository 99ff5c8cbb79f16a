"""gunicorn settings for BGT (used by `make serve` and in production).

    gunicorn -c gunicorn.conf.py bgt.wsgi

Override with environment variables: GUNICORN_BIND, WEB_CONCURRENCY, GUNICORN_TIMEOUT.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", min(4, multiprocessing.cpu_count() * 2 + 1)))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = 20
max_requests = 2000  # recycle workers now and then, with jitter so they don't all restart
max_requests_jitter = 200
preload_app = True  # import Django once; bgt/wsgi.py freezes it out of the GC's way
accesslog = None  # bgt.middleware.RequestLogMiddleware logs every request, without values
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def post_fork(server, worker):
    # Nothing opened a database connection before the fork, but make sure no worker
    # inherits one (a shared SQLite or MongoDB socket across processes is unsafe).
    from django.db import connections

    connections.close_all()
