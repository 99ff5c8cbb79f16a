"""Reads of a record's treatments. Each takes the patient record, which the caller got
through patients (the access gate): another record's treatment does not exist here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import QuerySet

from treatments.models import Treatment, TreatmentType


def treatment_list(
    *,
    patient,
    start: datetime | None = None,
    end: datetime | None = None,
    type: str | None = None,
) -> QuerySet[Treatment]:
    """The record's treatments in [start, end), newest first, optionally of one type."""
    qs = Treatment.objects.of(patient).between(start, end)
    if type:
        qs = qs.filter(type=type)
    return qs.order_by("-taken_at")


def treatment_get(*, patient, treatment_id) -> Treatment:
    """One of the record's treatments; raises Treatment.DoesNotExist for any other."""
    return Treatment.objects.of(patient).get(pk=treatment_id)


@dataclass(frozen=True)
class DayTotal:
    """One local day's totals: insulin in units, carbohydrates in grams."""

    day: date
    bolus_units: float
    basal_units: float | None  # None: no basal recorded, or none whose amount is known
    carbs_g: float
    boluses: int
    carb_entries: int

    @property
    def insulin_units(self) -> float:
        """Bolus plus basal where known (DESIGN.md: "bolus + basal when known")."""
        return self.bolus_units + (self.basal_units or 0.0)


@dataclass(frozen=True)
class DailyTotals:
    days: tuple[DayTotal, ...]  # oldest first; only days with insulin or carbs
    mean_insulin_units: float | None  # per day with insulin recorded; None when none
    mean_carbs_g: float | None  # per day with carbohydrates recorded; None when none

    def of(self, day: date) -> DayTotal | None:
        return next((d for d in self.days if d.day == day), None)


def daily_totals(*, patient, start: datetime | None = None, end: datetime | None = None):
    """Per local day of the record (its time zone, DST included) the bolus, basal and carb
    totals of [start, end), and their daily averages.

    A day counts in an average only if it has that kind of entry: a day with no insulin
    recorded is a day without data, not a day without insulin (Tidepool's rule for its
    "avg. daily insulin"). A basal's units are its daily dose, or rate x duration; a
    treatment belongs to the local day it starts on. One query.
    """
    tz = patient.tzinfo
    rows = (
        treatment_list(patient=patient, start=start, end=end)
        .filter(type__in=[TreatmentType.BOLUS, TreatmentType.BASAL, TreatmentType.CARBS])
        .order_by("taken_at")
        .values_list("type", "taken_at", "insulin_units", "basal_rate", "carbs_g", "duration_min")
    )
    days: dict[date, dict] = {}
    for kind, taken_at, units, rate, carbs, duration in rows:
        day = days.setdefault(
            taken_at.astimezone(tz).date(),
            {"bolus": 0.0, "basal": None, "carbs": 0.0, "boluses": 0, "carb_entries": 0},
        )
        if kind == TreatmentType.BOLUS and units is not None:
            day["bolus"] += units
            day["boluses"] += 1
        elif kind == TreatmentType.BASAL:
            basal = units if units is not None else _rate_units(rate, duration)
            if basal is not None:
                day["basal"] = (day["basal"] or 0.0) + basal
        if carbs is not None:
            day["carbs"] += carbs
            day["carb_entries"] += 1
    totals = tuple(
        DayTotal(
            day=day,
            bolus_units=round(v["bolus"], 2),
            basal_units=None if v["basal"] is None else round(v["basal"], 2),
            carbs_g=round(v["carbs"], 1),
            boluses=v["boluses"],
            carb_entries=v["carb_entries"],
        )
        for day, v in sorted(days.items())
    )
    insulin_days = [d.insulin_units for d in totals if d.boluses or d.basal_units is not None]
    carb_days = [d.carbs_g for d in totals if d.carb_entries]
    return DailyTotals(
        days=totals,
        mean_insulin_units=_mean(insulin_days),
        mean_carbs_g=_mean(carb_days, digits=1),
    )


def _rate_units(rate, duration) -> float | None:
    if rate is None or duration is None:
        return None
    return rate * duration / 60


def _mean(values: list[float], digits: int = 2) -> float | None:
    return round(sum(values) / len(values), digits) if values else None
