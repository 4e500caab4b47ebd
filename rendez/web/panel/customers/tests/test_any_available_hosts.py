"""Booking for a customer with "any available" in the panel follows the rule of the booking page and the API:
for a video service, only staff who can host its meeting are picked (a customer given anyone else would get no
link). An admin who names a staff member still gets them."""

from __future__ import annotations

import pytest

from rendez.api.tests.fixtures import berlin
from rendez.integrations.zoom import tenant_settings
from rendez.scheduling.models import Booking
from rendez.scheduling.tests.factories import make_service
from rendez.tests.integrations.zoom.fixtures import MARIA, connect_staff
from rendez.web.panel.customers.tests.test_customers import _form

pytestmark = pytest.mark.django_db


@pytest.fixture
def video(alice, dora, maria):
    """Maria has a Zoom account connected; Dora has none."""
    tenant_settings.update(alice, {"enabled": True})
    return make_service(alice, dora, maria, name="Video consultation", zoom_enabled=True)


def test_any_available_offers_and_picks_only_staff_who_can_host(
    ada_client,
    video,
    dora,
    maria,
    monday,
    api,
    zoom,
):
    connect_staff(api, zoom, maria, MARIA)
    slots = ada_client.get(
        "/panel/customers/book/slots/", {"service": video.pk, "staff": "", "date": monday.isoformat()}
    ).content.decode()
    assert berlin(monday, 9).isoformat() in slots  # Maria's

    for hour in (9, 10, 11):
        response = ada_client.post(
            "/panel/customers/book/",
            _form(video, dora, monday, hour, staff="", email=f"c{hour}@example.com", name="C"),
        )
        assert response.status_code == 302
    assert {booking.appointment.staff for booking in Booking.objects.all()} == {maria}


def test_a_staff_member_named_by_the_admin_is_booked_though_they_cannot_host_yet(
    ada_client,
    video,
    dora,
    monday,
    api,
    zoom,
):
    response = ada_client.post("/panel/customers/book/", _form(video, dora, monday, 9, name="C"))
    assert response.status_code == 302
    assert Booking.objects.get().appointment.staff == dora
