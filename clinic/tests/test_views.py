"""The clinic pages as people use them: the roster, the read-only report, /sharing/ and the
device upload secret."""

import hashlib
import re
from datetime import date, timedelta

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from integrations.models import UploadSecret
from integrations.nightscout.credentials import upload_secret_record
from patients.models import AccessLogEntry, PatientAccess
from patients.services import patient_update
from patients.tests.factories import GrantFactory
from readings.models import Reading
from readings.services import target_set
from readings.tests.factories import ReadingFactory, cgm_cycle, store

pytestmark = pytest.mark.django_db


def flash(response) -> list[str]:
    """The messages queued by this request (pages show them on the next one)."""
    return [str(m) for m in get_messages(response.wsgi_request)]


def recent(hours: float):
    """A whole-second time ``hours`` ago."""
    return timezone.now().replace(microsecond=0) - timedelta(hours=hours)


def shown_messages(response) -> list[str]:
    """The messages a followed redirect displayed."""
    return [str(m) for m in response.context["messages"]]


def physician_grants():
    """The physician grants (the links of the consent flow), not the records' own logins."""
    return PatientAccess.objects.filter(role=PatientAccess.Role.PHYSICIAN)


# --- roster ----------------------------------------------------------------------------------


def test_roster_shows_each_patients_figures_and_missed_goals_in_words(
    client, physician, patient, active_link
):
    physician.unit = "mmol/L"
    physician.save()
    patient_update(patient=patient.record, date_of_birth=date(1990, 6, 1), diabetes_type="type_1")
    # 1 of 10 below 54, in 25 hours of 5-minute CGM.
    cgm_cycle(patient.record, (45, 100, 110, 120, 130, 140, 150, 160, 170, 175))
    client.force_login(physician)

    response = client.get(reverse("clinic:roster"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Pat Ient" in html and reverse("reports:patient", args=[patient.record.pk]) in html
    assert "7.2 mmol/L" in html  # the mean, 130 mg/dL, in the physician's unit
    assert "90.0 %" in html and "10.0 %" in html
    # A flag in words, not colour alone, and in the physician's unit (mmol/L first).
    assert "Below 3.0: 10.0 % (goal &lt; 1 %)" in html
    assert "Below 3.9: 10.0 % (goal &lt; 4 %)" in html
    assert ">Below 3.9<" in html and "events &lt; 3.0" in html  # column headings
    footnote = html[html.index("roster-footnote") :]
    assert "Ranges in mmol/L" in footnote and "mg/dL" not in footnote
    assert "time in range 3.9–10.0 more than 70 %" in footnote
    assert "average glucose less than 8.5 mmol/L" in footnote
    assert "MRN-1001" in html  # the clinic's own record number, for the physician
    assert "Riverside Clinic" in html


def test_roster_headers_sort_and_say_so_with_aria_sort(client, physician, patient, active_link):
    client.force_login(physician)

    default = client.get(reverse("clinic:roster")).content.decode()
    by_name = client.get(reverse("clinic:roster"), {"sort": "name"}).content.decode()
    by_name_desc = client.get(reverse("clinic:roster"), {"sort": "-name"}).content.decode()

    assert "aria-sort" not in default and "Sorted by need for attention" in default
    assert re.search(r'aria-sort="ascending">\s*<a href="\?sort=-name"', by_name)
    assert re.search(r'aria-sort="descending">\s*<a href="\?sort=name"', by_name_desc)
    assert 'href="?sort=-very_low"' in default  # biggest concern first on first click
    assert 'href="?sort=-lv2_hypo"' in default and 'href="?sort=tir_change"' in default


def test_roster_lists_offers_and_the_physician_accepts_with_an_mrn(
    client, physician, patient, pending_offer
):
    client.force_login(physician)
    page = client.get(reverse("clinic:roster")).content.decode()
    assert "Offers waiting for your answer" in page and "Pat Ient" in page

    response = client.post(
        reverse("clinic:offer-accept", args=[pending_offer.pk]),
        {f"{pending_offer.pk}-mrn": "CL-99"},
    )

    pending_offer.refresh_from_db()
    assert response.status_code == 302
    assert (pending_offer.status, pending_offer.mrn) == ("active", "CL-99")
    assert "Pat Ient is now on your roster." in flash(response)
    roster = client.get(reverse("clinic:roster")).content.decode()
    assert "Offers waiting" not in roster and "CL-99" in roster


def test_physician_declines_an_offer(client, physician, patient, pending_offer):
    client.force_login(physician)

    client.post(reverse("clinic:offer-decline", args=[pending_offer.pk]))

    pending_offer.refresh_from_db()
    assert pending_offer.status == "declined"
    assert mail.outbox[-1].to == [patient.email]


def test_a_request_says_the_same_whether_or_not_the_patient_exists(client, physician, patient):
    client.force_login(physician)

    known = client.post(
        reverse("clinic:request"), {"email": patient.email, "mrn": "7"}, follow=True
    )
    sent = len(mail.outbox)
    unknown = client.post(reverse("clinic:request"), {"email": "nobody@example.org"}, follow=True)

    assert known.redirect_chain == unknown.redirect_chain == [(reverse("clinic:roster"), 302)]
    same = [m.replace(patient.email, "EMAIL") for m in shown_messages(known)]
    assert same == [m.replace("nobody@example.org", "EMAIL") for m in shown_messages(unknown)]
    assert len(same) == 1
    assert sent == 1 and len(mail.outbox) == 1  # nothing sent for the unknown address
    assert physician_grants().get().patient == patient.record


def test_a_malformed_request_is_shown_on_the_form(client, physician):
    client.force_login(physician)

    response = client.post(reverse("clinic:request"), {"email": "not-an-email", "mrn": "x" * 65})

    assert response.status_code == 200
    html = response.content.decode()
    assert "Enter a valid email address." in html
    assert "at most 64 characters" in html
    assert not physician_grants().exists()


# --- the read-only report --------------------------------------------------------------------


@pytest.fixture
def report_data(patient):
    patient_update(patient=patient.record, date_of_birth=date(1980, 3, 4), diabetes_type="type_2")
    target_set(patient=patient.record, low_mgdl=80, high_mgdl=160)
    now = timezone.now().replace(microsecond=0)
    store(
        Reading(
            patient=patient.record, value_mgdl=100 + i % 80, taken_at=now - timedelta(hours=i + 1)
        )
        for i in range(60)
    )
    ReadingFactory(
        patient=patient.record, value_mgdl=250, notes="after pizza", taken_at=recent(0.5)
    )


def test_report_shows_the_patients_stats_charts_and_readings_read_only(
    client, physician, patient, active_link, report_data
):
    client.force_login(physician)

    response = client.get(reverse("reports:patient", args=[patient.record.pk]), {"days": 7})

    html = response.content.decode()
    assert response.status_code == 200
    assert "Pat Ient" in html and "Type 2" in html and "MRN-1001" in html
    age = patient.record.age_on(timezone.localdate())
    assert f'<dt class="col-auto">Age</dt><dd class="col-auto">{age}</dd>' in html
    for figure in (
        "figure-readings",
        "figure-agp",
        "figure-ranges",
        "figure-meter",
        "figure-overlay",
    ):
        assert f'id="{figure}"' in html
    assert 'data-stat="in_range"' in html  # the stat cards
    assert "after pizza" in html and "250 mg/dL" in html
    assert "vendor/plotly-basic.min.js" in html and "js/dashboard.js" in html
    assert 'aria-current="page" href="?days=7"' in html
    # Read-only: no edit controls, no form at all but sign-out, no live polling.
    assert "/edit/" not in html and "/delete/" not in html and "Add a reading" not in html
    # Read-only: the only forms are signing out, the report download (a GET) and the target
    # preset the figures are judged by (the physician's to set, CLINICAL.md D9).
    assert html.count("<form") == 3 and reverse("account_logout") in html
    assert html.count('method="post"') == 2
    preset = reverse("reports:patient-preset", args=[patient.record.pk])
    assert f'<form method="post" action="{preset}"' in html
    download = reverse("reports:patient-agp-pdf", args=[patient.record.pk])
    assert f'<form method="get" action="{download}"' in html
    assert "data-version-url" not in html
    assert "<script>" not in html  # chart data travels as json_script only


def test_report_paginates_readings_in_the_period(
    client, physician, patient, active_link, report_data
):
    client.force_login(physician)

    first = client.get(reverse("reports:patient", args=[patient.record.pk]))
    second = client.get(reverse("reports:patient", args=[patient.record.pk]), {"page": 2})

    assert "Page 1 of 2" in first.content.decode()
    assert 'href="?days=14&amp;page=2"' in first.content.decode()
    assert "Page 2 of 2" in second.content.decode()


def test_report_values_follow_the_physicians_unit(client, physician, patient, active_link):
    physician.unit = "mmol/L"
    physician.save()
    ReadingFactory(patient=patient.record, value_mgdl=180, taken_at=recent(1))
    client.force_login(physician)

    html = client.get(reverse("reports:patient", args=[patient.record.pk])).content.decode()

    assert "10.0 mmol/L" in html


def test_every_report_view_is_logged_and_shown_to_the_patient(
    client, physician, patient, active_link
):
    client.force_login(physician)
    client.get(reverse("reports:patient", args=[patient.record.pk]))
    client.get(reverse("reports:patient", args=[patient.record.pk]), {"days": 30})

    entries = AccessLogEntry.objects.filter(patient=patient.record)
    assert entries.count() == 2 and {e.what for e in entries} == {"report page"}

    patient.record.timezone = "Pacific/Auckland"
    patient.record.save()
    client.force_login(patient)
    html = client.get(reverse("patients:sharing")).content.decode()
    local = entries.first().viewed_at.astimezone(patient.record.tzinfo)
    assert html.count("Dr. Grace House viewed your report page on") == 2
    assert local.strftime("%H:%M") in html and "Times in Pacific/Auckland" in html


def test_revoking_on_sharing_ends_the_physicians_access_at_once(
    client, physician, patient, active_link
):
    report = reverse("reports:patient", args=[patient.record.pk])
    client.force_login(physician)
    assert client.get(report).status_code == 200

    client.force_login(patient)
    confirm = client.get(reverse("patients:sharing-end", args=[active_link.pk]))
    assert "Stop sharing with Dr. Grace House?" in confirm.content.decode()
    done = client.post(reverse("patients:sharing-end", args=[active_link.pk]))
    assert done.status_code == 302
    assert "Dr. Grace House can no longer see your readings." in flash(done)

    client.force_login(physician)
    assert client.get(report).status_code == 404
    assert "Pat Ient" not in client.get(reverse("clinic:roster")).content.decode()
    assert mail.outbox[-1].to == [physician.email]


def test_a_physician_removes_a_patient_from_the_roster(client, physician, patient, active_link):
    client.force_login(physician)

    client.post(reverse("clinic:roster-end", args=[active_link.pk]))

    active_link.refresh_from_db()
    assert (active_link.status, active_link.ended_by) == ("revoked", "physician")
    assert client.get(reverse("reports:patient", args=[patient.record.pk])).status_code == 404


# --- /sharing/ -------------------------------------------------------------------------------


def test_sharing_lists_access_requests_and_history(
    client, physician, patient, clinic, active_link, other_clinic_physician
):
    request = GrantFactory(
        user=other_clinic_physician, patient=patient.record, status="pending", responded_at=None
    )
    client.force_login(patient)

    html = client.get(reverse("patients:sharing")).content.decode()

    assert "Dr. Grace House" in html and "Riverside Clinic" in html
    assert reverse("patients:sharing-end", args=[active_link.pk]) in html
    assert "Requests waiting for your answer" in html and "Dr. Ada Far" in html
    assert reverse("patients:request-accept", args=[request.pk]) in html
    assert reverse("patients:request-decline", args=[request.pk]) in html
    assert "Nobody else has viewed the data." in html


def test_patient_accepts_a_request_on_sharing(client, physician, patient, pending_request):
    client.force_login(patient)

    response = client.post(reverse("patients:request-accept", args=[pending_request.pk]))

    pending_request.refresh_from_db()
    assert pending_request.status == "active"
    assert "Dr. Grace House can now see your readings." in flash(response)
    assert mail.outbox[-1].to == [physician.email]


def test_patient_declines_a_request_on_sharing(client, physician, patient, pending_request):
    client.force_login(patient)

    response = client.post(reverse("patients:request-decline", args=[pending_request.pk]))

    pending_request.refresh_from_db()
    assert pending_request.status == "declined"
    assert "Nothing was shared" in flash(response)[0]
    assert "declined" in client.get(reverse("patients:sharing")).content.decode()


def test_an_offer_says_the_same_whether_or_not_the_physician_exists(
    client, physician, patient, other_patient
):
    client.force_login(patient)

    def offer(email):
        response = client.post(reverse("patients:offer"), {"email": email}, follow=True)
        return [m.replace(email, "EMAIL") for m in shown_messages(response)]

    known = offer(physician.email)
    unknown = offer("nobody@example.org")
    not_a_physician = offer("other@example.org")

    assert known == unknown == not_a_physician and len(known) == 1
    assert [m.to for m in mail.outbox] == [[physician.email]]
    # The patient's own pending offer is not listed: the page would tell that the email
    # belongs to a physician.
    assert physician.email not in client.get(reverse("patients:sharing")).content.decode()


def test_an_invalid_offer_email_is_shown_on_the_form(client, patient):
    client.force_login(patient)

    response = client.post(reverse("patients:offer"), {"email": "doctor@"})

    assert response.status_code == 200
    assert "Enter a valid email address." in response.content.decode()


def test_a_patient_withdraws_an_offer_before_it_is_accepted(
    client, physician, patient, pending_offer
):
    client.force_login(patient)

    response = client.post(
        reverse("patients:offer-withdraw"), {"withdraw-email": "Doctor@Example.org"}, follow=True
    )

    pending_offer.refresh_from_db()
    assert pending_offer.status == PatientAccess.Status.REVOKED
    assert pending_offer.ended_by == PatientAccess.Side.PATIENT
    assert "it is withdrawn" in shown_messages(response)[0]
    (notice,) = mail.outbox
    assert notice.to == [physician.email] and "withdrew their offer" in notice.body
    # The physician can no longer find or accept it.
    client.force_login(physician)
    assert "data-offer" not in client.get(reverse("clinic:roster")).content.decode()
    accept = client.post(reverse("clinic:offer-accept", args=[pending_offer.pk]))
    assert accept.status_code == 404
    assert not physician_grants().filter(status=PatientAccess.Status.ACTIVE).exists()


def test_withdrawing_an_offer_says_the_same_whether_or_not_one_was_pending(
    client, physician, patient, other_patient, pending_offer
):
    client.force_login(patient)

    def withdraw(email):
        response = client.post(
            reverse("patients:offer-withdraw"), {"withdraw-email": email}, follow=True
        )
        return [m.replace(email, "EMAIL") for m in shown_messages(response)]

    answers = [withdraw(e) for e in (physician.email, physician.email, "nobody@example.org")]
    answers.append(withdraw(other_patient.email))

    assert answers[0] == answers[1] == answers[2] == answers[3] and len(answers[0]) == 1
    assert len(mail.outbox) == 1  # only the one real withdrawal told anybody


def test_withdrawing_leaves_accepted_sharing_and_requests_alone(
    client, physician, patient, active_link, other_clinic_physician
):
    asked = GrantFactory(
        user=other_clinic_physician,
        patient=patient.record,
        status=PatientAccess.Status.PENDING,
        initiated_by=PatientAccess.Side.PHYSICIAN,
        responded_at=None,
    )
    client.force_login(patient)

    for email in (physician.email, other_clinic_physician.email):
        client.post(reverse("patients:offer-withdraw"), {"withdraw-email": email})

    active_link.refresh_from_db()
    asked.refresh_from_db()
    assert active_link.status == PatientAccess.Status.ACTIVE  # "Stop sharing" ends that one
    assert asked.status == PatientAccess.Status.PENDING  # the patient declines it instead
    assert mail.outbox == []


def test_an_invalid_withdrawal_email_is_shown_on_its_own_form(client, patient):
    client.force_login(patient)

    response = client.post(reverse("patients:offer-withdraw"), {"withdraw-email": "doctor@"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "Enter a valid email address." in html
    assert re.search(r"<details[^>]*\bopen\b[^>]*>\s*<summary>Withdraw an offer", html)


def test_a_physician_withdraws_a_request_before_it_is_answered(
    client, physician, patient, pending_request
):
    client.force_login(physician)

    response = client.post(
        reverse("clinic:request-withdraw"), {"withdraw-email": patient.email}, follow=True
    )

    pending_request.refresh_from_db()
    assert pending_request.status == PatientAccess.Status.REVOKED
    assert pending_request.ended_by == PatientAccess.Side.PHYSICIAN
    assert "it is withdrawn" in shown_messages(response)[0]
    (notice,) = mail.outbox
    assert notice.to == [patient.email] and "withdrew their request" in notice.body
    client.force_login(patient)
    sharing = client.get(reverse("patients:sharing")).content.decode()
    assert reverse("patients:request-accept", args=[pending_request.pk]) not in sharing
    accept = client.post(reverse("patients:request-accept", args=[pending_request.pk]))
    assert accept.status_code == 404


def test_a_physician_cannot_withdraw_a_patient_s_offer_or_an_active_link(
    client, physician, patient, pending_offer
):
    client.force_login(physician)

    client.post(reverse("clinic:request-withdraw"), {"withdraw-email": patient.email})

    pending_offer.refresh_from_db()
    assert pending_offer.status == PatientAccess.Status.PENDING  # theirs to accept or decline


# --- device upload secret --------------------------------------------------------------------


def test_making_an_upload_secret_shows_it_once_with_setup_instructions(client, patient):
    client.force_login(patient)
    assert 'data-upload-secret="absent"' in client.get(reverse("patients:sharing")).content.decode()

    response = client.post(reverse("nightscout:secret-rotate"))

    html = response.content.decode()
    secret = re.search(r"<code[^>]*data-secret>([^<]+)</code>", html).group(1)
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert len(secret) >= 12
    assert "http://testserver/" in html  # the base URL for the uploader
    assert f"http://{secret}@testserver/api/v1/" in html  # xDrip+'s form of it
    assert "api-secret" in html and "?token=" in html
    sha1 = hashlib.sha1(secret.encode()).hexdigest()  # noqa: S324 (Nightscout's protocol)
    assert upload_secret_record(api_secret_sha1_hex=sha1) == patient.record
    sharing = client.get(reverse("patients:sharing")).content.decode()
    assert 'data-upload-secret="present"' in sharing and secret not in sharing


def test_rotating_replaces_the_secret_after_a_confirmation(client, patient):
    client.force_login(patient)
    first = client.post(reverse("nightscout:secret-rotate")).content.decode()
    old = re.search(r"data-secret>([^<]+)<", first).group(1)

    confirm = client.get(reverse("nightscout:secret-rotate"))
    second = client.post(reverse("nightscout:secret-rotate")).content.decode()
    new = re.search(r"data-secret>([^<]+)<", second).group(1)

    assert "Replace your device upload secret?" in confirm.content.decode()
    assert new != old
    old_sha1 = hashlib.sha1(old.encode()).hexdigest()  # noqa: S324
    assert upload_secret_record(api_secret_sha1_hex=old_sha1) is None
    assert UploadSecret.objects.filter(patient=patient.record).count() == 1


def test_revoking_the_upload_secret(client, patient):
    client.force_login(patient)
    client.post(reverse("nightscout:secret-rotate"))

    confirm = client.get(reverse("nightscout:secret-revoke"))
    response = client.post(reverse("nightscout:secret-revoke"))

    assert "Revoke your device upload secret?" in confirm.content.decode()
    assert response.status_code == 302
    assert not UploadSecret.objects.filter(patient=patient.record).exists()


def test_navigation_links_to_the_clinic_pages_by_role(client, physician, patient):
    client.force_login(physician)
    assert 'href="/clinic/">My patients' in client.get(reverse("clinic:roster")).content.decode()
    client.force_login(patient)
    assert 'href="/sharing/">Sharing' in client.get(reverse("patients:sharing")).content.decode()


@pytest.mark.parametrize("side", ["patient", "physician"])
def test_revocation_ends_api_access_at_once_too(client, physician, patient, active_link, side):
    """The REST API goes through the same gate: the next API call after a revocation is a
    404, and it writes no access-log entry."""
    from rest_framework.test import APIClient

    from patients.grants import physician_access_revoke

    api = APIClient()
    api.force_authenticate(physician)
    urls = [
        reverse("api:patient-stats", args=[patient.record.pk]),
        reverse("api:patient-readings", args=[patient.record.pk]),
    ]
    assert [api.get(url).status_code for url in urls] == [200, 200]
    assert [api.get(reverse("api:patient-list")).json()[0]["id"]] == [str(patient.record.pk)]
    logged = AccessLogEntry.objects.count()

    physician_access_revoke(grant=active_link, by=patient if side == "patient" else physician)

    assert [api.get(url).status_code for url in urls] == [404, 404]
    assert api.get(reverse("api:patient-list")).json() == []
    assert AccessLogEntry.objects.count() == logged


@pytest.mark.parametrize(
    ("who", "page"), [("physician", "clinic:roster"), ("patient", "patients:sharing")]
)
def test_every_field_on_the_page_has_its_own_label(client, request, who, page, pending_offer):
    client.force_login(request.getfixturevalue(who))

    html = client.get(reverse(page)).content.decode()

    labels = [
        re.sub(r"<[^>]+>|\*|\s+", " ", text).strip()
        for text in re.findall(r"<label[^>]*>(.*?)</label>", html, re.S)
    ]
    assert labels and len(labels) == len(set(labels)), labels
