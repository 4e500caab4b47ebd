"""Expanding a recurring event's RRULE into instances, for `singleEvents=true`.

The emulator understands FREQ=DAILY and FREQ=WEEKLY with INTERVAL, COUNT, UNTIL and (weekly) BYDAY, plus
EXDATE lines; other rules are refused with a 400 that names the emulator, so nobody mistakes it for Google's
answer. Occurrences are generated in the event's own time zone, so a 09:00 weekly meeting stays at 09:00
across a daylight saving change, as Google keeps it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from .errors import ApiError

WEEKDAYS = {"MO": 0, "TU": 1, "WE": 2, "TH": 3, "FR": 4, "SA": 5, "SU": 6}
MAX_INSTANCES = 1000


def unsupported(detail: str) -> ApiError:
    return ApiError(400, "invalid", f"google_emulator does not support this recurrence rule: {detail}")


def parse_rrule(lines: list[str]) -> dict[str, str]:
    rules = [line[len("RRULE:") :] for line in lines if line.upper().startswith("RRULE:")]
    if len(rules) != 1:
        raise unsupported("exactly one RRULE line is expected")
    parts: dict[str, str] = {}
    for part in rules[0].split(";"):
        key, _, value = part.partition("=")
        if not value:
            raise ApiError(400, "invalid", "Invalid recurrence rule.")
        parts[key.upper()] = value.upper()
    if parts.get("FREQ") not in ("DAILY", "WEEKLY"):
        raise unsupported(f"FREQ={parts.get('FREQ')}")
    unknown = set(parts) - {"FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "WKST"}
    if unknown:
        raise unsupported(", ".join(sorted(unknown)))
    for day in parts.get("BYDAY", "").split(","):
        if day and day not in WEEKDAYS:
            raise unsupported(f"BYDAY={day}")
    return parts


def _exdates(lines: list[str], zone: ZoneInfo) -> set[datetime]:
    found: set[datetime] = set()
    for line in lines:
        if not line.upper().startswith("EXDATE"):
            continue
        _, _, values = line.partition(":")
        for value in values.split(","):
            found.add(_parse_ical_moment(value.strip(), zone))
    return found


def _parse_ical_moment(value: str, zone: ZoneInfo) -> datetime:
    if len(value) == 8:
        return datetime.strptime(value, "%Y%m%d").replace(tzinfo=zone)
    if value.endswith("Z"):
        return datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    return datetime.strptime(value, "%Y%m%dT%H%M%S").replace(tzinfo=zone)


def occurrences(lines: list[str], first: datetime, zone: ZoneInfo, horizon: datetime) -> Iterator[datetime]:
    """Start moments of the series beginning at `first` (aware, in `zone`), up to `horizon` at most."""
    rule = parse_rrule(lines)
    interval = int(rule.get("INTERVAL", "1"))
    count = int(rule["COUNT"]) if "COUNT" in rule else None
    until = _parse_ical_moment(rule["UNTIL"], zone) if "UNTIL" in rule else None
    excluded = _exdates(lines, zone)
    local = first.astimezone(zone).replace(tzinfo=None)
    if rule["FREQ"] == "DAILY":
        candidates = (local + timedelta(days=interval * step) for step in range(MAX_INSTANCES * interval))
    else:
        days = sorted(WEEKDAYS[d] for d in rule.get("BYDAY", "").split(",") if d) or [local.weekday()]
        week_start = local - timedelta(days=local.weekday())
        candidates = (
            week_start + timedelta(weeks=interval * week, days=day)
            for week in range(MAX_INSTANCES)
            for day in days
        )
    produced = 0
    for candidate in candidates:
        if candidate < local:
            continue
        moment = candidate.replace(tzinfo=zone)
        if (until is not None and moment > until) or moment > horizon:
            return
        if count is not None and produced >= count:
            return
        produced += 1
        if moment in excluded or any(moment == ex for ex in excluded):
            continue
        yield moment
        if produced >= MAX_INSTANCES:
            return


def instance_suffix(moment: datetime, all_day: bool) -> str:
    """Google's instance ids: `{eventId}_{start}` with the start as 20261208T080000Z (or 20261208)."""
    if all_day:
        return moment.strftime("%Y%m%d")
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def as_date(moment: datetime) -> date:
    return moment.date()
