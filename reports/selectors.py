"""What the dashboard and the physician's report show for one record and period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np

from core import localtime
from patients.models import Patient
from readings import stats
from readings.models import Target
from readings.selectors import (
    DASHBOARD_PERIODS,
    Series,
    period_bounds,
    reading_series,
    reading_stats,
    target_get,
)
from reports import charts


@dataclass(frozen=True)
class Dashboard:
    """Everything the dashboard (and a physician's report) shows for one period."""

    patient: Patient
    days: int
    start: datetime
    end: datetime
    target: Target
    summary: stats.Summary
    series: Series

    def figures(self, *, unit: str) -> dict[str, dict]:
        """The four plotly figures, values in ``unit``, times in the patient's zone."""
        epochs = np.asarray(self.series.epochs, dtype=np.int64)
        local_ms = localtime.local_seconds(epochs, self.patient.tzinfo) * 1000
        return {
            "readings": charts.readings_figure(
                local_ms,
                self.series.values_mgdl,
                unit=unit,
                target_low=self.target.low_mgdl,
                target_high=self.target.high_mgdl,
            ),
            "agp": charts.agp_figure(self.summary, unit=unit),
            "ranges": charts.time_in_ranges_figure(self.summary),
            "contexts": charts.context_means_figure(self.summary, unit=unit),
        }


def dashboard_get(*, patient: Patient, days: int, now: datetime | None = None) -> Dashboard:
    """The last ``days`` days of the record's readings with their statistics (two queries).

    Callers pass a record they got through patients.selectors.patient_for (the gate)."""
    if days not in DASHBOARD_PERIODS:
        raise ValueError(f"days must be one of {DASHBOARD_PERIODS}")
    start, end = period_bounds(days, now=now)
    target = target_get(patient=patient)
    series = reading_series(patient=patient, start=start, end=end)
    summary = reading_stats(patient=patient, start=start, end=end, target=target, series=series)
    return Dashboard(patient, days, start, end, target, summary, series)
