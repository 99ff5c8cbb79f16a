"""Treatments beside the readings: insulin, carbohydrates and events (DESIGN.md section 2).

A treatment belongs to a patient record, like a reading. Amounts are in insulin units (U),
units per hour (a temporary basal rate) and grams of carbohydrate; durations in minutes.
"""

import uuid

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from patients.models import Patient

# A pump's or phone's clock may run a little ahead of the server's (as for readings).
FUTURE_TOLERANCE = timezone.timedelta(minutes=10)

# Sensible maxima: beyond them an amount is a typing error (a bolus of 150 U, carbs of 5 kg).
MAX_BOLUS_UNITS = 100
MAX_DAILY_BASAL_UNITS = 300
MAX_BASAL_RATE = 35  # U/h
MAX_CARBS_G = 500
MAX_DURATION_MIN = 24 * 60


class TreatmentType(models.TextChoices):
    BOLUS = "bolus", _("Bolus insulin")
    BASAL = "basal", _("Basal insulin")
    CARBS = "carbs", _("Carbohydrates")
    NOTE = "note", pgettext_lazy("treatment type", "Note")  # an earlier app's "Note" would win
    EXERCISE = "exercise", _("Exercise")
    SITE_CHANGE = "site_change", _("Site change")
    SENSOR_START = "sensor_start", _("Sensor start or change")
    CARTRIDGE_CHANGE = "cartridge_change", _("Insulin cartridge change")
    TEMP_TARGET = "temp_target", _("Temporary target")
    OTHER = "other", _("Other event")


INSULIN_TYPES = (TreatmentType.BOLUS, TreatmentType.BASAL)
EVENT_TYPES = tuple(t for t in TreatmentType if t not in (*INSULIN_TYPES, TreatmentType.CARBS))


class Source(models.TextChoices):
    # The same values as readings.models.Source (a sibling app: not imported).
    WEB = "web", _("Entered on the web")
    IMPORT = "import", _("Imported file")
    API = "api", _("API")
    NIGHTSCOUT = "nightscout", _("Nightscout uploader")


class TreatmentQuerySet(models.QuerySet):
    def of(self, patient):
        return self.filter(patient=patient)

    def between(self, start=None, end=None):
        """Treatments in [start, end); either bound may be None (open)."""
        qs = self
        if start is not None:
            qs = qs.filter(taken_at__gte=start)
        if end is not None:
            qs = qs.filter(taken_at__lt=end)
        return qs


def _not_negative(message):
    # A whole sentence per field: a translated sentence must not be assembled from parts.
    return MinValueValidator(0, message)


class Treatment(models.Model):
    """One bolus, basal dose or rate, carbohydrate intake or event, at an aware instant.

    ``taken_at`` is stored to the second. ``measurement_key`` (type, event type, time to the
    second and amounts) is unique per record, so any upload of a treatment already stored adds
    nothing, as (kind, time, value) does for readings (DESIGN.md section 2).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="treatments")
    type = models.CharField(_("type"), max_length=20, choices=TreatmentType.choices)
    # Nightscout's eventType as the uploader sent it ("Meal Bolus", "Temp Basal", ...).
    event_type = models.CharField(_("event type"), max_length=100, blank=True)
    taken_at = models.DateTimeField(_("time"))
    insulin_units = models.FloatField(
        _("insulin (U)"),
        null=True,
        blank=True,
        validators=[_not_negative(_("Insulin cannot be negative."))],
        help_text=_("A bolus, or a daily long-acting basal dose."),
    )
    basal_rate = models.FloatField(
        _("basal rate (U/h)"),
        null=True,
        blank=True,
        validators=[_not_negative(_("The basal rate cannot be negative."))],
    )
    insulin_name = models.CharField(_("insulin"), max_length=100, blank=True)
    carbs_g = models.FloatField(
        _("carbohydrates (g)"),
        null=True,
        blank=True,
        validators=[_not_negative(_("Carbohydrates cannot be negative."))],
    )
    duration_min = models.PositiveIntegerField(
        _("duration (minutes)"),
        null=True,
        blank=True,
        validators=[
            MaxValueValidator(
                MAX_DURATION_MIN, _("A duration can be at most 24 hours (1440 minutes).")
            )
        ],
    )
    notes = models.CharField(_("notes"), max_length=500, blank=True)
    source = models.CharField(
        _("source"), max_length=10, choices=Source.choices, default=Source.WEB
    )
    # NULL, not "", when absent: NULLs never collide in the unique constraint below.
    external_id = models.CharField(  # noqa: DJ001
        _("external id"), max_length=200, null=True, blank=True
    )
    device = models.CharField(_("device"), max_length=100, blank=True)
    # A Nightscout upload's fields beyond the ones above (a temporary target's range and
    # reason, a profile switch's profile and percentage, a pump's ids, Loop's override
    # settings, ...), as the client sent them, so that every read gives them back.
    nightscout_fields = models.JSONField(_("other Nightscout fields"), default=dict, blank=True)
    measurement_key = models.CharField(max_length=200, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TreatmentQuerySet.as_manager()

    class Meta:
        ordering = ["-taken_at"]
        indexes = [models.Index(fields=["patient", "taken_at"], name="treatment_patient_taken")]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "measurement_key"],
                name="treatment_unique_measurement",
                violation_error_message=_("This treatment is already recorded."),
            ),
            models.UniqueConstraint(
                fields=["patient", "source", "external_id"],
                name="treatment_unique_external_id",
                violation_error_message=_("A treatment with this external id is already stored."),
            ),
            models.CheckConstraint(
                condition=Q(insulin_units__isnull=True)
                | (Q(insulin_units__gte=0) & Q(insulin_units__lte=MAX_DAILY_BASAL_UNITS)),
                name="treatment_insulin_in_range",
            ),
            models.CheckConstraint(
                condition=Q(basal_rate__isnull=True)
                | (Q(basal_rate__gte=0) & Q(basal_rate__lte=MAX_BASAL_RATE)),
                name="treatment_rate_in_range",
            ),
            models.CheckConstraint(
                condition=Q(carbs_g__isnull=True)
                | (Q(carbs_g__gte=0) & Q(carbs_g__lte=MAX_CARBS_G)),
                name="treatment_carbs_in_range",
            ),
        ]

    def __str__(self):
        # Never a medical value: admin prints str() of related objects (DESIGN.md section 1).
        return f"Treatment {self.pk}"

    def save(self, *args, **kwargs):
        self.measurement_key = self.key()
        super().save(*args, **kwargs)

    def key(self) -> str:
        """The measurement key: what makes two treatments the same one."""
        stamp = int(self.taken_at.timestamp()) if self.taken_at else ""
        amounts = (self.insulin_units, self.basal_rate, self.carbs_g, self.duration_min)
        shown = ["" if a is None else f"{float(a):g}" for a in amounts]
        return "|".join([self.type, self.event_type[:60], str(stamp), *shown])

    @property
    def basal_units(self) -> float | None:
        """Basal insulin delivered (U): the daily dose, or rate x duration; None if unknown."""
        if self.type != TreatmentType.BASAL:
            return None
        if self.insulin_units is not None:
            return self.insulin_units
        if self.basal_rate is not None and self.duration_min is not None:
            return self.basal_rate * self.duration_min / 60
        return None

    def clean(self):
        super().clean()
        self.measurement_key = self.key()  # for the unique check of full_clean
        errors: dict[str, list] = {}

        def add(field, message):
            errors.setdefault(field, []).append(ValidationError(message, code="invalid"))

        if self.taken_at and self.taken_at > timezone.now() + FUTURE_TOLERANCE:
            add(
                "taken_at",
                _(
                    "This time is in the future; a treatment can be at most 10 minutes "
                    "ahead of now."
                ),
            )
        units, rate, carbs = self.insulin_units, self.basal_rate, self.carbs_g
        if self.type == TreatmentType.BOLUS:
            if units is None:
                add("insulin_units", _("Give the bolus in units."))
            elif units > MAX_BOLUS_UNITS:
                add("insulin_units", _("A bolus can be at most 100 units."))
        elif self.type == TreatmentType.BASAL:
            if units is None and rate is None:
                add("insulin_units", _("Give a daily basal dose in units, or a rate in U/h."))
            if units is not None and units > MAX_DAILY_BASAL_UNITS:
                add("insulin_units", _("A daily basal dose can be at most 300 units."))
            if rate is not None and rate > MAX_BASAL_RATE:
                add("basal_rate", _("A basal rate can be at most 35 U/h."))
            if rate is not None and self.duration_min is None:
                add("duration_min", _("Give the duration of a temporary basal rate."))
        elif units is not None or rate is not None:
            add("insulin_units", _("Only a bolus or a basal treatment has insulin."))
        if self.type == TreatmentType.CARBS and carbs is None:
            add("carbs_g", _("Give the carbohydrates in grams."))
        if carbs is not None and carbs > MAX_CARBS_G:
            add("carbs_g", _("Carbohydrates can be at most 500 g."))
        if errors:
            raise ValidationError(errors)
