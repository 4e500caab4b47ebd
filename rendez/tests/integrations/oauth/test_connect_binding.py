"""The kit's binding of a connect (rendez/integrations/oauth/state.py), over HTTP, for every provider that
connects with it: a connect the API started for Maria of Alice's Studio is finished only by a person who may
act for her, once, within its lifetime, and only for the tenant it was started in. Nothing is stored and no
code is exchanged at the provider otherwise.

Each provider finishes in its own way (Zoom holds the grant until a signed-in person confirms it in this
browser, confirmations.py; Google and Microsoft ask the signed-in person at the callback): a `Flow` says
how, and what a refusal leaves behind.

Personas: Alice's Studio (admin `alice_admin`, staff Maria with her own Rendez account, her colleague
`jonas_user`), Bob's Clinic as the outsider (its admin `bob_admin`, its staff member Fiona).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.core import signing
from django.test import Client
from django.utils import timezone

from rendez.calendars.models import CalendarConnection
from rendez.integrations.google import connect as google_connect
from rendez.integrations.microsoft import connect as microsoft_connect
from rendez.integrations.oauth.state import ConnectStates
from rendez.integrations.zoom import states as zoom_states
from rendez.integrations.zoom.models import Connection, PendingConnect
from rendez.scheduling.models import Staff
from rendez.scheduling.tests.factories import make_staff
from rendez.tests.integrations.google import world as google_world
from rendez.tests.integrations.microsoft import world as microsoft_world
from rendez.tests.integrations.zoom import fixtures as zoom_world


@dataclass(frozen=True)
class Flow:
    provider: str  # the name of the emulator's fixture, and of the provider in Rendez's URLs
    label: str  # as refusals name it: "This {label} connection link ..."
    start_path: str  # the API's start, `{staff}` the staff member's id
    states: ConnectStates[Any]
    consent: Callable[[Any, str], str]  # answers the provider's consent page as Maria: the callback
    finish: Callable[[Client, str], Any]  # the rest of the way in the browser; the last response
    connected: Callable[[Staff], bool]
    exchanges: Callable[[Any], int]  # authorization codes exchanged at the provider
    refused_status: int  # when somebody who may not act for Maria finishes it
    refused_saying: str  # and what the page tells them
    # What a refusal of the person leaves behind, checked with the emulator, the callback and Maria's account.
    after_person_refused: Callable[[Any, str, Any], None]


def _zoom_finish(browser: Client, callback: str):
    """The callback, then the confirmation page (asked and answered): the first refusal on the way."""
    landed = browser.get(callback)
    if landed.status_code != 302:
        return landed
    question = browser.get(landed["Location"])
    answered = browser.post(landed["Location"], {"decision": "connect"})
    if question.status_code != 200:
        assert answered.status_code == question.status_code
        return question
    return answered


def _zoom_after_person_refused(zoom, callback: str, maria_user) -> None:
    assert PendingConnect.objects.count() == 1, "the grant still waits for the right person"


def _google_after_person_refused(google, callback: str, maria_user) -> None:
    assert _signed_in(maria_user).get(callback).status_code == 400, "the refusal burnt the state"
    assert _google_exchanges(google) == 0, "the code was never exchanged"


def _google_exchanges(google) -> int:
    return len(google.control.requests("POST", "/oauth2/token"))


def _microsoft_exchanges(microsoft) -> int:
    return len(microsoft.control.requests("POST", "/login/common/oauth2/v2.0/token"))


def _microsoft_after_person_refused(microsoft, callback: str, maria_user) -> None:
    assert _signed_in(maria_user).get(callback).status_code == 400, "the refusal burnt the state"
    assert _microsoft_exchanges(microsoft) == 0, "the code was never exchanged"


FLOWS = {
    "zoom": Flow(
        provider="zoom",
        label="Zoom",
        start_path="/staff/{staff}/zoom/connect",
        states=zoom_states.STATES,
        consent=lambda zoom, url: zoom_world.consent(zoom, url, zoom_world.MARIA),
        finish=_zoom_finish,
        connected=lambda staff: Connection.objects.filter(staff=staff).exists(),
        exchanges=lambda zoom: len(zoom_world.token_requests(zoom, "authorization_code")),
        refused_status=404,
        refused_saying="your Rendez account may not confirm it",
        after_person_refused=_zoom_after_person_refused,
    ),
    "google": Flow(
        provider="google",
        label="Google",
        start_path="/staff/{staff}/calendars/google/connect",
        states=google_connect.STATES,
        consent=lambda google, url: google_world.consent(google, url),
        finish=lambda browser, callback: browser.get(callback),
        connected=lambda staff: CalendarConnection.objects.filter(staff=staff).exists(),
        exchanges=_google_exchanges,
        refused_status=403,
        refused_saying="your Rendez account may not connect",
        after_person_refused=_google_after_person_refused,
    ),
    "microsoft": Flow(
        provider="microsoft",
        label="Microsoft",
        start_path="/staff/{staff}/calendars/microsoft/connect",
        states=microsoft_connect.STATES,
        consent=lambda microsoft, url: microsoft_world.consent(url),
        finish=lambda browser, callback: browser.get(callback),
        connected=lambda staff: CalendarConnection.objects.filter(staff=staff).exists(),
        exchanges=_microsoft_exchanges,
        refused_status=403,
        refused_saying="your Rendez account may not connect",
        after_person_refused=_microsoft_after_person_refused,
    ),
}


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(params=sorted(FLOWS))
def flow(request) -> Flow:
    return FLOWS[request.param]


@pytest.fixture
def provider(flow, request):
    """The running emulator of the flow's provider, Rendez pointed at it."""
    return request.getfixturevalue(flow.provider)


@pytest.fixture
def fiona_user(bob):
    """A staff member of Bob's Clinic with her own Rendez account."""
    return zoom_world.own_account(make_staff(bob, "Fiona"), "fiona", "fiona@bob.example")


def _signed_in(user) -> Client:
    browser = Client()
    browser.force_login(user)
    return browser


def _callback_of(flow: Flow, provider, api, staff: Staff) -> str:
    started = api.post(flow.start_path.format(staff=staff.pk))
    assert started.status_code == 200, started.content
    return flow.consent(provider, started.json()["authorize_url"])


def _with_state(callback: str, state: str) -> str:
    path, query = callback.split("?", 1)
    params = {name: values[0] for name, values in parse_qs(query).items()}
    return f"{path}?{urlencode(params | {'state': state})}"


def _state_of(callback: str) -> str:
    return parse_qs(urlsplit(callback).query)["state"][0]


def _assert_refused(response, reason: str) -> None:
    """A page that says what happened and how to retry."""
    assert response.status_code == 400
    text = response.content.decode()
    assert "was not connected" in text and reason in text and "Start again from Rendez" in text


@pytest.mark.parametrize("who", ["a colleague", "an outsider's admin", "an outsider's staff member"])
def test_a_state_from_another_person_is_refused(
    flow, provider, api, maria, maria_user, jonas_user, bob_admin, fiona_user, who
):
    person = {
        "a colleague": jonas_user,
        "an outsider's admin": bob_admin,
        "an outsider's staff member": fiona_user,
    }
    callback = _callback_of(flow, provider, api, maria)

    refused = flow.finish(_signed_in(person[who]), callback)

    assert refused.status_code == flow.refused_status
    assert flow.refused_saying in refused.content.decode()
    assert "Maria" not in refused.content.decode()
    assert google_world.MARIA not in refused.content.decode()  # her account's address, at either provider
    assert not flow.connected(maria)
    flow.after_person_refused(provider, callback, maria_user)


def test_an_expired_state_is_refused(flow, provider, api, maria, alice_admin):
    callback = _callback_of(flow, provider, api, maria)
    flow.states.model._default_manager.update(expires_at=timezone.now() - timedelta(seconds=1))

    refused = flow.finish(_signed_in(alice_admin), callback)

    _assert_refused(refused, f"This {flow.label} connection link has expired.")
    assert not flow.connected(maria)
    assert flow.exchanges(provider) == 0


def test_a_replayed_state_is_refused(flow, provider, api, maria, alice_admin):
    callback = _callback_of(flow, provider, api, maria)
    browser = _signed_in(alice_admin)
    assert flow.finish(browser, callback).status_code in (200, 302)
    assert flow.connected(maria)

    replayed = browser.get(callback)

    _assert_refused(replayed, f"This {flow.label} connection link was already used.")
    assert flow.exchanges(provider) == 1


def test_a_state_moved_to_another_tenant_is_refused_and_burnt(flow, provider, api, maria, bob, bob_admin):
    callback = _callback_of(flow, provider, api, maria)
    nonce = signing.loads(_state_of(callback), salt=flow.states.salt)["n"]
    # Alice's nonce in a state that names Bob's business: a signed state cannot be moved to another tenant.
    moved = signing.dumps({"n": nonce, "t": bob.pk, "s": None}, salt=flow.states.salt, compress=True)
    browser = _signed_in(bob_admin)

    refused = browser.get(_with_state(callback, moved))

    _assert_refused(refused, f"This {flow.label} connection link belongs to another account.")
    assert not flow.connected(maria) and flow.exchanges(provider) == 0
    assert not flow.states.model._default_manager.exists()
    assert browser.get(callback).status_code == 400, "the nonce was burnt by the attempt"


def test_another_tenant_cannot_start_a_connect_for_alices_staff(flow, provider, outsider_api, maria):
    response = outsider_api.post(flow.start_path.format(staff=maria.pk))

    assert response.status_code == 404
    assert not flow.states.model._default_manager.exists()
