from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from accounts import roles
from accounts.models import User
from bgt.management.commands.seed_demo import DEMO_USERS
from patients.models import PatientAccess
from patients.selectors import own_record
from readings.models import Kind, Reading

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_the_three_roles_with_realistic_readings(client, settings, capsys):
    settings.DEBUG = True

    call_command("seed_demo", "--no-roster")  # the roster: the test below

    out = capsys.readouterr().out
    patient = User.objects.get(email=DEMO_USERS["patient"][0])
    patient.record = own_record(user=patient)
    assert roles.is_patient(patient)
    assert roles.is_physician(User.objects.get(email=DEMO_USERS["physician"][0]))
    assert roles.is_site_admin(User.objects.get(email=DEMO_USERS["administrator"][0]))
    for email, password, *_ in DEMO_USERS.values():
        assert email in out and password in out
    cgm = Reading.objects.filter(patient=patient.record, kind=Kind.CGM)
    assert cgm.count() == 14 * 288 + 1
    assert cgm.filter(taken_at__gte=timezone.now() - timedelta(days=1)).count() >= 287
    fingersticks = Reading.objects.filter(patient=patient.record, kind=Kind.FINGERSTICK)
    assert 100 < fingersticks.count() < 28 * 8
    assert set(fingersticks.values_list("context", flat=True)) >= {
        "fasting",
        "before_meal",
        "after_meal",
        "bedtime",
    }
    assert (
        40 <= min(cgm.values_list("value_mgdl", flat=True))
        and max(cgm.values_list("value_mgdl", flat=True)) <= 400
    )

    physician = User.objects.get(email=DEMO_USERS["physician"][0])
    assert PatientAccess.objects.get(user=physician, patient=patient.record).status == "active"

    email, password, *_ = DEMO_USERS["patient"]
    response = client.post(reverse("account_login"), {"login": email, "password": password})
    assert response.url == reverse("reports:dashboard")


def test_seed_demo_twice_adds_nothing_and_reset_recreates(settings):
    settings.DEBUG = True
    call_command("seed_demo", "--no-roster")
    count = Reading.objects.count()

    call_command("seed_demo", "--no-roster")
    assert Reading.objects.count() == count

    call_command("seed_demo", "--reset", "--no-roster")
    assert User.objects.filter(email=DEMO_USERS["patient"][0]).count() == 1


def test_seed_demo_refuses_to_run_in_production_without_force(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="public passwords"):
        call_command("seed_demo")
    assert not User.objects.exists()


@pytest.mark.slow
def test_the_demo_roster_shows_the_triage_and_the_sign_ins_come_last_in_a_box(settings, capsys):
    from clinic.selectors import roster_for_physician

    settings.DEBUG = True

    call_command("seed_demo")

    out = capsys.readouterr().out
    physician = User.objects.get(email=DEMO_USERS["physician"][0])
    rows = roster_for_physician(physician=physician)
    assert len(rows) == 12
    by_name = {row.name: row for row in rows}
    # Needs attention first: the patient with the most time very low.
    assert rows[0].name == "Noah Lindqvist" and rows[0].very_low_pct > 1
    assert by_name["Maria Okonkwo"].in_range_pct < 50  # mostly high
    assert by_name["Pedro Alves"].count == 0  # meter only: no CGM figures
    assert by_name["Ivan Petrov"].last_reading_at is None  # new, nothing yet
    assert {"wear"} <= {f.key for f in by_name["Aiko Tanaka"].flags}  # a patchy Libre
    assert {"tir_drop"} <= {f.key for f in by_name["Omar Haddad"].flags}
    stale = timezone.now() - by_name["Jonas Berg"].last_reading_at
    assert timedelta(days=3) < stale < timedelta(days=5)
    # The sign-ins are the last lines, boxed; no sharing mail is printed.
    lines = out.rstrip().splitlines()
    box = lines[max(i for i, line in enumerate(lines) if line.startswith("┌")) :]
    assert box[-1].startswith("└") and all(line.startswith("│") for line in box[1:-1])
    for email, password, *_ in DEMO_USERS.values():
        assert any(email in line and password in line for line in box)
    assert "Subject:" not in out
