"""The test harness's own flush on the MongoDB leg (conftest.py): after each test only the
collections it wrote to are emptied, and the post-migrate baseline is put back, so the
next test starts from what the full flush would leave."""

from types import SimpleNamespace

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.test import TransactionTestCase

import conftest
from accounts.roles import ADMINISTRATORS, ROLE_GROUPS
from readings.models import Reading
from readings.tests.factories import ReadingFactory


def event(name, collection, db="test_bgt", **fields):
    return SimpleNamespace(
        command_name=name, command={name: collection, **fields}, database_name=db
    )


def test_writes_are_noted_per_collection_and_an_unknown_command_marks_everything():
    writes = conftest._Writes()
    writes.started(event("insert", "readings_reading"))
    writes.started(event("update", "auth_group"))
    writes.started(event("find", "patients_patient"))
    writes.started(event("aggregate", "patients_patient", pipeline=[{"$match": {}}]))
    assert writes.take() == ({("test_bgt", "readings_reading"), ("test_bgt", "auth_group")}, False)
    assert writes.take() == (set(), False)

    writes.started(event("aggregate", "readings_reading", pipeline=[{"$out": "copy"}]))
    assert writes.take() == (set(), True)
    writes.started(event("renameCollection", "test_bgt.a", to="test_bgt.b"))
    assert writes.take() == (set(), True)


@pytest.mark.django_db
def test_on_mongodb_the_flush_empties_what_was_written_and_restores_the_baseline():
    if not settings.IS_MONGODB:
        # SQLite rolls each test's transaction back; Django's own flush stays in place.
        assert TransactionTestCase._fixture_teardown is conftest._FULL_FLUSH
        return
    assert TransactionTestCase._fixture_teardown is conftest._flush_what_the_test_wrote
    test_case = TransactionTestCase(methodName="__init__")
    conftest._flush_what_the_test_wrote(test_case)  # the first of this process takes the baseline
    baseline = (ContentType.objects.count(), Permission.objects.count())
    # A full flush would make the content types anew, with new ObjectIds.
    content_types = set(ContentType.objects.values_list("pk", flat=True))
    administrators = Group.objects.get(name=ADMINISTRATORS)
    may = set(administrators.permissions.values_list("codename", flat=True))
    assert may
    ReadingFactory.create_batch(2)
    Group.objects.filter(name=ADMINISTRATORS).update(name="renamed")
    Permission.objects.all().delete()

    conftest._flush_what_the_test_wrote(test_case)

    assert not Reading.objects.exists()
    assert set(Group.objects.values_list("name", flat=True)) == set(ROLE_GROUPS)
    assert (ContentType.objects.count(), Permission.objects.count()) == baseline
    assert set(ContentType.objects.values_list("pk", flat=True)) == content_types
    administrators = Group.objects.get(pk=administrators.pk)
    assert set(administrators.permissions.values_list("codename", flat=True)) == may
