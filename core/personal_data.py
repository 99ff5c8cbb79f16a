"""The personal-data registry: every model that holds personal or medical data, once.

Each app registers its own models when it loads (its AppConfig.ready). Three features read
the registry instead of keeping hand lists that drift apart: the account data export
(patients.data), account and record deletion (patients.data), and the admin's medical
exclusion (accounts.admin hides every medical model from delete confirmations and never
shows a medical field). A test fails when a model with a foreign key to a login or a
record is neither registered nor excluded here with a reason.

Imports no BGT app: entries name models and field paths, not code of the apps above.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Owner(StrEnum):
    LOGIN = "login"  # rows belong to a login (accounts.User)
    RECORD = "record"  # rows belong to a health record (patients.Patient)


@dataclass(frozen=True)
class Entry:
    """How one model's rows are found, exported and deleted.

    - ``owner_field``: the foreign key (or lookup path) from a row to its owner.
    - ``section``: the key its rows appear under in the data export.
    - ``medical``: the whole model is medical data: never in admin, not even on delete
      confirmations. ``medical_fields`` are the medical fields of a model that is otherwise
      shown to administrators (e.g. a grant's MRN).
    - ``secret_fields``: credentials; the export says only that the row exists and when.
    - ``stream``: many rows (readings): exported last, in chunks, ordered by ``order_by``.
    - ``delete``: False when deleting the owner keeps the rows (a deleted physician's views
      stay in their patients' access logs, with the viewer's name as written then).
    - ``export_exclude``: lookups (ANDed) of rows left out of the owner's export although
      they are the owner's (and deleted with it): rows whose very existence tells about
      someone else, e.g. a request the other person has not answered says that their
      email is a BGT patient's.
    """

    model: type
    owner: Owner
    owner_field: str
    section: str
    medical: bool = False
    medical_fields: tuple[str, ...] = ()
    secret_fields: tuple[str, ...] = ()
    stream: bool = False
    order_by: str = "pk"
    delete: bool = True
    export_exclude: tuple[tuple[str, object], ...] = ()

    @property
    def label(self) -> str:
        return self.model._meta.label


_ENTRIES: dict[tuple[str, Owner], Entry] = {}
# Functions (login -> bool) that say whether deleting a login also deletes health data not
# linked to it by a foreign key (the records only it looks after): the admin's delete
# confirmation says so without knowing the apps above it.
_HEALTH_DATA_WITH_LOGIN: list = []
_EXCLUDED: dict[str, str] = {}  # model label -> why it holds no personal data of its own
# Credentials kept apart from any owner's export (they go with their parent row, e.g. an
# email address's confirmation keys): model label -> model.
_CREDENTIALS_ONLY: dict[str, type] = {}


def register(model, *, owner: Owner, owner_field: str, section: str, **options) -> Entry:
    """Register ``model`` as data of a login or of a record (a model may be both, e.g. an
    access grant: the record's, and the login's who holds it). Registering the same pair
    again replaces the entry, so reloading an app is harmless."""
    entry = Entry(model=model, owner=owner, owner_field=owner_field, section=section, **options)
    _ENTRIES[(entry.label, owner)] = entry
    return entry


def exclude(model, *, reason: str) -> None:
    """Say that ``model``, although it has a foreign key to a login or a record, holds no
    personal data that export and deletion must cover (``reason`` says why)."""
    _EXCLUDED[model._meta.label] = reason


def register_credential(model) -> None:
    """Mark ``model`` as holding credentials without an export section of its own (its rows
    are deleted with a parent row that is registered): never in admin."""
    _CREDENTIALS_ONLY[model._meta.label] = model


def entries(*, owner: Owner | None = None) -> list[Entry]:
    """Registered models, in registration order (apps load lowest layer first)."""
    return [e for e in _ENTRIES.values() if owner is None or e.owner == owner]


def excluded() -> dict[str, str]:
    return dict(_EXCLUDED)


def registered_labels() -> set[str]:
    return {label for label, _owner in _ENTRIES}


def medical_models() -> tuple[type, ...]:
    """Models whose every field is medical: never shown to administrators."""
    return tuple(dict.fromkeys(e.model for e in _ENTRIES.values() if e.medical))


def credential_models() -> tuple[type, ...]:
    """Models holding credentials (an entry with secret fields: API tokens, device secrets,
    invitation tokens): never listed in admin, not even by str() on a delete page."""
    registered = [e.model for e in _ENTRIES.values() if e.secret_fields]
    return tuple(dict.fromkeys([*registered, *_CREDENTIALS_ONLY.values()]))


def medical_fields_of(model) -> tuple[str, ...]:
    """Every medical field of ``model`` (all of them for a medical model)."""
    found: list[str] = []
    for entry in _ENTRIES.values():
        if entry.model is model:
            if entry.medical:
                return tuple(f.name for f in model._meta.concrete_fields)
            found.extend(entry.medical_fields)
    return tuple(dict.fromkeys(found))


def on_login_delete_health_data(check) -> None:
    """Register ``check(login) -> bool`` (see _HEALTH_DATA_WITH_LOGIN)."""
    if check not in _HEALTH_DATA_WITH_LOGIN:
        _HEALTH_DATA_WITH_LOGIN.append(check)


def deleting_login_deletes_health_data(login) -> bool:
    return any(check(login) for check in _HEALTH_DATA_WITH_LOGIN)
