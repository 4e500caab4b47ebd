"""The service form's provider choice: Zoom, Google Meet, Microsoft Teams or none. A provider that cannot be
chosen now is shown disabled, with the reason beside it; a forged choice of one is refused; a service already
on one (set through the API) keeps it when saved."""

from __future__ import annotations

import pytest

from rendez.calendars.models import CalendarConnection
from rendez.scheduling.models import Service
from rendez.scheduling.tests.factories import make_service, make_staff
from rendez.tenants.profile import update_profile
from rendez.web.panel.services.tests.test_services import FORM, zoom_usable

pytestmark = pytest.mark.django_db


def option(html: str, value: str) -> str:
    return html.split(f'<option value="{value}"')[1].split(">")[0]


def test_providers_that_cannot_host_yet_are_shown_disabled_with_the_reason(ada_client, alice):
    zoom_usable(alice)
    page = ada_client.get("/panel/services/new/")
    html = page.content.decode()
    assert not page.context["form"].fields["video_provider"].disabled
    assert "disabled" not in option(html, "zoom") and "disabled" not in option(html, "")
    assert "disabled" in option(html, "google_meet") and "disabled" in option(html, "teams")
    assert "No staff member has connected a Google calendar yet" in html
    assert "No staff member has connected a Microsoft 365 calendar yet" in html
    assert 'aria-describedby="video-hint"' in html


def test_a_forged_choice_of_a_refused_provider_is_refused_on_its_field(ada_client, alice):
    zoom_usable(alice)
    response = ada_client.post("/panel/services/new/", {**FORM, "video_provider": "teams"})
    assert response.status_code == 400
    assert response.context["form"].errors["video_provider"] == [
        "No staff member has connected a Microsoft 365 calendar yet: "
        "Microsoft Teams meetings are made on the host's calendar."
    ]
    assert not Service.objects.filter(tenant=alice).exists()


def test_a_service_on_a_refused_provider_keeps_it_when_saved(ada_client, alice):
    zoom_usable(alice)
    service = make_service(alice, name="Teams call", video_provider="teams", fallback_video_provider="zoom")
    page = ada_client.get(f"/panel/services/{service.pk}/")
    assert page.context["form"]["video_provider"].value() == "teams"
    data = {**FORM, "name": "Renamed", "video_provider": "teams"}
    assert ada_client.post(f"/panel/services/{service.pk}/", data).status_code == 302
    service.refresh_from_db()
    assert (service.name, service.video_provider, service.fallback_video_provider) == (
        "Renamed",
        "teams",
        "zoom",
    )
    assert "Microsoft Teams" in ada_client.get("/panel/services/").content.decode()


def test_choosing_none_turns_video_off(ada_client, alice):
    zoom_usable(alice)
    service = make_service(alice, name="Call", video_provider="zoom")
    assert (
        ada_client.post(f"/panel/services/{service.pk}/", {**FORM, "video_provider": ""}).status_code == 302
    )
    service.refresh_from_db()
    assert service.video_provider is None and service.zoom_enabled is False


def test_staff_who_cannot_host_a_meet_meeting_are_named_with_google_meet(ada_client, alice, dora):
    emil = make_staff(alice, "Emil")
    CalendarConnection.objects.create(tenant=alice, staff=emil, provider="google")
    service = make_service(alice, dora, name="Meet call", video_provider="google_meet")
    page = ada_client.get(f"/panel/services/{service.pk}/").content.decode()
    warning = page.split('data-testid="cannot-host"')[1].split("</div>")[0]
    assert "until they can host a Google Meet meeting" in warning
    assert "no Google calendar connected" in warning
    update_profile(alice, {"offer_staff_without_zoom": True})
    page = ada_client.get(f"/panel/services/{service.pk}/").content.decode()
    assert "cannot host a Google Meet meeting yet" in page
    warning = page.split('data-testid="cannot-host"')[1].split("</div>")[0]
    assert "once they connect their Google calendar." in warning and "Zoom" not in warning
