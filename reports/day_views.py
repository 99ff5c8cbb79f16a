"""The day view: one local day of the record being worked on, readings and treatments on
one chart, with the same data as tables (for screen readers and for reading exact values)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.http import Http404
from django.utils import timezone
from django.views.generic import TemplateView

from core.days import EARLIEST_DAY, LATEST_DAY
from patients.mixins import RecordMixin
from patients.services import access_log_record
from readings import selectors as reading_selectors
from readings.presentation import reading_rows
from reports.day import chart_points, day_figure
from treatments import selectors as treatment_selectors
from treatments.presentation import number, treatment_rows

DAY_VIEW = "day view"  # the access log's name of this page


def day_bounds(day: date, tz) -> tuple[datetime, datetime]:
    """[local midnight, next local midnight): 23 or 25 hours on a DST change day."""
    start = datetime.combine(day, time()).replace(tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), time()).replace(tzinfo=tz)
    return start, end


class DayView(RecordMixin, TemplateView):
    """/day/ (today) and /day/YYYY-MM-DD/."""

    template_name = "reports/day.html"

    def get_day(self) -> date:
        text = self.kwargs.get("day")
        if not text:
            return timezone.now().astimezone(self.patient.tzinfo).date()
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise Http404("No such day.") from None
        if not EARLIEST_DAY <= day <= LATEST_DAY:  # its bounds would leave Python's dates
            raise Http404("No such day.")
        return day

    def get_context_data(self, **kwargs):
        patient, unit = self.patient, self.request.user.unit
        tz = patient.tzinfo
        day = self.get_day()
        start, end = day_bounds(day, tz)
        access_log_record(grant=patient.grant, what=DAY_VIEW)
        target = reading_selectors.target_get(patient=patient)
        readings = list(
            reading_selectors.reading_list(patient=patient, start=start, end=end).order_by(
                "taken_at"
            )
        )
        treatments = list(
            treatment_selectors.treatment_list(patient=patient, start=start, end=end).order_by(
                "taken_at"
            )
        )
        totals = treatment_selectors.daily_totals(patient=patient, start=start, end=end).of(day)
        today = timezone.now().astimezone(tz).date()
        return {
            **super().get_context_data(**kwargs),
            "day": day,
            "is_today": day == today,
            "previous_day": day - timedelta(days=1),
            "next_day": day + timedelta(days=1) if day < today else None,
            "figure": day_figure(
                day,
                tz=tz,
                unit=unit,
                reading_times=[r.taken_at for r in readings],
                reading_values_mgdl=[r.value_mgdl for r in readings],
                points=chart_points(treatments),
                target_low=target.low_mgdl,
                target_high=target.high_mgdl,
            ),
            "reading_rows": reading_rows(readings, unit=unit, tz=tz, target=target),
            "rows": treatment_rows(treatments, tz=tz),
            "totals": totals,
            "insulin_total": number(totals.insulin_units) if totals else None,
            "bolus_total": number(totals.bolus_units) if totals else None,
            "basal_total": number(totals.basal_units) if totals else None,
            "carbs_total": number(totals.carbs_g) if totals else None,
        }
