"""What integrations add to the API, registered by each integration when its app is ready: routes, a section
of every staff object, and the relations that section reads. The API imports no integration; an integration
imports the API (its schemas and errors) and registers here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ninja import Router

from rendez.scheduling.models import Staff

StaffSection = Callable[[Staff], Mapping[str, Any] | None]

_routers: list[Router] = []
_staff_sections: dict[str, StaffSection] = {}
_staff_relations: list[str] = []


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
