"""Who gets a booking made for "any available" staff member: the service's policy as pure functions.

docs/scheduling.md ("Any available: round robin, least busy, first free") tells the rules with an example.
The numbers each policy weighs are read by `any_staff.py`; the caps are enforced under the staff lock by
`services.py`. Nothing here touches the database.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

from rendez.scheduling.availability import Interval
from rendez.scheduling.models import Assignment

# Round robin weighs the assignments of the last 30 days: long enough to even out a month of leave, short
# enough that a coach who joins today is not owed a year of bookings.
FAIRNESS_WINDOW = timedelta(days=30)
NEVER = datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Standing:
    """One candidate as the policies see them.

    `assigned`: bookings of this service given to them by a policy within FAIRNESS_WINDOW (cancelled and
    declined ones left out); `last_assigned`: the latest of those, None when there is none; `busy`: their
    sessions in the week of the asked start (any service, however booked)."""

    staff_id: int
    name: str
    priority: int = 0
    weight: int = 1
    assigned: int = 0
    last_assigned: datetime | None = None
    busy: int = 0

    @property
    def share(self) -> Fraction:
        """Assignments per unit of weight: weight 2 with 4 is as served as weight 1 with 2."""
        return Fraction(self.assigned, max(self.weight, 1))


def ordered(policy: str, standings: Sequence[Standing]) -> list[Standing]:
    """The candidates in the order they are asked, the first free one taking the booking.

    Every policy asks a higher priority first. Then round robin: the smallest weighted share, ties to the
    least recently assigned; least busy: the fewest sessions that week, ties as round robin; first free: by
    name. Name and id settle what is left, so the order never depends on the database's."""
    return sorted(standings, key=_KEYS.get(policy, _first_free))


def _round_robin(standing: Standing) -> tuple:
    return (
        -standing.priority,
        standing.share,
        standing.last_assigned or NEVER,
        standing.name,
        standing.staff_id,
    )


def _least_busy(standing: Standing) -> tuple:
    return (-standing.priority, standing.busy, *_round_robin(standing)[1:])


def _first_free(standing: Standing) -> tuple:
    return (-standing.priority, standing.name, standing.staff_id)


_KEYS: dict[str, Callable[[Standing], tuple]] = {
    Assignment.ROUND_ROBIN: _round_robin,
    Assignment.LEAST_BUSY: _least_busy,
    Assignment.FIRST_FREE: _first_free,
}


def day_of(start: datetime, zone: ZoneInfo) -> Interval:
    """The calendar day of `start` in `zone` (a staff member's own), as UTC instants."""
    return _days(start.astimezone(zone).date(), 1, zone)


def week_of(start: datetime, zone: ZoneInfo) -> Interval:
    """The week (Monday to Sunday) of `start` in `zone`, as UTC instants."""
    day = start.astimezone(zone).date()
    return _days(day - timedelta(days=day.weekday()), 7, zone)


def _days(first: date, count: int, zone: ZoneInfo) -> Interval:
    return Interval(
        datetime.combine(first, time.min, tzinfo=zone).astimezone(UTC),
        datetime.combine(first + timedelta(days=count), time.min, tzinfo=zone).astimezone(UTC),
    )


@dataclass(frozen=True)
class Caps:
    per_day: int | None
    per_week: int | None

    @property
    def any(self) -> bool:
        return self.per_day is not None or self.per_week is not None


def cap_reached(caps: Caps, sessions_that_day: int, sessions_that_week: int) -> str | None:
    """Which cap a new session would pass ("day" or "week"), or None when it fits."""
    if caps.per_day is not None and sessions_that_day >= caps.per_day:
        return "day"
    if caps.per_week is not None and sessions_that_week >= caps.per_week:
        return "week"
    return None
