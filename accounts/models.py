import uuid
import zoneinfo

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.managers import UserManager, normalize_email
from readings.units import Unit


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("“%(value)s” is not a known time zone; pick one like Europe/Paris."),
            code="invalid_timezone",
            params={"value": value},
        )


class User(AbstractUser):
    """A person who signs in with an email address. Roles are groups (accounts.roles).

    Holds preferences only; medical data lives in MedicalProfile and the readings app, so
    that Django admin can manage users without ever loading a medical field.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    username = None
    email = models.EmailField(_("email address"), unique=True)
    unit = models.CharField(
        _("glucose unit"), max_length=6, choices=Unit.choices, default=Unit.MGDL
    )
    timezone = models.CharField(
        _("time zone"),
        max_length=64,
        default="UTC",
        validators=[validate_timezone],
        help_text=_("Days and hours of the day in reports are counted in this time zone."),
    )

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    class Meta:
        ordering = ["email"]

    def __str__(self):
        return self.email

    def clean(self):
        super().clean()
        self.email = normalize_email(self.email)

    def save(self, *args, **kwargs):
        self.email = normalize_email(self.email)
        super().save(*args, **kwargs)

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.email


class DiabetesType(models.TextChoices):
    TYPE_1 = "type_1", _("Type 1")
    TYPE_2 = "type_2", _("Type 2")
    GESTATIONAL = "gestational", _("Gestational")
    LADA = "lada", _("LADA")
    MODY = "mody", _("MODY")
    OTHER = "other", _("Other")


class MedicalProfile(models.Model):
    """A patient's medical details. Medical data: never shown in admin (DESIGN.md section 1)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="medical_profile")
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    diabetes_type = models.CharField(
        _("diabetes type"), max_length=12, choices=DiabetesType.choices, blank=True
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"Medical profile {self.pk}"

    def clean(self):
        super().clean()
        if self.date_of_birth:
            today = timezone.localdate()
            if self.date_of_birth > today:
                raise ValidationError({"date_of_birth": _("The date of birth is in the future.")})
            if self.date_of_birth.year < 1900:
                raise ValidationError({"date_of_birth": _("Enter a date of birth after 1900.")})

    def age_on(self, day) -> int | None:
        """Whole years of age on ``day``; None when the date of birth is unknown."""
        born = self.date_of_birth
        if born is None:
            return None
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))
