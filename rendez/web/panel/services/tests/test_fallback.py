"""The service form's fallback provider ("If Zoom cannot make the meeting, use"): offered among the other
providers the business can choose now, saved through the catalog as the API's is (the API shows it), refused
with the catalog's own message; staff and other tenants cannot change it."""

from __future__ import annotations

import pytest

from rendez.calendars.models import CalendarConnection
from rendez.scheduling.models import Service
from rendez.scheduling.tests.factories import make_service
from rendez.web.panel.services.tests.test_services import FORM, zoom_usable

pytestmark = pytest.mark.django_db

SAME = "The fallback video provider must differ from the video provider."


@pytest.fixture
def meet_usable(alice, dora) -> CalendarConnection:
    """Zoom set up, and a staff member with a Google calendar: Zoom and Google Meet can be chosen."""
    zoom_usable(alice)
    return CalendarConnection.objects.create(tenant=alice, staff=dora, provider="google")


@pytest.fixture
def zoom_call(alice, meet_usable) -> Service:
    return make_service(alice, name="Zoom call", video_provider="zoom")


def offered(page) -> list[str]:
    field = page.context["form"]["fallback_video_provider"]
    return [str(value) for value, _ in field.field.widget.choices]


def test_the_fallback_names_the_provider_and_offers_the_others_available(ada_client, zoom_call):
    page = ada_client.get(f"/panel/services/{zoom_call.pk}/")
    html = page.content.decode()
    assert "If Zoom cannot make the meeting, use" in html
    assert "nothing (the booking waits for the link)" in html
    # Not Zoom itself; not Teams, which no one here can host yet.
    assert offered(page) == ["", "google_meet"]


def test_an_admin_sets_the_fallback_and_the_api_shows_it(ada_client, alice_api, zoom_call):
    data = {**FORM, "video_provider": "zoom", "fallback_video_provider": "google_meet"}
    assert ada_client.post(f"/panel/services/{zoom_call.pk}/", data).status_code == 302
    shown = alice_api.get(f"/services/{zoom_call.pk}").json()
    assert (shown["video_provider"], shown["fallback_video_provider"]) == ("zoom", "google_meet")
    page = ada_client.get(f"/panel/services/{zoom_call.pk}/")
    assert page.context["form"]["fallback_video_provider"].value() == "google_meet"


def test_a_new_service_chooses_its_provider_and_fallback_at_once(ada_client, alice, alice_api, meet_usable):
    assert "fallback_video_provider" in ada_client.get("/panel/services/new/").context["form"].fields
    data = {**FORM, "video_provider": "google_meet", "fallback_video_provider": "zoom"}
    assert ada_client.post("/panel/services/new/", data).status_code == 302
    service = Service.objects.get(tenant=alice, name=FORM["name"])
    shown = alice_api.get(f"/services/{service.pk}").json()
    assert (shown["video_provider"], shown["fallback_video_provider"]) == ("google_meet", "zoom")


def test_a_fallback_same_as_the_provider_is_refused_with_the_catalogs_message(ada_client, zoom_call):
    data = {**FORM, "video_provider": "zoom", "fallback_video_provider": "zoom"}
    response = ada_client.post(f"/panel/services/{zoom_call.pk}/", data)
    assert response.status_code == 400
    assert response.context["form"].errors["fallback_video_provider"] == [SAME]
    assert SAME in response.content.decode()
    zoom_call.refresh_from_db()
    assert zoom_call.fallback_video_provider is None


def test_a_fallback_no_one_can_host_is_refused(ada_client, zoom_call):
    data = {**FORM, "video_provider": "zoom", "fallback_video_provider": "teams"}
    response = ada_client.post(f"/panel/services/{zoom_call.pk}/", data)
    assert response.status_code == 400
    assert "Microsoft 365 calendar" in response.context["form"].errors["fallback_video_provider"][0]


def test_turning_video_off_takes_the_fallback_with_it_and_hides_it(ada_client, alice, meet_usable):
    service = make_service(alice, name="Call", video_provider="zoom", fallback_video_provider="google_meet")
    data = {**FORM, "video_provider": "", "fallback_video_provider": "google_meet"}
    assert ada_client.post(f"/panel/services/{service.pk}/", data).status_code == 302
    service.refresh_from_db()
    assert (service.video_provider, service.fallback_video_provider) == (None, None)
    html = ada_client.get(f"/panel/services/{service.pk}/").content.decode()
    assert 'name="fallback_video_provider"' not in html


def test_staff_cannot_set_the_fallback(dora_client, zoom_call):
    data = {**FORM, "video_provider": "zoom", "fallback_video_provider": "google_meet"}
    assert dora_client.post(f"/panel/services/{zoom_call.pk}/", data).status_code == 404
    zoom_call.refresh_from_db()
    assert zoom_call.fallback_video_provider is None


def test_an_outsider_cannot_reach_the_service(olga_client, zoom_call):
    assert olga_client.get(f"/panel/services/{zoom_call.pk}/").status_code == 404
    data = {**FORM, "video_provider": "zoom", "fallback_video_provider": "google_meet"}
    assert olga_client.post(f"/panel/services/{zoom_call.pk}/", data).status_code == 404
    zoom_call.refresh_from_db()
    assert zoom_call.fallback_video_provider is None
