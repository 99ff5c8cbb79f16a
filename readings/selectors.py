"""Reads that pages and API endpoints need. Each takes the acting user and only ever returns
that user's own data: another user's reading simply does not exist (404) for them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from django.db.models import Count, Max, QuerySet
from django.utils import timezone

from readings import charts, stats
from readings.expressions import EpochSeconds
from readings.models import Reading, Target, UploadSecret

DASHBOARD_PERIODS = (7, 14, 30, 90)  # days


def reading_list(
    *,
    user,
    start: datetime | None = None,
    end: datetime | None = None,
    context: str | None = None,
    kind: str | None = None,
) -> QuerySet[Reading]:
    """The user's readings in [start, end), newest first, optionally of one context/kind."""
    qs = Reading.objects.for_user(user).between(start, end)
    if context:
        qs = qs.filter(context=context)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-taken_at")


def reading_get(*, user, reading_id) -> Reading:
    """One of the user's readings; raises Reading.DoesNotExist for anyone else's."""
    return Reading.objects.for_user(user).get(pk=reading_id)


def target_get(*, user) -> Target:
    """The user's target range; the defaults (70-180 mg/dL, unsaved) until they set one."""
    return Target.objects.filter(owner=user).first() or Target(owner=user)


@dataclass(frozen=True)
class Series:
    """A period's readings as parallel columns, oldest first (times in Unix seconds)."""

    values_mgdl: tuple[int, ...]
    kinds: tuple[str, ...]
    contexts: tuple[str, ...]
    epochs: tuple[int, ...]


def reading_series(
    *,
    user,
    start: datetime | None = None,
    end: datetime | None = None,
    context: str | None = None,
    kind: str | None = None,
) -> Series:
    """One query. Times come from the database as integers: parsing ~26,000 datetimes in
    the ORM would cost more than all the statistics (DESIGN.md section 8 budget)."""
    rows = (
        reading_list(user=user, start=start, end=end, context=context, kind=kind)
        .order_by("taken_at")
        .annotate(epoch=EpochSeconds("taken_at"))
        .values_list("value_mgdl", "kind", "context", "epoch")  # the ORM's own column order
    )
    columns = tuple(zip(*rows, strict=True)) or ((), (), (), ())
    return Series(*columns)


def reading_stats(
    *,
    user,
    start: datetime | None = None,
    end: datetime | None = None,
    context: str | None = None,
    kind: str | None = None,
    target: Target | None = None,
    series: Series | None = None,
) -> stats.Summary:
    """Section 4 figures (mg/dL) over the user's readings in [start, end), in their time
    zone and against their targets. Two queries (target, readings) whatever the period."""
    target = target or target_get(user=user)
    if series is None:
        series = reading_series(user=user, start=start, end=end, context=context, kind=kind)
    return stats.summarize(
        series.values_mgdl,
        series.epochs,
        kinds=series.kinds,
        contexts=series.contexts,
        tz=user.tzinfo,
        start=start,
        end=end,
        target_low=target.low_mgdl,
        target_high=target.high_mgdl,
    )


@dataclass(frozen=True)
class Dashboard:
    """Everything the dashboard (and a physician's report) shows for one period."""

    patient: object
    days: int
    start: datetime
    end: datetime
    target: Target
    summary: stats.Summary
    series: Series

    def figures(self, *, unit: str) -> dict[str, dict]:
        """The four plotly figures, values in ``unit``, times in the patient's zone."""
        epochs = np.asarray(self.series.epochs, dtype=np.int64)
        local_ms = stats.local_seconds(epochs, self.patient.tzinfo) * 1000
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


def dashboard_get(*, user, days: int, now: datetime | None = None) -> Dashboard:
    """The last ``days`` days of ``user``'s readings with their statistics (two queries).

    Callers check access first: for a physician, clinic.selectors is the gate."""
    if days not in DASHBOARD_PERIODS:
        raise ValueError(f"days must be one of {DASHBOARD_PERIODS}")
    start, end = period_bounds(days, now=now)
    target = target_get(user=user)
    series = reading_series(user=user, start=start, end=end)
    summary = reading_stats(user=user, start=start, end=end, target=target, series=series)
    return Dashboard(user, days, start, end, target, summary, series)


def period_bounds(days: int, *, now: datetime | None = None) -> tuple[datetime, datetime]:
    """The last ``days`` days up to now: [now - days, now]."""
    end = now or timezone.now()
    # A reading may be up to 10 minutes ahead of the server clock (a fast meter); include it.
    return end - timedelta(days=days), end + timedelta(minutes=10)


def readings_version(*, user) -> str:
    """A short token that changes whenever the user's readings change (add, edit, delete);
    the dashboard polls it to know when to redraw."""
    agg = Reading.objects.for_user(user).aggregate(n=Count("pk"), last=Max("updated_at"))
    last = agg["last"].isoformat() if agg["last"] else "-"
    return f"{agg['n']}:{last}"


def upload_secret_owner(*, api_secret_sha1_hex: str):
    """The active user whose device upload secret has this SHA-1 hex digest, else None."""
    if not api_secret_sha1_hex:
        return None
    found = (
        UploadSecret.objects.select_related("owner")
        .filter(digest=UploadSecret.digest_of(api_secret_sha1_hex), owner__is_active=True)
        .first()
    )
    return found.owner if found else None
