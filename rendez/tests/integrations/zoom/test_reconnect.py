"""Tokens over time: renewal after expiry, Zoom rejecting a token, a grant Zoom no longer honours (the
connection needs reconnecting, people are told and reminded, the reconnect link fixes it and re-syncs), Zoom's
"Remove app", and revocations that fail."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import httpx2
import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from rendez.api.tests.fixtures import a_monday, berlin
from rendez.integrations.zoom.client import ZoomClient
from rendez.integrations.zoom.errors import ConnectionUnusable, ZoomUnavailable
from rendez.integrations.zoom.models import Connection, Event, StaffMapping
from rendez.integrations.zoom.schemas import Me, UserPage
from rendez.jobs.models import Job
from rendez.scheduling.events import SYNC_MEETING
from rendez.scheduling.tests.factories import book, make_service
from rendez.tests.integrations.zoom.fixtures import (
    CLIENT_ID,
    LEA,
    MARIA,
    MARIA_EMAIL,
    authorize_outside_rendez,
    confirmer,
    connect_staff,
    connect_tenant,
    consent,
    finish,
    make_token_due,
    run_jobs,
    tenant_of_authorize_url,
    token_requests,
)

NOTICE_JOB = "zoom.connection_notice"
REVOKE_JOB = "zoom.revoke"


def _call_me(connection: Connection) -> Me:
    return ZoomClient(connection).get_model("/users/me", Me)


def _authorize_elsewhere(outsider_api, zoom, bob, user_id: str = MARIA) -> None:
    """The same Zoom user authorizes the app somewhere else (another installation sharing the app): Zoom
    kills the earlier grant's tokens. (Another business on this Rendez is refused: test_connect_binding.)"""
    authorize_outside_rendez(zoom, user_id)


def _notices() -> list[Job]:
    return list(Job.objects.filter(kind=NOTICE_JOB).order_by("pk"))


def _make_due(kind: str) -> None:
    Job.objects.filter(kind=kind, state=Job.State.PENDING).update(run_after=timezone.now())


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    # alice_admin's password is hashed once per test; the production hasher costs half a second.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def broken(api, outsider_api, zoom, bob, maria, alice_admin) -> Connection:
    """Maria's personal connection after Zoom stopped honouring its refresh token and a call found out."""
    connection = connect_staff(api, zoom, maria, MARIA)
    _authorize_elsewhere(outsider_api, zoom, bob)
    with pytest.raises(ConnectionUnusable):
        _call_me(make_token_due(pk=connection.pk))
    connection.refresh_from_db()
    return connection


# --- renewal ------------------------------------------------------------------------------------------------


def test_a_token_due_for_renewal_is_refreshed_once_and_the_rotated_pair_stored(api, zoom, maria):
    connection = connect_staff(api, zoom, maria, MARIA)
    old_access, old_refresh = connection.access_token, connection.refresh_token

    me = _call_me(make_token_due(pk=connection.pk))

    assert me.id == MARIA
    (refresh,) = token_requests(zoom, "refresh_token")
    assert refresh["body"]["refresh_token"] == old_refresh
    assert refresh["status"] == 200
    stored = Connection.objects.get(pk=connection.pk)
    assert stored.access_token != old_access
    assert stored.refresh_token != old_refresh
    assert stored.access_token_renew_at is not None
    assert stored.access_token_renew_at > timezone.now() + timedelta(minutes=50)


def test_a_renewed_token_is_reused_by_later_calls(api, zoom, maria):
    connection = connect_staff(api, zoom, maria, MARIA)
    _call_me(make_token_due(pk=connection.pk))

    _call_me(Connection.objects.get(pk=connection.pk))
    _call_me(Connection.objects.get(pk=connection.pk))

    assert len(token_requests(zoom, "refresh_token")) == 1


def test_a_token_zoom_rejects_is_refreshed_once_and_the_call_retried_once(api, zoom, maria):
    connection = connect_staff(api, zoom, maria, MARIA)
    assert zoom.control.expire_tokens() >= 1
    zoom.control.clear_requests()

    me = _call_me(Connection.objects.get(pk=connection.pk))

    assert me.email == MARIA_EMAIL
    assert [entry["status"] for entry in zoom.control.requests("GET", "/v2/users/me")] == [401, 200]
    assert len(token_requests(zoom, "refresh_token")) == 1
    assert Connection.objects.get(pk=connection.pk).is_usable


def test_a_tenant_connection_renews_its_token_for_the_users_list(api, zoom, alice):
    connection = connect_tenant(api, zoom, alice)

    page = ZoomClient(make_token_due(pk=connection.pk)).get_model("/users", UserPage)

    assert len(page.users) == 4
    assert len(token_requests(zoom, "refresh_token")) == 1


# --- a grant Zoom no longer honours -------------------------------------------------------------------------


def test_a_refused_refresh_token_makes_the_connection_need_reconnecting(broken):
    assert broken.status == Connection.Status.NEEDS_RECONNECT
    assert "no longer accepts Rendez's authorization" in broken.broken_reason
    assert "connected again elsewhere" in broken.broken_reason
    assert broken.broken_at is not None


def test_a_killed_access_token_found_by_a_call_leads_to_needs_reconnect(api, outsider_api, zoom, bob, maria):
    connection = connect_staff(api, zoom, maria, MARIA)
    _authorize_elsewhere(outsider_api, zoom, bob)

    with pytest.raises(ConnectionUnusable) as failure:
        _call_me(Connection.objects.get(pk=connection.pk))

    assert "no longer accepts" in failure.value.message
    assert Connection.objects.get(pk=connection.pk).status == Connection.Status.NEEDS_RECONNECT
    assert len(token_requests(zoom, "refresh_token")) == 1


def test_a_broken_connection_makes_no_more_calls_to_zoom(broken, zoom):
    zoom.control.clear_requests()

    with pytest.raises(ConnectionUnusable):
        _call_me(Connection.objects.get(pk=broken.pk))

    assert zoom.control.requests() == []


def test_the_staff_api_shows_the_connection_needs_reconnecting(broken, api, maria):
    assert api.get(f"/staff/{maria.pk}").json()["zoom"] == {
        "mode": "staff_oauth",
        "status": "needs_reconnect",
        "zoom_user_id": MARIA,
        "email": MARIA_EMAIL,
    }


def test_the_settings_show_a_broken_tenant_connection(api, outsider_api, zoom, alice, bob, maria):
    connection = connect_tenant(api, zoom, alice)
    _authorize_elsewhere(outsider_api, zoom, bob)
    with pytest.raises(ConnectionUnusable):
        ZoomClient(make_token_due(pk=connection.pk)).get_model("/users", UserPage)

    shown = api.get("/integrations/zoom/settings").json()["connection"]

    assert shown["status"] == "needs_reconnect"
    assert "no longer accepts Rendez's authorization" in shown["problem"]
    assert api.get(f"/staff/{maria.pk}").json()["zoom"]["status"] == "needs_reconnect"


def test_breaking_enqueues_a_notice_at_once(broken):
    (notice,) = _notices()
    assert notice.payload["number"] == 0
    assert notice.payload["connection_id"] == broken.pk
    assert notice.run_after <= timezone.now()


def test_the_notice_tells_the_staff_member_and_the_admins_what_broke_and_how_to_fix_it(
    broken, mailoutbox, maria
):
    run_jobs()

    (email,) = mailoutbox
    assert sorted(email.to) == sorted([MARIA_EMAIL, "admin@alice.example"])
    assert "Zoom needs reconnecting for Maria Koch" in email.subject
    assert broken.broken_reason in email.body
    assert "http://testserver/integrations/zoom/reconnect/" in email.body
    assert f"sign in to Zoom as {MARIA_EMAIL}" in email.body


def test_a_broken_tenant_connection_tells_admins_with_the_link_and_mapped_staff_without(
    api, outsider_api, zoom, alice, bob, maria, jonas, alice_admin, mailoutbox
):
    connection = connect_tenant(api, zoom, alice)
    _authorize_elsewhere(outsider_api, zoom, bob)
    with pytest.raises(ConnectionUnusable):
        ZoomClient(make_token_due(pk=connection.pk)).get_model("/users", UserPage)

    run_jobs()

    to_admins, to_staff = mailoutbox
    assert to_admins.to == ["admin@alice.example"]
    assert "/integrations/zoom/reconnect/" in to_admins.body
    assert sorted(to_staff.to) == sorted([MARIA_EMAIL, "jonas.weber@demo-clinic.example"])
    assert "/reconnect/" not in to_staff.body
    assert "admins have been asked to reconnect it" in to_staff.body


def test_reminders_follow_after_one_three_and_seven_days(broken, mailoutbox):
    run_jobs()
    for number, days in ((1, 1), (2, 3), (3, 7)):
        reminder = Job.objects.get(kind=NOTICE_JOB, payload__number=number)
        assert reminder.run_after == broken.broken_at + timedelta(days=days)
        assert reminder.state == Job.State.PENDING
        _make_due(NOTICE_JOB)
        run_jobs()

    assert len(mailoutbox) == 4
    assert [email.subject.startswith("Reminder: ") for email in mailoutbox] == [False, True, True, True]
    assert "This is reminder 3 of 3." in mailoutbox[-1].body
    assert Job.objects.filter(kind=NOTICE_JOB).count() == 4
    assert not Job.objects.filter(kind=NOTICE_JOB, state=Job.State.PENDING).exists()


def _reconnect_link(email) -> str:
    match = re.search(r"http://testserver(/integrations/zoom/reconnect/\S+)", email.body)
    assert match, email.body
    return match.group(1)


def _follow_reconnect_link(zoom, link: str, user_id: str = MARIA):
    """An admin who got the email follows its link, signs in to Zoom as `user_id`, and confirms."""
    browser = Client()
    redirect = browser.get(link)
    assert redirect.status_code == 302
    assert redirect["Location"].startswith(f"{zoom.base_url}/oauth/authorize?")
    browser.force_login(confirmer(tenant_of_authorize_url(redirect["Location"])))
    return finish(browser, consent(zoom, redirect["Location"], user_id))


def test_following_the_reconnect_link_connects_again(broken, zoom, mailoutbox, api, maria):
    run_jobs()

    response = _follow_reconnect_link(zoom, _reconnect_link(mailoutbox[0]))

    assert response.status_code == 200
    assert "Your Zoom account has been connected" in response.content.decode()
    connection = Connection.objects.get(staff=maria)
    assert connection.status == Connection.Status.CONNECTED
    assert connection.broken_reason == ""
    assert _call_me(connection).id == MARIA
    assert api.get(f"/staff/{maria.pk}").json()["zoom"]["status"] == "connected"


def test_reminders_stop_once_reconnected(broken, zoom, mailoutbox):
    run_jobs()
    _follow_reconnect_link(zoom, _reconnect_link(mailoutbox[0]))

    _make_due(NOTICE_JOB)
    run_jobs()

    assert len(mailoutbox) == 1
    assert not Job.objects.filter(kind=NOTICE_JOB, state=Job.State.PENDING).exists()


def test_reconnecting_resyncs_every_upcoming_appointment_of_the_staff_concerned(
    broken, zoom, mailoutbox, alice, maria, jonas
):
    monday = a_monday()
    video = make_service(alice, maria, jonas, name="Video", zoom_enabled=True)
    now = timezone.now()
    ours = [book(video, maria, berlin(monday, hour), now=now).appointment for hour in (10, 11)]
    theirs = book(video, jonas, berlin(monday, 10), now=now).appointment
    # The meeting lifecycle ran the syncs asked for at booking (and failed for lack of a host).
    Job.objects.filter(kind=SYNC_MEETING).update(state=Job.State.SUCCEEDED)
    run_jobs()

    _follow_reconnect_link(zoom, _reconnect_link(mailoutbox[0]))

    pending = Job.objects.filter(kind=SYNC_MEETING, state=Job.State.PENDING)
    assert sorted(job.payload["appointment_id"] for job in pending) == sorted(a.pk for a in ours)
    assert theirs.pk not in [job.payload["appointment_id"] for job in pending]


def test_a_reconnect_link_that_was_tampered_with_is_refused(broken, zoom, mailoutbox):
    run_jobs()

    response = Client().get(_reconnect_link(mailoutbox[0]) + "x")

    assert response.status_code == 400
    assert "not valid" in response.content.decode()


# --- Zoom's "Remove app" ------------------------------------------------------------------------------------


def _remove_app(zoom, user_id: str = MARIA) -> None:
    response = httpx2.post(f"{zoom.base_url}/portal/users/{user_id}/apps/{CLIENT_ID}/remove")
    assert response.status_code == 303
    assert zoom.control.wait_for_webhooks()


def test_removing_the_app_at_zoom_deletes_the_credentials_and_asks_for_a_reconnect(api, zoom, inbox, maria):
    connection = connect_staff(api, zoom, maria, MARIA)
    _remove_app(zoom)
    assert inbox.events() == ["app_deauthorized"]

    response = inbox.replay(Client())

    assert response.status_code in (200, 204)
    stored = Connection.objects.get(pk=connection.pk)
    assert stored.status == Connection.Status.NEEDS_RECONNECT
    assert "Rendez app was removed from the Zoom account" in stored.broken_reason
    assert stored.access_token_encrypted == stored.refresh_token_encrypted == ""
    assert api.get(f"/staff/{maria.pk}").json()["zoom"]["status"] == "needs_reconnect"
    assert Event.objects.get().event_type == "app_deauthorized"


def test_removing_the_app_tells_the_people_concerned(api, zoom, inbox, maria, alice_admin, mailoutbox):
    connect_staff(api, zoom, maria, MARIA)
    _remove_app(zoom)
    inbox.replay(Client())

    run_jobs()

    (email,) = mailoutbox
    assert sorted(email.to) == sorted([MARIA_EMAIL, "admin@alice.example"])
    assert "Rendez app was removed from the Zoom account" in email.body
    assert "/integrations/zoom/reconnect/" in email.body


def test_removing_the_app_breaks_a_tenant_connection_made_by_that_user(api, zoom, inbox, alice, maria):
    connect_tenant(api, zoom, alice)
    _remove_app(zoom)

    inbox.replay(Client())

    assert api.get("/integrations/zoom/settings").json()["connection"]["status"] == "needs_reconnect"
    assert len(_notices()) == 1


# --- revocations that fail ----------------------------------------------------------------------------------


def test_a_failing_revoke_never_blocks_the_disconnect_and_is_retried(api, zoom, inbox, maria):
    connection = connect_staff(api, zoom, maria, MARIA)
    token = connection.access_token
    zoom.control.set_faults(paths=["/oauth/revoke"], error_rate=1.0, error_kind="503", error_count=1)

    response = api.delete(f"/staff/{maria.pk}/zoom")

    assert response.status_code == 204
    assert not Connection.objects.exists()
    run_jobs()
    job = Job.objects.get(kind=REVOKE_JOB)
    assert (job.state, job.attempts) == (Job.State.PENDING, 1)
    assert "could not be reached" in job.last_error or "503" in job.last_error
    assert token not in job.last_error
    _make_due(REVOKE_JOB)
    run_jobs()
    assert Job.objects.get(kind=REVOKE_JOB).state == Job.State.SUCCEEDED
    revokes = zoom.control.requests("POST", "/oauth/revoke")
    assert [entry["status"] for entry in revokes] == [503, 200]
    assert urlsplit(revokes[-1]["path"]).path == "/oauth/revoke"


def _break_tenant_connection(api, outsider_api, zoom, alice, bob) -> Connection:
    connection = connect_tenant(api, zoom, alice)
    _authorize_elsewhere(outsider_api, zoom, bob)
    with pytest.raises(ConnectionUnusable):
        ZoomClient(make_token_due(pk=connection.pk)).get_model("/users", UserPage)
    return connection


def test_listing_users_of_a_broken_connection_says_to_reconnect(api, outsider_api, zoom, alice, bob):
    _break_tenant_connection(api, outsider_api, zoom, alice, bob)
    cache.clear()

    response = api.get("/integrations/zoom/users")

    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "zoom_needs_reconnect"
    assert "no longer accepts Rendez's authorization" in error["message"]


def test_following_the_tenant_reconnect_link_keeps_the_connection_its_mappings_and_resyncs(
    api, outsider_api, zoom, alice, bob, maria, alice_admin, mailoutbox
):
    connection = _break_tenant_connection(api, outsider_api, zoom, alice, bob)
    video = make_service(alice, maria, name="Video", zoom_enabled=True)
    upcoming = book(video, maria, berlin(a_monday(), 10), now=timezone.now()).appointment
    Job.objects.filter(kind=SYNC_MEETING).update(state=Job.State.SUCCEEDED)
    run_jobs()

    response = _follow_reconnect_link(zoom, _reconnect_link(mailoutbox[0]))

    assert response.status_code == 200
    stored = Connection.objects.get(tenant=alice, staff__isnull=True)
    assert (stored.pk, stored.status) == (connection.pk, Connection.Status.CONNECTED)
    assert dict(StaffMapping.objects.values_list("staff_id", "zoom_user_id")) == {maria.pk: MARIA}
    pending = Job.objects.get(kind=SYNC_MEETING, state=Job.State.PENDING)
    assert pending.payload["appointment_id"] == upcoming.pk
    assert api.get("/integrations/zoom/settings").json()["connection"]["status"] == "connected"


def test_a_connection_zoom_deauthorized_is_disconnected_without_a_revoke(api, zoom, inbox, maria):
    connect_staff(api, zoom, maria, MARIA)
    _remove_app(zoom)
    inbox.replay(Client())

    response = api.delete(f"/staff/{maria.pk}/zoom")

    assert response.status_code == 204
    assert not Connection.objects.exists()
    assert not Job.objects.filter(kind=REVOKE_JOB).exists()


def test_a_reconnect_link_only_brings_back_the_zoom_user_it_was_sent_about(
    api, zoom, inbox, maria, alice_admin, mailoutbox
):
    connect_staff(api, zoom, maria, MARIA)
    _remove_app(zoom)
    inbox.replay(Client())
    run_jobs()

    response = _follow_reconnect_link(zoom, _reconnect_link(mailoutbox[0]), LEA)

    assert response.status_code == 400
    assert "reconnect link is for the Zoom account that was connected before" in response.content.decode()
    stored = Connection.objects.get(staff=maria)
    assert (stored.status, stored.zoom_user_id) == (Connection.Status.NEEDS_RECONNECT, MARIA)
    # The token granted to the wrong user is revoked rather than left installed.
    assert Job.objects.filter(kind=REVOKE_JOB).count() == 1


def test_a_staff_member_connects_another_zoom_user_after_a_deauthorization(
    api, zoom, inbox, maria, alice_admin, mailoutbox
):
    connect_staff(api, zoom, maria, MARIA)
    _remove_app(zoom)
    inbox.replay(Client())
    run_jobs()

    connect_staff(api, zoom, maria, LEA)

    stored = Connection.objects.get(staff=maria)
    assert (stored.status, stored.zoom_user_id) == (Connection.Status.CONNECTED, LEA)
    assert not Job.objects.filter(kind=REVOKE_JOB).exists()


def test_zoom_failing_during_a_refresh_leaves_the_connection_as_it_was(api, zoom, maria):
    connection = connect_staff(api, zoom, maria, MARIA)
    zoom.control.set_faults(paths=["/oauth/token"], error_rate=1.0, error_kind="503", error_count=1)

    with pytest.raises(ZoomUnavailable):
        _call_me(make_token_due(pk=connection.pk))

    stored = Connection.objects.get(pk=connection.pk)
    assert stored.status == Connection.Status.CONNECTED
    assert stored.refresh_token == connection.refresh_token
    assert not _notices()
    assert _call_me(stored).id == MARIA
    assert [entry["status"] for entry in token_requests(zoom, "refresh_token")] == [503, 200]
