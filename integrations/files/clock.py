"""The hour that repeats when the clocks go back, in an imported file: which occurrence a
row's local time is (from the row order within a stream of rows, or Dexcom's transmitter
time), and how each was decided, for the import result page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.utils.translation import gettext_lazy as _


class ClockHow:
    TRANSMITTER = "transmitter"  # Dexcom's Transmitter Time counts seconds without a clock
    ROW_ORDER = "row_order"  # the file's rows go back in time where the clock went back
    FIRST = "first"  # no evidence: the first occurrence (the reading form's rule too)


CLOCK_HOW_TEXT = {
    ClockHow.TRANSMITTER: _("from the Dexcom transmitter's own count of time"),
    ClockHow.ROW_ORDER: _("from the order of the rows in the file"),
    ClockHow.FIRST: _("as the first one, since nothing in the file tells which"),
}


@dataclass(frozen=True)
class ClockResolution:
    """Rows of one local day whose time occurred twice, what was made of them and how."""

    day: date
    fold: int  # 0: the first occurrence of the repeated hour, 1: the second
    how: str
    count: int

    @property
    def occurrence(self) -> str:
        if self.fold:
            return str(_("second occurrence (after the clocks went back)"))
        return str(_("first occurrence (before the clocks went back)"))

    @property
    def how_text(self) -> str:
        return str(CLOCK_HOW_TEXT[self.how])


@dataclass
class _Stream:
    """One stream's walk through a file (the CGM rows, the meter rows ...): its direction
    and, inside an hour that repeats, whether the clock has gone back yet."""

    last: datetime | None = None  # the last unambiguous wall time
    direction: int = 0  # +1 oldest first, -1 newest first, 0 not known yet
    window: tuple | None = None  # the repeated hour being walked through
    extreme: datetime | None = None  # latest (or earliest) wall time seen in it
    turned: bool = False  # the wall clock has stepped back inside the window


class ClockTracker:
    """Reads a wall time that occurs twice (the hour repeated when the clocks go back)
    from the order of the file's rows.

    Exports list each stream in time order, oldest or newest first. Walking oldest first
    through a repeated hour, the wall clock steps back once (01:55, then 01:00 again):
    rows before the step are the first occurrence, rows after it the second; newest first,
    the other way round. A repeated hour with no step (the data covers only one of the two
    hours) is read as the first occurrence, and counted as such."""

    def __init__(self):
        self.streams: dict[str, _Stream] = {}

    def plain(self, naive: datetime, stream: str) -> None:
        """Note an unambiguous wall time (the file's direction, the end of a window)."""
        state = self.streams.get(stream)
        if state is None:
            state = self.streams[stream] = _Stream()
        if state.last is not None and not state.direction and naive != state.last:
            state.direction = 1 if naive > state.last else -1
        state.last, state.window = naive, None

    def fold(self, naive: datetime, tz: ZoneInfo, stream: str) -> tuple[int, str]:
        state = self.streams.setdefault(stream, _Stream())
        first = naive.replace(tzinfo=tz, fold=0)
        second = naive.replace(tzinfo=tz, fold=1)
        if first.utcoffset() == second.utcoffset():
            if state.last is not None and naive != state.last and not state.direction:
                state.direction = 1 if naive > state.last else -1
            state.last, state.window = naive, None
            return 0, ""
        window = (naive.date(), first.utcoffset(), second.utcoffset())
        if not state.direction and state.last is not None and state.window != window:
            # Entering the repeated hour tells the direction: from below (01:45, then
            # 02:00) when oldest first, from above (03:00, then 02:45) when newest first.
            state.direction = 1 if naive > state.last else -1
        ascending = state.direction >= 0
        if state.window != window:
            state.window, state.extreme, state.turned = window, naive, False
        elif (naive < state.extreme) if ascending else (naive > state.extreme):
            state.turned = True
        else:
            state.extreme = naive
        if state.turned:
            return (1 if ascending else 0), ClockHow.ROW_ORDER
        if ascending:
            return 0, ClockHow.FIRST  # counted as row order too once the clock turns
        # Newest first, the rows just after the hour that follows are its latest times.
        return 1, ClockHow.ROW_ORDER


def plain_hour(naive: datetime, tz: ZoneInfo) -> bool:
    """Whether every wall time of ``naive``'s hour exists once, with one UTC offset: the
    offsets at its first and last second agree whichever occurrence is asked for (a clock
    change inside the hour makes one of them differ)."""
    start = naive.replace(minute=0, second=0, microsecond=0)
    end = start.replace(minute=59, second=59)
    offsets = {
        moment.replace(tzinfo=tz, fold=fold).utcoffset()
        for moment in (start, end)
        for fold in (0, 1)
    }
    return len(offsets) == 1
