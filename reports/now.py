"""The dashboard's "now" card: the newest glucose in the viewer's unit with its trend
arrow, change and age, and the last 24 hours as a small server-drawn SVG curve, so the
first screen needs no chart library (DESIGN.md section 3, issue 18).

Pure: the selectors' readings in, plain values out; no queries.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils.formats import number_format
from django.utils.translation import gettext, gettext_noop, ngettext, npgettext

from core import consensus
from core.units import Unit, format_value, from_mgdl, mgdl_to_mmoll
from readings.models import FUTURE_TOLERANCE
from readings.now import Latest

# The card turns stale-coloured after STALE and says "no recent data" after OLD.
STALE = timedelta(minutes=15)
OLD = timedelta(hours=1)
CURVE_HOURS = 24

KIND_WORDS = {"cgm": "CGM", "fingerstick": gettext_noop("meter"), "scan": gettext_noop("scan")}


@dataclass(frozen=True)
class NowCard:
    """``state``: "none" (no readings at all), "fresh", "stale" (older than STALE) or
    "old" (older than OLD: no recent data)."""

    state: str
    value: str = ""  # "142" or "7.9", in ``unit``
    unit: str = ""
    arrow: str = ""
    trend_words: str = ""
    trend_computed: bool = False
    delta: str = ""  # "+6 mg/dL in 5 min"
    age: str = ""  # "4 min ago"
    span: str = ""  # "4 min"
    band: str = ""
    band_label: str = ""
    kind: str = ""
    taken_at: datetime | None = None  # in the record's zone
    title: str = ""  # the tab title's prefix: "142 ↗"


def span_text(age: timedelta) -> str:
    """ "under a minute", "4 min", "1 h 5 min", "3 days", in the reader's language."""
    minutes = int(age.total_seconds() // 60)
    if minutes < 1:
        return gettext("under a minute")
    if minutes < 60:
        return gettext("%(minutes)s min") % {"minutes": minutes}
    hours, rest = divmod(minutes, 60)
    if hours < 24:
        if rest:
            return gettext("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": rest}
        return gettext("%(hours)s h") % {"hours": hours}
    days = hours // 24
    return npgettext("time span", "%(days)s day", "%(days)s days", days) % {"days": days}


def age_text(age: timedelta) -> str:
    """ "just now", "4 min ago", "1 h 5 min ago", "3 days ago" (a future time is "just now":
    a meter may run a few minutes ahead)."""
    if age.total_seconds() < 60:
        return gettext("just now")
    return gettext("%(span)s ago") % {"span": span_text(age)}


def delta_text(delta_mgdl: int | None, minutes: float | None, unit: str) -> str:
    """ "+6 mg/dL in 5 min", "−0.3 mmol/L in 5 min", "±0 mg/dL in 5 min"; "" without one."""
    if delta_mgdl is None or minutes is None:
        return ""
    if unit == Unit.MMOLL:
        size = mgdl_to_mmoll(abs(delta_mgdl))
        number = number_format(size)
    else:
        size = abs(delta_mgdl)
        number = f"{size}"
    sign = "±" if size == 0 else ("+" if delta_mgdl > 0 else "−")
    return gettext("%(change)s in %(span)s") % {
        "change": f"{sign}{number} {unit}",
        "span": span_text(timedelta(minutes=minutes)),
    }


def now_card(
    latest: Latest | None,
    *,
    unit: str,
    target_low: int,
    target_high: int,
    tz: ZoneInfo,
    now: datetime,
) -> NowCard:
    """What the card shows of ``latest`` (readings.now.latest_glucose) at ``now``."""
    if latest is None:
        return NowCard(state="none")
    age = now - latest.taken_at
    state = "old" if age >= OLD else "stale" if age >= STALE else "fresh"
    band = consensus.band_of(latest.value_mgdl, target_low, target_high)
    value = number_format(from_mgdl(latest.value_mgdl, unit))
    if state == "fresh":
        title = f"{value} {latest.arrow}".strip()
    elif state == "stale":
        title = f"{value} {latest.arrow} ({age_text(age)})".replace("  ", " ")
    else:
        title = gettext("No recent data")
    return NowCard(
        state=state,
        value=value,
        unit=unit,
        arrow=latest.arrow,
        trend_words=latest.trend_words,
        trend_computed=latest.direction_computed,
        delta=delta_text(latest.delta_mgdl, latest.delta_minutes, unit),
        age=age_text(age),
        span=span_text(age),
        band=band,
        band_label=gettext(consensus.Band.LABELS[band]),
        kind=gettext(KIND_WORDS.get(latest.kind, latest.kind)),
        taken_at=latest.taken_at.astimezone(tz),
        title=title,
    )


# --- the last 24 hours as an SVG curve --------------------------------------------------

WIDTH, HEIGHT = 480, 180
LEFT, RIGHT, TOP, BOTTOM = 36, 10, 8, 24
Y_MIN_MGDL = 40
Y_MAX_MGDL = (300, 400)  # the top: 300 mg/dL, raised to 400 when the day went higher
GAP_SECONDS = 20 * 60  # CGM points further apart than this are not joined


@dataclass(frozen=True)
class Curve:
    """Coordinates in a WIDTH x HEIGHT viewBox. ``lines``: SVG path data, one path per
    run of CGM readings; ``dots``: (x, y, band) of meter readings and scans; ``last``:
    (x, y, band) of the newest reading."""

    width: int
    height: int
    plot_left: int
    plot_right: int
    plot_top: int
    plot_bottom: int
    lines: tuple[str, ...]
    dots: tuple[tuple[float, float, str], ...]
    last: tuple[float, float, str] | None
    target: tuple[float, float]  # y of the top edge, height
    y_labels: tuple[tuple[float, str], ...]
    x_labels: tuple[tuple[float, float, str], ...]  # x of the line, x of the label, label
    count: int
    description: str

    @property
    def plot_width(self) -> int:
        return self.plot_right - self.plot_left

    @property
    def label_x(self) -> int:
        """Where the y axis labels end, left of the plot."""
        return self.plot_left - 4

    @property
    def label_y(self) -> int:
        """The baseline of the hour labels, under the plot."""
        return self.height - 6


def curve_24h(
    epochs: Sequence[int],
    values_mgdl: Sequence[int],
    kinds: Sequence[str],
    *,
    now: datetime,
    tz: ZoneInfo,
    unit: str,
    target_low: int,
    target_high: int,
) -> Curve:
    """The readings of the CURVE_HOURS hours up to ``now`` (oldest first; Unix seconds) on
    a fixed scale: 40 to 300 mg/dL (400 when a value is above 300; higher values drawn at
    the top), the target range shaded, hours in the record's zone every 6 hours."""
    end = int(now.timestamp())
    start = end - CURVE_HOURS * 3600
    # A meter may run a few minutes ahead: its reading is drawn at the right edge.
    ahead = end + int(FUTURE_TOLERANCE.total_seconds())
    shown = [
        (t, v, k) for t, v, k in zip(epochs, values_mgdl, kinds, strict=True) if start <= t <= ahead
    ]
    top_mgdl = Y_MAX_MGDL[1] if any(v > Y_MAX_MGDL[0] for _, v, _ in shown) else Y_MAX_MGDL[0]
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x_of(t: int) -> float:
        return round(LEFT + min(t - start, end - start) / (end - start) * plot_w, 1)

    def y_of(v: int) -> float:
        clamped = min(max(v, Y_MIN_MGDL), top_mgdl)
        return round(TOP + (top_mgdl - clamped) / (top_mgdl - Y_MIN_MGDL) * plot_h, 1)

    def band(v: int) -> str:
        return consensus.band_of(v, target_low, target_high)

    runs, run, dots = [], [], []
    last_cgm = None
    for t, v, k in shown:
        if k != "cgm":
            dots.append((x_of(t), y_of(v), band(v)))
            continue
        if last_cgm is not None and t - last_cgm > GAP_SECONDS:
            runs.append(run)
            run = []
        run.append((x_of(t), y_of(v), v))
        last_cgm = t
    runs.append(run)
    paths = tuple(
        "M" + " L".join(f"{x} {y}" for x, y, _ in points) for points in runs if len(points) > 1
    )
    # A lone CGM reading between gaps is a dot, or it would not show.
    dots.extend((x, y, band(v)) for points in runs if len(points) == 1 for x, y, v in points)
    last = None
    if shown:
        t, v, _ = shown[-1]
        last = (x_of(t), y_of(v), band(v))

    x_labels = []
    hour = datetime.fromtimestamp(start - start % 3600 + 3600, tz)
    while hour.timestamp() <= end:
        if hour.hour % 6 == 0:
            x = x_of(int(hour.timestamp()))
            # The label centred on its line, but never cut off at the right edge.
            x_labels.append((x, min(x, WIDTH - 20), hour.strftime("%H:%M")))
        hour = datetime.fromtimestamp(hour.timestamp() + 3600, tz)
    y_high, y_low = y_of(target_high), y_of(target_low)
    values = [v for _, v, _ in shown]
    if values:
        description = ngettext(
            "Glucose over the last %(hours)s hours: %(count)s reading from %(low)s to "
            "%(high)s, the target range %(target_low)s to %(target_high)s shaded.",
            "Glucose over the last %(hours)s hours: %(count)s readings from %(low)s to "
            "%(high)s, the target range %(target_low)s to %(target_high)s shaded.",
            len(values),
        ) % {
            "hours": CURVE_HOURS,
            "count": len(values),
            "low": format_value(min(values), unit),
            "high": format_value(max(values), unit),
            "target_low": number_format(from_mgdl(target_low, unit)),
            "target_high": format_value(target_high, unit),
        }
    else:
        description = gettext("No readings in the last %(hours)s hours.") % {"hours": CURVE_HOURS}
    return Curve(
        width=WIDTH,
        height=HEIGHT,
        plot_left=LEFT,
        plot_right=WIDTH - RIGHT,
        plot_top=TOP,
        plot_bottom=HEIGHT - BOTTOM,
        lines=paths,
        dots=tuple(dots),
        last=last,
        target=(y_high, round(y_low - y_high, 1)),
        y_labels=(
            (y_high, str(from_mgdl(target_high, unit))),
            (y_low, str(from_mgdl(target_low, unit))),
        ),
        x_labels=tuple(x_labels),
        count=len(values),
        description=description,
    )


def now_context(data, *, unit: str) -> dict:
    """Template context of reports/_now.html from reports.selectors.NowData."""
    tz = data.patient.tzinfo
    target = data.target
    return {
        "now_card": now_card(
            data.latest,
            unit=unit,
            target_low=target.low_mgdl,
            target_high=target.high_mgdl,
            tz=tz,
            now=data.now,
        ),
        "now_curve": curve_24h(
            data.series.epochs,
            data.series.values_mgdl,
            data.series.kinds,
            now=data.now,
            tz=tz,
            unit=unit,
            target_low=target.low_mgdl,
            target_high=target.high_mgdl,
        ),
    }
