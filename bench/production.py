"""The site under production settings for page-weight and Lighthouse measurements: DEBUG
off, static files collected and compressed by whitenoise (CompressedManifestStaticFilesStorage:
gzip and brotli beside each file), gunicorn on 127.0.0.1 on a free port, on the database
this process already uses (bench/run.py's throwaway SQLite file). The server is always
stopped."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from bench.load_test import free_port, server_environment

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Server:
    base: str
    secret_key: str

    def session_for(self, user) -> str:
        """A signed-in session of ``user`` in the database, as allauth's login leaves one,
        signed with the server's secret key."""
        from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
        from django.contrib.sessions.backends.db import SessionStore
        from django.test.utils import override_settings

        with override_settings(SECRET_KEY=self.secret_key):
            session = SessionStore()
            session[SESSION_KEY] = str(user.pk)
            session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
            session[HASH_SESSION_KEY] = user.get_session_auth_hash()
            session.create()
        return session.session_key


@contextlib.contextmanager
def production_server() -> Iterator[Server]:
    """gunicorn serving this process's database."""
    from django.conf import settings

    workdir = tempfile.mkdtemp(prefix="bgt-prod-")
    env = server_environment(workdir)
    env["DATABASE_URL"] = f"sqlite:///{settings.DATABASES['default']['NAME']}"
    port = free_port()
    env["GUNICORN_BIND"] = f"127.0.0.1:{port}"
    env["WEB_CONCURRENCY"] = "2"
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    gunicorn = Path(sys.executable).parent / "gunicorn"
    with open(os.path.join(workdir, "gunicorn.log"), "wb") as log:
        server = subprocess.Popen(
            [str(gunicorn), "-c", "gunicorn.conf.py", "bgt.wsgi"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    urllib.request.urlopen(f"{base}/", timeout=2).read()  # noqa: S310 - loopback
                    break
                except OSError:
                    if server.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(f"gunicorn did not start; see {log.name}") from None
                    time.sleep(0.3)
            yield Server(base, env["DJANGO_SECRET_KEY"])
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
