"""Booking "any available" staff member: the service's assignment policy picks who, among those free.

The candidates free at the asked start are ordered by the service's policy (`assignment.ordered`) after
those at their daily or weekly cap are left out; each is then asked in turn through `services.book`, the one
writer of bookings, which checks the caps again under the staff member's lock. A candidate taken in the
meantime hands over to the next. The public booking page, the panel and the API all book this way;
docs/scheduling.md tells the rules.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta

from django.db.models import Count, Max
from django.utils import timezone

from rendez.scheduling import services, workload
from rendez.scheduling.assignment import (
    FAIRNESS_WINDOW,
    Caps,
    Standing,
    cap_reached,
    ordered,
    week_of,
)
from rendez.scheduling.availability import Interval, Slot
from rendez.scheduling.calendars import LONGEST_BLOCK, find_slots
from rendez.scheduling.models import Assignment, Booking, Service, Staff
from rendez.scheduling.workload import TAKES_PLACE

# Caps are per day and per week: a window's sessions are read this far around it.
WEEK = timedelta(days=7)


def book_any_available(
    service: Service,
    candidates: Sequence[Staff],
    start: datetime,
    customer: services.CustomerDetails,
    *,
    party_size: int = 1,
    notes: str = "",
    now: datetime | None = None,
    answers: Sequence[Mapping[str, object]] = (),
) -> Booking:
    """Book `start` with the candidate the service's policy picks among those free then (and under their
    caps); the booking records the policy in `assigned_by`. With nobody free, the first candidate's refusal
    says why (taken, too soon, in the past)."""
    if not candidates:
        raise services.BookingError("not_offered", "Nobody offers this service yet.", field="service_id")
    now = now or timezone.now()
    window = Interval(start, start + timedelta(minutes=1))
    fitting = [
        (member, slot)
        for member, slot in free_slots(service, candidates, window, now)
        if slot.start == start and slot.seats_left >= party_size
    ]
    # A group session already open at that time is joined before another staff member opens a second one:
    # a class fills up rather than being split between coaches (the policy orders within each group).
    open_session = {member.pk for member, slot in fitting if slot.seats_left < service.capacity}
    in_order = ranked(service, [member for member, _ in fitting], start, now)  # one read of the standings
    able = sorted(in_order, key=lambda member: member.pk not in open_session)  # stable: policy order kept
    refusal: services.BookingError | None = None
    for member in able or list(candidates[:1]):
        try:
            return services.book(
                service=service,
                staff=member,
                start=start,
                customer=customer,
                party_size=party_size,
                notes=notes,
                now=now,
                assignment=service.assignment,
                answers=answers,
            )
        except services.BookingError as error:
            if not error.conflict:
                raise
            refusal = error
    assert refusal is not None
    raise refusal


def ranked(service: Service, candidates: Sequence[Staff], start: datetime, now: datetime) -> list[Staff]:
    """`candidates` in the order the service's policy asks them for a booking at `start`."""
    if not candidates:
        return []
    by_id = {member.pk: member for member in candidates}
    standings = standings_of(service, candidates, start, now)
    return [by_id[standing.staff_id] for standing in ordered(service.assignment, standings)]


def standings_of(
    service: Service, candidates: Sequence[Staff], start: datetime, now: datetime
) -> list[Standing]:
    """What the policies weigh, read in at most two statements: each candidate's recent assignments of this
    service and, for least busy, their sessions in the week of `start`."""
    ids = [member.pk for member in candidates]
    since = now - FAIRNESS_WINDOW
    recent = (
        Booking.objects.filter(
            tenant_id=service.tenant_id,
            appointment__service=service,
            appointment__staff_id__in=ids,
            # Nothing is booked in the past, so a booking made since then is of an appointment starting since
            # then: the staff members' recent appointments (an index range), not the tenant's whole history.
            appointment__block_start__gte=since - LONGEST_BLOCK,
            created_at__gte=since,
            status__in=TAKES_PLACE,
        )
        .exclude(assigned_by="")
        .values("appointment__staff_id")
        .annotate(assigned=Count("pk"), last=Max("created_at"))
    )
    assigned = {row["appointment__staff_id"]: (row["assigned"], row["last"]) for row in recent}
    busy = _weekly_sessions(candidates, start) if service.assignment == Assignment.LEAST_BUSY else {}
    never = (0, None)
    return [
        Standing(
            staff_id=member.pk,
            name=member.name,
            priority=member.assignment_priority,
            weight=member.assignment_weight,
            assigned=assigned.get(member.pk, never)[0],
            last_assigned=assigned.get(member.pk, never)[1],
            busy=busy.get(member.pk, 0),
        )
        for member in candidates
    ]


def _weekly_sessions(candidates: Sequence[Staff], start: datetime) -> dict[int, int]:
    """Each candidate's sessions in the week of `start`, in their own zone."""
    weeks = {member.pk: week_of(start, member.zone) for member in candidates}
    span = Interval(min(w.start for w in weeks.values()), max(w.end for w in weeks.values()))
    counts: dict[int, int] = defaultdict(int)
    for staff_id, begins in workload.session_starts(list(weeks), span):
        if weeks[staff_id].start <= begins < weeks[staff_id].end:
            counts[staff_id] += 1
    return counts


def free_slots(
    service: Service, staff: Sequence[Staff], window: Interval, now: datetime, external: bool = True
) -> list[tuple[Staff, Slot]]:
    """`find_slots` for "any available": without the slots that would start a new session for someone at
    their daily or weekly cap (joining a group session they give already stays open)."""
    found = find_slots(service, staff, window, now, external)
    capped = [member for member in staff if _caps(member).any]
    if not capped:
        return found
    load = _sessions_around(capped, window)
    return [
        (member, slot)
        for member, slot in found
        if slot.seats_left < service.capacity or not _at_cap(member, load, slot.start)
    ]


def _caps(member: Staff) -> Caps:
    return Caps(member.max_assignments_per_day, member.max_assignments_per_week)


# Per staff id: sessions per local day, and per local week (keyed by its Monday).
Load = dict[int, tuple[Counter[date], Counter[date]]]


def _sessions_around(capped: Sequence[Staff], window: Interval) -> Load:
    """The sessions of `capped` in the days and weeks `window` touches, counted in each one's own zone."""
    zones = {member.pk: member.zone for member in capped}
    load: Load = {member.pk: (Counter(), Counter()) for member in capped}
    for staff_id, begins in workload.session_starts(
        list(zones), Interval(window.start - WEEK, window.end + WEEK)
    ):
        day = begins.astimezone(zones[staff_id]).date()
        load[staff_id][0][day] += 1
        load[staff_id][1][_monday(day)] += 1
    return load


def _at_cap(member: Staff, load: Load, start: datetime) -> bool:
    if member.pk not in load:
        return False
    days, weeks = load[member.pk]
    day = start.astimezone(member.zone).date()
    return cap_reached(_caps(member), days[day], weeks[_monday(day)]) is not None


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())
