"""Event start/end points (`{"dateTime", "timeZone"}` or `{"date"}`) as instants."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import ApiError


def zone(name: str, which: str = "start") -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ApiError(400, "invalid", f"Invalid time zone definition for {which} time.") from None


def is_all_day(point: dict[str, Any]) -> bool:
    return "date" in point and "dateTime" not in point


def moment(point: Any, calendar_zone: str, which: str) -> datetime:
    """The aware datetime a point stands for; all-day dates start at midnight in the calendar's zone."""
    if not isinstance(point, dict) or not (point.get("date") or point.get("dateTime")):
        raise ApiError(400, "required", f"Missing {which} time.")
    if point.get("date") and point.get("dateTime"):
        raise ApiError(400, "invalid", f"Invalid {which} time.")
    if point.get("date"):
        try:
            day = date.fromisoformat(str(point["date"]))
        except ValueError:
            raise ApiError(400, "invalid", f"Invalid {which} time.") from None
        return datetime(day.year, day.month, day.day, tzinfo=zone(calendar_zone, which))
    try:
        value = datetime.fromisoformat(str(point["dateTime"]))
    except ValueError:
        raise ApiError(400, "invalid", f"Invalid {which} time.") from None
    if value.tzinfo is None:
        if not point.get("timeZone"):
            raise ApiError(400, "required", f"Missing time zone definition for {which} time.")
        value = value.replace(tzinfo=zone(str(point["timeZone"]), which))
    elif point.get("timeZone"):
        zone(str(point["timeZone"]), which)
    return value


def point_like(template: dict[str, Any], at: datetime) -> dict[str, Any]:
    """A start/end point shaped like `template` (date or dateTime+timeZone) for an instance at `at`."""
    if is_all_day(template):
        return {"date": at.date().isoformat()}
    point: dict[str, Any] = {"dateTime": at.isoformat()}
    if template.get("timeZone"):
        point["timeZone"] = template["timeZone"]
        point["dateTime"] = at.astimezone(ZoneInfo(template["timeZone"])).isoformat()
    return point


def utc_text(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def days(count: int) -> timedelta:
    return timedelta(days=count)
