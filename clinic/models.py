"""Clinics and their physicians (DESIGN.md section 5). The grants that let a physician read
a patient's record are patients.PatientAccess.

``str()`` of every model here is safe for Django admin: emails and clinic names only.
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
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
