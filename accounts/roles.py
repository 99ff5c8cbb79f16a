"""Roles are Django groups. Code asks these predicates; group names appear nowhere else.

A user's groups are read once per request and cached on the user object, so a page that
asks several predicates (the navigation bar does) costs one query.
"""

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

PATIENTS = "Patients"
PHYSICIANS = "Physicians"
ADMINISTRATORS = "Administrators"
ROLE_GROUPS = (PATIENTS, PHYSICIANS, ADMINISTRATORS)

# What an administrator may do in Django admin, as "app_label.codename". Deliberately no
# permission on any model that holds medical data: those models are not in admin at all.
ADMINISTRATOR_PERMISSIONS = (
    "accounts.view_user",
    "accounts.add_user",
    "accounts.change_user",
    "accounts.delete_user",
    "auth.view_group",
    # allauth's email addresses: every user has one, so deleting a user needs these.
    "account.view_emailaddress",
    "account.change_emailaddress",
    "account.delete_emailaddress",
    "clinic.view_clinic",
    "clinic.add_clinic",
    "clinic.change_clinic",
    "clinic.delete_clinic",
    "clinic.view_clinicmembership",
    "clinic.add_clinicmembership",
    "clinic.change_clinicmembership",
    "clinic.delete_clinicmembership",
    "patients.view_patientaccess",
    "patients.change_patientaccess",
    "patients.delete_patientaccess",
)

_CACHE_ATTR = "_bgt_role_names"


def role_names(user) -> frozenset[str]:
    """Names of the role groups ``user`` belongs to (empty for anonymous users)."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = frozenset(user.groups.filter(name__in=ROLE_GROUPS).values_list("name", flat=True))
        setattr(user, _CACHE_ATTR, cached)
    return cached


def is_patient(user) -> bool:
    return PATIENTS in role_names(user)


def is_physician(user) -> bool:
    return PHYSICIANS in role_names(user)


def is_site_admin(user) -> bool:
    """Administrators run the site from Django admin: staff accounts in the group."""
    return bool(
        getattr(user, "is_staff", False)
        and user.is_active
        and (user.is_superuser or ADMINISTRATORS in role_names(user))
    )


def grant_role(user, group_name: str) -> None:
    if group_name not in ROLE_GROUPS:
        raise ValueError(f"Unknown role group {group_name!r}")
    group, _ = Group.objects.get_or_create(name=group_name)
    user.groups.add(group)
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def sync_role_groups(*, using="default", **kwargs) -> None:
    """post_migrate: make sure the role groups exist and carry their permissions.

    The groups are first created by a data migration; permissions only exist after
    migrate's own post_migrate handlers have run, so they are attached here. Runs after
    every migrate and every test-database flush, and is idempotent.
    """
    groups = {name: Group.objects.using(using).get_or_create(name=name)[0] for name in ROLE_GROUPS}
    wanted_q = Q()
    for perm in ADMINISTRATOR_PERMISSIONS:
        app_label, codename = perm.split(".")
        wanted_q |= Q(content_type__app_label=app_label, codename=codename)
    wanted = list(Permission.objects.using(using).filter(wanted_q))
    if wanted:
        groups[ADMINISTRATORS].permissions.add(*wanted)
