"""A process storing an import is killed (SIGKILL, no clean-up) while it writes a chunk; the
job then completes, by being continued or by importing the file again, with every reading
stored once.

The chunk is stored by a separate Python process on the test's database: the MongoDB test
database itself, or (SQLite, whose test database lives in this process's memory) a copy
of it in a file, copied back once the process is dead. The process writes its readings in
batches of 4 and is killed inside the write of its second batch (after its insert, before
the batch's day sums and the chunk's "done").
"""

import os
import signal
import sqlite3
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from integrations.files import jobs
from integrations.files.tests.test_import_jobs import (
    clarity,
    expected,
    job_url,
    step_json,
    stored,
    upload,
)
from integrations.models import ImportChunk, ImportJob

pytestmark = pytest.mark.django_db(transaction=True)

# Runs in the killed process: stores the job's next chunk, with a pause (announced on
# stdout) inside the write transaction of the second batch, where it is killed.
STORE_A_CHUNK = """
import sys, time
import django
django.setup()
from integrations.files import jobs
from integrations.models import ImportJob
from readings import services

services.BULK_BATCH_SIZE = 4
real_insert = services._insert
calls = []

def insert(batch):
    calls.append(batch)
    real_insert(batch)
    if len(calls) == 2:
        print("writing the second batch", flush=True)
        time.sleep(120)

services._insert = insert
jobs.import_job_advance(job=ImportJob.objects.get(pk=sys.argv[1]))
print("finished", flush=True)
"""
WAIT_S = 60


@pytest.fixture
def signed_in(client, patient):
    patient.record.timezone = "UTC"
    patient.record.save()
    client.force_login(patient)
    return client


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(jobs, "CHUNK_ROWS", 10)


def kill_while_storing(job: ImportJob, tmp_path: Path) -> str:
    """Store ``job``'s next chunk in another process and SIGKILL it half-way; returns what
    the process printed."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("PYTEST_XDIST_WORKER", "BGT_TEST_DATABASE_URLS")
    }
    env["DJANGO_SETTINGS_MODULE"] = "bgt.settings"
    copy = None
    if settings.IS_MONGODB:
        url = urlsplit(connection.settings_dict["HOST"])
        env["DATABASE_URL"] = url._replace(path="/" + connection.settings_dict["NAME"]).geturl()
    else:
        copy = tmp_path / "db.sqlite3"
        connection.ensure_connection()
        with sqlite3.connect(copy) as target:
            connection.connection.backup(target)
        env["DATABASE_URL"] = f"sqlite:///{copy}"
    process = subprocess.Popen(  # noqa: S603 (this interpreter, a fixed script)
        [sys.executable, "-c", STORE_A_CHUNK, str(job.pk)],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        said = process.stdout.readline()  # blocks until the pause (or the process ends)
        assert said == "writing the second batch\n", said
        os.kill(process.pid, signal.SIGKILL)
        assert process.wait(timeout=WAIT_S) == -signal.SIGKILL
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stdout.close()
    if copy is not None:
        # What the dead process left in the file (its WAL included) becomes the test's.
        with sqlite3.connect(copy) as source:
            source.backup(connection.connection)
    return said


def left_by_the_kill() -> int:
    """Readings stored when the process died inside its second batch's write: the upload's
    chunk (10) and the first batch (4); on SQL the second batch's transaction died with the
    process, while MongoDB (no multi-document transactions, DESIGN.md section 7) keeps the
    documents inserted before the kill (4 more)."""
    return 18 if settings.IS_MONGODB else 14


def test_a_process_killed_inside_a_chunk_leaves_a_job_that_completes(
    signed_in, patient, small_chunks, tmp_path
):
    url = job_url(upload(signed_in, clarity(25)))  # the upload stored the first 10
    job = ImportJob.objects.get()

    kill_while_storing(job, tmp_path)

    assert stored(patient) == expected(25)[: left_by_the_kill()]
    chunk = ImportChunk.objects.get(index=1)
    assert chunk.started and not chunk.done
    # A killed process releases nothing: its lease stands until it runs out.
    assert step_json(signed_in, url)["busy"] is True
    ImportJob.objects.update(lease_until=timezone.now() - timedelta(seconds=1))

    while not step_json(signed_in, url)["finished"]:
        pass
    result = signed_in.get(url)

    assert stored(patient) == expected(25)  # every reading once, none missing
    assert result.context["imported"] == 25 and result.context["duplicates"] == 0
    assert not ImportJob.objects.exists()


def test_after_a_killed_process_importing_the_file_again_adds_only_the_rest(
    signed_in, patient, small_chunks, tmp_path
):
    job_url(upload(signed_in, clarity(25)))
    kill_while_storing(ImportJob.objects.get(), tmp_path)
    left = left_by_the_kill()
    assert len(stored(patient)) == left

    url = job_url(upload(signed_in, clarity(25)))
    while not step_json(signed_in, url)["finished"]:
        pass
    result = signed_in.get(url)

    assert stored(patient) == expected(25)
    assert result.context["imported"] == 25 - left and result.context["duplicates"] == left
