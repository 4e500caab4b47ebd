"""Recurring series: when the occurrences of a repeat rule fall. Pure: no models, no database.

A rule is "every `interval` days, weeks or months, `count` times or until a date" (exactly one of the two),
at most `SERIES_MAX_OCCURRENCES` occurrences. Occurrences keep the first one's wall-clock time in the staff
member's zone, so a weekly 10:00 class stays at 10:00 local across a change of daylight saving time (its UTC
instant moves by an hour).

Choices (docs/series.md):
- Monthly repeats on the first occurrence's day of the month and skips months that have no such day (a series
  from 31 January has no February occurrence), as RFC 5545's BYMONTHDAY does and Google Calendar shows; the
  count counts occurrences made, so "monthly × 4 from 31 January" ends on 31 July.
- A local time that does not exist on a day (skipped when clocks go forward) is moved forward by the gap
  (02:30 becomes 03:30), and one that exists twice (clocks go back) is its first instant, as RFC 5545 reads
  both.
- `until` is a date in the staff member's zone and is included.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from rendez.scheduling.models import SERIES_MAX_OCCURRENCES

Frequency = Literal["daily", "weekly", "monthly"]
FREQUENCIES: tuple[Frequency, ...] = ("daily", "weekly", "monthly")
MAX_INTERVAL = 52


class RepeatError(ValueError):
    """A rule that cannot be a series; `field` names the part of `repeat` at fault."""

    def __init__(self, code: str, message: str, field: str = "repeat"):
        super().__init__(message)
        self.code, self.message, self.field = code, message, field


@dataclass(frozen=True)
class Repeat:
    frequency: Frequency
    interval: int = 1
    count: int | None = None
    until: date | None = None

    def describe(self) -> str:
        """ "weekly × 4", "every 2 weeks until 30 June 2027": how people read the rule."""
        unit = {"daily": "day", "weekly": "week", "monthly": "month"}[self.frequency]
        every = self.frequency if self.interval == 1 else f"every {self.interval} {unit}s"
        if self.count is not None:
            return f"{every} × {self.count}"
        assert self.until is not None
        return f"{every} until {self.until:%d %B %Y}"


def check(repeat: Repeat) -> None:
    """Refuse a rule that is not one: an unknown frequency, an interval out of range, neither or both of
    count and until, a count over the maximum."""
    if repeat.frequency not in FREQUENCIES:
        raise RepeatError("invalid_repeat", "Repeat daily, weekly or monthly.", "repeat.frequency")
    if not 1 <= repeat.interval <= MAX_INTERVAL:
        raise RepeatError(
            "invalid_repeat", f"The interval must be between 1 and {MAX_INTERVAL}.", "repeat.interval"
        )
    if (repeat.count is None) == (repeat.until is None):
        raise RepeatError("invalid_repeat", "Give either a number of occurrences or an end date, not both.")
    if repeat.count is not None and not 1 <= repeat.count <= SERIES_MAX_OCCURRENCES:
        raise RepeatError(
            "too_many_occurrences",
            f"A series has at most {SERIES_MAX_OCCURRENCES} occurrences.",
            "repeat.count",
        )


def occurrences(
    first: datetime, repeat: Repeat, zone: ZoneInfo, *, last_day: date | None = None
) -> list[datetime]:
    """The starts of the series beginning at `first` (aware), in UTC, soonest first.

    `last_day` is the last local day anything can be booked (the service's horizon): an `until` past it is
    refused rather than cut short, so nobody believes they booked dates they did not."""
    check(repeat)
    if first.tzinfo is None:
        raise RepeatError("naive_start", "The start time needs a UTC offset or zone.", "start")
    local = first.astimezone(zone)
    if repeat.until is not None:
        if repeat.until < local.date():
            raise RepeatError(
                "invalid_repeat", "The end date is before the first occurrence.", "repeat.until"
            )
        if last_day is not None and repeat.until > last_day:
            raise RepeatError(
                "too_far",
                f"The end date is past {last_day:%d %B %Y}, the last day this service can be booked.",
                "repeat.until",
            )
    wall = local.replace(tzinfo=None)
    starts: list[datetime] = []
    step = 0
    while True:
        day = _nth_day(wall.date(), repeat, step)
        step += 1
        if day is None:
            continue  # a month without that day
        if repeat.until is not None and day > repeat.until:
            return starts
        starts.append(_instant(datetime.combine(day, wall.time()), zone))
        if len(starts) == repeat.count:
            return starts
        if len(starts) > SERIES_MAX_OCCURRENCES:
            raise RepeatError(
                "too_many_occurrences",
                f"That end date makes more than {SERIES_MAX_OCCURRENCES} occurrences; choose an earlier one.",
                "repeat.until",
            )


def shifted(start: datetime, old_first: datetime, new_first: datetime, zone: ZoneInfo) -> datetime:
    """`start` moved as `old_first` moved to `new_first`, by the same wall-clock offset in `zone`: moving
    "this and following" from 10:00 to 11:00 keeps every later occurrence at 11:00 local, across DST."""
    offset = _wall(new_first, zone) - _wall(old_first, zone)
    return _instant(_wall(start, zone) + offset, zone)


def _nth_day(first: date, repeat: Repeat, step: int) -> date | None:
    if repeat.frequency == "daily":
        return first + timedelta(days=step * repeat.interval)
    if repeat.frequency == "weekly":
        return first + timedelta(weeks=step * repeat.interval)
    months = first.month - 1 + step * repeat.interval
    year, month = first.year + months // 12, months % 12 + 1
    if first.day > calendar.monthrange(year, month)[1]:
        return None
    return date(year, month, first.day)


def _wall(moment: datetime, zone: ZoneInfo) -> datetime:
    return moment.astimezone(zone).replace(tzinfo=None)


def _instant(wall: datetime, zone: ZoneInfo) -> datetime:
    """The UTC instant of a wall-clock time in `zone`: the first of two (fold=0), and one in a gap moved
    forward by the gap (zoneinfo reads a gap time with the offset before it)."""
    return wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
