"""Connecting a Microsoft 365 calendar over HTTP against the emulator: the API starts it, the emulator's
consent page is answered as a browser would, and Rendez's callback finishes it in the browser of a signed-in
person of the same business (code exchanged with PKCE, /me read, the default calendar chosen, the sync
started). How the state binds the connect to that person, once, in time and to the tenant is checked for
every provider in oauth/test_connect_binding.py; PUT and DELETE work as for Google."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from rendez.calendars.models import CalendarConnection, CalendarConnectState
from rendez.calendars.tests.fixtures import browser_of, start_calendar_connect
from rendez.integrations.microsoft import connect, oauth
from rendez.tests.integrations.microsoft.world import CLIENT_ID, MARIA, MARIA_ID, consent, settle

TOKEN_PATH = "/login/common/oauth2/v2.0/token"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def start(api, staff) -> str:
    return start_calendar_connect(api, staff, "microsoft")


def callback_path(authorize_url: str, decision: str = "allow") -> str:
    """Where the emulator sends the browser back to: Rendez's callback, with the code and state."""
    back = urlsplit(consent(authorize_url, decision=decision))
    assert f"{back.scheme}://{back.netloc}{back.path}" == oauth.redirect_uri()
    return f"{back.path}?{back.query}"


def default_calendar_id(microsoft) -> str:
    [default] = [
        c for c in microsoft.control.state()["calendars"] if c["owner_id"] == MARIA_ID and c["is_default"]
    ]
    return str(default["id"])


def test_the_api_starts_and_the_staff_member_finishes_in_the_browser(microsoft, api, maria, maria_user):
    authorize_url = start(api, maria)
    sent = parse_qs(urlsplit(authorize_url).query)
    assert authorize_url.startswith(f"{microsoft.login_base_url}/common/oauth2/v2.0/authorize?")
    assert sent["client_id"] == [CLIENT_ID] and sent["redirect_uri"] == [oauth.redirect_uri()]
    assert sent["code_challenge_method"] == ["S256"] and sent["response_mode"] == ["query"]
    assert {"offline_access", "Calendars.ReadWrite", "User.Read"} <= set(sent["scope"][0].split())

    landed = browser_of(maria_user).get(callback_path(authorize_url))

    assert landed.status_code == 302 and landed["Location"] == "/panel/staff/me/"  # her own page
    [exchange] = microsoft.control.requests("POST", TOKEN_PATH)
    assert exchange["body"]["grant_type"] == "authorization_code" and exchange["body"]["code_verifier"]
    assert microsoft.control.requests("GET", "/graph/v1.0/me")  # the account, read with the new token
    assert not CalendarConnectState.objects.exists()  # burnt
    connection = CalendarConnection.objects.get(staff=maria, provider="microsoft")
    calendar_id = default_calendar_id(microsoft)
    assert connection.status == "connected" and connection.account_email == MARIA
    assert connection.busy_calendar_ids == [calendar_id] and connection.write_calendar_id == calendar_id
    settle()
    [calendar] = api.get(f"/staff/{maria.pk}").json()["calendars"]
    assert calendar["provider"] == "microsoft" and calendar["status"] == "connected"
    assert calendar["account_email"] == MARIA and calendar["last_synced_at"] is not None


def test_an_admin_finishes_it_then_chooses_calendars_and_disconnects(
    microsoft, api, outsider_api, maria, alice_admin
):
    landed = browser_of(alice_admin).get(callback_path(start(api, maria)))
    assert landed.status_code == 302 and landed["Location"] == f"/panel/staff/{maria.pk}/"
    settle()
    calendar_id = default_calendar_id(microsoft)

    chosen = api.put(f"/staff/{maria.pk}/calendars/microsoft", {"write_calendar_id": ""})
    assert chosen.status_code == 200
    assert chosen.json()["write_calendar_id"] == "" and chosen.json()["busy_calendar_ids"] == [calendar_id]
    path = f"/staff/{maria.pk}/calendars/microsoft"
    assert outsider_api.post(f"{path}/connect").status_code == 404
    assert outsider_api.put(path, {"write_calendar_id": ""}).status_code == 404
    assert outsider_api.delete(path).status_code == 404

    assert api.delete(path).status_code == 204
    connection = CalendarConnection.objects.get(staff=maria, provider="microsoft")
    assert connection.status == CalendarConnection.Status.DISCONNECTED
    assert not connection.refresh_token_encrypted
    assert api.get(f"/staff/{maria.pk}").json()["calendars"] == []


def test_a_panel_connect_is_finished_only_by_the_person_who_started_it(
    microsoft, maria, maria_user, alice_admin
):
    url = connect.authorize_url(maria.tenant, maria, started_by_id=maria_user.pk)

    refused = browser_of(alice_admin).get(callback_path(url))  # an admin, but not who started it

    assert refused.status_code == 403 and "started by someone else" in refused.content.decode()
    assert not CalendarConnection.objects.filter(staff=maria).exists()


def test_declining_on_microsoft_ends_on_the_shared_result_page(microsoft, api, maria, maria_user):
    answer = browser_of(maria_user).get(callback_path(start(api, maria), decision="deny"))

    page = answer.content.decode()
    assert answer.status_code == 200 and "Microsoft 365 was not connected" in page
    assert "You declined on Microsoft&#x27;s page" in page and 'href="/panel/staff/me/"' in page
    assert not CalendarConnection.objects.filter(staff=maria).exists()


def test_nothing_starts_without_a_microsoft_app(microsoft, api, maria, settings):
    settings.MICROSOFT_CLIENT_ID = ""

    refused = api.post(f"/staff/{maria.pk}/calendars/microsoft/connect")

    assert refused.status_code == 409 and refused.json()["error"]["code"] == "microsoft_not_configured"
    assert not CalendarConnectState.objects.exists()
