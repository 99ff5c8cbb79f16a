"""A long roster as a physician uses it: pages of patients needing attention first, finding
a patient by name, email or MRN, and the target preset set from a patient's page (CLINICAL.md
D9), which the roster's goals and flags then follow."""

import re

import pytest
from django.urls import reverse

from clinic import views
from clinic.tests.test_api import link
from patients.models import AccessLogEntry, PatientAccess
from patients.tests.factories import GrantFactory, PatientFactory, PatientRecordFactory
from readings.tests.factories import cgm_cycle

pytestmark = pytest.mark.django_db


def names_on(html: str) -> list[str]:
    """The patients' names in the roster table, in order."""
    return re.findall(r'<th scope="row">\s*<a href="[^"]+" class="text-nowrap">([^<]+)</a>', html)


@pytest.fixture
def five(physician, monkeypatch):
    """Five patients on the roster, two to a page; Low needs attention most."""
    monkeypatch.setattr(views, "ROSTER_PER_PAGE", 2)
    made = {}
    for name, values in (
        ("Ada", [120]),
        ("Ben", [150, 200]),
        ("Low", [45, 50, 120]),  # the most time below 54
        ("Dee", [100]),
        ("Eve", [110]),
    ):
        user = PatientFactory(email=f"{name.lower()}@example.org", first_name=name, last_name="X")
        link(physician, user)
        cgm_cycle(user.record, values)
        made[name] = user
    PatientAccess.objects.filter(patient=made["Dee"].record, role="physician").update(mrn="K-77")
    return made


def test_a_long_roster_is_paged_needs_attention_first(client, physician, five):
    client.force_login(physician)

    first = client.get(reverse("clinic:roster")).content.decode()
    last = client.get(reverse("clinic:roster"), {"page": 3}).content.decode()

    assert names_on(first)[0] == "Low X" and len(names_on(first)) == 2
    assert "Page 1 of 3" in first and "5 patients; showing 1–2" in first
    assert 'href="?page=2"' in first
    assert len(names_on(last)) == 1 and "Page 3 of 3" in last
    everyone = set(names_on(first)) | set(names_on(last))
    everyone |= set(names_on(client.get(reverse("clinic:roster"), {"page": 2}).content.decode()))
    assert everyone == {f"{name} X" for name in five}


def test_only_the_patients_shown_are_logged_as_seen(client, physician, five):
    client.force_login(physician)

    client.get(reverse("clinic:roster"))

    logged = set(AccessLogEntry.objects.filter(what="roster").values_list("patient", flat=True))
    assert logged == {five["Low"].record.pk, next(iter(logged - {five["Low"].record.pk}))}
    assert len(logged) == 2


def test_pages_keep_the_sort(client, physician, five):
    client.force_login(physician)

    html = client.get(reverse("clinic:roster"), {"sort": "name"}).content.decode()

    assert names_on(html) == ["Ada X", "Ben X"]
    assert 'href="?sort=name&amp;page=2"' in html


@pytest.mark.parametrize(
    ("search", "found"), [("eve", ["Eve X"]), ("BEN@EXAMPLE", ["Ben X"]), ("k-77", ["Dee X"])]
)
def test_a_patient_is_found_by_name_email_or_mrn(client, physician, five, search, found):
    client.force_login(physician)

    html = client.get(reverse("clinic:roster"), {"q": search}).content.decode()

    assert names_on(html) == found
    assert f"1 of 5 patients match “{search}”" in html


def test_a_search_that_finds_nobody_says_so_and_offers_everyone(client, physician, five):
    client.force_login(physician)

    html = client.get(reverse("clinic:roster"), {"q": "Zed"}).content.decode()

    assert names_on(html) == []
    assert "No patient on your roster matches “Zed”" in html and "Show all patients" in html


# --- the target preset ---------------------------------------------------------------------


@pytest.fixture
def pregnant(physician):
    user = PatientFactory(email="mum@example.org", first_name="Mia", last_name="Mum")
    link(physician, user)
    cgm_cycle(user.record, [130, 130, 130, 150])  # 150: above the pregnancy range's 140
    return user


def roster_row(client, name):
    html = client.get(reverse("clinic:roster")).content.decode()
    return html[html.index(name) : html.index("</tr>", html.index(name))]


def test_the_physician_sets_the_preset_and_the_roster_follows(client, physician, pregnant):
    client.force_login(physician)
    before = roster_row(client, "Mia Mum")
    assert "100.0 %" in before and "above_140" not in before  # 70-180 mg/dL

    response = client.post(
        reverse("reports:patient-preset", args=[pregnant.record.pk]),
        {"preset-target_preset": "pregnancy_t1"},
        follow=True,
    )

    pregnant.record.refresh_from_db()
    assert pregnant.record.target_preset == "pregnancy_t1"
    said = "Mia Mum&#x27;s figures now follow: Pregnancy with type 1 diabetes."
    assert said in response.content.decode()
    row = roster_row(client, "Mia Mum")
    assert "75.0 %" in row  # time in 63-140 mg/dL
    assert 'data-goal="above_140"' in row


def test_the_patients_page_offers_the_preset_with_a_label(client, physician, pregnant):
    client.force_login(physician)

    html = client.get(reverse("reports:patient", args=[pregnant.record.pk])).content.decode()

    assert '<label class="form-label small mb-0" for="id_preset-target_preset">' in html
    assert '<option value="standard" selected>' in html


def test_an_unknown_preset_is_refused_and_changes_nothing(client, physician, pregnant):
    client.force_login(physician)

    response = client.post(
        reverse("reports:patient-preset", args=[pregnant.record.pk]),
        {"preset-target_preset": "athletes"},
        follow=True,
    )

    pregnant.record.refresh_from_db()
    assert pregnant.record.target_preset == "standard"
    assert "Choose one of the listed target presets." in response.content.decode()


def test_nobody_else_sets_a_preset_from_the_physician_page(client, physician, pregnant):
    stranger = PatientRecordFactory()
    client.force_login(physician)

    response = client.post(
        reverse("reports:patient-preset", args=[stranger.pk]),
        {"preset-target_preset": "pregnancy_t1"},
    )

    stranger.refresh_from_db()
    assert response.status_code == 404 and stranger.target_preset == "standard"


def test_a_caregiver_sets_the_preset_on_the_record_settings(client, pregnant):
    parent = PatientFactory(email="parent@example.org")
    GrantFactory(user=parent, patient=pregnant.record, role=PatientAccess.Role.CAREGIVER, mrn="")
    client.force_login(parent)
    client.post(reverse("patients:record-switch"), {"record": str(pregnant.record.pk)})

    response = client.post(
        reverse("readings:record"),
        {"form": "preset", "preset-target_preset": "older_high_risk"},
    )

    pregnant.record.refresh_from_db()
    assert response.status_code == 302
    assert pregnant.record.target_preset == "older_high_risk"
