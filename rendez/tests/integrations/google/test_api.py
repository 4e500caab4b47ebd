"""Staff calendars over the API: listed, calendars chosen (a full sync follows), disconnected (revoked at
Google, busy times forgotten), changes people made in Google shown; another tenant sees none of it."""

from __future__ import annotations

from rendez.api.tests.fixtures import ApiClient
from rendez.calendars.models import BusyBlock, CalendarConnection
from rendez.scheduling.tests.factories import make_api_key
from rendez.tests.integrations.google.world import MARIA, berlin, settle, sync_now, user_event


def test_list_choose_and_disconnect(google, connected, api, maria, bob, monday):
    listed = api.get(f"/staff/{maria.pk}/calendars")
    assert listed.status_code == 200
    [calendar] = listed.json()
    assert calendar["provider"] == "google" and calendar["status"] == "connected"
    assert calendar["account_email"] == MARIA
    assert calendar["busy_calendar_ids"] == [MARIA] and calendar["write_calendar_id"] == MARIA
    assert calendar["last_synced_at"] is not None

    user_event(google, berlin(monday, 9), berlin(monday, 10), "Lunch (free)", transparency="transparent")
    sync_now(connected)
    assert not BusyBlock.objects.filter(connection=connected).exists()
    chosen = api.put(f"/staff/{maria.pk}/calendars/google", {"transparent_events_block": True})
    assert chosen.status_code == 200 and chosen.json()["transparent_events_block"] is True
    settle()
    assert BusyBlock.objects.filter(connection=connected).count() == 1

    outsider = ApiClient(make_api_key(bob))
    assert outsider.get(f"/staff/{maria.pk}/calendars").status_code == 404
    assert outsider.delete(f"/staff/{maria.pk}/calendars/google").status_code == 404
    bad = api.put(f"/staff/{maria.pk}/calendars/google", {"busy_calendar_ids": [""]})
    assert bad.status_code == 422

    assert api.delete(f"/staff/{maria.pk}/calendars/google").status_code == 204
    assert google.control.requests("POST", "/oauth2/revoke") == []  # revoked by a job, after the commit
    settle()
    connected.refresh_from_db()
    assert connected.status == CalendarConnection.Status.DISCONNECTED
    assert (
        not connected.refresh_token_encrypted and not BusyBlock.objects.filter(connection=connected).exists()
    )
    [revoke] = google.control.requests("POST", "/oauth2/revoke")
    assert revoke["status"] == 200
    assert google.control.state()["grants"] == []
    changes = api.get(f"/staff/{maria.pk}/calendar-changes")
    assert changes.status_code == 200 and changes.json() == [], changes.content
