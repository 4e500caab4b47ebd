"""What integrations add to the panel, registered by each integration when its app is ready (its
`AppConfig.ready()`): a section of the staff page (with a column of the staff list), a card under Settings →
Integrations, the video provider a service may choose, addresses under /panel/, onboarding steps, a notice on
the dashboard and the jobs the dead-letter list can name.

The panel imports no integration (rendez/web/panel/tests/test_import_boundary.py holds it to that): it
iterates what is registered here. An integration imports the panel (its access helpers, its page functions)
and registers here, as it registers its API routes in `rendez.api.extensions`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import models
from django.urls import URLPattern, URLResolver

from rendez.scheduling.models import Service, Staff, VideoProvider
from rendez.tenants.models import Tenant

if TYPE_CHECKING:
    from rendez.web.panel.access import Panel
    from rendez.web.panel.onboarding.checklist import Step

Context = dict[str, Any]


@dataclass(frozen=True)
class StaffSection:
    """A card of the staff page (the admin's page of a member, and a member's own "My schedule").

    `context(panel, member, forms)` is what `template` reads (None: the card is not shown); `forms` are the
    forms refused on this request, by name, for the card to show with their errors. `cell_template` draws the
    staff list's column `title` from `cell_context(member)`; `relations` are what to `select_related` on staff
    so neither costs a query per member."""

    key: str
    title: str
    template: str
    context: Callable[[Panel, Staff, Mapping[str, Any]], Context | None]
    cell_template: str = ""
    cell_context: Callable[[Staff], Context] | None = None
    relations: tuple[str, ...] = ()
    order: int = 100


@dataclass(frozen=True)
class SettingsSection:
    """A card under Settings → Integrations: `template` is drawn with `context(panel)`, leading to the
    integration's own settings page."""

    key: str
    template: str
    context: Callable[[Panel], Context]
    order: int = 100


@dataclass(frozen=True)
class VideoChoice:
    """A video provider a service may choose (`Service.video_provider`), as an integration offers it.

    `refusal(tenant)` says why the tenant cannot choose it now (None: it can); `settings_url` is where to set
    it up; `cannot_host(service)` names the staff offering the service who could not host its meeting, and
    why."""

    provider: str
    refusal: Callable[[Tenant], str | None]
    settings_url: Callable[[], str]
    cannot_host: Callable[[Service], list[tuple[Staff, str]]] = lambda service: []


@dataclass(frozen=True)
class DashboardNotice:
    """Something the dashboard asks the admin to act on: `template` drawn with `context(tenant)`, shown
    when that is not None."""

    key: str
    template: str
    context: Callable[[Tenant], Context | None]


@dataclass
class _Registry:
    staff: dict[str, StaffSection] = field(default_factory=dict)
    settings: dict[str, SettingsSection] = field(default_factory=dict)
    video: dict[str, VideoChoice] = field(default_factory=dict)
    notices: dict[str, DashboardNotice] = field(default_factory=dict)
    # area ("staff", "settings", ...) -> patterns under /panel/<area>/, in the `panel` namespace
    urls: dict[str, list[URLPattern | URLResolver]] = field(default_factory=dict)
    steps: dict[str, Callable[[Tenant, models.QuerySet[Service]], list[Step]]] = field(default_factory=dict)
    references: dict[str, tuple[str, type[models.Model]]] = field(default_factory=dict)


_registry = _Registry()


def add_staff_section(section: StaffSection) -> None:
    _registry.staff[section.key] = section


def add_settings_section(section: SettingsSection) -> None:
    _registry.settings[section.key] = section


def add_video_choice(choice: VideoChoice) -> None:
    _registry.video[choice.provider] = choice


def add_dashboard_notice(notice: DashboardNotice) -> None:
    _registry.notices[notice.key] = notice


def add_urls(area: str, patterns: Sequence[URLPattern | URLResolver]) -> None:
    """Addresses under /panel/<area>/ with names in the `panel` namespace (area: staff, settings)."""
    known = _registry.urls.setdefault(area, [])
    known.extend(pattern for pattern in patterns if pattern not in known)


def add_onboarding_steps(key: str, steps: Callable[[Tenant, models.QuerySet[Service]], list[Step]]) -> None:
    """`steps(tenant, active_services)`: the integration's steps of the onboarding checklist."""
    _registry.steps[key] = steps


def add_job_reference(kind: str, payload_key: str, model: type[models.Model]) -> None:
    """Dead jobs of `kind` are about the `model` row whose id is the payload's `payload_key`."""
    _registry.references[kind] = (payload_key, model)


def staff_sections() -> list[StaffSection]:
    return sorted(_registry.staff.values(), key=lambda section: (section.order, section.key))


def staff_relations() -> tuple[str, ...]:
    found: list[str] = []
    for section in staff_sections():
        found.extend(relation for relation in section.relations if relation not in found)
    return tuple(found)


def settings_sections() -> list[SettingsSection]:
    return sorted(_registry.settings.values(), key=lambda section: (section.order, section.key))


def video_choice(provider: str) -> VideoChoice | None:
    return _registry.video.get(provider)


def video_choices() -> list[tuple[str, str, VideoChoice | None]]:
    """Every provider a service may name, in `VideoProvider`'s order: (value, label, its choice or None when
    no integration offers it here)."""
    return [(value, str(label), _registry.video.get(value)) for value, label in VideoProvider.choices]


def dashboard_notices() -> list[DashboardNotice]:
    return list(_registry.notices.values())


def urls(area: str) -> list[URLPattern | URLResolver]:
    return list(_registry.urls.get(area, []))


def onboarding_steps() -> list[Callable[[Tenant, models.QuerySet[Service]], list[Step]]]:
    return list(_registry.steps.values())


def job_references() -> dict[str, tuple[str, type[models.Model]]]:
    return dict(_registry.references)
