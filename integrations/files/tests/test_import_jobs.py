"""Imports stored in steps (integrations.files.jobs): a file larger than a chunk is stored a
chunk per request, with its progress on the page; a request that dies leaves a job the
import page offers to continue or discard, and nothing is stored twice."""

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.tests.factories import UserFactory
from integrations.files import jobs, packing
from integrations.files.common import ParsedReading
from integrations.models import ImportChunk, ImportJob
from patients.models import PatientAccess
from patients.tests.factories import GrantFactory
from readings.models import Reading
from treatments.models import Treatment

pytestmark = pytest.mark.django_db

IMPORT_URL = "/readings/import/"
HEADER = (
    "Index,Timestamp (YYYY-MM-DDThh:mm:ss),Event Type,Event Subtype,Patient Info,Device Info,"
    "Source Device ID,Glucose Value (mg/dL),Insulin Value (u),Carb Value (grams),"
    "Duration (hh:mm:ss),Glucose Rate of Change (mg/dL/min),Transmitter Time (Long Integer),"
    "Transmitter ID"
)
START = datetime(2024, 3, 1, 8, 0)  # UTC: the record's zone in these tests


def clarity(count: int, *, carbs: int = 0) -> bytes:
    """A Clarity export of ``count`` 5-minute sensor readings from START (and ``carbs``
    carbohydrate rows), in Clarity's shape (see dexcom_mgdl.csv)."""
    lines = [HEADER, "1,,FirstName,,REDACTED,,,,,,,,,", "2,,LastName,,REDACTED,,,,,,,,,"]
    for i in range(count):
        at = (START + timedelta(minutes=5 * i)).strftime("%Y-%m-%dT%H:%M:%S")
        lines.append(f"{i + 3},{at},EGV,,,,Android G6,{80 + i % 150},,,,,{i * 300},REDACTED")
    for i in range(carbs):
        at = (START + timedelta(minutes=5 * i + 2)).strftime("%Y-%m-%dT%H:%M:%S")
        lines.append(f"{count + i + 3},{at},Carbs,,,,Android G6,,,{10 + i},,,,")
    return ("\n".join(lines) + "\n").encode()


def expected(count: int) -> list[tuple[datetime, int]]:
    """What ``clarity(count)`` holds, worked out without the importer."""
    return [
        ((START + timedelta(minutes=5 * i)).replace(tzinfo=UTC), 80 + i % 150) for i in range(count)
    ]


def stored(user):
    return list(
        Reading.objects.filter(patient=user.record)
        .order_by("taken_at")
        .values_list("taken_at", "value_mgdl")
    )


def upload(client, data: bytes, name: str = "clarity.csv"):
    return client.post(IMPORT_URL, {"file": SimpleUploadedFile(name, data, "text/csv")})


def step_json(client, url):
    response = client.post(url, HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    return response.json()


@pytest.fixture
def signed_in(client, patient):
    patient.record.timezone = "UTC"
    patient.record.save()
    client.force_login(patient)
    return client


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(jobs, "CHUNK_ROWS", 10)


def job_url(response) -> str:
    assert response.status_code == 302
    assert re.fullmatch(r"/readings/import/[0-9a-f-]{36}/", response["Location"])
    return response["Location"]


# --- A file larger than a chunk ---------------------------------------------------------------


def test_a_large_file_is_stored_a_chunk_per_request_with_its_progress_shown(
    signed_in, patient, small_chunks
):
    response = upload(signed_in, clarity(25))
    url = job_url(response)
    assert len(stored(patient)) == 10  # the upload stored the first chunk

    page = signed_in.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert '<progress id="import-progress"' in html
    assert 'max="25" value="10"' in html
    assert "10 of 25 rows stored" in html
    assert "Continue" in html  # without JavaScript, a button goes on

    # The page's script asks for each next chunk as JSON.
    assert step_json(signed_in, url) == {
        "rows_done": 20,
        "rows_total": 25,
        "label": "20 of 25 rows stored",
        "finished": False,
        "busy": False,
    }
    assert step_json(signed_in, url)["finished"] is True
    assert stored(patient) == expected(25)

    result = signed_in.get(url)  # where the script goes when finished
    assert result.templates[0].name == "integrations/import_result.html"
    assert result.context["imported"] == 25 and result.context["duplicates"] == 0
    assert result.context["summary"].format_label == "Dexcom Clarity"
    assert not ImportJob.objects.exists() and not ImportChunk.objects.exists()
    assert signed_in.get(url).status_code == 404  # the result is shown once


def test_without_javascript_the_continue_button_completes_the_import(
    signed_in, patient, small_chunks
):
    url = job_url(upload(signed_in, clarity(25)))

    second = signed_in.post(url)
    assert second.status_code == 200
    assert "20 of 25 rows stored" in second.content.decode()
    last = signed_in.post(url)

    assert "Import result" in last.content.decode()
    assert last.context["imported"] == 25
    assert stored(patient) == expected(25)


def test_readings_and_treatments_in_several_chunks_are_counted_apart(
    signed_in, patient, small_chunks
):
    url = job_url(upload(signed_in, clarity(15, carbs=12)))
    while not step_json(signed_in, url)["finished"]:
        pass
    result = signed_in.get(url)

    assert result.context["imported"] == 15
    assert result.context["treatments_imported"] == 12
    assert Treatment.objects.filter(patient=patient.record).count() == 12
    assert sorted(Treatment.objects.values_list("carbs_g", flat=True)) == list(range(10, 22))


def test_a_file_of_one_chunk_is_stored_by_its_upload(signed_in, patient):
    response = upload(signed_in, clarity(25))

    assert response.status_code == 200
    assert response.context["imported"] == 25
    assert not ImportJob.objects.exists()


# --- Requests that die ----------------------------------------------------------------------


class WorkerKilled(BaseException):
    """What the test raises where a real worker would be killed (not an Exception, so no
    handler in between catches it)."""


def test_a_request_killed_after_storing_a_chunk_stores_nothing_twice(
    signed_in, patient, small_chunks, monkeypatch
):
    url = job_url(upload(signed_in, clarity(25)))
    real = jobs.reading_services.readings_bulk_create

    def stored_then_killed(**kwargs):
        real(**kwargs)
        raise WorkerKilled  # before the chunk is marked done

    monkeypatch.setattr(jobs.reading_services, "readings_bulk_create", stored_then_killed)
    with pytest.raises(WorkerKilled):
        signed_in.post(url, HTTP_ACCEPT="application/json")
    monkeypatch.setattr(jobs.reading_services, "readings_bulk_create", real)
    # A killed worker runs no clean-up: its lease on the job stays until it runs out.
    ImportJob.objects.update(lease_until=timezone.now() + jobs.LEASE)
    assert len(stored(patient)) == 20

    page = signed_in.get(IMPORT_URL)
    pending = page.content.decode()
    assert "Unfinished import" in pending and "clarity.csv" in pending
    # The killed chunk is not counted as done.
    assert "clarity.csv</strong>, uploaded just now: 10 of 25 rows stored." in pending

    busy = step_json(signed_in, url)  # the dead request's lease has not run out yet
    assert busy["busy"] is True and busy["rows_done"] == 10
    ImportJob.objects.update(lease_until=timezone.now() - timedelta(seconds=1))
    assert step_json(signed_in, url)["rows_done"] == 20
    assert step_json(signed_in, url)["finished"] is True
    result = signed_in.get(url)

    assert stored(patient) == expected(25)  # every reading once
    # The chunk the killed request stored counts as imported, not as "already there".
    assert result.context["imported"] == 25 and result.context["duplicates"] == 0


def test_a_request_killed_half_way_through_a_chunk_stores_nothing_twice(
    signed_in, patient, small_chunks, monkeypatch
):
    url = job_url(upload(signed_in, clarity(25)))
    real = jobs.reading_services.readings_bulk_create

    def killed_half_way(*, patient, readings):
        real(patient=patient, readings=readings[:4])
        raise WorkerKilled

    monkeypatch.setattr(jobs.reading_services, "readings_bulk_create", killed_half_way)
    with pytest.raises(WorkerKilled):
        signed_in.post(url)
    monkeypatch.setattr(jobs.reading_services, "readings_bulk_create", real)
    ImportJob.objects.update(lease_until=None)  # the lease ran out
    assert len(stored(patient)) == 14

    while not step_json(signed_in, url)["finished"]:
        pass
    result = signed_in.get(url)

    assert stored(patient) == expected(25)
    assert result.context["imported"] == 25 and result.context["duplicates"] == 0


def test_importing_the_file_again_after_a_killed_request_adds_only_the_rest(
    signed_in, patient, small_chunks
):
    job_url(upload(signed_in, clarity(25)))  # left after its first chunk

    again = upload(signed_in, clarity(25))
    url = job_url(again)
    while not step_json(signed_in, url)["finished"]:
        pass
    result = signed_in.get(url)

    assert result.context["imported"] == 15 and result.context["duplicates"] == 10
    assert stored(patient) == expected(25)


def test_discarding_keeps_what_was_stored_and_drops_the_rest(signed_in, patient, small_chunks):
    url = job_url(upload(signed_in, clarity(25)))

    response = signed_in.post(f"{url}discard/", follow=True)

    assert "The import of clarity.csv was stopped. The 10 row(s) it had stored stay" in (
        response.content.decode()
    )
    assert "Unfinished import" not in response.content.decode()
    assert stored(patient) == expected(25)[:10]
    assert not ImportJob.objects.exists() and not ImportChunk.objects.exists()
    assert signed_in.post(url).status_code == 404


def test_a_job_being_stored_is_not_stored_by_a_second_request(signed_in, patient, small_chunks):
    url = job_url(upload(signed_in, clarity(25)))
    ImportJob.objects.update(lease_until=timezone.now() + timedelta(seconds=20))

    answer = step_json(signed_in, url)

    assert answer["busy"] is True and answer["rows_done"] == 10
    assert len(stored(patient)) == 10


def test_jobs_expire_after_a_day(signed_in, patient, small_chunks):
    url = job_url(upload(signed_in, clarity(25)))
    ImportJob.objects.update(created_at=timezone.now() - timedelta(hours=23, minutes=59))
    assert "uploaded 23\xa0hours, 59\xa0minutes ago" in signed_in.get(IMPORT_URL).content.decode()
    ImportJob.objects.update(created_at=timezone.now() - timedelta(days=1, minutes=1))

    assert signed_in.get(url).status_code == 404
    assert "Unfinished import" not in signed_in.get(IMPORT_URL).content.decode()
    upload(signed_in, clarity(5))  # any new import deletes the expired ones
    assert not ImportChunk.objects.exists()
    assert not ImportJob.objects.exists()


# --- Private to the uploader ----------------------------------------------------------------


def test_a_job_is_private_to_the_login_that_uploaded_it(client, patient, small_chunks):
    patient.record.timezone = "UTC"
    patient.record.save()
    caregiver = UserFactory()
    GrantFactory(user=caregiver, patient=patient.record, role=PatientAccess.Role.CAREGIVER)
    client.force_login(patient)
    url = job_url(upload(client, clarity(25)))
    client.logout()

    assert client.get(url).status_code == 302  # anonymous: sign in first
    assert client.post(url).status_code == 302
    client.force_login(caregiver)  # may write to the record, but did not upload the file
    assert client.get(url).status_code == 404
    assert client.post(url, HTTP_ACCEPT="application/json").status_code == 404
    assert client.post(f"{url}discard/").status_code == 404
    assert "Unfinished import" not in client.get(IMPORT_URL).content.decode()
    assert Reading.objects.count() == 10 and ImportJob.objects.exists()


def test_a_job_stops_with_the_uploaders_access(client, patient, small_chunks):
    caregiver = UserFactory()
    grant = GrantFactory(user=caregiver, patient=patient.record, role=PatientAccess.Role.CAREGIVER)
    patient.record.timezone = "UTC"
    patient.record.save()
    client.force_login(caregiver)
    url = job_url(upload(client, clarity(25)))

    grant.status = PatientAccess.Status.REVOKED
    grant.save()

    assert client.post(url).status_code == 404
    assert Reading.objects.count() == 10


# --- Where the rows wait --------------------------------------------------------------------


def test_chunks_of_the_longest_rows_stay_far_below_mongodbs_document_limit():
    moment = datetime(2024, 1, 1, tzinfo=UTC)
    longest = ParsedReading(
        value_mgdl=600, taken_at=moment, kind="fingerstick", context="after_snack",
        notes="😀" * 500, source="import", external_id="x" * 200, direction="DoubleDown",
    )  # fmt: skip
    rows = [longest] * (jobs.CHUNK_ROWS + 5)

    chunks = jobs.packed_chunks(rows, packing.pack_readings)

    assert max(len(text.encode()) for _, _, text in chunks) <= jobs.CHUNK_BYTES
    assert jobs.CHUNK_BYTES < 16 * 1024 * 1024 / 2
    assert [(start, size) for start, size, _ in chunks][:2] == [(0, 1250), (1250, 1250)]
    assert sum(size for _, size, _ in chunks) == len(rows)
    assert all(
        packing.unpack_readings(text) == rows[start : start + size] for start, size, text in chunks
    )
    typical = jobs.packed_chunks(rows[:1] * 3, packing.pack_readings)
    assert [(start, size) for start, size, _ in typical] == [(0, 3)]


def test_rows_keep_every_field_and_the_time_through_the_job():
    reading = ParsedReading(
        value_mgdl=123, taken_at=datetime(2023, 11, 5, 5, 30, 1, tzinfo=UTC), kind="scan",
        context="fasting", notes='a "quoted", note', source="import", external_id="id-1",
        direction="Flat", cadence_min=15,
    )  # fmt: skip
    assert packing.unpack_readings(packing.pack_readings([reading])) == [reading]
    assert json.loads(packing.pack_readings([reading]))[0][0] == 1699162201


def test_row_ids_are_distinct_version_4_uuids_of_their_job():
    job = jobs.uuid.uuid4()
    ids = [packing.row_id(job, row) for row in range(50_000)]

    assert len(set(ids)) == 50_000
    assert {i.version for i in ids} == {4}
    assert job not in ids
