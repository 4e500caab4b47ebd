"""The stretch of days a calendar page shows: one day, a Monday-to-Sunday week, or a month's weeks.

Pure functions over dates in the viewer's zone; the views turn them into aware datetimes only to query."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

KINDS = ("day", "week", "month")


@dataclass(frozen=True)
class Period:
    kind: str  # one of KINDS
    anchor: date  # the day asked for; prev/next/today keep the kind
    first: date  # first day shown
    last: date  # last day shown (inclusive)

    @property
    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]

    @property
    def weeks(self) -> list[list[date]]:
        days = self.days
        return [days[i : i + 7] for i in range(0, len(days), 7)]

    @property
    def previous(self) -> date:
        return _shift(self.kind, self.anchor, -1)

    @property
    def next(self) -> date:
        return _shift(self.kind, self.anchor, 1)


def period_of(kind: str, anchor: date) -> Period:
    if kind == "day":
        return Period(kind, anchor, anchor, anchor)
    if kind == "week":
        monday = _monday(anchor)
        return Period(kind, anchor, monday, monday + timedelta(days=6))
    # A month shows whole weeks, so the grid starts on a Monday and ends on a Sunday.
    first_of_month = anchor.replace(day=1)
    last_of_month = _shift("month", first_of_month, 1) - timedelta(days=1)
    return Period(kind, anchor, _monday(first_of_month), _monday(last_of_month) + timedelta(days=6))


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _shift(kind: str, day: date, steps: int) -> date:
    if kind == "day":
        return day + timedelta(days=steps)
    if kind == "week":
        return day + timedelta(weeks=steps)
    month_index = day.year * 12 + day.month - 1 + steps
    # The 1st, so that January 31 moves to February, not past it.
    return date(month_index // 12, month_index % 12 + 1, 1)
