"""Connecting a Google Calendar over HTTP: the API starts it, the emulator's consent page is answered as a
browser would, and Rendez's callback finishes it in the browser of a signed-in person. How the state binds
the connect to that person, once, in time and to the tenant is checked for every provider in
oauth/test_connect_binding.py."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from rendez.calendars.models import CalendarConnection
from rendez.calendars.tests.fixtures import browser_of, start_calendar_connect
from rendez.integrations.google.models import GoogleConnectState
from rendez.tests.integrations.google.world import CLIENT_ID, MARIA, REDIRECT_URI, consent, settle


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def start(api, staff) -> str:
    return start_calendar_connect(api, staff, "google")


def test_the_api_starts_and_the_staff_member_finishes_in_the_browser(google, api, maria, maria_user):
    authorize_url = start(api, maria)
    sent = parse_qs(urlsplit(authorize_url).query)
    assert authorize_url.startswith(f"{google.oauth_base_url}/o/oauth2/v2/auth?")
    assert sent["client_id"] == [CLIENT_ID] and sent["redirect_uri"] == [REDIRECT_URI]
    assert sent["access_type"] == ["offline"] and sent["code_challenge_method"] == ["S256"]
    assert "https://www.googleapis.com/auth/calendar.events" in sent["scope"][0].split()

    landed = browser_of(maria_user).get(consent(google, authorize_url))

    assert landed.status_code == 302 and landed["Location"] == "/panel/staff/me/"  # her own page
    connection = CalendarConnection.objects.get(staff=maria, provider="google")
    assert connection.status == "connected" and connection.account_email == MARIA
    [exchange] = google.control.requests("POST", "/oauth2/token")
    assert exchange["body"]["grant_type"] == "authorization_code"
    assert exchange["body"]["client_id"] == CLIENT_ID and exchange["body"]["code_verifier"]
    assert not GoogleConnectState.objects.exists()  # burnt
    settle()
    [calendar] = api.get(f"/staff/{maria.pk}").json()["calendars"]
    assert calendar["provider"] == "google" and calendar["status"] == "connected"
    assert calendar["account_email"] == MARIA and calendar["busy_calendar_ids"] == [MARIA]
    assert calendar["write_calendar_id"] == MARIA and calendar["last_synced_at"] is not None
    [listed] = [item for item in api.get("/staff").json()["items"] if item["id"] == maria.pk]
    assert listed["calendars"] == [calendar]


def test_a_panel_connect_is_finished_only_by_the_person_who_started_it(
    google, maria, maria_user, alice_admin
):
    from rendez.integrations.google import connect

    url = connect.authorize_url(maria.tenant, maria, started_by_id=maria_user.pk)
    callback = consent(google, url)
    refused = browser_of(alice_admin).get(callback)  # an admin, but not who started it
    assert refused.status_code == 403
    assert "started by someone else" in refused.content.decode()
    assert not CalendarConnection.objects.filter(staff=maria).exists()


def test_signing_in_first_keeps_the_state(google, api, maria, maria_user):
    callback = consent(google, start(api, maria))
    browser = Client()

    to_login = browser.get(callback)

    assert to_login.status_code == 302 and to_login["Location"].startswith("/login/?next=")
    assert GoogleConnectState.objects.count() == 1
    browser.force_login(maria_user)
    assert browser.get(callback).status_code == 302
    assert CalendarConnection.objects.get(staff=maria).status == "connected"


def test_calendar_access_unticked_connects_nothing(google, api, maria, maria_user):
    callback = consent(google, start(api, maria), scopes=[])

    answer = browser_of(maria_user).get(callback)

    assert answer.status_code == 400
    assert "Calendar access was not granted" in answer.content.decode()
    assert not CalendarConnection.objects.filter(staff=maria).exists()


def test_declining_on_google_connects_nothing(google, api, maria, maria_user):
    callback = consent(google, start(api, maria), decision="deny")

    answer = browser_of(maria_user).get(callback)

    assert answer.status_code == 200 and "declined" in answer.content.decode()
    assert not CalendarConnection.objects.filter(staff=maria).exists()


def test_an_admin_finishes_an_api_connect_and_lands_on_the_staff_page(google, api, maria, alice_admin):
    landed = browser_of(alice_admin).get(consent(google, start(api, maria)))

    assert landed.status_code == 302 and landed["Location"] == f"/panel/staff/{maria.pk}/"
    assert CalendarConnection.objects.get(staff=maria).status == "connected"
