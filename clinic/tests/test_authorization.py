"""Authorization matrix: every clinic page and endpoint × every kind of visitor.

Expected statuses are written out per cell. Anonymous visitors are sent to sign in (302 to
the login page); signed-in users of the wrong role get 403; the right role reaching an
object that is not theirs gets 404. A refused request (302 to sign in, 403, 404) must
change nothing: grants, access log, upload secret and outgoing mail are compared before
and after each request.
"""

from dataclasses import dataclass

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import AdministratorFactory, PhysicianFactory
from clinic.tests.factories import ClinicFactory, ClinicMembershipFactory
from integrations.models import UploadSecret
from integrations.nightscout.credentials import upload_secret_rotate
from patients.models import AccessLogEntry, PatientAccess
from patients.tests.factories import GrantFactory

pytestmark = pytest.mark.django_db

ROLES = (
    "anonymous",
    "patient",
    "other_patient",
    "physician_active",
    "physician_pending",
    "physician_revoked",
    "physician_other_clinic",
    "administrator",
)
LOGIN = "login"  # a 302 to the sign-in page


@dataclass
class World:
    users: dict
    active: PatientAccess  # physician_active <-> patient
    offer: PatientAccess  # patient offered to physician_pending
    request: PatientAccess  # another physician asked the patient
    revoked: PatientAccess  # physician_revoked <-> patient, ended

    def snapshot(self):
        return (
            sorted(PatientAccess.objects.values_list("id", "status", "mrn")),
            AccessLogEntry.objects.count(),
            sorted(UploadSecret.objects.values_list("patient_id", "digest")),
            len(mail.outbox),
        )


@pytest.fixture
def world(patient, other_patient):
    clinic = ClinicFactory(name="Riverside Clinic")
    elsewhere = ClinicFactory(name="Hillside Clinic")
    users = {"patient": patient, "other_patient": other_patient}
    for role in ("physician_active", "physician_pending", "physician_revoked"):
        users[role] = PhysicianFactory(email=f"{role}@example.org")
        ClinicMembershipFactory(clinic=clinic, physician=users[role])
    users["physician_other_clinic"] = PhysicianFactory(email="elsewhere@example.org")
    ClinicMembershipFactory(clinic=elsewhere, physician=users["physician_other_clinic"])
    users["administrator"] = AdministratorFactory(email="admin@example.org")
    requester = PhysicianFactory(email="requester@example.org")
    upload_secret_rotate(patient=patient.record)  # the other patient has none
    return World(
        users=users,
        active=GrantFactory(user=users["physician_active"], patient=patient.record),
        offer=GrantFactory(
            user=users["physician_pending"],
            patient=patient.record,
            status="pending",
            initiated_by="patient",
            responded_at=None,
        ),
        request=GrantFactory(
            user=requester, patient=patient.record, status="pending", responded_at=None
        ),
        revoked=GrantFactory(
            user=users["physician_revoked"],
            patient=patient.record,
            status="revoked",
            ended_at=timezone.now(),
            ended_by="patient",
        ),
    )


def row(*statuses):
    return dict(zip(ROLES, statuses, strict=True))


#         anon   patient other  active pending revoked other-clinic admin
MATRIX = {
    "roster GET": row(LOGIN, 403, 403, 200, 200, 200, 200, 403),
    "patient report GET": row(LOGIN, 403, 403, 200, 404, 404, 404, 403),
    "patient glucose report GET": row(LOGIN, 403, 403, 200, 404, 404, 404, 403),
    "patient glucose report PDF GET": row(LOGIN, 403, 403, 200, 404, 404, 404, 403),
    "request access POST": row(LOGIN, 403, 403, 302, 302, 302, 302, 403),
    "withdraw request POST": row(LOGIN, 403, 403, 302, 302, 302, 302, 403),
    "accept offer POST": row(LOGIN, 403, 403, 404, 302, 404, 404, 403),
    "decline offer POST": row(LOGIN, 403, 403, 404, 302, 404, 404, 403),
    "remove patient GET": row(LOGIN, 403, 403, 200, 404, 404, 404, 403),
    "remove patient POST": row(LOGIN, 403, 403, 302, 404, 404, 404, 403),
    "sharing GET": row(LOGIN, 200, 200, 403, 403, 403, 403, 403),
    "offer access POST": row(LOGIN, 302, 302, 403, 403, 403, 403, 403),
    "withdraw offer POST": row(LOGIN, 302, 302, 403, 403, 403, 403, 403),
    "accept request POST": row(LOGIN, 302, 404, 403, 403, 403, 403, 403),
    "decline request POST": row(LOGIN, 302, 404, 403, 403, 403, 403, 403),
    "stop sharing GET": row(LOGIN, 200, 404, 403, 403, 403, 403, 403),
    "stop sharing POST": row(LOGIN, 302, 404, 403, 403, 403, 403, 403),
    # The other patient has no secret: the confirmation step sends them back to /sharing/.
    "rotate upload secret GET": row(LOGIN, 200, 302, 403, 403, 403, 403, 403),
    "rotate upload secret POST": row(LOGIN, 200, 200, 403, 403, 403, 403, 403),
    "revoke upload secret GET": row(LOGIN, 200, 302, 403, 403, 403, 403, 403),
    "revoke upload secret POST": row(LOGIN, 302, 302, 403, 403, 403, 403, 403),
}


def endpoint(name, world):
    """(method, url, data) of an endpoint, aimed at the shared patient's objects."""
    patient = world.users["patient"]
    return {
        "roster GET": ("get", reverse("clinic:roster"), None),
        "patient report GET": ("get", reverse("reports:patient", args=[patient.record.pk]), None),
        "patient glucose report GET": (
            "get",
            reverse("reports:patient-agp", args=[patient.record.pk]),
            None,
        ),
        "patient glucose report PDF GET": (
            "get",
            reverse("reports:patient-agp-pdf", args=[patient.record.pk]),
            None,
        ),
        "request access POST": ("post", reverse("clinic:request"), {"email": patient.email}),
        "withdraw request POST": (
            "post",
            reverse("clinic:request-withdraw"),
            {"withdraw-email": patient.email},
        ),
        "accept offer POST": ("post", reverse("clinic:offer-accept", args=[world.offer.pk]), {}),
        "decline offer POST": ("post", reverse("clinic:offer-decline", args=[world.offer.pk]), {}),
        "remove patient GET": ("get", reverse("clinic:roster-end", args=[world.active.pk]), None),
        "remove patient POST": ("post", reverse("clinic:roster-end", args=[world.active.pk]), {}),
        "sharing GET": ("get", reverse("patients:sharing"), None),
        "offer access POST": (
            "post",
            reverse("patients:offer"),
            {"email": world.users["physician_other_clinic"].email},
        ),
        "withdraw offer POST": (
            "post",
            reverse("patients:offer-withdraw"),
            {"withdraw-email": world.users["physician_pending"].email},
        ),
        "accept request POST": (
            "post",
            reverse("patients:request-accept", args=[world.request.pk]),
            {},
        ),
        "decline request POST": (
            "post",
            reverse("patients:request-decline", args=[world.request.pk]),
            {},
        ),
        "stop sharing GET": ("get", reverse("patients:sharing-end", args=[world.active.pk]), None),
        "stop sharing POST": ("post", reverse("patients:sharing-end", args=[world.active.pk]), {}),
        "rotate upload secret GET": ("get", reverse("nightscout:secret-rotate"), None),
        "rotate upload secret POST": ("post", reverse("nightscout:secret-rotate"), {}),
        "revoke upload secret GET": ("get", reverse("nightscout:secret-revoke"), None),
        "revoke upload secret POST": ("post", reverse("nightscout:secret-revoke"), {}),
    }[name]


@pytest.mark.parametrize("name", list(MATRIX))
def test_authorization_matrix(client, world, name):
    """One endpoint, every visitor. Refused visitors go first, and each must leave the data
    as it was; the visitors who may act go last (their actions do not affect each other)."""
    method, url, data = endpoint(name, world)
    refused_first = sorted(ROLES, key=lambda role: MATRIX[name][role] not in (LOGIN, 403, 404))
    mismatches = {}
    for role in refused_first:
        expected = MATRIX[name][role]
        client.logout()
        if role != "anonymous":
            client.force_login(world.users[role])
        before = world.snapshot()

        response = client.post(url, data) if method == "post" else client.get(url)

        if expected == LOGIN:
            got_expected = response.status_code == 302 and response["Location"].startswith(
                reverse("account_login")
            )
        else:
            got_expected = response.status_code == expected
        if not got_expected:
            mismatches[role] = (expected, response.status_code)
        elif expected in (LOGIN, 403, 404) and world.snapshot() != before:
            mismatches[role] = (expected, "refused, but something changed")
    assert mismatches == {}
