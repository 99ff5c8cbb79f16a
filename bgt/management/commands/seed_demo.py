"""Seed a demo patient, physician and administrator with realistic readings, and a roster
of a dozen patients in the states a clinic sees (mostly lows, mostly highs, stale data, a
patchy Libre, meter only, a falling time in range, ...) so the roster's triage shows.

    python manage.py seed_demo [--reset]

Refuses to run with DEBUG off unless --force: the demo passwords are printed and public.
The sign-ins are printed last, in a box; the mail the sharing flow sends is not printed.
"""

import math
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings
from django.utils import timezone

from accounts import roles
from accounts.models import User
from clinic.models import Clinic, ClinicMembership
from patients import grants
from patients.data import account_delete
from patients.models import DiabetesType
from patients.services import patient_create_for_self, patient_update
from readings import services
from readings.models import Context, Kind, Reading, Source

DEMO_USERS = {
    "patient": ("demo.patient@example.org", "demo-patient-pass", "Dana", "Rivers"),
    "physician": ("demo.physician@example.org", "demo-physician-pass", "Sam", "Okafor"),
    "administrator": ("demo.admin@example.org", "demo-admin-pass", "Alex", "Admin"),
}


@dataclass(frozen=True)
class Profile:
    """A roster patient's glucose: CGM around ``level`` mg/dL with meal peaks of ``meals``
    and noise ``noise``, at ``cadence`` minutes, for ``days`` days ending ``stale_days``
    ago, a share ``worn`` of the time; ``drift`` mg/dL more each day (a worsening month)."""

    first: str
    last: str
    email: str
    level: float = 140
    meals: float = 75
    noise: float = 5
    cadence: int = 15  # a Libre's history (Noah's Dexcom: 5)
    days: int = 14
    stale_days: float = 0
    worn: float = 1.0
    drift: float = 0
    meter_only: bool = False
    preset: str = "standard"
    born: date = date(1980, 1, 1)
    timezone: str = "Europe/Paris"


ROSTER = [
    Profile(
        "Noah",
        "Lindqvist",
        "demo.noah@example.org",
        level=95,
        meals=45,
        noise=9,
        cadence=5,
        born=date(2009, 3, 2),
    ),  # mostly low: many level 2 hypos
    Profile(
        "Maria", "Okonkwo", "demo.maria@example.org", level=195, meals=80, born=date(1961, 11, 20)
    ),  # mostly high
    Profile("Jonas", "Berg", "demo.jonas@example.org", stale_days=4, born=date(1994, 7, 8)),
    Profile(
        "Aiko", "Tanaka", "demo.aiko@example.org", cadence=15, worn=0.45, born=date(1988, 2, 14)
    ),  # a patchy Libre
    Profile(
        "Pedro", "Alves", "demo.pedro@example.org", meter_only=True, born=date(1957, 9, 30)
    ),  # fingersticks only: no CGM figures
    Profile(
        "Lena",
        "Fischer",
        "demo.lena@example.org",
        level=120,
        meals=45,
        noise=3,
        born=date(1999, 5, 5),
    ),  # well in range
    Profile(
        "Omar",
        "Haddad",
        "demo.omar@example.org",
        level=120,
        meals=50,
        days=28,
        drift=3.0,
        born=date(1979, 12, 1),
    ),  # time in range falling against the previous 14 days
    Profile(
        "Sofia",
        "Rossi",
        "demo.sofia@example.org",
        level=105,
        meals=40,
        noise=4,
        preset="pregnancy_t1",
        born=date(1992, 4, 17),
    ),  # pregnancy targets 63-140
    Profile(
        "Ethan",
        "Walker",
        "demo.ethan@example.org",
        level=150,
        meals=120,
        noise=14,
        born=date(2012, 8, 23),
    ),  # very variable
    Profile(
        "Grace",
        "Mensah",
        "demo.grace@example.org",
        level=165,
        meals=60,
        preset="older_high_risk",
        born=date(1941, 6, 11),
    ),
    Profile("Ivan", "Petrov", "demo.ivan@example.org", days=0, born=date(1985, 10, 3)),  # new
]

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
        parser.add_argument(
            "--no-roster",
            action="store_true",
            help="Only the three demo accounts, without the physician's other patients.",
        )

    def handle(self, *args, reset=False, force=False, no_roster=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("Demo accounts have public passwords; use --force to seed anyway.")
        emails = [email for email, *_ in DEMO_USERS.values()] + [p.email for p in ROSTER]
        if reset:  # with their records, readings and grants
            for user in User.objects.filter(email__in=emails):
                account_delete(user=user)
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
        # The sharing flow mails each patient and the physician; nobody reads demo mail,
        # and printed it would push the sign-ins off the screen.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            clinic = self.link_in_clinic(login, physician, mrn="DEMO-0001")
            count = len(result.created)
            for number, profile in enumerate([] if no_roster else ROSTER, start=2):
                count += self.roster_patient(profile, physician, mrn=f"DEMO-{number:04d}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {count} readings: the demo patient and "
                f"{0 if no_roster else len(ROSTER)} more patients "
                f"on {physician.get_full_name()}'s roster at {clinic.name}."
            )
        )
        self.print_credentials()

    def make_user(self, role, **fields):
        email, password, first, last = DEMO_USERS[role]
        user = User.objects.create_user(
            email=email, password=password, first_name=first, last_name=last, **fields
        )
        EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
        return user

    def fingersticks(self, patient, *, days, seed=7):
        """Meter readings around meals and snacks, in the patient's local time."""
        rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not secrets
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

    def link_in_clinic(self, login, physician, *, mrn):
        """Put the physician in a demo clinic, with the patient's record shared with them."""
        clinic, _ = Clinic.objects.get_or_create(name="Demo Diabetes Clinic")
        ClinicMembership.objects.get_or_create(clinic=clinic, physician=physician)
        grant = grants.physician_access_request(
            physician=physician, patient_email=login.email, mrn=mrn
        )
        grants.physician_access_accept(grant=grant, by=login)
        return clinic

    def roster_patient(self, profile: Profile, physician, *, mrn) -> int:
        """One more patient who shares with the demo physician; returns readings stored.
        Their logins have no usable password: only the three demo accounts sign in."""
        login = User.objects.create_user(
            email=profile.email, password=None, first_name=profile.first, last_name=profile.last
        )
        EmailAddress.objects.create(user=login, email=login.email, primary=True, verified=True)
        roles.grant_role(login, roles.PATIENTS)
        patient = patient_create_for_self(user=login, timezone_name=profile.timezone)
        patient_update(
            patient=patient, date_of_birth=profile.born, diabetes_type=DiabetesType.TYPE_1
        )
        if profile.preset != patient.target_preset:
            patient.target_preset = profile.preset
            patient.save(update_fields=["target_preset"])
        if profile.meter_only:
            readings = list(self.fingersticks(patient, days=14, seed=len(profile.email)))
        else:
            readings = list(self.roster_cgm(patient, profile))
        stored = services.readings_bulk_create(patient=patient, readings=readings)
        self.link_in_clinic(login, physician, mrn=mrn)
        return len(stored.created)

    def roster_cgm(self, patient, p: Profile):
        """CGM after ``p``: the demo patient's day shape with the profile's level, peaks,
        noise, cadence, wear and drift."""
        rng = random.Random(p.email)  # noqa: S311 - reproducible demo data, not secrets
        tz = patient.tzinfo
        end = timezone.now().replace(second=0, microsecond=0) - timedelta(days=p.stale_days)
        at = end - timedelta(days=p.days)
        level, off_until = p.level, at
        while at <= end and p.days:
            if at >= off_until and rng.random() < (1 - p.worn) / 20:
                off_until = at + timedelta(hours=rng.uniform(2, 10))  # sensor off, or no scan
            local = at.astimezone(tz)
            hour = local.hour + local.minute / 60
            meals = sum(
                p.meals * math.exp(-(((hour - h) % 24) ** 2) / 1.2) for h in (7.5, 12.75, 19.75)
            )
            night = -25 * math.exp(-((hour - 3.5) ** 2) / 2)
            base = p.level + p.drift * (p.days - (end - at).total_seconds() / 86_400)
            level += (base + meals + night - level) * 0.12 * p.cadence / 5
            level += rng.gauss(0, p.noise)
            if at >= off_until:
                yield Reading(
                    value_mgdl=int(max(40, min(400, level))),
                    taken_at=at,
                    kind=Kind.CGM,
                    cadence_min=p.cadence,
                    source=Source.NIGHTSCOUT,
                    device="FreeStyle Libre" if p.cadence == 15 else "xDrip-DexcomG6",
                    direction="Flat",
                )
            at += timedelta(minutes=p.cadence)

    def print_credentials(self):
        """The sign-ins in a box, as the last thing before the server starts."""
        lines = ["BGT demo: sign in at http://127.0.0.1:8000/accounts/login/", ""]
        lines += [
            f"{role:<14} {email:<28} password {password}"
            for role, (email, password, *_rest) in DEMO_USERS.items()
        ]
        lines += ["", f"The physician's roster has {len(ROSTER) + 1} patients."]
        width = max(len(line) for line in lines)
        box = ["┌" + "─" * (width + 2) + "┐"]
        box += [f"│ {line:<{width}} │" for line in lines]
        box += ["└" + "─" * (width + 2) + "┘"]
        self.stdout.write("\n" + "\n".join(box) + "\n")
