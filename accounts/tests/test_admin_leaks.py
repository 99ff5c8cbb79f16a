"""Admin never shows medical data (DESIGN.md section 1), to administrators and superusers.

A patient is seeded with distinctive sentinel values in every medical field; then every
admin page reachable for users, clinics and roster links is visited: the index and app
indexes, change lists (with every filter and sort link they offer, and searches for each
sentinel), add and change forms, history, single and bulk delete confirmations (which list
related objects by ``str()``), and none of the sentinels may appear in any response.
"""

import re
from datetime import date, timedelta
from html import unescape
from urllib.parse import quote_plus

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress, EmailConfirmation
from django.contrib import admin
from django.contrib.auth.models import Group
from django.test import RequestFactory
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from accounts.roles import PATIENTS
from accounts.tests.factories import UserFactory
from accounts.tests.test_admin import (
    PERMISSION_LOOKUP_DEVIATION,
)
from clinic.tests.factories import ClinicFactory, ClinicMembershipFactory
from integrations.models import UploadSecret
from integrations.nightscout import credentials
from patients.invitations import invitation_send
from patients.models import AccessLogEntry, PatientAccess
from patients.services import patient_create_for_caregiver, patient_update
from patients.tests.factories import GrantFactory
from readings.models import Context, Kind
from readings.services import reading_create, target_set

pytestmark = pytest.mark.django_db

TEXT_SENTINELS = ("SENTINEL-NOTE", "MRN-SENTINEL-42", "MODY", "mody")
# Numbers count only as whole tokens: ids and CSRF tokens are full of digits.
NUMBER_SENTINELS = ("487", "77", "177", "1911", "27.0")  # 27.0 mmol/L is 487 mg/dL
DATE_SENTINELS = ("11 Nov", "Nov. 11", "November 11", "11/11/1911")


# Credentials seeded by the fixture (the API token's key, the device secret's digest, a
# pending address's confirmation key, a password-reset key): an administrator who could
# read one could read the patient's data through the API, or take the account over.
CREDENTIALS: list[str] = []


def leaks(html: str) -> list[str]:
    # Option values of integer keys (the group form's permission ids, which pass 77 once
    # enough models exist) are ids, not medical values; every medical model has UUID keys.
    text = re.sub(r'<option value="\d+"', "<option", unescape(html))
    found = [s for s in TEXT_SENTINELS + DATE_SENTINELS + tuple(CREDENTIALS) if s in text]
    found += [
        s for s in NUMBER_SENTINELS if re.search(rf"(?<![\w.\-:]){re.escape(s)}(?![\w.])", text)
    ]
    return found


@pytest.fixture
def seeded(patient, physician):
    """A patient whose every medical field holds a sentinel, linked to a physician."""
    reading_create(
        patient=patient.record,
        value_mgdl=487,
        taken_at=timezone.now() - timedelta(hours=1),
        kind=Kind.FINGERSTICK,
        context=Context.AFTER_MEAL,
        notes="SENTINEL-NOTE",
    )
    target_set(patient=patient.record, low_mgdl=77, high_mgdl=177)
    patient_update(patient=patient.record, date_of_birth=date(1911, 11, 11), diabetes_type="mody")
    clinic = ClinicFactory(name="Riverside Clinic")
    ClinicMembershipFactory(clinic=clinic, physician=physician)
    link = GrantFactory(user=physician, patient=patient.record, mrn="MRN-SENTINEL-42")
    AccessLogEntry.objects.create(
        viewer=physician,
        viewer_name="Dr. Grace House",
        patient=patient.record,
        what="report page",
    )
    credentials.upload_secret_rotate(patient=patient.record)
    token = Token.objects.create(user=patient)
    pending = EmailAddress.objects.create(user=patient, email="pending@example.org")
    confirmation = EmailConfirmation.create(pending)
    reset_key = default_token_generator.make_token(patient)
    CREDENTIALS[:] = [
        token.key,
        UploadSecret.objects.get(patient=patient.record).digest,
        confirmation.key,
        reset_key,
    ]
    # A family: a child's record (no login of its own, sentinels in its medical fields)
    # looked after by a caregiver, followed by a grandparent, with a pending invitation.
    carer = UserFactory(email="carer@example.org", roles=[PATIENTS])
    child = patient_create_for_caregiver(
        user=carer, display_name="Child", date_of_birth=date(1911, 11, 11), diabetes_type="mody"
    )
    reading_create(
        patient=child,
        value_mgdl=487,
        taken_at=timezone.now() - timedelta(hours=2),
        notes="SENTINEL-NOTE",
    )
    follower = UserFactory(email="grandma@example.org", roles=[PATIENTS])
    PatientAccess.objects.create(
        user=follower, patient=child, role="follower", status="active", initiated_by="patient"
    )
    invitation_send(patient=child, by=carer, email="second@example.org", role="caregiver")
    AccessLogEntry.objects.create(
        viewer=follower, viewer_name="Grandma", patient=child, what="dashboard"
    )
    return {"patient": patient, "physician": physician, "clinic": clinic, "link": link}


class Crawler:
    """Visits admin pages and records every response's status and leaks."""

    def __init__(self, client, user):
        self.client, self.user = client, user
        self.visited: dict[str, int] = {}
        self.leaks: dict[str, list[str]] = {}

    def get(self, url, **params):
        response = self.client.get(url, params)
        key = response.request["PATH_INFO"] + "?" + response.request["QUERY_STRING"]
        self._record(key, response, echo=params.get("q"))
        return response

    def search(self, url, query):
        """A search for a medical value finds nothing (the page only echoes the query)."""
        response = self.get(url, q=query)
        assert response.context["cl"].result_count == 0, (url, query)

    def post(self, url, data):
        response = self.client.post(url, data)
        self._record(f"POST {url} {sorted(data)}", response)
        return response

    def _record(self, key, response, echo=None):
        self.visited[key] = response.status_code
        body = response.content.decode()
        if echo:  # the search box and its links repeat the query typed in
            body = body.replace(f'value="{echo}"', "")
            body = re.sub(rf"q(=|%3D){re.escape(quote_plus(echo))}", "", body)
        found = leaks(body)
        if found:
            self.leaks[key] = found

    def crawl_model(self, model, model_admin, objects):
        opts = model._meta
        name = f"admin:{opts.app_label}_{opts.model_name}"
        changelist = reverse(f"{name}_changelist")
        page = self.get(changelist)
        assert page.status_code == 200, changelist
        # Every filter, sort and pagination link the change list offers.
        for query in sorted(set(re.findall(r'href="(\?[^"#]*)"', page.content.decode()))):
            self.get(changelist + unescape(query))
        if model_admin.search_fields:
            for sentinel in TEXT_SENTINELS + NUMBER_SENTINELS + ("1911-11-11",):
                self.search(changelist, sentinel)
        request = RequestFactory().get(changelist)
        request.user = self.user
        if model_admin.has_add_permission(request):
            self.get(reverse(f"{name}_add"))
        for obj in objects:
            for view in ("change", "history", "delete"):
                self.get(reverse(f"{name}_{view}", args=[obj.pk]))
        if objects:
            self.post(
                changelist,
                {"action": "delete_selected", "_selected_action": [str(o.pk) for o in objects]},
            )


def crawl_admin(client, user, seeded) -> Crawler:
    client.force_login(user)
    crawler = Crawler(client, user)
    index = crawler.get(reverse("admin:index"))
    assert index.status_code == 200
    for app_label in {m._meta.app_label for m in admin.site._registry}:
        try:
            crawler.get(reverse("admin:app_list", kwargs={"app_label": app_label}))
        except NoReverseMatch:
            pass
    request = RequestFactory().get("/admin/")
    request.user = user
    for model, model_admin in admin.site._registry.items():
        if model is Group:  # see test_group_pages_show_no_medical_value
            continue
        if model_admin.has_view_or_change_permission(request):
            crawler.crawl_model(model, model_admin, list(model.objects.all()))
    # Make a change through admin so that history pages have an entry to show.
    patient = seeded["patient"]
    crawler.post(
        reverse("admin:accounts_user_change", args=[patient.pk]),
        {
            "email": patient.email,
            "first_name": "Patty",
            "last_name": patient.last_name,
            "is_active": "on",
            "groups": list(patient.groups.values_list("pk", flat=True)),
        },
    )
    crawler.get(reverse("admin:accounts_user_history", args=[patient.pk]))
    return crawler


def assert_no_leaks_and_real_pages(crawler, seeded):
    assert crawler.leaks == {}
    ok = [url for url, status in crawler.visited.items() if status == 200]
    patient = seeded["patient"]
    # The crawl really saw the patient's own pages (the test cannot pass by seeing nothing).
    assert f"/admin/accounts/user/{patient.pk}/change/?" in ok
    assert f"/admin/accounts/user/{patient.pk}/delete/?" in ok
    assert f"/admin/accounts/user/{patient.pk}/history/?" in ok
    assert f"/admin/patients/patientaccess/{seeded['link'].pk}/change/?" in ok
    assert len(ok) > 40, crawler.visited
    errors = {url: status for url, status in crawler.visited.items() if status >= 500}
    assert errors == {}


@PERMISSION_LOOKUP_DEVIATION
def test_an_administrator_sees_no_medical_value_anywhere_in_admin(client, admin_user, seeded):

    crawler = crawl_admin(client, admin_user, seeded)

    assert_no_leaks_and_real_pages(crawler, seeded)
    # The delete confirmation names the account but neither lists nor counts health data.
    delete_page = client.get(reverse("admin:accounts_user_delete", args=[seeded["patient"].pk]))
    html = delete_page.content.decode()
    assert "Health data: all of it" in html
    assert "Reading " not in html and "Medical profile " not in html and "Target " not in html


def test_a_superuser_sees_no_medical_value_anywhere_in_admin(client, seeded):
    superuser = UserFactory(email="root@example.org", is_staff=True, is_superuser=True)

    crawler = crawl_admin(client, superuser, seeded)

    assert_no_leaks_and_real_pages(crawler, seeded)


def test_the_sentinel_check_itself_finds_each_sentinel():
    """The leak detector is not blind: each sentinel, as a page would print it, is found."""
    samples = [
        "<td>487</td>",
        "<td>SENTINEL-NOTE</td>",
        "MRN: MRN-SENTINEL-42",
        "77 mg/dL",
        "(177)",
        "Nov. 11, 1911",
        "<option selected>MODY</option>",
        "27.0 mmol/L",
    ]
    for sample in samples:
        assert leaks(sample), sample
    assert leaks("id 3f2a1770-aa77-4177-9877-177aa177aa17 csrf x1911y") == []


@pytest.mark.secantus_deviation(
    "$addFields on an embedded document replaces it: the group form's permission widget "
    "(select_related + ordering on the joined content type)"
)
def test_group_pages_show_no_medical_value(client, seeded):
    superuser = UserFactory(email="root@example.org", is_staff=True, is_superuser=True)
    client.force_login(superuser)
    crawler = Crawler(client, superuser)

    crawler.crawl_model(Group, admin.site._registry[Group], list(Group.objects.all()))

    assert crawler.leaks == {}
    assert all(status == 200 for status in crawler.visited.values()), crawler.visited


def test_the_delete_confirmation_neither_lists_nor_counts_health_data(client, patient):
    from django.urls import reverse

    from accounts.tests.factories import UserFactory
    from readings.tests.factories import ReadingFactory, TargetFactory

    for _ in range(3):
        ReadingFactory(patient=patient.record)
    TargetFactory(patient=patient.record)
    patient_update(patient=patient.record, date_of_birth=date(1990, 1, 2), diabetes_type="type_1")
    client.force_login(UserFactory(email="root@example.org", is_staff=True, is_superuser=True))

    html = client.get(reverse("admin:accounts_user_delete", args=[patient.pk])).content.decode()

    assert "Health data: all of it (never shown to administrators)" in html
    for hidden in ("Reading", "Target", "Medical profile"):
        assert hidden not in html, hidden
    assert "patient@example.org" in html  # the account itself is still named
