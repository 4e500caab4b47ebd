"""Busy time from outside Rendez (staff's own calendars), read by slots and booking through a registry.

Scheduling must not import the apps that know calendars, so they register a source here at startup
(`rendez.calendars` registers its busy blocks). A source answers, in ONE query, the spans each of a tenant's
staff members is busy that overlap `reach`; `load_calendars` adds them as busy spans, under the staff lock
when booking.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from rendez.scheduling.availability import Interval

BusySource = Callable[[int, Sequence[int], Interval], Mapping[int, Sequence[Interval]]]

_sources: list[BusySource] = []


def register(source: BusySource) -> None:
    """Add a source of busy time (idempotent: an app's ready() may run twice in tests)."""
    if source not in _sources:
        _sources.append(source)


def busy_of(tenant_id: int, staff_ids: Sequence[int], reach: Interval) -> dict[int, list[Interval]]:
    """Every registered source's busy spans of the tenant's `staff_ids` overlapping `reach`, by staff id."""
    found: dict[int, list[Interval]] = {}
    for source in _sources:
        for staff_id, spans in source(tenant_id, staff_ids, reach).items():
            found.setdefault(staff_id, []).extend(spans)
    return found
