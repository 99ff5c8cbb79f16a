"""What the dashboard and the physician's report show for one record and period."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

import numpy as np
from django.utils import timezone

from core import localtime
from patients.models import Patient
from readings import stats
from readings.figures import Figures, whole_days
from readings.models import FUTURE_TOLERANCE, Kind, Target
from readings.now import Latest, latest_glucose
from readings.selectors import (
    DASHBOARD_PERIODS,
    Series,
    load_from,
    reading_newest,
    reading_series,
    reading_stats,
    report_bounds,
    target_get,
)
from reports import charts, day
from reports.reasons import reason_text
from treatments.selectors import DailyTotals, daily_totals, treatment_list


@dataclass(frozen=True)
class Dashboard:
    """Everything the dashboard (and a physician's report) shows for one period.

    The report window is ``days`` whole local days ending today (``figures.window``);
    ``start``/``end`` bound the readings listed and drawn: the window's start up to now
    (plus the 10 minutes a meter's clock may run ahead). ``series`` is those readings.
    """

    patient: Patient
    days: int
    start: datetime
    end: datetime
    target: Target
    stats: stats.ReadingStats
    series: Series
    treatment_points: tuple = ()  # reports.day.Point of the period's insulin and carbs
    treatment_totals: DailyTotals | None = None  # per local day, and daily averages

    @property
    def figures(self) -> Figures:
        return self.stats.figures

    def charts(self, *, unit: str) -> dict[str, dict]:
        """The plotly figures, values in ``unit``, times in the patient's zone."""
        epochs = np.asarray(self.series.epochs, dtype=np.int64)
        local_ms = localtime.local_seconds(epochs, self.patient.tzinfo) * 1000
        figures = self.figures
        meter = np.asarray(self.series.kinds, dtype=str) == Kind.FINGERSTICK
        readings = charts.readings_figure(
            local_ms,
            self.series.values_mgdl,
            unit=unit,
            target_low=self.target.low_mgdl,
            target_high=self.target.high_mgdl,
        )
        if self.treatment_points:
            # Carbohydrates along the top, insulin along the bottom (reports.day).
            readings["data"].extend(
                day.treatment_traces(
                    self.treatment_points, tz=self.patient.tzinfo, labels=False, scale=0.5
                )
            )
            # Headroom above the curve for the carbohydrate row (insulin runs along 0).
            values = charts.in_unit([*self.series.values_mgdl, self.target.high_mgdl], unit)
            readings["layout"]["yaxis"]["range"] = [0, round(1.3 * max(values), 1)]
            readings["layout"]["yaxis2"] = {
                "overlaying": "y",
                "range": [0, 1],
                "visible": False,
                "fixedrange": True,
            }
        return {
            "readings": readings,
            "agp": charts.agp_figure(
                figures.agp, unit=unit, reason=reason_text(figures.sufficiency.agp_reason)
            ),
            "overlay": charts.overlay_figure(
                figures.daily, unit=unit, days=7 if self.days == 7 else 14
            ),
            "ranges": charts.time_in_ranges_figure(figures.cgm, unit=unit),
            "meter": charts.meter_hourly_figure(
                figures.meter,
                unit=unit,
                local_hours=(local_ms[meter] // 1000 % 86_400) / 3600,
                values_mgdl=np.asarray(self.series.values_mgdl, dtype=np.int64)[meter],
            ),
        }


def dashboard_get(*, patient: Patient, days: int, now: datetime | None = None) -> Dashboard:
    """The record's last ``days`` whole local days with every figure, and the previous
    window for the comparison. Four queries (the target; the readings of both windows; the
    period's treatments, for the chart's markers and for the daily totals).

    Callers pass a record they got through patients.selectors.patient_for (the gate)."""
    if days not in DASHBOARD_PERIODS:
        raise ValueError(f"days must be one of {DASHBOARD_PERIODS}")
    start, window_end = report_bounds(patient=patient, days=days, now=now)
    target = target_get(patient=patient)
    series = reading_series(
        patient=patient,
        start=load_from(patient=patient, start=start, end=window_end),
        end=window_end,
    )
    summary = reading_stats(
        patient=patient, start=start, end=window_end, target=target, series=series
    )
    shown_end = min(window_end, (now or timezone.now()) + FUTURE_TOLERANCE)
    treatments = list(treatment_list(patient=patient, start=start, end=shown_end))
    return Dashboard(
        patient,
        days,
        start,
        shown_end,
        target,
        summary,
        _between(series, start, shown_end),
        treatment_points=tuple(
            p for p in day.chart_points(treatments) if p.kind in ("carbs", "bolus", "basal")
        ),
        treatment_totals=daily_totals(patient=patient, start=start, end=shown_end),
    )


def _between(series: Series, start: datetime, end: datetime) -> Series:
    """The rows of ``series`` (oldest first) taken in [start, end)."""
    epochs = np.asarray(series.epochs, dtype=np.int64)
    lo, hi = np.searchsorted(epochs, [int(start.timestamp()), int(end.timestamp())])
    lo, hi = int(lo), int(hi)
    return replace(
        series,
        **{
            name: getattr(series, name)[lo:hi]
            for name in ("values_mgdl", "kinds", "contexts", "epochs", "cadences", "sources")
        },
    )


REPORT_MAX_DAYS = 90  # the longest report offered (the PDF budget of DESIGN.md section 8)


@dataclass(frozen=True)
class ReportData:
    """One record's glucose profile report (AGP-style): ``days`` whole local days
    [start, end) ending with ``last_day``; ``series`` is the window's readings."""

    patient: Patient
    days: int
    last_day: date
    start: datetime
    end: datetime
    target: Target
    stats: stats.ReadingStats
    series: Series

    @property
    def figures(self) -> Figures:
        return self.stats.figures


def agp_report_get(*, patient: Patient, last_day: date, days: int) -> ReportData:
    """The figures of ``days`` (1-90) whole local days ending with ``last_day`` in the
    record's zone, computed by readings.figures exactly as the stats API computes them
    for that window, with the comparison against the ``days`` before it. Two queries
    (the target; the readings of both windows).

    Callers pass a record they got through patients.selectors.patient_for (the gate)."""
    if not 1 <= days <= REPORT_MAX_DAYS:
        raise ValueError(f"days must be 1 to {REPORT_MAX_DAYS}")
    start, end = whole_days(days, last_day, patient.tzinfo)
    target = target_get(patient=patient)
    both = reading_series(
        patient=patient, start=load_from(patient=patient, start=start, end=end), end=end
    )
    summary = reading_stats(patient=patient, start=start, end=end, target=target, series=both)
    return ReportData(
        patient, days, last_day, start, end, target, summary, _between(both, start, end)
    )


@dataclass(frozen=True)
class NowData:
    """The record's newest reading (None: the record has none) and its readings of the
    last ``hours`` hours up to ``now`` (``series``, oldest first), for the "now" card."""

    patient: Patient
    now: datetime
    latest: Latest | None
    series: Series
    target: Target


def now_get(*, patient: Patient, now: datetime | None = None, hours: int = 24) -> NowData:
    """The "now" card's data. Three queries (the newest readings, the last ``hours`` hours,
    the target) whatever the record holds.

    Callers pass a record they got through patients.selectors.patient_for (the gate)."""
    now = now or timezone.now()
    return NowData(
        patient=patient,
        now=now,
        latest=latest_glucose(reading_newest(patient=patient, now=now)),
        series=reading_series(
            patient=patient, start=now - timedelta(hours=hours), end=now + FUTURE_TOLERANCE
        ),
        target=target_get(patient=patient),
    )
