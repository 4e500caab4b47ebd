"""/manage of one occurrence of a series: the series around it, and the scope of a change (this date, this
and the following ones, or every date still to come). Changes go through `scheduling.services`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from rendez.scheduling import services
from rendez.scheduling.models import Booking
from rendez.scheduling.series import Repeat
from rendez.web.customer.rules import change_refusal

THIS, FOLLOWING, ALL = "this", "following", "all"
SCOPES = (THIS, FOLLOWING, ALL)


@dataclass(frozen=True)
class Scope:
    value: str
    label: str
    count: int


def rule_label(booking: Booking) -> str:
    series = booking.series
    if series is None:
        return ""
    return Repeat(series.frequency, series.interval, series.count, series.until).describe()  # type: ignore[arg-type]


def occurrences(booking: Booking) -> list[Booking]:
    """Every occurrence of the booking's series, soonest first (past and cancelled ones too)."""
    if booking.series_id is None:
        return []
    return list(
        Booking.objects.filter(series_id=booking.series_id, tenant_id=booking.tenant_id)
        .select_related("appointment__service", "appointment__staff", "customer", "tenant")
        .order_by("appointment__start", "pk")
    )


def changeable(booking: Booking, now: datetime) -> list[Booking]:
    """The occurrences the customer may still change online, soonest first."""
    if booking.series is None:
        return []
    coming = services.series_bookings(booking.series, now=now)
    return [item for item in coming if change_refusal(item, now) is None]


def scopes(booking: Booking, now: datetime) -> list[Scope]:
    """The choices a change of `booking` offers, each with how many dates it touches; [] outside a series
    or when only this date could change."""
    open_ = changeable(booking, now)
    following = [item for item in open_ if item.appointment.start >= booking.appointment.start]
    if len(open_) <= 1:
        return []
    choices = [Scope(THIS, "Only this date", 1)]
    if len(following) > 1:
        choices.append(Scope(FOLLOWING, "This date and the following ones", len(following)))
    if len(open_) > len(following):
        choices.append(Scope(ALL, "Every date still to come", len(open_)))
    return choices


def cancel(booking: Booking, scope: str, now: datetime, *, reason: str = "") -> int:
    """Cancel per `scope`, by the customer with their optional reason; returns how many dates were
    cancelled."""
    if scope == THIS or booking.series is None:
        services.cancel_booking(booking, now=now, reason=reason, by_customer=True)
        return 1
    open_ = changeable(booking, now)
    first = booking if scope == FOLLOWING else (open_[0] if open_ else booking)
    cancelled = services.cancel_series(
        booking.series, from_booking=first, now=now, reason=reason, by_customer=True
    )
    return len(cancelled)


def move(booking: Booking, start: datetime, scope: str, now: datetime, *, reason: str = "") -> int:
    """Move per `scope` (this date, or it and the following ones by the same offset), by the customer with
    their optional reason; returns how many."""
    if scope == FOLLOWING and booking.series is not None:
        moved = services.reschedule_series(booking, start=start, now=now, reason=reason, by_customer=True)
        return len(moved)
    services.reschedule_booking(booking, start=start, now=now, reason=reason, by_customer=True)
    return 1
