import pytest
from django.contrib.auth.models import AnonymousUser, Group

from accounts import roles
from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_three_role_groups_exist_after_migrate():
    names = set(Group.objects.values_list("name", flat=True))

    assert {"Patients", "Physicians", "Administrators"} <= names


def test_administrators_may_manage_users_and_nothing_medical():
    perms = {
        f"{p.content_type.app_label}.{p.codename}"
        for p in Group.objects.get(name=roles.ADMINISTRATORS).permissions.all()
    }

    assert perms == set(roles.ADMINISTRATOR_PERMISSIONS)


def test_predicates(patient, physician, admin_user):
    assert roles.is_patient(patient)
    assert not roles.is_physician(patient)
    assert not roles.is_site_admin(patient)
    assert roles.is_physician(physician)
    assert not roles.is_patient(physician)
    assert roles.is_site_admin(admin_user)
    assert not roles.is_patient(AnonymousUser())
    assert not roles.is_site_admin(AnonymousUser())


def test_site_admin_needs_staff_status_and_an_active_account():
    not_staff = UserFactory(roles=[roles.ADMINISTRATORS])
    inactive = UserFactory(roles=[roles.ADMINISTRATORS], is_staff=True, is_active=False)
    superuser = UserFactory(is_staff=True, is_superuser=True)

    assert not roles.is_site_admin(not_staff)
    assert not roles.is_site_admin(inactive)
    assert roles.is_site_admin(superuser)


def test_roles_are_read_once_per_user_object(patient, django_assert_num_queries):
    with django_assert_num_queries(1):
        roles.is_patient(patient)
        roles.is_physician(patient)
        roles.is_site_admin(patient)


def test_granting_a_role_is_seen_at_once(patient):
    assert not roles.is_physician(patient)

    roles.grant_role(patient, roles.PHYSICIANS)

    assert roles.is_physician(patient)


def test_unknown_role_is_refused(patient):
    with pytest.raises(ValueError):
        roles.grant_role(patient, "Wizards")
