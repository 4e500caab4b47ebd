"""The business profile's opt-in to offer staff who cannot host Zoom meetings yet: an admin sets it (staff
get 404, an outsider only reaches their own business), and a video service's warning says what the booking
page does with those staff."""

from __future__ import annotations

import html

import pytest

from rendez.scheduling.tests.factories import make_service, make_staff
from rendez.web.panel.services.tests.test_services import zoom_usable
from rendez.web.panel.settings.tests.test_profile import PROFILE, URL

pytestmark = pytest.mark.django_db


def test_an_admin_turns_it_on_and_off_with_a_one_line_explanation(ada_client, alice):
    page = html.unescape(ada_client.get(URL).content.decode())
    assert "Offer staff who cannot host Zoom meetings yet" in page
    assert "their customers get the link by email once they connect Zoom." in page

    assert ada_client.post(URL, {**PROFILE, "offer_staff_without_zoom": "on"}).status_code == 302
    alice.refresh_from_db()
    assert alice.offer_staff_without_zoom
    box = ada_client.get(URL).content.decode().split('name="offer_staff_without_zoom"')[1].split(">")[0]
    assert "checked" in box

    assert ada_client.post(URL, PROFILE).status_code == 302
    alice.refresh_from_db()
    assert not alice.offer_staff_without_zoom


def test_staff_and_outsiders_cannot_turn_it_on(dora_client, olga_client, alice, bob):
    assert dora_client.post(URL, {**PROFILE, "offer_staff_without_zoom": "on"}).status_code == 404
    assert olga_client.post(URL, {**PROFILE, "offer_staff_without_zoom": "on"}).status_code == 302

    alice.refresh_from_db()
    bob.refresh_from_db()
    assert not alice.offer_staff_without_zoom and bob.offer_staff_without_zoom


def test_the_service_warning_says_whether_they_are_offered(ada_client, alice, dora):
    zoom_usable(alice)
    nina = make_staff(alice, "Nina")
    service = make_service(alice, nina, name="Coaching", zoom_enabled=True)

    def warning() -> str:
        page = html.unescape(ada_client.get(f"/panel/services/{service.pk}/").content.decode())
        return page.split('data-testid="cannot-host"')[1].split("</div>")[0]

    assert "Not offered for this service on your booking page" in warning()
    assert "Nina</a>: no Zoom account connected or mapped" in warning()

    alice.offer_staff_without_zoom = True
    alice.save(update_fields=["offer_staff_without_zoom"])

    assert "Offered on your booking page although they cannot host a Zoom meeting yet" in warning()
    assert "Nina</a>: no Zoom account connected or mapped" in warning()
