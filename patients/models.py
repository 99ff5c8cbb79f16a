"""The health record and who may act on it (DESIGN.md sections 0-2).

A ``Patient`` is a health record, apart from any login: a young child's record has no login
of its own, an adult's has one ``self`` login, and any record may have caregivers,
followers and physicians. ``PatientAccess`` is one person's grant on one record;
``AccessLogEntry`` is one time someone other than the patient opened the record's data.

``str()`` of every model here is safe for Django admin: names and emails only, never a
medical value (admin prints ``str()`` of related objects on delete pages).
"""

from __future__ import annotations

import uuid
import zoneinfo
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.localtime import validate_timezone
from core.text import validate_name


class DiabetesType(models.TextChoices):
    TYPE_1 = "type_1", _("Type 1")
    TYPE_2 = "type_2", _("Type 2")
    GESTATIONAL = "gestational", _("Gestational")
    LADA = "lada", _("LADA")
    MODY = "mody", _("MODY")
    OTHER = "other", _("Other")


class TargetPreset(models.TextChoices):
    """The consensus goal set a record's figures are judged by (the international consensus
    on time in range, 2019: standard, older or high-risk, pregnancy)."""

    STANDARD = "standard", _("Type 1 and type 2 diabetes (standard)")
    OLDER_HIGH_RISK = "older_high_risk", _("Older or high-risk people with diabetes")
    PREGNANCY_T1 = "pregnancy_t1", _("Pregnancy with type 1 diabetes")
    PREGNANCY_GDM_T2 = "pregnancy_gdm_t2", _("Pregnancy with gestational or type 2 diabetes")


class Patient(models.Model):
    """A health record. Medical fields (date of birth, diabetes type, preset) are never shown
    to administrators (DESIGN.md section 1)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    display_name = models.CharField(_("name"), max_length=200)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    diabetes_type = models.CharField(
        _("diabetes type"), max_length=12, choices=DiabetesType.choices, blank=True
    )
    timezone = models.CharField(
        _("time zone"),
        max_length=64,
        default="UTC",
        validators=[validate_timezone],
        help_text=_("Days and hours of the day in reports are counted in this time zone."),
    )
    target_preset = models.CharField(
        _("target preset"),
        max_length=20,
        choices=TargetPreset.choices,
        default=TargetPreset.STANDARD,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["display_name"]

    def __str__(self):
        return self.display_name

    def clean(self):
        super().clean()
        try:
            validate_name(self.display_name)
        except ValidationError as error:
            raise ValidationError({"display_name": error.messages}) from None
        if self.date_of_birth:
            if self.date_of_birth > timezone.localdate():
                raise ValidationError({"date_of_birth": _("The date of birth is in the future.")})
            if self.date_of_birth.year < 1900:
                raise ValidationError({"date_of_birth": _("Enter a date of birth after 1900.")})

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    def age_on(self, day: date) -> int | None:
        """Whole years of age on ``day``; None when the date of birth is unknown."""
        born = self.date_of_birth
        if born is None:
            return None
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


class PatientAccess(models.Model):
    """One person's grant on one record: the patient themselves (``self``), a caregiver, a
    follower (read-only) or a physician.

    Life cycle: ``pending`` (asked by one side) -> ``active`` (accepted by the other) ->
    ``revoked`` (ended). A pending grant turned down is ``declined``; one withdrawn by its
    initiator is ``revoked``. Ended grants are kept as the history the patient sees. Only
    ``active`` grants give access (patients.access decides what each role may do), and at
    most one grant per person and record is open (pending or active) at a time: a partial
    unique index on both databases, so a retried or concurrent request cannot open a second.
    """

    class Role(models.TextChoices):
        SELF = "self", _("Patient")
        CAREGIVER = "caregiver", _("Caregiver")
        FOLLOWER = "follower", _("Follower")
        PHYSICIAN = "physician", _("Physician")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACTIVE = "active", _("Active")
        DECLINED = "declined", _("Declined")
        REVOKED = "revoked", _("Revoked")

    class Side(models.TextChoices):
        """Who asked or ended: the grantee (``physician``: a physician's request) or the
        record's side (``patient``: the patient, or a caregiver acting for them)."""

        PHYSICIAN = "physician", _("Physician")
        PATIENT = "patient", _("Patient")
        ADMINISTRATOR = "administrator", _("Administrator")

    OPEN_STATUSES = (Status.PENDING, Status.ACTIVE)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="patient_accesses"
    )
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="accesses")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.PENDING
    )
    initiated_by = models.CharField(
        _("initiated by"),
        max_length=13,
        choices=Side.choices[:2],
        help_text=_("Who asked: the physician (a request) or the patient's side (an offer)."),
    )
    # Medical data (the clinic's record number for this patient): never shown in admin.
    mrn = models.CharField(_("MRN"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    responded_at = models.DateTimeField(_("responded"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    ended_by = models.CharField(_("ended by"), max_length=13, choices=Side.choices, blank=True)

    class Meta:
        verbose_name = _("access grant")
        verbose_name_plural = _("access grants")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["user", "status"], name="access_user_status"),
            models.Index(fields=["patient", "status"], name="access_patient_status"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "patient"],
                condition=Q(status__in=["pending", "active"]),
                name="access_one_open_per_pair",
                violation_error_message=_(
                    "This person already has a pending or active grant on this record."
                ),
            ),
            models.UniqueConstraint(
                fields=["patient"],
                condition=Q(role="self", status="active"),
                name="access_one_self_per_record",
                violation_error_message=_("This record already has its own login."),
            ),
        ]

    def __str__(self):
        return f"{self.user} → {self.patient} ({self.role})"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def responder_side(self) -> str:
        """The side that may accept or decline while the grant is pending."""
        if self.initiated_by == self.Side.PHYSICIAN:
            return self.Side.PATIENT
        return self.Side.PHYSICIAN


class AccessLogEntry(models.Model):
    """One time someone other than the patient opened a record's data: who, what, when.

    ``what`` names the page or endpoint ("report page", "API: readings", "API: stats"), never
    a value. The viewer's name is kept as written at the time, so the patient's log still
    says who looked after the viewer's account is deleted.
    """

    REPORT_PAGE = "report page"
    DASHBOARD = "dashboard"
    READINGS_PAGE = "readings"
    API_READINGS = "API: readings"
    API_STATS = "API: stats"
    ROSTER = "roster"
    API_ROSTER = "API: patients"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    viewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="access_log_as_viewer",
    )
    viewer_name = models.CharField(_("viewer"), max_length=300)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="access_log")
    what = models.CharField(_("what was viewed"), max_length=100)
    viewed_at = models.DateTimeField(_("viewed at"), default=timezone.now)

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log entries")
        ordering = ["-viewed_at"]
        indexes = [models.Index(fields=["patient", "-viewed_at"], name="access_log_patient_time")]

    def __str__(self):
        return f"Access log entry {self.pk}"

    @property
    def what_label(self) -> str:
        """``what`` in the reader's language; a name not listed stays as stored."""
        return str(WHAT_LABELS.get(self.what, self.what))


# The access log's names of pages and endpoints (stored in English, shown translated).
WHAT_LABELS = {
    AccessLogEntry.REPORT_PAGE: _("report page"),
    AccessLogEntry.DASHBOARD: _("dashboard"),
    AccessLogEntry.READINGS_PAGE: pgettext_lazy("access log", "readings"),
    AccessLogEntry.API_READINGS: _("API: readings"),
    AccessLogEntry.API_STATS: _("API: stats"),
    AccessLogEntry.ROSTER: _("roster"),
    AccessLogEntry.API_ROSTER: _("API: patients"),
    "API: treatments": _("API: treatments"),
    "treatments": pgettext_lazy("access log", "treatments"),
    "day view": _("day view"),
    "glucose profile report (PDF)": _("glucose profile report (PDF)"),
    "glucose profile report (print page)": _("glucose profile report (print page)"),
}


class Invitation(models.Model):
    """An invitation, by email, to look after or follow a record, or to take it over.

    The link in the email carries a random token; only its SHA-256 is stored. Whoever opens
    it with that email's account (or makes the account there, the token proving the
    mailbox) may accept: the grant is then made. ``role`` ``self`` is a hand-over: the
    grown-up patient becomes the record's own login, and ``keep_caregivers`` says whether
    the caregivers stay (they do unless the hand-over said otherwise).
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        REVOKED = "revoked", _("Withdrawn")

    ROLES = (PatientAccess.Role.CAREGIVER, PatientAccess.Role.FOLLOWER, PatientAccess.Role.SELF)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("email"))
    role = models.CharField(_("role"), max_length=10, choices=PatientAccess.Role.choices)
    keep_caregivers = models.BooleanField(_("caregivers stay"), default=True)
    token_digest = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="invitations_sent",
    )
    inviter_name = models.CharField(_("invited by"), max_length=300)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    responded_at = models.DateTimeField(_("responded"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["patient", "status"], name="invitation_patient_status")]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "email"],
                condition=Q(status="pending"),
                name="invitation_one_pending_per_email",
                violation_error_message=_("This email already has a pending invitation."),
            )
        ]

    def __str__(self):
        return f"Invitation {self.pk}"
