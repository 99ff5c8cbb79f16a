"""Authorization matrix of a record's pages and API endpoints × everyone who may or may not
reach the record: its own login, a caregiver, a follower, a former caregiver, another
patient, a physician it is shared with, an administrator, and an anonymous visitor.

The record under test is Ada's (she has her own login); her partner looks after it, her
mother follows it, a former caregiver's access was removed. Pages act on the record a
person works on: another patient's pages show their own record, so for them the check is
that nothing of Ada's appears. A refused request (302 to sign in or to make a record, 403,
404) must change nothing.
"""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from accounts.roles import PATIENTS
from accounts.tests.factories import AdministratorFactory, PhysicianFactory, UserFactory
from integrations.nightscout.credentials import upload_secret_rotate
from patients.models import AccessLogEntry, Invitation, Patient, PatientAccess
from patients.tests.factories import GrantFactory, PatientFactory
from readings.models import Reading, Target
from readings.tests.factories import ReadingFactory
from treatments.models import Treatment
from treatments.tests.factories import TreatmentFactory

pytestmark = pytest.mark.django_db

ROLES = (
    "anonymous",
    "self",
    "caregiver",
    "follower",
    "former_caregiver",
    "other_patient",
    "physician",
    "administrator",
)
LOGIN = "login"  # 302 to the sign-in page
MAKE = "make"  # 302 to "add the record you look after": a patient-side login with no record
SENTINEL = "SENTINEL-NOTE-42"


@dataclass
class World:
    users: dict
    record: Patient
    reading: Reading
    follower_grant: PatientAccess
    treatment: Treatment

    def snapshot(self):
        return (
            sorted(PatientAccess.objects.values_list("id", "status")),
            sorted(Reading.objects.values_list("id", "value_mgdl", "notes")),
            sorted(Treatment.objects.values_list("id", "insulin_units", "notes")),
            sorted(Target.objects.values_list("patient_id", "low_mgdl")),
            sorted(Patient.objects.values_list("id", "display_name", "timezone")),
            Invitation.objects.count(),
            len(mail.outbox),
        )


def grant(user, record, role, status="active"):
    return PatientAccess.objects.create(
        user=user,
        patient=record,
        role=role,
        status=status,
        initiated_by="patient",
        ended_at=timezone.now() if status == "revoked" else None,
    )


@pytest.fixture
def world(db):
    ada = PatientFactory(email="ada@example.org", first_name="Ada", last_name="L")
    record = ada.record
    users = {"self": ada}
    for role in ("caregiver", "follower", "former_caregiver"):
        users[role] = UserFactory(email=f"{role}@example.org", roles=[PATIENTS])
    grant(users["caregiver"], record, "caregiver")
    follower_grant = grant(users["follower"], record, "follower")
    grant(users["former_caregiver"], record, "caregiver", status="revoked")
    users["other_patient"] = PatientFactory(email="other@example.org")
    users["physician"] = PhysicianFactory(email="doc@example.org")
    GrantFactory(user=users["physician"], patient=record)
    users["administrator"] = AdministratorFactory(email="admin@example.org")
    reading = ReadingFactory(
        patient=record, value_mgdl=111, notes=SENTINEL, taken_at=timezone.now() - timedelta(hours=1)
    )
    treatment = TreatmentFactory(
        patient=record,
        insulin_units=3,
        notes=SENTINEL,
        taken_at=timezone.now() - timedelta(hours=2),
    )
    upload_secret_rotate(patient=record)
    return World(
        users=users,
        record=record,
        reading=reading,
        follower_grant=follower_grant,
        treatment=treatment,
    )


def row(*statuses):
    return dict(zip(ROLES, statuses, strict=True))


# "own" is a 200 on the person's own record: nothing of Ada's may appear in it.
#                           anon   self caregiver follower former other  physician admin
MATRIX = {
    "dashboard GET": row(LOGIN, 200, 200, 200, MAKE, "own", 403, 403),
    "readings GET": row(LOGIN, 200, 200, 200, MAKE, "own", 403, 403),
    "add reading GET": row(LOGIN, 200, 200, 403, MAKE, "own", 403, 403),
    "add reading POST": row(LOGIN, 302, 302, 403, MAKE, 302, 403, 403),
    "edit reading GET": row(LOGIN, 200, 200, 403, MAKE, 404, 403, 403),
    "edit reading POST": row(LOGIN, 302, 302, 403, MAKE, 404, 403, 403),
    "delete reading POST": row(LOGIN, 302, 302, 403, MAKE, 404, 403, 403),
    "import GET": row(LOGIN, 200, 200, 403, MAKE, "own", 403, 403),
    "export GET": row(LOGIN, 200, 200, 403, MAKE, "own", 403, 403),
    "record settings GET": row(LOGIN, 200, 200, 403, MAKE, "own", 403, 403),
    "record settings POST": row(LOGIN, 302, 302, 403, MAKE, 302, 403, 403),
    "sharing GET": row(LOGIN, 200, 200, 403, MAKE, "own", 403, 403),
    "invite POST": row(LOGIN, 302, 302, 403, MAKE, 302, 403, 403),
    "remove follower GET": row(LOGIN, 200, 200, 200, MAKE, 404, 403, 403),
    "remove follower POST": row(LOGIN, 302, 302, 302, MAKE, 404, 403, 403),
    "delete record GET": row(LOGIN, 200, 403, 403, MAKE, "own", 403, 403),
    "device secret POST": row(LOGIN, 200, 200, 403, MAKE, 200, 403, 403),
    "API readings GET": row(401, 200, 200, 200, 404, 404, 404, 404),
    "API add reading POST": row(401, 201, 201, 403, 404, 404, 404, 404),
    "API stats GET": row(401, 200, 200, 200, 404, 404, 404, 404),
    "treatments GET": row(LOGIN, 200, 200, 200, MAKE, "own", 403, 403),
    "add treatment GET": row(LOGIN, 200, 200, 403, MAKE, "own", 403, 403),
    "add treatment POST": row(LOGIN, 302, 302, 403, MAKE, 302, 403, 403),
    "edit treatment POST": row(LOGIN, 302, 302, 403, MAKE, 404, 403, 403),
    "delete treatment POST": row(LOGIN, 302, 302, 403, MAKE, 404, 403, 403),
    "day view GET": row(LOGIN, 200, 200, 200, MAKE, "own", 403, 403),
    "meal POST": row(LOGIN, 302, 302, 403, MAKE, 302, 403, 403),
    "API treatments GET": row(401, 200, 200, 200, 404, 404, 404, 404),
    "API add treatment POST": row(401, 201, 201, 403, 404, 404, 404, 404),
    "API delete treatment DELETE": row(401, 204, 204, 403, 404, 404, 404, 404),
    "physician report GET": row(LOGIN, 403, 403, 403, 403, 403, 200, 403),
    "glucose report GET": row(LOGIN, 200, 200, 200, MAKE, "own", 403, 403),
    "glucose report PDF GET": row(LOGIN, 200, 200, 200, MAKE, 200, 403, 403),
    "physician glucose report PDF GET": row(LOGIN, 403, 403, 403, 403, 403, 200, 403),
    "roster GET": row(LOGIN, 403, 403, 403, 403, 403, 200, 403),
    "request access POST": row(LOGIN, 403, 403, 403, 403, 403, 302, 403),
    # Nightscout paths with a person's API token read that person's own record only.
    "Nightscout entries GET": row(401, 200, 403, 403, 403, 200, 403, 403),
    # The account export holds the records one looks after: Ada's for her and her caregiver.
    "account export GET": row(LOGIN, 200, 200, "own", "own", "own", "own", "own"),
}


def endpoint(name, world, role):
    """(method, url, data); each visitor who may write gets readings and values of their
    own, so that one visitor's success does not change what the next one meets."""
    record, reading = world.record, world.reading
    n = ROLES.index(role)
    succeeds = MATRIX[name][role] in (302, 201, 200, 204)
    if succeeds and name in ("edit reading POST", "delete reading POST"):
        reading = ReadingFactory(patient=record, value_mgdl=150 + n)
    treatment = world.treatment
    if succeeds and "treatment" in name and name.split()[0] in ("edit", "delete", "API"):
        treatment = TreatmentFactory(patient=record, insulin_units=10 + n)
    follower_grant = world.follower_grant
    if succeeds and name == "remove follower POST" and role != "follower":
        follower_grant = grant(UserFactory(roles=[PATIENTS]), record, "follower")
    now = timezone.localtime(timezone.now(), record.tzinfo)
    then = now - timedelta(minutes=5)  # one moment for date and time, even at midnight
    new_reading = {
        "value": str(120 + n),
        "date": then.date().isoformat(),
        "time": then.strftime("%H:%M"),
        "kind": "fingerstick",
        "context": "unspecified",
        "notes": "",
    }
    api = f"/api/v1/readings/?patient={record.pk}"
    new_treatment = {
        "type": "carbs",
        "date": now.date().isoformat(),
        "time": (now - timedelta(minutes=5)).strftime("%H:%M"),
        "carbs_g": str(20 + n),
    }
    treatments_api = f"/api/v1/treatments/?patient={record.pk}"
    one_treatment = f"/api/v1/treatments/{treatment.pk}/?patient={record.pk}"
    return {
        "dashboard GET": ("get", reverse("reports:dashboard"), None),
        "readings GET": ("get", reverse("readings:list"), None),
        "add reading GET": ("get", reverse("readings:create"), None),
        "add reading POST": ("post", reverse("readings:create"), new_reading),
        "edit reading GET": ("get", reverse("readings:update", args=[reading.pk]), None),
        "edit reading POST": (
            "post",
            reverse("readings:update", args=[reading.pk]),
            {**new_reading, "value": str(140 + n)},
        ),
        "delete reading POST": ("post", reverse("readings:delete", args=[reading.pk]), {}),
        "import GET": ("get", reverse("files:import"), None),
        "export GET": ("get", reverse("files:export"), None),
        "record settings GET": ("get", reverse("readings:record"), None),
        "record settings POST": (
            "post",
            reverse("readings:record"),
            {"form": "record", "record-display_name": "Renamed", "record-timezone": "UTC"},
        ),
        "sharing GET": ("get", reverse("patients:sharing"), None),
        "invite POST": (
            "post",
            reverse("patients:invite"),
            {"invite-email": "new@example.org", "invite-role": "follower"},
        ),
        "remove follower GET": (
            "get",
            reverse("patients:grant-revoke", args=[world.follower_grant.pk]),
            None,
        ),
        "remove follower POST": (
            "post",
            reverse("patients:grant-revoke", args=[follower_grant.pk]),
            {},
        ),
        "delete record GET": ("get", reverse("patients:record-delete"), None),
        "device secret POST": ("post", reverse("nightscout:secret-rotate"), {}),
        "API readings GET": ("api_get", api, None),
        "API add reading POST": (
            "api_post",
            api,
            {
                "value": 120 + n,
                "unit": "mg/dL",
                "taken_at": (now - timedelta(minutes=3)).isoformat(),
            },
        ),
        "API stats GET": ("api_get", f"/api/v1/stats/?patient={record.pk}", None),
        "physician report GET": ("get", reverse("reports:patient", args=[record.pk]), None),
        "glucose report GET": ("get", reverse("reports:agp"), None),
        "glucose report PDF GET": ("get", f"{reverse('reports:agp-pdf')}?days=7", None),
        "physician glucose report PDF GET": (
            "get",
            reverse("reports:patient-agp-pdf", args=[record.pk]),
            None,
        ),
        "roster GET": ("get", reverse("clinic:roster"), None),
        "request access POST": (
            "post",
            reverse("clinic:request"),
            {"email": world.users["self"].email},
        ),
        "Nightscout entries GET": ("api_get", "/api/v1/entries/sgv.json", None),
        "account export GET": ("get", reverse("patients:data-export"), None),
        "treatments GET": ("get", reverse("treatments:list"), None),
        "add treatment GET": ("get", reverse("treatments:create"), None),
        "add treatment POST": ("post", reverse("treatments:create"), new_treatment),
        "edit treatment POST": (
            "post",
            reverse("treatments:update", args=[treatment.pk]),
            {**new_treatment, "type": "bolus", "carbs_g": "", "insulin_units": str(2 + n)},
        ),
        "delete treatment POST": ("post", reverse("treatments:delete", args=[treatment.pk]), {}),
        "day view GET": ("get", reverse("reports:today"), None),
        "meal POST": (
            "post",
            reverse("reports:meal"),
            {
                "date": new_treatment["date"],
                "time": new_treatment["time"],
                "glucose": str(90 + n),
                "context": "before_meal",
                "carbs_g": str(40 + n),
                "bolus_units": str(1 + n),
            },
        ),
        "API treatments GET": ("api_get", treatments_api, None),
        "API add treatment POST": (
            "api_post",
            treatments_api,
            {
                "type": "bolus",
                "insulin_units": 1 + n,
                "taken_at": (now - timedelta(minutes=4)).isoformat(),
            },
        ),
        "API delete treatment DELETE": ("api_delete", one_treatment, None),
    }[name]


def call(client, api_client, world, role, method, url, data):
    if role != "anonymous":
        client.force_login(world.users[role])
        token, _ = Token.objects.get_or_create(user=world.users[role])
        api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    if method == "api_get":
        return api_client.get(url)
    if method == "api_post":
        return api_client.post(url, data, format="json")
    if method == "api_delete":
        return api_client.delete(url)
    return client.post(url, data) if method == "post" else client.get(url)


@pytest.mark.parametrize("name", list(MATRIX))
def test_record_authorization_matrix(client, api_client, world, name):
    refused = (LOGIN, MAKE, 401, 403, 404)
    order = sorted(ROLES, key=lambda role: MATRIX[name][role] not in refused)
    mismatches = {}
    for role in order:
        expected = MATRIX[name][role]
        client.logout()
        api_client.credentials()
        method, url, data = endpoint(name, world, role)
        before = world.snapshot()
        response = call(client, api_client, world, role, method, url, data)
        location = response.get("Location", "")
        if expected == LOGIN:
            ok = response.status_code == 302 and location.startswith(reverse("account_login"))
        elif expected == MAKE:
            ok = response.status_code == 302 and location == reverse("patients:record-create")
        elif expected == "own":
            body = b"".join(response.streaming_content) if response.streaming else response.content
            ok = response.status_code == 200 and SENTINEL.encode() not in body
            ok = ok and world.record.display_name.encode() not in body
        else:
            ok = response.status_code == expected
        if not ok:
            errors = getattr(response, "context", None) and response.context.get("form")
            mismatches[role] = (expected, response.status_code, location, errors and errors.errors)
        elif expected in refused and world.snapshot() != before:
            mismatches[role] = (expected, "refused, but something changed")
    assert mismatches == {}


def test_caregivers_and_followers_views_are_logged_and_the_patients_own_are_not(client, world):
    for role in ("self", "caregiver", "follower"):
        client.force_login(world.users[role])
        client.get(reverse("reports:dashboard"))
    viewer_ids = set(AccessLogEntry.objects.values_list("viewer_id", flat=True))
    assert viewer_ids == {world.users["caregiver"].pk, world.users["follower"].pk}
