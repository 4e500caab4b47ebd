"""Services in the panel: list, create, edit through the catalog writers, the Zoom toggle and the meeting
options; staff and other tenants refused."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils.html import escape

from rendez.integrations.zoom import tenant_settings
from rendez.integrations.zoom.models import Connection, Mode
from rendez.integrations.zoom.panel.services import NO_CONNECTION, ZOOM_OFF
from rendez.scheduling.models import Service
from rendez.scheduling.tests.factories import make_service, make_staff
from rendez.tenants.models import Plan
from rendez.web.panel.tests.fixtures import signed_in

pytestmark = pytest.mark.django_db

FORM = {
    "name": "Video consultation",
    "description": "",
    "duration_minutes": "45",
    "buffer_before_minutes": "5",
    "buffer_after_minutes": "10",
    "capacity": "1",
    "price": "60.00",
    "location_type": "video",
    "initial_status": "confirmed",
    "min_notice_minutes": "120",
    "horizon_days": "30",
    "is_active": "on",
    "waiting_room": "",
    "join_before_host": "",
    "mute_upon_entry": "",
    "auto_recording": "",
}


def zoom_usable(tenant) -> Connection:
    tenant_settings.update(tenant, {"enabled": True})
    return Connection.objects.create(tenant=tenant, mode=Mode.TENANT_S2S, account_id="acct")


def test_the_list_shows_the_tenants_services_only(ada_client, consultation, bob):
    make_service(bob, name="Bob's secret service")
    page = ada_client.get("/panel/services/")
    assert page.status_code == 200
    assert b"Consultation" in page.content and b"Bob&#x27;s secret service" not in page.content
    assert b'href="/panel/services/"' in page.content  # the nav link


def test_an_admin_creates_a_service_with_staff_and_meeting_options(ada_client, alice, dora):
    zoom_usable(alice)
    data = {
        **FORM,
        "staff": [str(dora.pk)],
        "video_provider": "zoom",
        "waiting_room": "on",
        "mute_upon_entry": "off",
        "auto_recording": "cloud",
    }
    response = ada_client.post("/panel/services/new/", data)
    assert response.status_code == 302, response.content.decode()
    service = Service.objects.get(tenant=alice, name="Video consultation")
    assert (service.duration_minutes, service.buffer_before_minutes, service.buffer_after_minutes) == (
        45,
        5,
        10,
    )
    assert (service.min_notice_minutes, service.horizon_days, str(service.price)) == (120, 30, "60.00")
    assert service.zoom_enabled is True
    assert service.meeting_options == {
        "waiting_room": True,
        "mute_upon_entry": False,
        "auto_recording": "cloud",
    }
    assert list(service.staff.all()) == [dora]


def test_editing_returns_an_option_to_the_hosts_default_and_shows_stored_values(ada_client, alice, dora):
    zoom_usable(alice)
    service = make_service(
        alice, dora, name="Coaching", zoom_enabled=True, meeting_options={"waiting_room": True}
    )
    page = ada_client.get(f"/panel/services/{service.pk}/")
    assert page.status_code == 200
    assert page.context["form"]["waiting_room"].value() == "on"
    assert b"Video meetings by" in page.content
    assert page.context["form"]["video_provider"].value() == "zoom"

    data = {**FORM, "name": "Coaching", "video_provider": "zoom", "join_before_host": "on"}
    assert ada_client.post(f"/panel/services/{service.pk}/", data).status_code == 302
    service.refresh_from_db()
    assert service.meeting_options == {"join_before_host": True}
    assert service.zoom_enabled is True
    assert list(service.staff.all()) == []


def test_validation_errors_are_shown_and_nothing_is_written(ada_client, alice):
    data = {**FORM, "name": "", "duration_minutes": "2", "horizon_days": "0"}
    response = ada_client.post("/panel/services/new/", data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) >= {"name", "duration_minutes", "horizon_days"}
    assert b'role="alert"' in response.content
    assert not Service.objects.filter(tenant=alice).exists()


def test_another_tenants_staff_member_cannot_be_chosen(ada_client, alice, bob):
    stranger = make_staff(bob, "Stranger")
    response = ada_client.post("/panel/services/new/", {**FORM, "staff": [str(stranger.pk)]})
    assert response.status_code == 400
    assert "staff" in response.context["form"].errors
    assert not Service.objects.filter(tenant=alice).exists()


@pytest.mark.parametrize("why", ["no_connection", "integration_off", "not_in_plan"])
def test_the_provider_choice_is_disabled_with_a_hint_while_zoom_is_not_usable(ada_client, alice, why):
    if why != "no_connection":
        Connection.objects.create(tenant=alice, mode=Mode.TENANT_S2S, account_id="acct")
    if why != "integration_off":
        tenant_settings.update(alice, {"enabled": True})
    if why == "not_in_plan":
        alice.plan = Plan.objects.create(slug="basic", name="Basic", capabilities=[])
        alice.save(update_fields=["plan"])
    page = ada_client.get("/panel/services/new/")
    assert page.context["form"].fields["video_provider"].disabled
    html = page.content.decode()
    assert (
        'name="video_provider"' in html and "disabled" in html.split('name="video_provider"')[1].split(">")[0]
    )
    assert 'href="/panel/settings/zoom/"' in html
    expected = {"no_connection": NO_CONNECTION, "integration_off": ZOOM_OFF, "not_in_plan": "plan"}[why]
    assert escape(expected) in html

    # A forged submission does not switch it on.
    assert ada_client.post("/panel/services/new/", {**FORM, "video_provider": "zoom"}).status_code == 302
    assert Service.objects.get(tenant=alice).zoom_enabled is False


def test_a_staff_members_personal_connection_makes_zoom_usable(ada_client, alice, dora):
    tenant_settings.update(alice, {"enabled": True})
    Connection.objects.create(tenant=alice, staff=dora, mode=Mode.STAFF_OAUTH)
    page = ada_client.get("/panel/services/new/")
    assert not page.context["form"].fields["video_provider"].disabled


def test_a_disabled_toggle_keeps_the_stored_value_on_edit(ada_client, alice):
    service = make_service(alice, name="Old", zoom_enabled=True)
    assert ada_client.post(f"/panel/services/{service.pk}/", {**FORM, "name": "Renamed"}).status_code == 302
    service.refresh_from_db()
    assert (service.name, service.zoom_enabled) == ("Renamed", True)


def test_staff_and_outsiders_are_refused(dora_client, olga_client, consultation):
    for url in ("/panel/services/", "/panel/services/new/", f"/panel/services/{consultation.pk}/"):
        assert dora_client.get(url).status_code == 404
    assert olga_client.get(f"/panel/services/{consultation.pk}/").status_code == 404
    response = olga_client.post(f"/panel/services/{consultation.pk}/", {**FORM, "name": "Hijacked"})
    assert response.status_code == 404
    consultation.refresh_from_db()
    assert consultation.name == "Consultation"
    assert Client().get("/panel/services/").status_code == 302  # to sign-in


def test_a_post_without_csrf_token_is_refused(ada, alice):
    client = signed_in(ada, alice, enforce_csrf_checks=True)
    assert client.post("/panel/services/new/", FORM).status_code == 403
    assert not Service.objects.filter(tenant=alice).exists()


def test_a_video_service_names_the_staff_who_cannot_host_and_are_left_off_the_booking_page(
    ada_client, alice, dora
):
    """Issue 15, item 7: the public page leaves out staff without a usable Zoom host; the service says who."""
    connection = zoom_usable(alice)
    nina = make_staff(alice, "Nina")
    connected = make_staff(alice, "Cora")
    Connection.objects.create(
        tenant=alice, staff=connected, mode=Mode.STAFF_OAUTH, account_id="acct", zoom_user_id="cora-zoom"
    )
    from rendez.integrations.zoom.models import StaffMapping

    StaffMapping.objects.create(connection=connection, staff=dora, zoom_user_id="dora-zoom", email="")
    Connection.objects.filter(pk=connection.pk).update(status=Connection.Status.NEEDS_RECONNECT)
    service = make_service(alice, dora, nina, connected, name="Coaching", zoom_enabled=True)

    page = ada_client.get(f"/panel/services/{service.pk}/").content.decode()

    warning = page.split('data-testid="cannot-host"')[1].split("</div>")[0]
    assert "Nina</a>: no Zoom account connected or mapped" in warning
    assert "Dora</a>: their Zoom connection needs reconnecting" in warning
    assert "Cora" not in warning
    Service.objects.filter(pk=service.pk).update(video_provider=None)
    assert (
        'data-testid="cannot-host"' not in ada_client.get(f"/panel/services/{service.pk}/").content.decode()
    )
