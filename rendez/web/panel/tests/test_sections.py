"""The panel's registry of what integrations add (web/panel/sections.py): Zoom registers its parts when its
app is ready, and the panel draws whatever is registered: a staff card and list column, a settings card."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, reverse
from django.utils.html import escape

from rendez.integrations.zoom.models import Connection
from rendez.scheduling.tests.factories import make_staff
from rendez.web.panel import sections

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).parent / "templates"


def names(patterns: list[URLPattern | URLResolver]) -> set[str | None]:
    return {pattern.name for pattern in patterns if isinstance(pattern, URLPattern)}


def test_zoom_registers_every_part_when_its_app_is_ready():
    # The calendar cards follow Zoom's (rendez/tests/integrations/google/test_panel.py and
    # rendez/tests/integrations/microsoft/test_panel.py test them).
    assert [section.key for section in sections.staff_sections()] == [
        "zoom",
        "google_calendar",
        "microsoft_calendar",
    ]
    assert [section.key for section in sections.settings_sections()] == ["zoom"]
    choice = sections.video_choice("zoom")
    assert choice is not None and choice.settings_url() == "/panel/settings/zoom/"
    assert [(value, choice is not None) for value, _, choice in sections.video_choices()] == [
        ("zoom", True),
        ("google_meet", True),
        ("teams", True),
    ]
    assert names(sections.urls("settings")) >= {"settings_zoom", "settings_zoom_s2s"}
    assert names(sections.urls("staff")) >= {"staff_zoom_connect", "staff_me_connect"}
    assert reverse("panel:staff_zoom_map", args=[7]) == "/panel/staff/7/zoom/map/"
    assert sections.job_references()["zoom.connection_notice"] == ("connection_id", Connection)
    assert len(sections.onboarding_steps()) == 1 and len(sections.dashboard_notices()) == 2


@pytest.fixture
def registry(settings, monkeypatch):
    """A registry of this test's own (Zoom's parts kept), and templates from this folder."""
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [TEMPLATES]}]
    monkeypatch.setattr(sections, "_registry", copy.deepcopy(sections._registry))
    return sections


def calendar_of(panel, member, refused) -> dict | None:
    if member.name == "Hidden":
        return None  # nothing to show for this member: no card
    return {"calendar": {"status": f"synced for {panel.tenant.name}"}}


def test_a_registered_staff_section_and_column_are_drawn(registry, ada_client, alice, dora):
    hidden = make_staff(alice, "Hidden")
    registry.add_staff_section(
        sections.StaffSection(
            key="calendar",
            title="Calendar",
            template="sections_test/staff.html",
            context=calendar_of,
            cell_template="sections_test/cell.html",
            cell_context=lambda member: {"calendar": {"status": f"ok {member.pk}"}},
            order=200,
        )
    )
    page = ada_client.get(f"/panel/staff/{dora.pk}/").content.decode()
    assert f"Calendar of {dora.name}: synced for {escape(alice.name)}" in page
    assert page.index('data-testid="zoom-section"') < page.index('data-testid="test-section"')  # by order
    assert 'data-testid="test-section"' not in ada_client.get(f"/panel/staff/{hidden.pk}/").content.decode()

    listed = ada_client.get("/panel/staff/").content.decode()
    assert '<th scope="col">Zoom</th><th scope="col">Calendar</th>' in listed
    assert f'data-testid="calendar-{dora.pk}"><span data-testid="test-cell">ok {dora.pk}</span>' in listed


def test_a_registered_settings_card_is_drawn(registry, ada_client, alice):
    registry.add_settings_section(
        sections.SettingsSection(
            key="calendar",
            template="sections_test/card.html",
            context=lambda panel: {"calendar": {"summary": f"none for {panel.tenant.name}"}},
        )
    )
    page = ada_client.get("/panel/settings/").content.decode()
    assert f"Calendars: none for {escape(alice.name)}" in page
    assert 'data-testid="zoom-summary"' in page


def test_registering_the_same_urls_twice_adds_them_once(registry):
    before = sections.urls("settings")
    sections.add_urls("settings", before)
    assert sections.urls("settings") == before
