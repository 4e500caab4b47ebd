"""The staff page's "Calendars" card (Django client, Google emulator over HTTP): connect, status, calendars
chosen from Google's list, reconnect, disconnect, and the changes people made in Google. Admins manage anyone
of their tenant, staff only themselves."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from rendez.calendars.models import BusyBlock, CalendarConnection
from rendez.integrations.google.models import GoogleConnectState
from rendez.jobs.models import Job
from rendez.scheduling import services
from rendez.scheduling.tests.factories import customer, make_service
from rendez.tenants.models import Membership
from rendez.tests.integrations.google.world import MARIA, berlin, settle, sync_now, user_event
from rendez.web.panel.tests.fixtures import signed_in


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def browser_of(user) -> Client:
    """Signed in to the panel of the user's (only) business."""
    return signed_in(user, Membership.objects.get(user=user).tenant)


def test_an_admin_connects_a_staff_member_from_the_staff_page(google, alice_admin, maria):
    browser = browser_of(alice_admin)
    page = browser.get(f"/panel/staff/{maria.pk}/").content.decode()
    assert 'data-testid="google-calendar-section"' in page and "Connect Google Calendar" in page

    started = browser.post(f"/panel/staff/{maria.pk}/calendars/google/connect/")

    assert started.status_code == 302
    assert started["Location"].startswith(f"{google.oauth_base_url}/o/oauth2/v2/auth?")
    assert parse_qs(urlsplit(started["Location"]).query)["prompt"] == ["consent"]
    [state] = GoogleConnectState.objects.all()
    assert state.started_by_id == alice_admin.pk and state.staff_id == maria.pk
    assert state.return_url == f"/panel/staff/{maria.pk}/"


def test_the_card_shows_the_connection_and_the_calendars_to_choose(google, connected, alice_admin, maria):
    page = browser_of(alice_admin).get(f"/panel/staff/{maria.pk}/").content.decode()

    assert "Connected" in page and MARIA in page
    assert "Not yet" not in page  # last synced is shown
    assert f'value="{MARIA}"' in page and "Calendars that block booking times" in page
    assert "Disconnect Google Calendar" in page
    assert google.control.requests("GET", "/calendar/v3/users/me/calendarList")


def test_a_staff_member_chooses_their_calendars_and_a_full_sync_follows(google, connected, maria, maria_user):
    browser = browser_of(maria_user)
    assert "google-calendar-section" in browser.get("/panel/staff/me/").content.decode()

    saved = browser.post(
        f"/panel/staff/{maria.pk}/calendars/google/choose/",
        {"busy_calendar_ids": [MARIA], "write_calendar_id": ""},
    )

    assert saved.status_code == 302 and saved["Location"] == "/panel/staff/me/"
    connected.refresh_from_db()
    assert connected.busy_calendar_ids == [MARIA] and connected.write_calendar_id == ""
    assert Job.objects.filter(kind="calendars.google.sync", finished_at__isnull=True).exists()


def test_a_calendar_not_in_the_account_is_refused(google, connected, maria, alice_admin):
    refused = browser_of(alice_admin).post(
        f"/panel/staff/{maria.pk}/calendars/google/choose/",
        {"busy_calendar_ids": ["someone.else@example.com"], "write_calendar_id": MARIA},
    )
    assert refused.status_code == 400
    connected.refresh_from_db()
    assert connected.busy_calendar_ids == [MARIA]


def test_staff_cannot_manage_a_colleague(google, connected, maria, jonas, django_user_model):
    user = django_user_model.objects.create_user("jonas", "jonas@alice.example", "pw")
    Membership.objects.create(user=user, tenant=jonas.tenant, role=Membership.Role.STAFF)
    jonas.user = user
    jonas.save(update_fields=["user"])
    browser = browser_of(user)
    for action in ("connect", "choose", "disconnect"):
        assert browser.post(f"/panel/staff/{maria.pk}/calendars/google/{action}/").status_code == 404
    connected.refresh_from_db()
    assert connected.status == CalendarConnection.Status.CONNECTED


def test_a_broken_connection_offers_reconnect(google, connected, maria, alice_admin):
    google.control.revoke_grant(MARIA, "rendez-demo.apps.googleusercontent.com")
    sync_now(connected)

    page = browser_of(alice_admin).get(f"/panel/staff/{maria.pk}/").content.decode()

    assert "Needs reconnecting" in page and 'data-testid="google-reconnect"' in page
    assert "invalid_grant" in page
    dashboard = browser_of(alice_admin).get("/panel/dashboard/").content.decode()
    assert f"Google Calendar needs reconnecting: {maria.name}'s calendar ({MARIA})" in dashboard


def test_disconnect_revokes_in_the_background(google, connected, maria, alice_admin):
    done = browser_of(alice_admin).post(f"/panel/staff/{maria.pk}/calendars/google/disconnect/")

    assert done.status_code == 302
    connected.refresh_from_db()
    assert connected.status == CalendarConnection.Status.DISCONNECTED
    settle()
    [revoke] = google.control.requests("POST", "/oauth2/revoke")
    assert revoke["status"] == 200
    page = browser_of(alice_admin).get(f"/panel/staff/{maria.pk}/").content.decode()
    assert "Connect Google Calendar" in page


def test_changes_people_made_in_google_are_listed(google, connected, alice, maria, alice_admin, monday):
    haircut = make_service(alice, maria, name="Haircut", location_type="in_person")
    services.book(service=haircut, staff=maria, start=berlin(monday, 10), customer=customer())
    settle()
    [event] = [e for e in google.control.state()["events"] if e["calendarId"] == MARIA]
    google.control.user_deletes_event(MARIA, event["id"])
    sync_now(connected)

    page = browser_of(alice_admin).get(f"/panel/staff/{maria.pk}/").content.decode()

    assert 'data-testid="google-calendar-changes"' in page
    assert "deleted in the calendar; the appointment still stands" in page


def test_free_events_block_when_the_staff_member_or_an_admin_says_so(
    google, connected, maria, maria_user, alice_admin, monday
):
    user_event(google, berlin(monday, 9), berlin(monday, 10), "Lunch (free)", transparency="transparent")
    sync_now(connected)
    assert not BusyBlock.objects.filter(connection=connected).exists()
    mine = browser_of(maria_user)
    assert "Free&quot; events block booking times too" in mine.get("/panel/staff/me/").content.decode()

    saved = mine.post(
        f"/panel/staff/{maria.pk}/calendars/google/choose/",
        {"busy_calendar_ids": [MARIA], "write_calendar_id": MARIA, "transparent_events_block": "on"},
    )

    assert saved.status_code == 302
    connected.refresh_from_db()
    assert connected.transparent_events_block is True
    settle()  # the full sync the choice asked for
    assert BusyBlock.objects.filter(connection=connected).count() == 1
    page = browser_of(alice_admin).get(f"/panel/staff/{maria.pk}/").content.decode()
    assert re.search(r'name="transparent_events_block"[^>]*checked', page)

    # The admin, for Maria: unticked, the box sends nothing, and free events stop blocking.
    browser_of(alice_admin).post(
        f"/panel/staff/{maria.pk}/calendars/google/choose/",
        {"busy_calendar_ids": [MARIA], "write_calendar_id": MARIA},
    )

    connected.refresh_from_db()
    assert connected.transparent_events_block is False
    settle()
    assert not BusyBlock.objects.filter(connection=connected).exists()


def test_google_meet_is_chosen_on_the_service_form_once_a_google_calendar_is_connected(
    google, connected, alice_admin, maria
):
    from rendez.scheduling.models import Service

    form = {
        "name": "Meet call",
        "duration_minutes": "30",
        "buffer_before_minutes": "0",
        "buffer_after_minutes": "0",
        "capacity": "1",
        "price": "0.00",
        "location_type": "video",
        "initial_status": "confirmed",
        "min_notice_minutes": "0",
        "horizon_days": "60",
        "is_active": "on",
        "assignment": "round_robin",
        "staff": [str(maria.pk)],
        "video_provider": "google_meet",
    }
    browser = browser_of(alice_admin)
    page = browser.get("/panel/services/new/").content.decode()
    assert 'value="google_meet"' in page and "No staff member has connected a Google calendar" not in page

    assert browser.post("/panel/services/new/", form).status_code == 302
    assert Service.objects.get(tenant=maria.tenant, name="Meet call").video_provider == "google_meet"
