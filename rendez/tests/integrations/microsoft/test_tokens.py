"""Microsoft's tokens on the OAuth kit against the emulator: a rotated refresh token is stored at every
refresh; a revoked grant (AADSTS50173) leaves the connection needing a reconnect and stops syncing; a
reconnect brings it back; disconnecting deletes the subscriptions and forgets the tokens (no revocation)."""

from __future__ import annotations

from rendez.calendars.models import BusyBlock, CalendarConnection
from rendez.integrations.microsoft import connections
from rendez.tests.integrations.microsoft.world import (
    MARIA,
    MARIA_ID,
    berlin,
    grant_from_consent,
    outlook_event,
    settle,
    sync_now,
)


def token_calls(microsoft) -> list[dict]:
    return microsoft.control.requests("POST", "/login/common/oauth2/v2.0/token")


def test_connect_reads_the_account_and_its_default_calendar(microsoft, connected):
    calendars = [c for c in microsoft.control.state()["calendars"] if c["owner_id"] == MARIA_ID]
    [default] = [c for c in calendars if c["is_default"]]
    assert connected.account_email == MARIA and connected.status == CalendarConnection.Status.CONNECTED
    assert connected.busy_calendar_ids == [default["id"]] and connected.write_calendar_id == default["id"]
    assert connected.refresh_token and connected.refresh_token not in connected.refresh_token_encrypted


def test_a_rejected_access_token_is_renewed_once_and_the_rotated_refresh_token_stored(
    microsoft, connected, monday
):
    before = connected.refresh_token
    microsoft.control.expire_access_tokens()
    outlook_event(microsoft, berlin(monday, 10), berlin(monday, 11))
    microsoft.control.clear_requests()
    sync_now(connected)

    [refresh] = token_calls(microsoft)
    assert refresh["body"]["grant_type"] == "refresh_token" and refresh["status"] == 200
    assert refresh["body"]["client_secret"]  # ClientAuth.BODY, as Microsoft documents
    connected.refresh_from_db()
    assert connected.refresh_token != before  # the rotated one, stored
    assert BusyBlock.objects.filter(connection=connected).count() == 1
    statuses = [entry["status"] for entry in microsoft.control.requests(path="/graph/*")]
    assert statuses[:2] == [401, 200]


def test_a_revoked_grant_needs_reconnect_and_a_reconnect_repairs_it(microsoft, connected, maria, monday):
    microsoft.control.revoke_grant(MARIA_ID)
    microsoft.control.expire_access_tokens()
    sync_now(connected)

    connected.refresh_from_db()
    assert connected.status == CalendarConnection.Status.NEEDS_RECONNECT
    assert "AADSTS50173" in connected.broken_reason or "invalid_grant" in connected.broken_reason
    assert connected.refresh_token not in connected.broken_reason
    microsoft.control.clear_requests()
    sync_now(connected)
    assert microsoft.control.requests(path="/graph/*") == []  # polling stopped until a reconnect

    outlook_event(microsoft, berlin(monday, 10), berlin(monday, 11))
    again = connections.connect_with_grant(maria, grant_from_consent(microsoft))
    settle()
    assert again.pk == connected.pk and again.status == CalendarConnection.Status.CONNECTED
    assert BusyBlock.objects.filter(connection=connected).count() == 1


def test_disconnect_deletes_subscriptions_forgets_tokens_and_busy_times(
    microsoft, connected, api, maria, monday
):
    outlook_event(microsoft, berlin(monday, 10), berlin(monday, 11))
    sync_now(connected)
    assert BusyBlock.objects.filter(connection=connected).exists()

    assert api.delete(f"/staff/{maria.pk}/calendars/microsoft").status_code == 204
    connected.refresh_from_db()
    assert connected.status == CalendarConnection.Status.DISCONNECTED
    assert connected.refresh_token_encrypted == "" and connected.access_token_encrypted == ""
    assert not BusyBlock.objects.filter(connection=connected).exists()
    listed = api.get(f"/staff/{maria.pk}/calendars").json()
    assert [(item["provider"], item["status"]) for item in listed] == [("microsoft", "disconnected")]


def test_a_wrong_client_secret_keeps_the_connection_and_the_poll(settings, microsoft, connected):
    from django.utils import timezone

    from rendez.integrations.microsoft import sync
    from rendez.jobs.models import Job

    settings.MICROSOFT_CLIENT_SECRET = "not-the-secret"  # the operator's mistake, not the person's revocation
    microsoft.control.expire_access_tokens()
    sync_now(connected)

    connected.refresh_from_db()
    assert connected.status == CalendarConnection.Status.CONNECTED
    job = Job.objects.get(kind=sync.SYNC, state=Job.State.PENDING)
    assert "invalid_client" in job.last_error and job.attempts == 0
    assert 50 < (job.run_after - timezone.now()).total_seconds() <= 60
