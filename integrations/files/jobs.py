"""Imports stored in steps: a file is parsed once, when it is uploaded, and kept as an
``ImportJob`` whose rows wait in ``ImportChunk`` rows; each request then stores one chunk
(``import_job_advance``), so that no request runs into the server's 30-second timeout and
the page can show how far it has got.

A request that dies part-way leaves the job: the import page offers to continue or discard
it. Nothing is stored twice: readings and treatments are de-duplicated when stored (and
unique in the database), and a chunk's own count of what it imported survives a request
that died while storing it, because its rows have ids derived from the job (a resumed
chunk counts the rows the dead request stored as imported, not as "already there").

Jobs are private to the login that uploaded the file, and deleted when the result has been
shown, when discarded, or a day after the upload.
"""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import ngettext

from core.perf import collector_paused
from integrations.files.clock import ClockResolution
from integrations.files.common import (
    Format,
    ParsedFile,
    RowProblem,
)
from integrations.files.packing import (
    pack_readings,
    pack_treatments,
    row_id,
    unpack_treatments,
    unpacked_readings,
)
from integrations.models import ImportChunk, ImportJob
from patients.access import Action
from patients.selectors import patient_for
from readings import services as reading_services
from readings.models import Reading
from treatments import services as treatment_services
from treatments.models import Treatment

# Rows stored per request: a second or so of writing on SQLite.
CHUNK_ROWS = 10_000
# A chunk's JSON stays far below MongoDB's 16 MB document limit: 10,000 typical rows are
# about 0.6 MB, but rows with 500-character notes in emoji would be 25 MB, so a chunk
# over this size is halved until it fits.
CHUNK_BYTES = 4 * 1024 * 1024
# No request lives longer than gunicorn's timeout (30 s): a lease older than that was
# taken by a request that died, and the chunk may be stored again.
LEASE = timedelta(seconds=30)
EXPIRES = timedelta(days=1)
# Rejected or skipped rows kept for the result page; a file of thousands of bad rows
# would make a page nobody reads. The counts are always complete.
LISTED_PROBLEMS = 200

READINGS = "readings"
TREATMENTS = "treatments"


# --- What the result page says about the file ----------------------------------------------


@dataclass(frozen=True)
class ImportSummary:
    """What was read from the file, apart from what storing it did (kept with the job as
    JSON, since the result page may come several requests after the upload)."""

    format: str
    unit: str
    date_order: str | None = None
    date_order_reason: str = ""
    ambiguous_times: int = 0
    ignored: int = 0
    collapsed: int = 0
    has_treatments: bool = False
    clock: tuple = ()  # ((ISO day, fold, how, count), ...)
    clock_set_back: tuple = ()  # ((ISO day, minutes, readings), ...)
    rejected: tuple = ()  # ((line, reason), ...), the first LISTED_PROBLEMS
    rejected_count: int = 0
    skipped: tuple = ()
    skipped_count: int = 0

    @classmethod
    def of(cls, parsed: ParsedFile) -> ImportSummary:
        return cls(
            format=parsed.format,
            unit=parsed.unit,
            date_order=parsed.date_order,
            date_order_reason=parsed.date_order_reason,
            ambiguous_times=parsed.ambiguous_times,
            ignored=parsed.ignored,
            collapsed=parsed.collapsed,
            has_treatments=bool(parsed.treatments),
            clock=tuple((c.day.isoformat(), c.fold, c.how, c.count) for c in parsed.clock_changes),
            clock_set_back=tuple(
                (day.isoformat(), minutes, count)
                for (day, minutes), count in sorted(parsed.clock_set_back.items())
            ),
            rejected=tuple((p.line, p.reason) for p in parsed.rejected[:LISTED_PROBLEMS]),
            rejected_count=len(parsed.rejected),
            skipped=tuple((p.line, p.reason) for p in parsed.skipped[:LISTED_PROBLEMS]),
            skipped_count=len(parsed.skipped),
        )

    @classmethod
    def from_json(cls, data: dict) -> ImportSummary:
        known = {f.name for f in dataclasses.fields(cls)}
        values = {key: value for key, value in data.items() if key in known}
        for name in ("clock", "clock_set_back", "rejected", "skipped"):
            values[name] = tuple(tuple(item) for item in values.get(name, ()))
        return cls(**values)

    def to_json(self) -> dict:
        return dataclasses.asdict(self)

    @property
    def format_label(self) -> str:
        return Format.LABELS[self.format]

    @property
    def clock_changes(self) -> list[ClockResolution]:
        return [
            ClockResolution(date.fromisoformat(day), fold, how, count)
            for day, fold, how, count in self.clock
        ]

    @property
    def clock_set_back_days(self) -> list[tuple[date, int, int]]:
        """(day, minutes the device's clock was set back, readings placed by the count)."""
        return [(date.fromisoformat(day), minutes, n) for day, minutes, n in self.clock_set_back]

    @property
    def rejected_rows(self) -> list[RowProblem]:
        return [RowProblem(line, reason) for line, reason in self.rejected]

    @property
    def skipped_rows(self) -> list[RowProblem]:
        return [RowProblem(line, reason) for line, reason in self.skipped]


@dataclass(frozen=True)
class Progress:
    """How far a job has got: rows stored (or found already there) of all its rows."""

    rows_done: int
    rows_total: int
    imported: int = 0
    duplicates: int = 0
    treatments_imported: int = 0
    treatment_duplicates: int = 0
    busy: bool = False  # another request is storing a chunk of this job right now

    @property
    def finished(self) -> bool:
        return self.rows_done >= self.rows_total

    @property
    def label(self) -> str:
        return ngettext(
            "%(done)s of %(total)s row stored", "%(done)s of %(total)s rows stored", self.rows_total
        ) % {
            "done": number_format(self.rows_done, force_grouping=True),
            "total": number_format(self.rows_total, force_grouping=True),
        }


# --- Services -------------------------------------------------------------------------------


def import_job_create(
    *, user, patient, parsed: ParsedFile, file_name: str, now: datetime | None = None
) -> ImportJob:
    """Keep ``parsed`` (a file with at least one valid row) as a job of ``user`` on
    ``patient``: its readings oldest first, then its treatments, CHUNK_ROWS per chunk.
    Deletes every job older than EXPIRES on the way."""
    now = now or timezone.now()
    import_jobs_expire(now=now)
    readings = sorted(parsed.readings, key=lambda reading: reading.taken_at)
    treatments = sorted(parsed.treatments, key=lambda treatment: treatment.taken_at)
    job = ImportJob.objects.create(
        patient=patient,
        user=user,
        file_name=file_name[:255],
        created_at=now,
        summary=ImportSummary.of(parsed).to_json(),
        rows_total=len(readings) + len(treatments),
    )
    chunks = []
    for kind, rows, pack, offset in (
        (READINGS, readings, pack_readings, 0),
        (TREATMENTS, treatments, pack_treatments, len(readings)),
    ):
        for start, size, text in packed_chunks(rows, pack):
            chunks.append(
                ImportChunk(
                    job=job, patient=patient, index=len(chunks), kind=kind,
                    first_row=offset + start, size=size, rows=text,
                )
            )  # fmt: skip
    ImportChunk.objects.bulk_create(chunks)
    return job


def packed_chunks(rows: list, pack) -> list[tuple[int, int, str]]:
    """[(first row, rows, JSON)]: ``rows`` packed CHUNK_ROWS at a time, each chunk halved
    until its JSON is at most CHUNK_BYTES (UTF-8)."""
    found = []
    pending = [
        (start, rows[start : start + CHUNK_ROWS]) for start in range(0, len(rows), CHUNK_ROWS)
    ]
    while pending:
        start, part = pending.pop(0)
        text = pack(part)
        if len(part) > 1 and len(text) > CHUNK_BYTES // 4 and len(text.encode()) > CHUNK_BYTES:
            half = len(part) // 2
            pending[:0] = [(start, part[:half]), (start + half, part[half:])]
            continue
        found.append((start, len(part), text))
    return found


def import_job_advance(*, job: ImportJob, now: datetime | None = None) -> Progress:
    """Store the job's next chunk (up to CHUNK_ROWS rows in all), unless another request
    is storing one (``busy``).

    Safe to call again after a request died at any point: the chunk is stored again,
    which adds nothing that is there, and the rows the dead request stored count as
    imported (their ids are the job's)."""
    now = now or timezone.now()
    claimed = (
        ImportJob.objects.filter(pk=job.pk)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .update(lease_until=now + LEASE)
    )
    if not claimed:
        return dataclasses.replace(import_job_progress(job=job), busy=True)
    try:
        # A chunk, and the next while less than CHUNK_ROWS rows were stored (the last
        # readings and the first treatments are in different chunks).
        budget = CHUNK_ROWS
        while budget > 0:
            chunk = job.chunks.filter(done=False).order_by("index").first()
            if chunk is None:
                break
            _store(job, chunk)
            budget -= chunk.size
    finally:
        ImportJob.objects.filter(pk=job.pk).update(lease_until=None)
    return import_job_progress(job=job)


def _store(job: ImportJob, chunk: ImportChunk) -> None:
    resumed = chunk.started
    if not resumed:
        ImportChunk.objects.filter(pk=chunk.pk).update(started=True)
    if chunk.kind == READINGS:
        model = Reading
        objects = unpacked_readings(chunk.rows, job.pk, chunk.first_row)
    else:
        model = Treatment
        objects = [
            row.to_treatment(pk=row_id(job.pk, chunk.first_row + i))
            for i, row in enumerate(unpack_treatments(chunk.rows))
        ]
    # Rows with the job's ids already stored were stored by a request that died.
    earlier = _count_stored(model, [o.pk for o in objects]) if resumed else 0
    with collector_paused():
        if chunk.kind == READINGS:
            result = reading_services.readings_bulk_create(patient=job.patient, readings=objects)
        else:
            result = treatment_services.treatments_bulk_create(
                patient=job.patient, treatments=objects
            )
    imported = earlier + len(result.created)
    # One write: the chunk is done, its rows go, and what it did is recorded, together.
    ImportChunk.objects.filter(pk=chunk.pk).update(
        done=True, rows="", imported=imported, duplicates=len(objects) - imported
    )


def _count_stored(model, ids: list[uuid.UUID], batch: int = 500) -> int:
    return sum(
        model.objects.filter(pk__in=ids[start : start + batch]).count()
        for start in range(0, len(ids), batch)
    )


def import_job_discard(*, job: ImportJob) -> Progress:
    """Stop the job: the rows not stored yet are dropped, what was stored stays."""
    progress = import_job_progress(job=job)
    job.delete()
    return progress


def import_jobs_expire(*, now: datetime | None = None) -> int:
    """Delete every job uploaded more than EXPIRES ago (any login's); returns how many."""
    cutoff = (now or timezone.now()) - EXPIRES
    deleted, by_model = ImportJob.objects.filter(created_at__lt=cutoff).delete()
    return by_model.get(ImportJob._meta.label, 0)


# --- Selectors ------------------------------------------------------------------------------


def import_job_for(*, user, job_id) -> ImportJob:
    """``user``'s own job ``job_id`` on a record they may still write to, with its record;
    ImportJob.DoesNotExist (a 404) otherwise, also for another login's job. Expired jobs
    are gone."""
    job = (
        ImportJob.objects.filter(pk=job_id, user=user, created_at__gte=timezone.now() - EXPIRES)
        .select_related("patient")
        .first()
    )
    if job is None:
        raise ImportJob.DoesNotExist("No such import.")
    job.patient = patient_for(user=user, patient_id=job.patient_id, action=Action.WRITE)
    return job


def import_job_list(*, user, patient) -> list[tuple[ImportJob, Progress]]:
    """``user``'s unfinished jobs on ``patient`` (a request storing them died, or the page
    was left), oldest first, each with its progress."""
    jobs = ImportJob.objects.filter(
        patient=patient, user=user, created_at__gte=timezone.now() - EXPIRES
    ).order_by("created_at")
    return [(job, import_job_progress(job=job)) for job in jobs]


def import_job_progress(*, job: ImportJob) -> Progress:
    """How far ``job`` has got, from its chunks (a chunk counts once stored)."""
    done = 0
    counts = {READINGS: [0, 0], TREATMENTS: [0, 0]}
    chunks = job.chunks.values_list("kind", "size", "done", "imported", "duplicates")
    for kind, size, finished, imported, duplicates in chunks:
        if finished:
            done += size
            counts[kind][0] += imported
            counts[kind][1] += duplicates
    return Progress(
        rows_done=done,
        rows_total=job.rows_total,
        imported=counts[READINGS][0],
        duplicates=counts[READINGS][1],
        treatments_imported=counts[TREATMENTS][0],
        treatment_duplicates=counts[TREATMENTS][1],
    )
