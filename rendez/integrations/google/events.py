"""What a Google event means for a staff member's time: blocks it, does not, or is one of ours.

Rules (issue 18): cancelled and declined events never block; transparent ("free") ones only when the staff
member asked for it; all-day events do, as the days in the calendar's zone; our own written events (private
extended property `rendezAppointment`, or `rendezMeeting` on a Google Meet meeting's event) never do, they
are only watched for changes people make to them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from rendez.calendars.busy import Block

OWN_PROPERTY = "rendezAppointment"
# The event of a Google Meet meeting Rendez made (meet.py): the appointment itself, so it never blocks time.
MEET_PROPERTY = "rendezMeeting"


@dataclass(frozen=True)
class Own:
    """One of the events Rendez wrote, as the calendar has it now (start None: deleted there)."""

    event_id: str
    start: datetime | None
    end: datetime | None


@dataclass(frozen=True)
class Classified:
    block: Block | None  # it blocks time
    own: Own | None  # it is, or may be, one of ours
    event_id: str


def classify(item: dict[str, Any], calendar_id: str, zone: ZoneInfo, transparent_blocks: bool) -> Classified:
    event_id = str(item.get("id", ""))
    if item.get("status") == "cancelled":
        # Deleted entries carry only their id: it may have been one of ours.
        return Classified(None, Own(event_id, None, None), event_id)
    span = _span(item, zone)
    private = (item.get("extendedProperties") or {}).get("private") or {}
    if OWN_PROPERTY in private or MEET_PROPERTY in private:
        return Classified(None, Own(event_id, *(span[:2] if span else (None, None))), event_id)
    if span is None or _declined(item):
        return Classified(None, None, event_id)
    if item.get("transparency") == "transparent" and not transparent_blocks:
        return Classified(None, None, event_id)
    start, end, all_day = span
    if end <= start:
        return Classified(None, None, event_id)
    return Classified(Block(calendar_id, event_id, start, end, all_day), None, event_id)


def _declined(item: dict[str, Any]) -> bool:
    return any(
        isinstance(attendee, dict) and attendee.get("self") and attendee.get("responseStatus") == "declined"
        for attendee in item.get("attendees") or []
    )


def _span(item: dict[str, Any], zone: ZoneInfo) -> tuple[datetime, datetime, bool] | None:
    start, end = item.get("start") or {}, item.get("end") or {}
    try:
        if "date" in start and "date" in end:
            first, last = date.fromisoformat(start["date"]), date.fromisoformat(end["date"])
            return _midnight(first, zone), _midnight(last, zone), True
        if "dateTime" in start and "dateTime" in end:
            return parse_instant(start["dateTime"]), parse_instant(end["dateTime"]), False
    except (TypeError, ValueError):
        return None
    return None


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def parse_instant(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError("an RFC 3339 time without an offset")
    return moment.astimezone(UTC)
