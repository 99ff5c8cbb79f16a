import uuid

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.units import MAX_MGDL, MIN_MGDL
from patients.models import Patient

# A meter's clock may run a little ahead of the server's; more than this is a typing error.
FUTURE_TOLERANCE = timezone.timedelta(minutes=10)

glucose_validators = [
    MinValueValidator(MIN_MGDL, _("Glucose must be at least %(limit_value)s mg/dL.")),
    MaxValueValidator(MAX_MGDL, _("Glucose must be at most %(limit_value)s mg/dL.")),
]


class Kind(models.TextChoices):
    FINGERSTICK = "fingerstick", _("Fingerstick (meter)")
    CGM = "cgm", _("CGM (sensor)")
    # A Libre reading the wearer asked for; irregular, never part of CGM figures (DESIGN 4.1).
    SCAN = "scan", _("Scan (Libre, on demand)")


class Context(models.TextChoices):
    # A context: allauth's catalog has its own "Unspecified", which would win over this one.
    UNSPECIFIED = "unspecified", pgettext_lazy("meal context", "Unspecified")
    FASTING = "fasting", _("Fasting")
    BEFORE_MEAL = "before_meal", _("Before a meal")
    AFTER_MEAL = "after_meal", _("After a meal")
    BEFORE_SNACK = "before_snack", _("Before a snack")
    AFTER_SNACK = "after_snack", _("After a snack")
    BEDTIME = "bedtime", _("Bedtime")


class Source(models.TextChoices):
    WEB = "web", _("Entered on the web")
    IMPORT = "import", _("Imported file")
    API = "api", _("API")
    NIGHTSCOUT = "nightscout", _("Nightscout uploader")


class ReadingQuerySet(models.QuerySet):
    def of(self, patient):
        """The readings of one patient record."""
        return self.filter(patient=patient)

    def between(self, start=None, end=None):
        """Readings taken in [start, end); either bound may be None (open)."""
        qs = self
        if start is not None:
            qs = qs.filter(taken_at__gte=start)
        if end is not None:
            qs = qs.filter(taken_at__lt=end)
        return qs


class Reading(models.Model):
    """One blood glucose measurement, in whole mg/dL, taken at an aware UTC instant.

    ``taken_at`` is stored to the second: with (patient, kind, taken_at, value) unique, any
    upload of a reading already stored adds nothing (DESIGN.md section 2).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="readings")
    value_mgdl = models.PositiveSmallIntegerField(
        _("glucose (mg/dL)"), validators=glucose_validators
    )
    taken_at = models.DateTimeField(_("taken at"))
    kind = models.CharField(
        _("kind"), max_length=12, choices=Kind.choices, default=Kind.FINGERSTICK
    )
    context = models.CharField(
        _("meal context"), max_length=12, choices=Context.choices, default=Context.UNSPECIFIED
    )
    notes = models.CharField(_("notes"), max_length=500, blank=True)
    source = models.CharField(
        _("source"), max_length=10, choices=Source.choices, default=Source.WEB
    )
    # NULL, not "", when absent: NULLs never collide in the unique constraint below.
    external_id = models.CharField(  # noqa: DJ001
        _("external id"),
        max_length=200,
        null=True,
        blank=True,
        help_text=_("The uploading device's or app's own id, for idempotent uploads."),
    )
    # CGM trend arrow as an uploader reports it (Nightscout names, e.g. "Flat", "SingleUp").
    direction = models.CharField(_("trend"), max_length=20, blank=True)
    # Minutes between a CGM's readings (1, 5 or 15) when the device or file format says so;
    # NULL: unknown, inferred per source by readings.figures.streams (median interval).
    cadence_min = models.PositiveSmallIntegerField(
        _("CGM cadence (minutes)"),
        null=True,
        blank=True,
        choices=[(1, "1"), (5, "5"), (15, "15")],
    )
    # The meter, sensor or uploader that sent it (Nightscout "device", e.g. "xDrip-DexcomG6").
    device = models.CharField(_("device"), max_length=100, blank=True)
    # What a CGM uploader reports beside the value (Nightscout entry fields, kept so that
    # followers reading them back see what the uploader sent): the change since the last
    # reading in mg/dL, the sensor's raw filtered and unfiltered signal, its noise level
    # (0-4) and the radio signal strength. NULL: not reported.
    delta = models.FloatField(_("delta (mg/dL)"), null=True, blank=True)
    filtered = models.FloatField(_("filtered raw signal"), null=True, blank=True)
    unfiltered = models.FloatField(_("unfiltered raw signal"), null=True, blank=True)
    noise = models.SmallIntegerField(_("noise"), null=True, blank=True)
    rssi = models.SmallIntegerField(_("signal strength (RSSI)"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ReadingQuerySet.as_manager()

    class Meta:
        ordering = ["-taken_at"]
        # Serves every per-patient time-range query in either direction; with value_mgdl in
        # it, the roster's 14-day aggregation over all patients reads the index alone.
        indexes = [
            models.Index(
                fields=["patient", "taken_at", "value_mgdl"], name="reading_patient_taken_value"
            ),
            # The newest readings of one kind (Nightscout's sgv.json, as its own (type, date)
            # index serves it): equality, equality, then the range, so an index range scan
            # reads exactly the readings answered. On SQLite the unique measurement index
            # below would do; on MongoDB that one is partial (NULL semantics) and cannot.
            models.Index(fields=["patient", "kind", "taken_at"], name="reading_patient_kind_taken"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "kind", "taken_at", "value_mgdl"],
                name="reading_unique_measurement",
                violation_error_message=_("This reading is already recorded."),
            ),
            # external_id is NULL unless set; NULLs never collide (SQL, and a partial index
            # on MongoDB), so this only binds readings that carry an id.
            models.UniqueConstraint(
                fields=["patient", "source", "external_id"],
                name="reading_unique_external_id",
                violation_error_message=_("A reading with this external id is already stored."),
            ),
            models.CheckConstraint(
                condition=Q(value_mgdl__gte=MIN_MGDL) & Q(value_mgdl__lte=MAX_MGDL),
                name="reading_value_in_meter_range",
            ),
        ]

    def __str__(self):
        # Never a medical value: admin prints str() of related objects (DESIGN.md section 1).
        return f"Reading {self.pk}"

    def clean(self):
        super().clean()
        if self.taken_at and self.taken_at > timezone.now() + FUTURE_TOLERANCE:
            raise ValidationError(
                {
                    "taken_at": _(
                        "This time is in the future; a reading can be at most "
                        "10 minutes ahead of now."
                    )
                },
                code="future",
            )


class Target(models.Model):
    """A patient's own target range, used to colour readings and charts (mg/dL)."""

    DEFAULT_LOW = 70
    DEFAULT_HIGH = 180

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    patient = models.OneToOneField(Patient, on_delete=models.CASCADE, related_name="target")
    low_mgdl = models.PositiveSmallIntegerField(
        _("low target (mg/dL)"), default=DEFAULT_LOW, validators=glucose_validators
    )
    high_mgdl = models.PositiveSmallIntegerField(
        _("high target (mg/dL)"), default=DEFAULT_HIGH, validators=glucose_validators
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(low_mgdl__lt=F("high_mgdl")),
                name="target_low_below_high",
                violation_error_message=_("The low target must be below the high target."),
            ),
        ]

    def __str__(self):
        return f"Target {self.pk}"


class DaySummary(models.Model):
    """One local day of a record's CGM readings as integer sums (readings.figures.daily),
    kept by the write services so the roster need not read every reading: derived data,
    rebuilt from the readings by ``manage.py rebuild_day_summaries``. Two rows per day with
    CGM data: ``fresh`` (as a window's first day) and continuing (as a later day); and
    (``span`` = ROSTER_DAYS) one row per roster window ending on ``day`` with data: the
    sum of its first day fresh and the others continuing, and ``days`` with CGM data, so
    that a roster reads two rows per record."""

    ROSTER_DAYS = 14

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="day_summaries")
    day = models.DateField()  # in the record's time zone; a window's last day
    fresh = models.BooleanField()  # a window row: True
    span = models.PositiveSmallIntegerField(default=1)  # days summed: 1 or ROSTER_DAYS
    days = models.PositiveSmallIntegerField(default=1)  # of them, days with CGM data
    count_1 = models.PositiveIntegerField(default=0)  # readings at 1-minute cadence
    count_5 = models.PositiveIntegerField(default=0)
    count_15 = models.PositiveIntegerField(default=0)
    total = models.BigIntegerField(default=0)  # sum of values, mg/dL
    squares = models.BigIntegerField(default=0)  # sum of squared values
    # CGM minutes per value interval (readings.figures.cgm.LOW_CUTS / HIGH_CUTS).
    minutes_below_54 = models.PositiveIntegerField(default=0)
    minutes_54_62 = models.PositiveIntegerField(default=0)
    minutes_63_69 = models.PositiveIntegerField(default=0)
    minutes_70_140 = models.PositiveIntegerField(default=0)
    minutes_141_180 = models.PositiveIntegerField(default=0)
    minutes_181_250 = models.PositiveIntegerField(default=0)
    minutes_above_250 = models.PositiveIntegerField(default=0)
    lv2_hypo_1 = models.PositiveIntegerField(default=0)  # events starting this day, 1-min grid
    lv2_hypo_5 = models.PositiveIntegerField(default=0)
    lv2_hypo_15 = models.PositiveIntegerField(default=0)
    # A window row's figures as the roster shows them (readings.window_figures), stored
    # when the row is written; None on day rows.
    figures = models.JSONField(null=True, blank=True)

    INTERVAL_FIELDS = (
        "minutes_below_54",
        "minutes_54_62",
        "minutes_63_69",
        "minutes_70_140",
        "minutes_141_180",
        "minutes_181_250",
        "minutes_above_250",
    )
    COUNT_FIELDS = ("count_1", "count_5", "count_15")
    LV2_FIELDS = ("lv2_hypo_1", "lv2_hypo_5", "lv2_hypo_15")
    SUM_FIELDS = (*COUNT_FIELDS, "total", "squares", *INTERVAL_FIELDS, *LV2_FIELDS)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "span", "day", "fresh"], name="day_summary_unique_day"
            ),
        ]

    def __str__(self):
        return f"Day summary {self.pk}"


class ReadingsVersion(models.Model):
    """A record's change counter for its readings: every write service (readings.services)
    adds one after it adds, changes or deletes readings, so that "has anything changed?"
    (the dashboard's poll) reads one small row instead of counting every reading."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    patient = models.OneToOneField(
        Patient, on_delete=models.CASCADE, related_name="readings_version"
    )
    changes = models.PositiveBigIntegerField(default=0)

    def __str__(self):
        return f"Readings version {self.pk}"
