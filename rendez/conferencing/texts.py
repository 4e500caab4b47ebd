"""The tenant's templates for a meeting's topic and description, used by every provider's meetings (Zoom's
topic and agenda, the title and description of a Google Meet or Teams meeting's calendar event), so a business
names its meetings once.

They are edited on the Zoom integration's settings page and stored with its settings, where they began (no
neutral home for them exists yet): that integration registers them here, and Google Meet and Teams read them
without importing it. With no source registered, the defaults below (the same as Zoom's)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rendez.tenants.models import Tenant

DEFAULT_TOPIC = "{service_name} with {staff_name}"
DEFAULT_DESCRIPTION = "{service_name} booked with {tenant_name}."


@dataclass(frozen=True)
class MeetingTexts:
    """Shortcode templates (scheduling's shortcodes), rendered per meeting by `conferencing.snapshots`."""

    topic_template: str = DEFAULT_TOPIC
    description_template: str = DEFAULT_DESCRIPTION


_sources: list[Callable[[Tenant], MeetingTexts]] = []


def register(source: Callable[[Tenant], MeetingTexts]) -> None:
    """Where the tenant's templates are kept; the one registered last wins."""
    _sources.append(source)


def meeting_texts(tenant: Tenant) -> MeetingTexts:
    return _sources[-1](tenant) if _sources else MeetingTexts()
