"""Connecting a Google Calendar over HTTP: the API starts it, the emulator's consent page is answered as a
browser would, and Rendez's callback finishes it in the browser of a signed-in person. The state is bound to
that person and works once."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx2
import pytest
from django.test import Client

from rendez.calendars.models import CalendarConnection
from rendez.calendars.tests.fixtures import browser_of, start_calendar_connect
from rendez.integrations.google.models import GoogleConnectState
from rendez.tests.integrations.google.world import CLIENT_ID, MARIA, REDIRECT_URI, settle

CALENDAR_SCOPES = [
    "https://www.googleapis.com/auth/calendar.events",
    "https://www.googleapis.com/auth/calendar.calendarlist.readonly",
    "https://www.googleapis.com/auth/calendar.freebusy",
]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_another_business_admin_cannot_finish_it(google, api, maria, bob_admin):
    refused = browser_of(bob_admin).get(consent(google, start(api, maria)))
    assert refused.status_code == 403
    assert not CalendarConnection.objects.filter(staff=maria).exists()


def start(api, staff) -> str:
    return start_calendar_connect(api, staff, "google")


def consent(google, authorize_url: str, scopes=CALENDAR_SCOPES, decision: str = "allow") -> str:
    """Answer the emulator's consent page as Maria; the path and query Google sends the browser back to."""
    query = urlsplit(authorize_url).query
    with httpx2.Client(timeout=10.0) as browser:
        answered = browser.post(
            f"{google.oauth_base_url}/o/oauth2/v2/auth?{query}",
            data={"account": MARIA, "decision": decision, "scope": scopes},
        )
    assert answered.status_code == 302, answered.text
    location = urlsplit(answered.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT_URI
    return f"{location.path}?{location.query}"


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


def test_a_replayed_state_is_refused(google, api, maria, maria_user):
    callback = consent(google, start(api, maria))
    browser = browser_of(maria_user)
    assert browser.get(callback).status_code == 302

    replayed = browser.get(callback)

    assert replayed.status_code == 400
    assert "already used" in replayed.content.decode()
    assert len(google.control.requests("POST", "/oauth2/token")) == 1


def test_another_person_cannot_finish_it_and_the_state_is_burnt(
    google, api, maria, maria_user, jonas_user, bob_admin
):
    callback = consent(google, start(api, maria))

    refused = browser_of(jonas_user).get(callback)  # a colleague without admin rights
    assert refused.status_code == 403 and "may not connect" in refused.content.decode()
    assert browser_of(bob_admin).get(callback).status_code == 400  # another business's admin: burnt already

    assert not CalendarConnection.objects.filter(staff=maria).exists()
    assert google.control.requests("POST", "/oauth2/token") == []  # the code was never exchanged
    assert browser_of(maria_user).get(callback).status_code == 400  # burnt by the first refusal


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


def test_another_tenant_cannot_start_a_connect_for_this_staff_member(google, outsider_api, maria):
    assert outsider_api.post(f"/staff/{maria.pk}/calendars/google/connect").status_code == 404


def test_an_admin_finishes_an_api_connect_and_lands_on_the_staff_page(google, api, maria, alice_admin):
    landed = browser_of(alice_admin).get(consent(google, start(api, maria)))

    assert landed.status_code == 302 and landed["Location"] == f"/panel/staff/{maria.pk}/"
    assert CalendarConnection.objects.get(staff=maria).status == "connected"
