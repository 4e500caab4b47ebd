"""What integrations add to the API, registered by each integration when its app is ready: routes, a section
of every staff object, and the relations that section reads. The API imports no integration; an integration
imports the API (its schemas and errors) and registers here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ninja import Router

from rendez.scheduling.models import Staff

StaffSection = Callable[[Staff], Mapping[str, Any] | None]
StaffList = Callable[[Staff], Sequence[Mapping[str, Any]]]

_routers: list[Router] = []
_staff_sections: dict[str, StaffSection] = {}
_staff_relations: list[str] = []
_staff_lists: dict[str, StaffList] = {}
_staff_prefetches: list[str] = []


def add_router(router: Router) -> None:
    if router not in _routers:
        _routers.append(router)


def routers() -> list[Router]:
    return list(_routers)


def add_staff_section(name: str, describe: StaffSection, *, relations: tuple[str, ...] = ()) -> None:
    """Staff objects' `name` field is `describe(member)`; `relations` are what to `select_related` on staff
    lists so it costs no query per staff member."""
    _staff_sections[name] = describe
    _staff_relations.extend(relation for relation in relations if relation not in _staff_relations)


def staff_section(name: str, member: Staff) -> dict[str, Any] | None:
    describe = _staff_sections.get(name)
    return dict(describe(member) or {}) or None if describe else None


def staff_relations() -> tuple[str, ...]:
    return tuple(_staff_relations)


def add_staff_list(name: str, describe: StaffList, *, prefetch: tuple[str, ...] = ()) -> None:
    """Staff objects' `name` field is the list `describe(member)` (e.g. `calendars`); `prefetch` are what to
    `prefetch_related` on staff lists so it costs one query per list, not one per staff member."""
    _staff_lists[name] = describe
    _staff_prefetches.extend(relation for relation in prefetch if relation not in _staff_prefetches)


def staff_list(name: str, member: Staff) -> list[dict[str, Any]]:
    describe = _staff_lists.get(name)
    return [dict(item) for item in describe(member)] if describe else []


def staff_prefetches() -> tuple[str, ...]:
    return tuple(_staff_prefetches)
