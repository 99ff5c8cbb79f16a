"""Seed a demo patient, physician and administrator with realistic readings.

    python manage.py seed_demo [--reset]

Refuses to run with DEBUG off unless --force: the demo passwords are printed and public.
"""

import math
import random
from datetime import date, datetime, time, timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts import roles
from accounts.models import User
from clinic.models import Clinic, ClinicMembership
from patients import grants
from patients.models import DiabetesType
from patients.services import patient_create_for_self, patient_update
from readings import services
from readings.models import Context, Kind, Reading, Source

DEMO_USERS = {
    "patient": ("demo.patient@example.org", "demo-patient-pass", "Dana", "Rivers"),
    "physician": ("demo.physician@example.org", "demo-physician-pass", "Sam", "Okafor"),
    "administrator": ("demo.admin@example.org", "demo-admin-pass", "Alex", "Admin"),
}

# (local time, context, typical rise over the fasting level in mg/dL)
FINGERSTICK_DAY = [
    (time(7, 10), Context.FASTING, 0),
    (time(12, 5), Context.BEFORE_MEAL, 10),
    (time(14, 0), Context.AFTER_MEAL, 70),
    (time(16, 20), Context.BEFORE_SNACK, 15),
    (time(17, 10), Context.AFTER_SNACK, 40),
    (time(19, 30), Context.BEFORE_MEAL, 5),
    (time(21, 30), Context.AFTER_MEAL, 60),
    (time(23, 0), Context.BEDTIME, 25),
]


class Command(BaseCommand):
    help = "Create demo accounts (patient, physician, administrator) with realistic readings."

    def add_arguments(self, parser):
        parser.add_argument("--reset", action="store_true", help="Delete the demo accounts first.")
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off.")

    def handle(self, *args, reset=False, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("Demo accounts have public passwords; use --force to seed anyway.")
        emails = [email for email, *_ in DEMO_USERS.values()]
        if reset:
            User.objects.filter(email__in=emails).delete()
        if User.objects.filter(email__in=emails).exists():
            self.stdout.write("Demo accounts already exist (use --reset to recreate them).")
            self.print_credentials()
            return

        login = self.make_user("patient")
        physician = self.make_user("physician")
        administrator = self.make_user("administrator", is_staff=True)
        roles.grant_role(login, roles.PATIENTS)
        roles.grant_role(physician, roles.PHYSICIANS)
        roles.grant_role(administrator, roles.ADMINISTRATORS)
        patient = patient_create_for_self(user=login, timezone_name="Europe/Paris")
        patient_update(
            patient=patient, date_of_birth=date(2011, 5, 14), diabetes_type=DiabetesType.TYPE_1
        )
        services.target_set(patient=patient, low_mgdl=70, high_mgdl=180)

        readings = list(self.fingersticks(patient, days=28)) + list(self.cgm(patient, days=14))
        result = services.readings_bulk_create(patient=patient, readings=readings)
        self.link_in_clinic(login, physician)
        self.stdout.write(
            self.style.SUCCESS(f"Seeded {len(result.created)} readings for the demo patient.")
        )
        self.print_credentials()

    def make_user(self, role, **fields):
        email, password, first, last = DEMO_USERS[role]
        user = User.objects.create_user(
            email=email, password=password, first_name=first, last_name=last, **fields
        )
        EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
        return user

    def fingersticks(self, patient, *, days):
        """Meter readings around meals and snacks, in the patient's local time."""
        rng = random.Random(7)  # noqa: S311 - reproducible demo data, not secrets
        tz = patient.tzinfo
        today = timezone.now().astimezone(tz).date()
        now = timezone.now()
        for back in range(days, 0, -1):
            day = today - timedelta(days=back)
            fasting = rng.gauss(125, 25)
            for at, context, rise in FINGERSTICK_DAY:
                if rng.random() < 0.2:  # nobody measures every time
                    continue
                value = round(fasting + rise + rng.gauss(0, 25))
                if rng.random() < 0.04:
                    value = rng.randint(45, 65)  # the occasional hypo
                taken_at = datetime.combine(day, at, tzinfo=tz) + timedelta(
                    minutes=rng.randint(-20, 20)
                )
                if taken_at < now:
                    yield Reading(
                        value_mgdl=max(20, min(600, value)),
                        taken_at=taken_at,
                        kind=Kind.FINGERSTICK,
                        context=context,
                        source=Source.WEB,
                    )

    def cgm(self, patient, *, days):
        """A sensor reading every 5 minutes with meal peaks, night dips and sensor noise."""
        rng = random.Random(11)  # noqa: S311 - reproducible demo data, not secrets
        tz = patient.tzinfo
        end = timezone.now().replace(second=0, microsecond=0)
        start = end - timedelta(days=days)
        level = 140.0
        at = start
        while at <= end:
            local = at.astimezone(tz)
            hour = local.hour + local.minute / 60
            meals = sum(75 * math.exp(-(((hour - h) % 24) ** 2) / 1.2) for h in (7.5, 12.75, 19.75))
            night = -25 * math.exp(-((hour - 3.5) ** 2) / 2)
            level += (125 + meals + night - level) * 0.12 + rng.gauss(0, 5)
            yield Reading(
                value_mgdl=int(max(40, min(400, level))),
                taken_at=at,
                kind=Kind.CGM,
                source=Source.NIGHTSCOUT,
                direction="Flat",
            )
            at += timedelta(minutes=5)

    def link_in_clinic(self, login, physician):
        """Put the physician in a demo clinic, with the patient's record shared with them."""
        clinic, _ = Clinic.objects.get_or_create(name="Demo Diabetes Clinic")
        ClinicMembership.objects.create(clinic=clinic, physician=physician)
        grant = grants.physician_access_request(
            physician=physician, patient_email=login.email, mrn="DEMO-0001"
        )
        grants.physician_access_accept(grant=grant, by=login)

    def print_credentials(self):
        self.stdout.write("\nDemo accounts (sign in at http://127.0.0.1:8000/accounts/login/):")
        for role, (email, password, *_rest) in DEMO_USERS.items():
            self.stdout.write(f"  {role:<14} {email:<30} password: {password}")
