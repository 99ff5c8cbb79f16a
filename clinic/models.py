"""Clinics, their physicians, the consent links between physicians and patients, and the log
of every time a physician opened a patient's data (DESIGN.md sections 1 and 5).

``str()`` of every model here is safe for Django admin: emails and clinic names only, never
a medical value or an MRN (admin prints ``str()`` of related objects on delete pages).
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import roles


class Clinic(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("name"), max_length=200, unique=True)
    physicians = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="ClinicMembership",
        related_name="clinics",
        blank=True,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class ClinicMembership(models.Model):
    """A physician works at a clinic (set by an administrator in Django admin)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="memberships")
    physician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="clinic_memberships",
    )
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("clinic membership")
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "physician"],
                name="clinic_membership_unique",
                violation_error_message=_("This physician is already a member of the clinic."),
            )
        ]

    def __str__(self):
        return f"{self.physician} at {self.clinic}"

    def clean(self):
        super().clean()
        if self.physician_id and not roles.is_physician(self.physician):
            raise ValidationError(
                {"physician": _("Only accounts in the Physicians group can join a clinic.")}
            )


class RosterLink(models.Model):
    """Consent for one physician to read one patient's data.

    Life cycle: ``pending`` (asked by one side) -> ``active`` (accepted by the other side) ->
    ``revoked`` (ended by either side). A pending link that the other side turns down is
    ``declined``; one withdrawn by its initiator is ``revoked``. Ended links are kept as the
    history the patient sees. Only ``active`` grants read access, and at most one link per
    physician-patient pair is open (pending or active) at a time: a partial unique index on
    both databases, so a retried or concurrent request cannot open a second one.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACTIVE = "active", _("Active")
        DECLINED = "declined", _("Declined")
        REVOKED = "revoked", _("Revoked")

    class Side(models.TextChoices):
        PHYSICIAN = "physician", _("Physician")
        PATIENT = "patient", _("Patient")
        ADMINISTRATOR = "administrator", _("Administrator")

    OPEN_STATUSES = (Status.PENDING, Status.ACTIVE)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    physician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="roster_links"
    )
    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="physician_links"
    )
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.PENDING
    )
    initiated_by = models.CharField(
        _("initiated by"),
        max_length=13,
        choices=Side.choices[:2],
        help_text=_("Who asked: the physician (a request) or the patient (an offer)."),
    )
    # Medical data (the clinic's record number for this patient): never shown in admin.
    mrn = models.CharField(_("MRN"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    responded_at = models.DateTimeField(_("responded"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    ended_by = models.CharField(_("ended by"), max_length=13, choices=Side.choices, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["physician", "status"], name="rosterlink_physician_status"),
            models.Index(fields=["patient", "status"], name="rosterlink_patient_status"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["physician", "patient"],
                condition=Q(status__in=["pending", "active"]),
                name="rosterlink_one_open_per_pair",
                violation_error_message=_(
                    "This physician and patient already have a pending or active link."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(physician=F("patient")),
                name="rosterlink_not_self",
                violation_error_message=_("A physician cannot be linked to themselves."),
            ),
        ]

    def __str__(self):
        return f"{self.physician} → {self.patient}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    def side_of(self, user) -> str | None:
        """Which side of this link ``user`` is on (a Side value), or None."""
        if user.pk == self.physician_id:
            return self.Side.PHYSICIAN
        if user.pk == self.patient_id:
            return self.Side.PATIENT
        return None

    @property
    def responder_side(self) -> str:
        """The side that may accept or decline while the link is pending."""
        if self.initiated_by == self.Side.PHYSICIAN:
            return self.Side.PATIENT
        return self.Side.PHYSICIAN


class AccessLogEntry(models.Model):
    """One time a physician opened a patient's data: who, whom, what, when.

    ``what`` names the page or endpoint ("report page", "API: readings", "API: stats"), never
    a value. The viewer's name is kept as written at the time, so the patient's log still
    says who looked after the physician's account is deleted.
    """

    REPORT_PAGE = "report page"
    API_READINGS = "API: readings"
    API_STATS = "API: stats"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    viewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="access_log_as_viewer",
    )
    viewer_name = models.CharField(_("viewer"), max_length=300)
    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access_log"
    )
    what = models.CharField(_("what was viewed"), max_length=100)
    viewed_at = models.DateTimeField(_("viewed at"), default=timezone.now)

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log entries")
        ordering = ["-viewed_at"]
        indexes = [models.Index(fields=["patient", "-viewed_at"], name="accesslog_patient_time")]

    def __str__(self):
        return f"Access log entry {self.pk}"
