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

    call_command("seed_demo")

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
    call_command("seed_demo")
    count = Reading.objects.count()

    call_command("seed_demo")
    assert Reading.objects.count() == count

    call_command("seed_demo", "--reset")
    assert User.objects.filter(email=DEMO_USERS["patient"][0]).count() == 1


def test_seed_demo_refuses_to_run_in_production_without_force(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="public passwords"):
        call_command("seed_demo")
    assert not User.objects.exists()
