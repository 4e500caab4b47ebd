"""The OAuth `state` of a Zoom connect: signed, single-use, short-lived and bound to one tenant and staff
member. What every provider's state does alike (another person, expired, replayed, another tenant) is checked
in oauth/test_connect_binding.py; here what is Zoom's own.

Every refused callback ends on a page that says what happened and how to retry, stores no connection and
never exchanges the code at Zoom.
"""

from __future__ import annotations

import time
from datetime import timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.core import signing
from django.test import Client

from rendez.integrations.zoom import states
from rendez.integrations.zoom.models import Connection, Mode, OAuthState
from rendez.tests.integrations.zoom.fixtures import (
    MARIA,
    confirmer,
    connect_staff,
    consent,
    finish,
    signed_in_browser,
    token_requests,
)

CALLBACK = "/integrations/zoom/callback"
RETRY = "start the connection once more from Rendez"


class BackdatedSigner(signing.TimestampSigner):
    """Signs as `signing.dumps` does, but as if the state had been made `age` ago."""

    def __init__(self, age: timedelta, **kwargs) -> None:
        super().__init__(**kwargs)
        self.age = age

    def timestamp(self) -> str:
        return signing.b62_encode(int(time.time() - self.age.total_seconds()))


def callback(state: str | None = None, **params: str):
    query = ({"state": state} if state is not None else {}) | {"code": "a-code-zoom-issued"} | params
    return Client().get(f"{CALLBACK}?{urlencode(query)}")


def text_of(response) -> str:
    return response.content.decode()


def assert_nothing_stored(zoom) -> None:
    assert Connection.objects.count() == 0
    assert token_requests(zoom, "authorization_code") == []


def assert_refused(response, reason: str) -> None:
    assert response.status_code == 400
    body = text_of(response)
    assert "Zoom was not connected" in body
    assert reason in body
    assert "Start again from Rendez" in body


def nonce_of(state: str) -> str:
    return signing.loads(state, salt=states.SALT)["n"]


# --- bound to one tenant and staff member -------------------------------------------------------------------


def test_a_state_bound_to_another_staff_member_is_refused(zoom, alice, maria, jonas):
    state, _ = states.begin(alice, Mode.STAFF_OAUTH, maria)
    moved = signing.dumps(
        {"n": nonce_of(state), "t": alice.pk, "s": jonas.pk}, salt=states.SALT, compress=True
    )

    response = callback(moved)

    assert_refused(response, "This Zoom connection link belongs to another account.")
    assert_nothing_stored(zoom)


# --- single use ---------------------------------------------------------------------------------------------


def test_a_reused_state_is_refused_and_changes_nothing(zoom, api, maria):
    started = api.post(f"/staff/{maria.pk}/zoom/connect")
    back = consent(zoom, started.json()["authorize_url"], MARIA)
    browser = signed_in_browser(confirmer(maria.tenant))
    assert finish(browser, back).status_code == 200
    connection = Connection.objects.get()

    again = browser.get(back)

    assert_refused(again, "This Zoom connection link was already used.")
    assert list(Connection.objects.all()) == [connection]
    reread = Connection.objects.get()
    assert (reread.access_token_encrypted, reread.updated_at) == (
        connection.access_token_encrypted,
        connection.updated_at,
    )
    assert len(token_requests(zoom, "authorization_code")) == 1


def test_a_state_works_once_even_when_the_first_callback_failed(zoom, api, maria):
    started = api.post(f"/staff/{maria.pk}/zoom/connect")
    state = parse_qs(urlsplit(started.json()["authorize_url"]).query)["state"][0]
    assert callback(state, code="not-a-code-zoom-issued").status_code == 400

    response = callback(state)

    assert_refused(response, "already used")
    assert Connection.objects.count() == 0


# --- short-lived --------------------------------------------------------------------------------------------


def test_a_state_signed_longer_ago_than_its_lifetime_is_refused(zoom, alice, maria):
    state, _ = states.begin(alice, Mode.STAFF_OAUTH, maria)
    claims = signing.loads(state, salt=states.SALT)
    old = BackdatedSigner(states.STATE_LIFETIME + timedelta(seconds=5), salt=states.SALT)

    response = callback(old.sign_object(claims, compress=True))

    assert_refused(response, "This Zoom connection link has expired.")
    assert_nothing_stored(zoom)
    assert OAuthState.objects.count() == 1, "the row is left for the sweep; the real state was never shown"


# --- signed -------------------------------------------------------------------------------------------------


def _tampered(state: str) -> str:
    payload, _, rest = state.partition(":")
    flipped = payload[:-1] + ("A" if payload[-1] != "A" else "B")
    return f"{flipped}:{rest}"


TAMPERINGS = {
    "payload changed": _tampered,
    "signature cut": lambda state: state.rsplit(":", 1)[0],
    "signature of another state": lambda state: state.rsplit(":", 1)[0] + ":" + "x" * 43,
    "other salt": lambda state: signing.dumps(signing.loads(state, salt=states.SALT), salt="other"),
    "unsigned claims": lambda state: "eyJuIjoieCJ9",
    "garbage": lambda state: "not-a-state",
}


@pytest.mark.parametrize("tamper", TAMPERINGS.values(), ids=TAMPERINGS.keys())
def test_a_tampered_state_is_refused(zoom, alice, maria, tamper):
    state, _ = states.begin(alice, Mode.STAFF_OAUTH, maria)

    response = callback(tamper(state))

    assert_refused(response, "This Zoom connection link is not valid.")
    assert_nothing_stored(zoom)
    assert OAuthState.objects.count() == 1, "a refused state burns no real one"


# --- callbacks that did not start in Rendez, and refusals at Zoom ------------------------------------------


@pytest.mark.parametrize("params", [{}, {"state": ""}], ids=["no state", "empty state"])
def test_a_marketplace_install_without_state_is_told_to_start_from_rendez(zoom, alice, params):
    response = Client().get(f"{CALLBACK}?{urlencode({'code': 'a-code-zoom-issued'} | params)}")

    assert response.status_code == 400
    body = text_of(response)
    assert "Start the connection from Rendez" in body
    assert "Open Rendez and use “Connect Zoom” there." in body
    assert_nothing_stored(zoom)


def test_a_declined_authorization_says_so_and_how_to_retry(zoom, api, maria):
    started = api.post(f"/staff/{maria.pk}/zoom/connect")
    back = consent(zoom, started.json()["authorize_url"], MARIA, decision="deny")
    assert "error=access_denied" in back

    response = Client().get(back)

    assert response.status_code == 200
    body = text_of(response)
    assert "Zoom was not connected" in body
    assert "You declined the authorization on Zoom, so nothing was connected." in body
    assert RETRY in body
    assert_nothing_stored(zoom)
    assert OAuthState.objects.count() == 0


def test_connecting_after_declining_works(zoom, api, maria):
    started = api.post(f"/staff/{maria.pk}/zoom/connect")
    Client().get(consent(zoom, started.json()["authorize_url"], MARIA, decision="deny"))

    connection = connect_staff(api, zoom, maria, MARIA)

    assert connection.status == Connection.Status.CONNECTED
