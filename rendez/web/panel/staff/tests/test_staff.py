"""The staff pages through Django's test client: details, working hours, time off, and the Zoom section for
admins (connect through the emulator, disconnect with confirmation, map to a user of the tenant account) and
for staff on "My schedule"; everything another viewer may not see answers 404 and changes nothing."""

from __future__ import annotations

from datetime import time

import pytest
from django.test import Client

from rendez.integrations.zoom.models import Connection, StaffMapping
from rendez.scheduling.models import Staff, TimeOff, WorkingHours
from rendez.tests.integrations.zoom.fixtures import JONAS, MARIA, MARIA_EMAIL, connect_tenant, consent, finish
from rendez.web.panel.tests.fixtures import signed_in

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return response.content.decode()


def _connect_through_zoom(client: Client, zoom, url: str, user_id: str):
    """Start in the panel, consent at the emulator, come back in the same browser and confirm."""
    started = client.post(url)
    assert started.status_code == 302 and started["Location"].startswith(zoom.base_url)
    return finish(client, consent(zoom, started["Location"], user_id))


# --- list, create, details ----------------------------------------------------------------------------------


def test_the_list_shows_each_ones_zoom_status(ada_client, dora, emil, maria, zoom, api, alice):
    connect_tenant(api, zoom, alice)  # maps Maria by her email
    response = ada_client.get("/panel/staff/")
    assert response.status_code == 200
    page = _text(response)
    assert "Zoom: connected" in page and "Zoom: not connected" in page and "Tenant OAuth" in page
    Connection.objects.filter(tenant=alice).update(status=Connection.Status.NEEDS_RECONNECT)
    assert "Zoom: needs reconnecting" in _text(ada_client.get("/panel/staff/"))


def test_an_admin_adds_a_staff_member_then_may_connect_zoom(ada_client, alice, zoom):
    form = ada_client.get("/panel/staff/new/")
    assert "Save the staff member first, then connect Zoom" in _text(form)
    assert "Click to connect Zoom account" not in _text(form)

    refused = ada_client.post("/panel/staff/new/", {"name": "", "timezone": "Europe/Berlin"})
    assert refused.status_code == 400 and "This field is required" in _text(refused)

    response = ada_client.post(
        "/panel/staff/new/",
        {"name": "Paula", "email": "paula@alice.example", "timezone": "Europe/Berlin", "is_active": "on"},
    )
    paula = Staff.objects.get(tenant=alice, name="Paula")
    assert response.status_code == 302 and response["Location"] == f"/panel/staff/{paula.pk}/"
    assert paula.timezone == "Europe/Berlin" and paula.is_active
    assert "Click to connect Zoom account" in _text(ada_client.get(response["Location"]))


def test_an_admin_edits_details(ada_client, dora):
    response = ada_client.post(
        f"/panel/staff/{dora.pk}/", {"name": "Dora M.", "email": "", "timezone": "Europe/Berlin"}
    )
    assert response.status_code == 302
    dora.refresh_from_db()
    assert dora.name == "Dora M." and not dora.is_active

    refused = ada_client.post(f"/panel/staff/{dora.pk}/", {"name": "Dora", "timezone": "Mars/Olympus"})
    assert refused.status_code == 400 and "Select a valid choice" in _text(refused)


def test_a_staff_phone_is_stored_as_e164_and_a_wrong_one_refused(ada_client, dora):
    details = {"name": "Dora", "email": "", "timezone": "Europe/Berlin", "is_active": "on"}
    saved = ada_client.post(f"/panel/staff/{dora.pk}/", {**details, "phone": "030 1234567"})
    assert saved.status_code == 302
    refused = ada_client.post(f"/panel/staff/{dora.pk}/", {**details, "phone": "12"})
    assert refused.status_code == 400 and "That is not a valid phone number" in _text(refused)
    dora.refresh_from_db()
    assert dora.phone == "+49301234567"


# --- working hours and time off -----------------------------------------------------------------------------


def _hours(**days: str) -> dict[str, str]:
    return {f"day_{day}": "" for day in range(7)} | days


def test_working_hours_take_several_intervals_a_day(ada_client, dora):
    response = ada_client.post(
        f"/panel/staff/{dora.pk}/hours/", _hours(day_0="09:00-12:00, 13:00-17:00", day_4="10:00-14:00")
    )
    assert response.status_code == 302
    rows = list(dora.working_hours.order_by("weekday", "start_time"))
    assert [(r.weekday, r.start_time, r.end_time) for r in rows] == [
        (0, time(9), time(12)),
        (0, time(13), time(17)),
        (4, time(10), time(14)),
    ]
    page = _text(ada_client.get(f"/panel/staff/{dora.pk}/"))
    assert 'value="09:00-12:00, 13:00-17:00"' in page


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("09:00-12:00, 11:00-14:00", "Monday 09:00-12:00 and Monday 11:00-14:00 overlap"),
        ("17:00-09:00", "A working interval must end after it starts."),
        ("nine to five", "is not an interval like 09:00-17:00"),
        ("09:00-25:00", "is not a time of day"),
    ],
)
def test_hours_refused_are_explained_and_nothing_changes(ada_client, dora, typed, words):
    before = list(WorkingHours.objects.filter(staff=dora).values_list("weekday", "start_time", "end_time"))
    response = ada_client.post(f"/panel/staff/{dora.pk}/hours/", _hours(day_0=typed))
    assert response.status_code == 400
    assert words in _text(response).replace("&quot;", '"').replace("&#x27;", "'")
    after = list(WorkingHours.objects.filter(staff=dora).values_list("weekday", "start_time", "end_time"))
    assert after == before


def test_time_off_is_added_and_removed(ada_client, dora):
    response = ada_client.post(
        f"/panel/staff/{dora.pk}/time-off/",
        {"start": "2031-03-03T09:00", "end": "2031-03-07T18:00", "reason": "Holiday"},
    )
    assert response.status_code == 302
    away = TimeOff.objects.get(staff=dora)
    assert away.reason == "Holiday" and away.end > away.start
    assert "Holiday" in _text(ada_client.get(f"/panel/staff/{dora.pk}/"))

    refused = ada_client.post(
        f"/panel/staff/{dora.pk}/time-off/", {"start": "2031-03-07T09:00", "end": "2031-03-03T09:00"}
    )
    assert refused.status_code == 400 and "Time off must end after it starts." in _text(refused)
    assert TimeOff.objects.filter(staff=dora).count() == 1

    assert ada_client.post(f"/panel/staff/{dora.pk}/time-off/{away.pk}/remove/").status_code == 302
    assert not TimeOff.objects.filter(staff=dora).exists()
    assert ada_client.post(f"/panel/staff/{dora.pk}/time-off/{away.pk}/remove/").status_code == 404


# --- the Zoom section ---------------------------------------------------------------------------------------


def test_an_admin_connects_a_staff_member_and_disconnects_after_confirming(ada_client, maria, zoom):
    page = f"/panel/staff/{maria.pk}/"
    done = _connect_through_zoom(ada_client, zoom, f"{page}zoom/connect/", MARIA)
    assert done.status_code == 200 and "Your Zoom account has been connected" in _text(done)
    assert f'href="{page}"' in _text(done)
    section = _text(ada_client.get(page))
    assert MARIA_EMAIL in section and "Per-staff OAuth" in section and "Disconnect" in section

    confirm = ada_client.get(f"{page}zoom/disconnect/")
    assert confirm.status_code == 200 and "Disconnect Zoom?" in _text(confirm)
    assert Connection.objects.filter(staff=maria).exists()

    gone = ada_client.post(f"{page}zoom/disconnect/")
    assert gone.status_code == 302 and gone["Location"] == page
    assert not Connection.objects.filter(staff=maria).exists()
    assert "Click to connect Zoom account" in _text(ada_client.get(page))


def test_a_connection_needing_reconnect_says_why_and_offers_to_reconnect(ada_client, maria, zoom):
    _connect_through_zoom(ada_client, zoom, f"/panel/staff/{maria.pk}/zoom/connect/", MARIA)
    Connection.objects.filter(staff=maria).update(
        status=Connection.Status.NEEDS_RECONNECT, broken_reason="The user removed the app from Zoom."
    )
    page = _text(ada_client.get(f"/panel/staff/{maria.pk}/"))
    assert "Zoom needs reconnecting." in page and "The user removed the app from Zoom." in page
    assert "Reconnect Zoom account" in page


def test_in_tenant_modes_an_admin_maps_staff_with_the_dropdown(ada_client, nina, maria, zoom, api, alice):
    connect_tenant(api, zoom, alice)
    page = _text(ada_client.get(f"/panel/staff/{nina.pk}/"))
    assert "Zoom user in the business account" in page and JONAS in page

    response = ada_client.post(f"/panel/staff/{nina.pk}/zoom/map/", {"zoom_user_id": JONAS})
    assert response.status_code == 302
    assert StaffMapping.objects.get(staff=nina).zoom_user_id == JONAS

    refused = ada_client.post(f"/panel/staff/{nina.pk}/zoom/map/", {"zoom_user_id": "not-a-zoom-user"})
    assert refused.status_code == 400 and "Select a valid choice" in _text(refused)
    assert StaffMapping.objects.get(staff=nina).zoom_user_id == JONAS

    cleared = ada_client.post(f"/panel/staff/{nina.pk}/zoom/map/", {"zoom_user_id": ""})
    assert cleared.status_code == 302 and not StaffMapping.objects.filter(staff=nina).exists()


def test_mapping_without_a_tenant_connection_is_refused(ada_client, nina, zoom):
    response = ada_client.post(f"/panel/staff/{nina.pk}/zoom/map/", {"zoom_user_id": JONAS})
    assert response.status_code == 302 and not StaffMapping.objects.filter(staff=nina).exists()
    assert "Zoom user in the business account" not in _text(ada_client.get(f"/panel/staff/{nina.pk}/"))


# --- who sees what ------------------------------------------------------------------------------------------


def test_staff_see_only_their_own_zoom_section(dora_client, dora, emil, zoom):
    mine = dora_client.get("/panel/staff/me/")
    assert mine.status_code == 200 and "My schedule" in _text(mine)
    assert "Click to connect Zoom account" in _text(mine)
    for url in (
        "/panel/staff/",
        "/panel/staff/new/",
        f"/panel/staff/{emil.pk}/",
        f"/panel/staff/{dora.pk}/",
        f"/panel/staff/{emil.pk}/zoom/disconnect/",
    ):
        assert dora_client.get(url).status_code == 404, url
    for url in (f"/panel/staff/{emil.pk}/zoom/connect/", f"/panel/staff/{emil.pk}/hours/"):
        assert dora_client.post(url, _hours(day_0="09:00-10:00")).status_code == 404, url
    assert not WorkingHours.objects.filter(staff=emil, end_time=time(10)).exists()


def test_staff_connect_and_disconnect_their_own_zoom(dora_client, dora, zoom):
    done = _connect_through_zoom(dora_client, zoom, "/panel/staff/me/zoom/connect/", JONAS)
    assert "Your Zoom account has been connected" in _text(done) and 'href="/panel/staff/me/"' in _text(done)
    assert Connection.objects.get(staff=dora).zoom_user_id == JONAS
    assert "jonas.weber@demo-clinic.example" in _text(dora_client.get("/panel/staff/me/"))

    assert "Disconnect Zoom?" in _text(dora_client.get("/panel/staff/me/zoom/disconnect/"))
    assert dora_client.post("/panel/staff/me/zoom/disconnect/").status_code == 302
    assert not Connection.objects.filter(staff=dora).exists()


def test_staff_cannot_remove_a_mapping_an_admin_chose(dora_client, dora, zoom, api, alice):
    connect_tenant(api, zoom, alice)
    StaffMapping.objects.create(
        connection=Connection.objects.get(tenant=alice, staff__isnull=True), staff=dora, zoom_user_id=JONAS
    )
    assert dora_client.post("/panel/staff/me/zoom/disconnect/").status_code == 302
    assert StaffMapping.objects.filter(staff=dora).exists()


def test_an_admin_without_a_staff_row_is_told_how_to_become_one(ada_client):
    response = ada_client.get("/panel/staff/me/")
    assert response.status_code == 200 and "not a staff member of Alice&#x27;s Studio yet" in _text(response)
    assert "This is me" in _text(response)


def test_another_tenants_staff_answer_404_and_nothing_changes(olga_client, dora, zoom):
    for url in (f"/panel/staff/{dora.pk}/", f"/panel/staff/{dora.pk}/zoom/disconnect/"):
        assert olga_client.get(url).status_code == 404, url
    for url in (
        f"/panel/staff/{dora.pk}/",
        f"/panel/staff/{dora.pk}/hours/",
        f"/panel/staff/{dora.pk}/time-off/",
        f"/panel/staff/{dora.pk}/zoom/connect/",
        f"/panel/staff/{dora.pk}/zoom/map/",
    ):
        data = {"name": "Taken", "timezone": "UTC", "start": "2031-01-01T09:00", "end": "2031-01-02T09:00"}
        assert olga_client.post(url, data | _hours(day_0="09:00-10:00")).status_code == 404, url
    dora.refresh_from_db()
    assert dora.name != "Taken" and not TimeOff.objects.filter(staff=dora).exists()


def test_changes_without_a_csrf_token_are_refused(ada, alice, dora):
    client = signed_in(ada, alice, enforce_csrf_checks=True)
    assert client.post(f"/panel/staff/{dora.pk}/hours/", _hours(day_0="09:00-10:00")).status_code == 403
    assert client.post(f"/panel/staff/{dora.pk}/zoom/connect/").status_code == 403
    assert not WorkingHours.objects.filter(staff=dora, start_time=time(9), end_time=time(10)).exists()
