"""What a Graph event means for a staff member's time: blocks it, does not, or is one of ours.

Rules (issue 18): cancelled and declined (`responseStatus.response`) events never block; `showAs` `free` only
when the staff member asked for it (`transparent_events_block`); tentative, busy, oof, workingElsewhere and
unknown do; all-day events block their days in the zone the times were asked in. Our own written events never
block: Rendez marks them with a String single-value extended property `rendezId` (how Graph documents custom
data one can filter on) and a `transactionId` starting with `rendez-`, which delta answers carry (they do not
expand extended properties); an event whose id Rendez recorded as written counts as ours too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from rendez.calendars.busy import Block

# A GUID of Rendez's own, the namespace of its extended property (Graph: "String {GUID} Name name").
OWN_PROPERTY_ID = "String {66f5a359-4659-4830-9070-00047ec6ac6e} Name rendezId"
TRANSACTION_PREFIX = "rendez-"
_FRACTION = re.compile(r"\.(\d{1,7})$")


@dataclass(frozen=True)
class Classified:
    event_id: str
    block: Block | None  # it blocks time
    own: bool  # one of ours (or, removed, may have been)
    start: datetime | None = None
    end: datetime | None = None


def classify(
    item: dict[str, Any], calendar_id: str, zone: ZoneInfo, free_blocks: bool, own_ids: frozenset[str]
) -> Classified:
    event_id = str(item.get("id", ""))
    if "@removed" in item:
        # Deleted, or moved out of the window: it may have been one of ours.
        return Classified(event_id, None, True)
    span = _span(item, zone)
    if is_own(item) or event_id in own_ids:
        return Classified(event_id, None, True, *(span[:2] if span else (None, None)))
    if span is None or item.get("isCancelled") or _declined(item):
        return Classified(event_id, None, False)
    if item.get("showAs") == "free" and not free_blocks:
        return Classified(event_id, None, False)
    start, end, all_day = span
    if end <= start:
        return Classified(event_id, None, False)
    return Classified(event_id, Block(calendar_id, event_id, start, end, all_day), False)


def is_own(item: dict[str, Any]) -> bool:
    if str(item.get("transactionId") or "").startswith(TRANSACTION_PREFIX):
        return True
    props = item.get("singleValueExtendedProperties") or []
    return any(isinstance(p, dict) and str(p.get("id", "")).lower() == OWN_PROPERTY_ID.lower() for p in props)


def _declined(item: dict[str, Any]) -> bool:
    status = item.get("responseStatus")
    return isinstance(status, dict) and status.get("response") == "declined"


def _span(item: dict[str, Any], zone: ZoneInfo) -> tuple[datetime, datetime, bool] | None:
    try:
        start = parse_date_time(item["start"], zone)
        end = parse_date_time(item["end"], zone)
    except (KeyError, TypeError, ValueError):
        return None
    return start, end, bool(item.get("isAllDay"))


def parse_date_time(value: dict[str, Any], zone: ZoneInfo) -> datetime:
    """A Graph `dateTimeTimeZone` ("2030-03-20T09:00:00.0000000" in `timeZone`) as a UTC instant. Times were
    asked in `zone` (Prefer: outlook.timezone); a `timeZone` of "UTC" or the same IANA name agrees with it."""
    text = _FRACTION.sub(lambda m: "." + m.group(1)[:6].ljust(6, "0"), str(value["dateTime"]))
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        named = str(value.get("timeZone") or "")
        moment = moment.replace(tzinfo=UTC if named in ("UTC", "Etc/UTC") else zone)
    return moment.astimezone(UTC)
