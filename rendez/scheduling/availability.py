"""Free slots from rules and busy intervals: pure functions, no database.

Working hours are wall-clock times in the staff member's zone; everything else is UTC. A slot is offered when
the service fits inside working hours, outside time off, and its buffered span touches no other appointment's
buffered span. An existing group appointment of the same service with seats left is offered as a slot of its
own.
"""

from __future__ import annotations

import bisect
from collections.abc import Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import compress, groupby, repeat
from typing import TypeVar
from zoneinfo import ZoneInfo

WeeklyHours = Mapping[int, Sequence[tuple[time, time]]]
K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True, order=True, slots=True)
class Interval:
    start: datetime
    end: datetime

    def overlaps(self, other: Interval) -> bool:
        return self.start < other.end and other.start < self.end

    def contains(self, other: Interval) -> bool:
        return self.start <= other.start and other.end <= self.end


@dataclass(frozen=True)
class SlotRules:
    duration: timedelta
    interval: timedelta
    buffer_before: timedelta = timedelta(0)
    buffer_after: timedelta = timedelta(0)
    capacity: int = 1
    min_notice: timedelta = timedelta(0)
    horizon: timedelta = timedelta(days=60)


@dataclass(frozen=True, slots=True)
class BusyAppointment:
    """An appointment holding seats. `joinable`: same service, so a new booking may join it."""

    start: datetime
    end: datetime
    block: Interval
    seats_taken: int
    capacity: int
    joinable: bool = False
    key: object = None

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.seats_taken, 0)


@dataclass(frozen=True, order=True, slots=True)
class Slot:
    start: datetime
    end: datetime
    seats_left: int


@dataclass(frozen=True)
class Refusal:
    """Why a start cannot be booked. `conflict` ones are about the calendar, the rest about the request."""

    code: str
    message: str

    @property
    def is_conflict(self) -> bool:
        return self.code in {"outside_working_hours", "time_off", "conflict", "full"}


@dataclass(frozen=True)
class Calendar:
    """Everything known about one staff member's time that availability needs.

    `busy`: time taken by something nobody can join (staff's own calendars): plain spans kept apart like an
    appointment's block, so the service's buffers keep their distance from them. Lighter than an appointment
    each, and merged where they overlap or touch, which changes no slot (a slot's buffered span touches the
    union of two touching spans exactly when it touches one of them)."""

    zone: ZoneInfo
    weekly_hours: WeeklyHours
    time_off: Sequence[Interval]
    appointments: Sequence[BusyAppointment]
    busy: Sequence[Interval] = ()


def local_to_utc(day: date, wall_time: time, zone: ZoneInfo) -> datetime:
    """A wall-clock time on a day in `zone`, as UTC. Times in a spring-forward gap move on, as clocks do."""
    return datetime.combine(day, wall_time, tzinfo=zone).astimezone(UTC)


def working_intervals(calendar: Calendar, window: Interval) -> list[Interval]:
    """The staff member's working intervals (UTC) that overlap the window, whole."""
    first = window.start.astimezone(calendar.zone).date() - timedelta(days=1)
    last = window.end.astimezone(calendar.zone).date() + timedelta(days=1)
    intervals = []
    day = first
    while day <= last:
        for start_time, end_time in calendar.weekly_hours.get(day.weekday(), ()):
            interval = Interval(
                local_to_utc(day, start_time, calendar.zone), local_to_utc(day, end_time, calendar.zone)
            )
            if interval.end > interval.start and interval.overlaps(window):
                intervals.append(interval)
        day += timedelta(days=1)
    return sorted(intervals)


def blocked_span(start: datetime, rules: SlotRules) -> Interval:
    """What an appointment at `start` keeps busy: the service widened by its buffers."""
    return Interval(start - rules.buffer_before, start + rules.duration + rules.buffer_after)


def free_slots(rules: SlotRules, calendar: Calendar, window: Interval, now: datetime) -> list[Slot]:
    """Bookable slots whose start lies in `window`, for a party of one."""
    return [slot for _, slot in free_slots_of_staff(rules, {0: calendar}, window, now)]


def free_slots_of_staff(
    rules: SlotRules, calendars: Mapping[K, Calendar], window: Interval, now: datetime
) -> list[tuple[K, Slot]]:
    """Bookable slots of each calendar starting in `window`, by start, then in the order of `calendars`.

    The "any staff" answer in one pass: the grid of starts is worked out once for each zone and weekly hours
    (a team usually shares both), and each calendar only strikes from it what its appointments and time off
    rule out."""
    earliest = max(window.start, now + rules.min_notice)
    latest = min(window.end, now + rules.horizon + timedelta(microseconds=1))
    if earliest >= latest:
        return []
    grids: dict[tuple[ZoneInfo, tuple], _Grid] = {}
    found: list[tuple[K, Slot]] = []
    for key, calendar in calendars.items():
        shape = (calendar.zone, _hours_key(calendar.weekly_hours))
        grid = grids.get(shape)
        if grid is None:
            grid = grids[shape] = _grid(rules, calendar, earliest, latest)
        found.extend(zip(repeat(key), _open_slots(grid, calendar, earliest, latest)))
    found.sort(key=_start_of)  # stable: calendars offering the same start stay in the order given
    return found


def _start_of(found: tuple[object, Slot]) -> datetime:
    return found[1].start


@dataclass(frozen=True)
class _Grid:
    """The starts working hours offer between two instants, and what a booking at each would keep busy.

    Every list is in start order, so the starts an interval touches are one range found by bisection."""

    starts: list[datetime]
    ends: list[datetime]
    block_starts: list[datetime]
    block_ends: list[datetime]
    # One Slot per start for every calendar sharing the grid: they are frozen, and building them is the cost.
    slots: list[Slot]

    def overlapping(self, interval: Interval) -> range:
        """The starts whose slot overlaps `interval`."""
        return range(
            bisect.bisect_right(self.ends, interval.start), bisect.bisect_left(self.starts, interval.end)
        )

    def touching(self, block: Interval) -> range:
        """The starts whose blocked span (the slot widened by its buffers) overlaps `block`."""
        first = bisect.bisect_right(self.block_ends, block.start)
        return range(first, bisect.bisect_left(self.block_starts, block.end))

    def at(self, start: datetime) -> range:
        """The grid's start equal to `start`, if it has one."""
        index = bisect.bisect_left(self.starts, start)
        found = index < len(self.starts) and self.starts[index] == start
        return range(index, index + 1) if found else range(0)


def _grid(rules: SlotRules, calendar: Calendar, earliest: datetime, latest: datetime) -> _Grid:
    around = Interval(earliest - rules.duration, latest + rules.duration)
    offered = sorted(
        start
        for work in working_intervals(calendar, around)
        for start in _starts_within(work, rules)
        if earliest <= start < latest
    )
    # Each start once, should working hours overlap. Equal neighbours, not a set: hashing an aware datetime
    # costs more than the rest of the grid.
    starts = [start for start, _ in groupby(offered)]
    ends = [start + rules.duration for start in starts]
    return _Grid(
        starts=starts,
        ends=ends,
        block_starts=[start - rules.buffer_before for start in starts],
        block_ends=[end + rules.buffer_after for end in ends],
        slots=[Slot(start, end, rules.capacity) for start, end in zip(starts, ends, strict=True)],
    )


def _starts_within(work: Interval, rules: SlotRules) -> Iterator[datetime]:
    start = work.start
    while start + rules.duration <= work.end:
        yield start
        start += rules.interval


def _open_slots(grid: _Grid, calendar: Calendar, earliest: datetime, latest: datetime) -> list[Slot]:
    """The grid's slots that `calendar` leaves open, then its group sessions that still have seats."""
    open_starts = bytearray(b"\x01") * len(grid.starts)
    struck = [grid.overlapping(off) for off in calendar.time_off]
    struck += [grid.touching(appointment.block) for appointment in calendar.appointments]
    struck += [grid.touching(span) for span in calendar.busy]
    joinable = [appointment for appointment in calendar.appointments if appointment.joinable]
    # An open session's own start is offered below, with its seats left, rather than as a fresh slot.
    struck += [grid.at(appointment.start) for appointment in joinable]
    for starts in struck:
        if starts:
            open_starts[starts.start : starts.stop] = bytes(len(starts))
    slots = list(compress(grid.slots, open_starts))
    # Open group sessions can be joined even off the grid or after the hours changed: they are happening.
    slots += [
        Slot(appointment.start, appointment.end, appointment.seats_left)
        for appointment in joinable
        if earliest <= appointment.start < latest and appointment.seats_left > 0
    ]
    return slots


def _hours_key(weekly_hours: WeeklyHours) -> tuple:
    return tuple(sorted((day, tuple(spans)) for day, spans in weekly_hours.items() if spans))


def _people(count: int) -> str:
    return "1 person" if count == 1 else f"{count} people"


def _seats_left_message(seats_left: int) -> str:
    if seats_left == 0:
        return "That time is fully booked."
    seats = "1 seat is" if seats_left == 1 else f"{seats_left} seats are"
    return f"Only {seats} left at that time."


def check_request(rules: SlotRules, start: datetime, now: datetime, party_size: int = 1) -> Refusal | None:
    """The refusals that need no calendar: when `start` is, and how many come. Checked first, so a start years
    away is refused before any arithmetic on it could overflow."""
    if start < now:
        return Refusal("in_past", "That time is in the past.")
    if start < now + rules.min_notice:
        minutes = int(rules.min_notice.total_seconds() // 60)
        return Refusal("too_soon", f"This service must be booked at least {minutes} minutes in advance.")
    if start > now + rules.horizon:
        return Refusal("too_far", f"This service can be booked at most {rules.horizon.days} days in advance.")
    if party_size > rules.capacity:
        return Refusal("party_too_large", f"This service takes at most {_people(rules.capacity)} per slot.")
    return None


def check_start(
    rules: SlotRules, calendar: Calendar, start: datetime, now: datetime, party_size: int = 1
) -> Slot | Refusal:
    """Whether a party can be booked at exactly `start`, and if not, the precise reason."""
    refusal = check_request(rules, start, now, party_size)
    if refusal is not None:
        return refusal

    joinable = next((a for a in calendar.appointments if a.joinable and a.start == start), None)
    if joinable is not None:
        if joinable.seats_left < party_size:
            return Refusal("full", _seats_left_message(joinable.seats_left))
        return Slot(joinable.start, joinable.end, joinable.seats_left)

    end = start + rules.duration
    slot = Interval(start, end)
    work = next((w for w in working_intervals(calendar, slot) if w.contains(slot)), None)
    if work is None:
        return Refusal("outside_working_hours", "That time is outside the staff member's working hours.")
    if (start - work.start) % rules.interval:
        minutes = int(rules.interval.total_seconds() // 60)
        return Refusal("not_a_slot", f"Slots start every {minutes} minutes from the start of working hours.")
    if any(off.overlaps(slot) for off in calendar.time_off):
        return Refusal("time_off", "The staff member is away at that time.")
    buffered = blocked_span(start, rules)
    if any(appointment.block.overlaps(buffered) for appointment in calendar.appointments) or any(
        span.overlaps(buffered) for span in calendar.busy
    ):
        return Refusal("conflict", "That time is already taken.")
    return Slot(start, end, rules.capacity)
