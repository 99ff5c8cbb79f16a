"""Every page of the site, for every role, and the world of data they show: shared by the
tests that visit them all (test_phone_widths: no page wider than a phone; test_i18n_catalogs:
no English left on a page in German or French).

PAGES lists each page with the role that opens it; NOT_PAGES names every other URL and why no
test visits it (test_phone_widths.test_every_page_is_visited_or_excused keeps both complete).
"""

import re
from dataclasses import dataclass
from datetime import timedelta

from django.core import mail
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts.roles import PATIENTS
from accounts.tests.factories import AdministratorFactory, PhysicianFactory, UserFactory
from integrations.nightscout.credentials import upload_secret_rotate
from integrations.nightscout.tokens import access_token_create
from patients import grants, invitations
from patients.models import PatientAccess
from patients.tests.factories import GrantFactory, PatientFactory
from readings.models import Kind
from readings.tests.factories import ReadingFactory, cgm_cycle
from treatments.tests.factories import TreatmentFactory

ROLES = ("anonymous", "self", "caregiver", "follower", "physician", "administrator")

# (role, URL name, which of World's objects its arguments come from)
PAGES = [
    ("anonymous", "home", ()),
    ("anonymous", "account_login", ()),
    ("anonymous", "account_signup", ()),
    ("anonymous", "account_reset_password", ()),
    ("anonymous", "account_reset_password_done", ()),
    ("anonymous", "account_email_verification_sent", ()),
    ("anonymous", "account_inactive", ()),
    ("anonymous", "account_confirm_email", ("bad_key",)),
    ("anonymous", "account_reset_password_from_key", ("bad_uid", "bad_key")),
    ("anonymous", "patients:invitation", ("invitation_token",)),
    ("anonymous", "privacy", ()),
    ("anonymous", "terms", ()),
    ("anonymous", "contact", ()),
    ("self", "reports:dashboard", ()),
    ("self", "reports:today", ()),
    ("self", "reports:day", ("yesterday",)),
    ("self", "reports:meal", ()),
    ("self", "reports:agp", ()),
    ("self", "readings:list", ()),
    ("self", "readings:create", ()),
    ("self", "readings:update", ("reading",)),
    ("self", "readings:delete", ("reading",)),
    ("self", "readings:record", ()),
    ("self", "treatments:list", ()),
    ("self", "treatments:create", ()),
    ("self", "treatments:update", ("treatment",)),
    ("self", "treatments:delete", ("treatment",)),
    ("self", "files:import", ()),
    ("self", "patients:sharing", ()),
    ("self", "patients:sharing-end", ("physician_grant",)),
    ("self", "patients:grant-revoke", ("follower_grant",)),
    ("self", "patients:record-delete", ()),
    ("self", "patients:account-delete", ()),
    ("self", "nightscout:secret-rotate", ()),
    ("self", "nightscout:secret-revoke", ()),
    ("self", "nightscout:token-revoke", ("token",)),
    ("self", "accounts:profile", ()),
    ("self", "account_email", ()),
    ("self", "account_change_password", ()),
    ("self", "account_reauthenticate", ()),
    ("caregiver", "reports:dashboard", ()),
    ("caregiver", "readings:list", ()),
    ("caregiver", "patients:sharing", ()),
    ("caregiver", "patients:record-create", ()),
    ("caregiver", "accounts:profile", ()),
    ("follower", "reports:dashboard", ()),
    ("follower", "readings:list", ()),
    ("follower", "treatments:list", ()),
    ("follower", "reports:today", ()),
    ("follower", "accounts:profile", ()),
    ("physician", "clinic:roster", ()),
    ("physician", "reports:patient", ("record",)),
    ("physician", "reports:patient-agp", ("record",)),
    ("physician", "clinic:roster-end", ("physician_grant",)),
    ("physician", "accounts:profile", ()),
    ("administrator", "admin:index", ()),
    ("administrator", "accounts:profile", ()),
]
# Error pages (404 and 403), at paths that show them, with their status.
ERROR_PAGES = [
    ("anonymous", "/no/such/page/", 404),
    ("physician", "/readings/", 403),
]
# Pages that answer a bad link with its page and a 400 (accounts.middleware).
STATUS = {"account_confirm_email": 400, "account_reset_password_from_key": 400}

# Every other URL name, and why no browser visits it here.
NOT_PAGES = {
    "account_logout": "POST only (a GET shows nothing but a sign-out button on the profile's page)",
    "account_set_password": "redirects: every account has a password",
    "account_confirm_login_code": "login by code is off",
    "account_reset_password_from_key_done": "the same template as the done page above",
    "patients:offer": "POST only",
    "patients:offer-withdraw": "POST only",
    "patients:request-accept": "POST only",
    "patients:request-decline": "POST only",
    "patients:invite": "POST only",
    "patients:hand-over": "POST only",
    "patients:invitation-withdraw": "POST only",
    "patients:record-switch": "POST only",
    "patients:record-own": "POST only",
    "patients:data-export": "JSON download",
    "files:export": "CSV download",
    "reports:dashboard-data": "JSON",
    "reports:version": "JSON",
    "reports:now": "JSON (the now card's poll)",
    "reports:patient-preset": "POST only",
    "files:discard": "POST only",
    "files:job": "an import job's progress page: needs a file being imported; the import browser "
    "tests drive it at 390 px",
    "reports:agp-pdf": "PDF",
    "reports:patient-agp-pdf": "PDF",
    "nightscout:token-create": "POST only",
    "clinic:request": "POST only",
    "clinic:request-withdraw": "POST only",
    "clinic:offer-accept": "POST only",
    "clinic:offer-decline": "POST only",
    "healthz": "JSON",
    "set_language": "POST only (the signed-out visitors' language switcher)",
    "javascript-catalog": "JavaScript (accounts/tests/test_languages.py)",
    "nightscout-pebble": "JSON",
}


def url_names() -> set[str]:
    """Every named URL of the site but the API's and admin's (admin is crawled)."""

    def walk(patterns, namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace in ("api", "admin") or str(pattern.pattern) == "api/":
                    continue
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                yield from walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield namespace + pattern.name

    return set(walk(get_resolver().url_patterns))


@dataclass
class World:
    users: dict
    args: dict


def build_world() -> World:
    """Ada's record with a day of CGM, meter readings with long notes, treatments, a
    caregiver, a follower, a physician (with a roster of long names), an administrator."""
    ada = PatientFactory(email="ada.lovelace-byron@example.org", first_name="Ada", last_name="L")
    record = ada.record
    users = {"self": ada}
    users["caregiver"] = UserFactory(email="caregiver@example.org", roles=[PATIENTS])
    users["follower"] = UserFactory(email="follower@example.org", roles=[PATIENTS])
    for role in ("caregiver", "follower"):
        PatientAccess.objects.create(
            user=users[role], patient=record, role=role, status="active", initiated_by="patient"
        )
    follower_grant = PatientAccess.objects.get(user=users["follower"])
    cgm_cycle(record, [65, 95, 140, 190, 260, 180, 120, 80], count=300)
    reading = ReadingFactory(
        patient=record,
        value_mgdl=48,
        context="before_meal",
        notes="Shaky before lunch, juice and a biscuit, " * 5,
        taken_at=timezone.now() - timedelta(minutes=32),
    )
    ReadingFactory(patient=record, kind=Kind.SCAN, value_mgdl=210)
    treatment = TreatmentFactory(patient=record, insulin_units=4, carbs_g=45, notes="Pasta " * 20)
    users["physician"] = PhysicianFactory(email="dr.grace.householder@example.org")
    physician_grant = GrantFactory(user=users["physician"], patient=record, mrn="MRN-0000012345")
    for i in range(3):  # more roster rows, one with a very long name
        other = PatientFactory(email=f"roster{i}@example.org").record
        other.display_name = "Maximiliana Bartholomew-Featherstonehaugh" if i == 0 else f"P {i}"
        other.save()
        GrantFactory(user=users["physician"], patient=other)
    offer = PatientFactory(email="offering.patient@example.org")
    grants.physician_access_offer(
        patient=offer.record, by=offer, physician_email=users["physician"].email
    )
    users["administrator"] = AdministratorFactory(email="admin@example.org")
    upload_secret_rotate(patient=record)
    token, _ = access_token_create(
        patient=record, name="Nightguard on the kitchen tablet", role="readable"
    )
    invitations.invitation_send(
        patient=record, by=ada, email="grandma@example.org", role="follower", base_url="http://x"
    )
    invitation = re.search(r"/invitations/([^/\s]+)/", mail.outbox[-1].body).group(1)
    yesterday = (timezone.now().astimezone(record.tzinfo) - timedelta(days=1)).date()
    return World(
        users=users,
        args={
            "reading": reading.pk,
            "treatment": treatment.pk,
            "record": record.pk,
            "physician_grant": physician_grant.pk,
            "follower_grant": follower_grant.pk,
            "token": token.pk,
            "invitation_token": invitation,
            "yesterday": yesterday.isoformat(),
            "bad_key": "no-such-key",
            "bad_uid": "zz",
        },
    )


def role_paths(world: World, role: str) -> list[tuple[str, int]]:
    """(path, expected status) of every page and error page ``role`` opens."""
    paths = [
        (reverse(name, args=[world.args[a] for a in args]), STATUS.get(name, 200))
        for who, name, args in PAGES
        if who == role
    ]
    return paths + [(path, status) for who, path, status in ERROR_PAGES if who == role]
