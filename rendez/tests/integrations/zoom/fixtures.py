"""Personas, a Zoom emulator over HTTP, and the browser's part of OAuth, for the Zoom integration's tests.

The cast: tenant alice ("Alice's Studio", plan with `zoom`) employs Maria and Jonas, whose emails are those of
the emulator's Demo Clinic users MARIA and JONAS, and Nina, who has no Zoom user. Bob ("Bob's Clinic") is an
outsider tenant; Basil's business is on a plan without `zoom`. The emulator runs on a real port with its
default seed; Rendez is pointed at it through the same settings production uses.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx2
import pytest
from django.test import Client
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from emulator_kit.serving import QuietRequestHandler
from rendez.api.tests.fixtures import ApiClient
from rendez.integrations.zoom.models import Connection
from rendez.scheduling.models import Staff
from rendez.scheduling.tests.factories import make_api_key, make_staff, make_tenant
from rendez.tenants.models import Membership, Plan, Tenant
from zoom_emulator import Emulator, EmulatorConfig
from zoom_emulator.testing import RunningEmulator, run_emulator

CLIENT_ID = "rendez-demo-client"
CLIENT_SECRET = "rendez-demo-secret"
WEBHOOK_SECRET = "rendez-demo-webhook-secret"
S2S_ACCOUNT_ID = "demo-account"
S2S_CLIENT_ID = "rendez-demo-s2s"
S2S_CLIENT_SECRET = "rendez-demo-s2s-secret"
BASE_URL = "http://testserver"
REDIRECT_URI = f"{BASE_URL}/integrations/zoom/callback"

# Users of the emulator's default seed (zoom_emulator/seeds/default.json).
MARIA = "dXNyLW1hcmlhLWtvY2gtMDE"  # Owner of Demo Clinic: an account admin
JONAS = "dXNyLWpvbmFzLXdlYmVyLTAy"  # Admin of Demo Clinic
LEA = "dXNyLWxlYS1zY2htaXR0LTAz"  # Member of Demo Clinic
AISHA = "dXNyLWFpc2hhLWtoYW4tMDY"  # Owner of another account
MARIA_EMAIL = "maria.koch@demo-clinic.example"
JONAS_EMAIL = "jonas.weber@demo-clinic.example"


@dataclass
class Recorded:
    headers: dict[str, str]
    body: bytes


@dataclass
class EventInbox:
    """Stands where Rendez's event endpoint would be: the emulator delivers here, tests replay to Rendez."""

    url: str
    received: list[Recorded] = field(default_factory=list)

    def replay(self, client: Client, index: int = -1):
        """POST a delivery to Rendez exactly as Zoom sent it (body bytes and signature headers)."""
        item = self.received[index]
        headers = {name: value for name, value in item.headers.items() if name.startswith("x-zm-")}
        return client.post(
            "/integrations/zoom/events", item.body, content_type="application/json", headers=headers
        )

    def events(self) -> list[str]:
        return [json.loads(item.body)["event"] for item in self.received]


@pytest.fixture
def zoom(settings) -> Iterator[RunningEmulator]:
    """A default-seeded emulator on a real port, and Rendez configured to use it as Zoom."""
    config = EmulatorConfig(webhook_retry_delays=(0.05, 0.05, 0.05), webhook_timeout=1.0)
    with run_emulator(Emulator(config=config)) as running:
        settings.ZOOM_OAUTH_BASE_URL = running.base_url
        settings.ZOOM_API_BASE_URL = running.api_base_url
        settings.ZOOM_CLIENT_ID = CLIENT_ID
        settings.ZOOM_CLIENT_SECRET = CLIENT_SECRET
        settings.ZOOM_WEBHOOK_SECRET_TOKEN = WEBHOOK_SECRET
        settings.ZOOM_CONNECTION_MODES = ["staff_oauth", "tenant_oauth", "tenant_s2s"]
        settings.BASE_URL = BASE_URL
        running.control.add_redirect_uri(CLIENT_ID, REDIRECT_URI)
        yield running


@pytest.fixture
def inbox(zoom: RunningEmulator) -> Iterator[EventInbox]:
    holder: dict[str, EventInbox] = {}

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        headers = {name.lower(): value for name, value in request.headers.items()}
        holder["inbox"].received.append(Recorded(headers, request.get_data()))
        return Response("", 204)(environ, start_response)

    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietRequestHandler)
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    holder["inbox"] = EventInbox(url=f"http://127.0.0.1:{server.server_port}/integrations/zoom/events")
    zoom.control.set_event_subscription(CLIENT_ID, holder["inbox"].url, WEBHOOK_SECRET)
    yield holder["inbox"]
    server.shutdown()
    server.server_close()


# --- personas -----------------------------------------------------------------------------------------------


@pytest.fixture
def maria(alice) -> Staff:
    member = make_staff(alice, "Maria Koch")
    member.email = MARIA_EMAIL
    member.save(update_fields=["email"])
    return member


@pytest.fixture
def jonas(alice) -> Staff:
    member = make_staff(alice, "Jonas Weber")
    member.email = JONAS_EMAIL
    member.save(update_fields=["email"])
    return member


@pytest.fixture
def nina(alice) -> Staff:
    return make_staff(alice, "Nina")


@pytest.fixture
def alice_admin(alice, django_user_model):
    user = django_user_model.objects.create_user("alice-admin", "admin@alice.example", "pw-alice-admin")
    Membership.objects.create(user=user, tenant=alice, role=Membership.Role.ADMIN)
    return user


def own_account(staff: Staff, username: str, email: str):
    """A Rendez account of `staff`'s own: a staff member (not an admin) of their business."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user(username, email, f"pw-{username}")
    Membership.objects.create(user=user, tenant=staff.tenant, role=Membership.Role.STAFF)
    staff.user = user
    staff.save(update_fields=["user"])
    return user


@pytest.fixture
def maria_user(maria):
    """Maria's own Rendez account: a staff member of Alice's Studio, not an admin."""
    return own_account(maria, "maria", MARIA_EMAIL)


@pytest.fixture
def jonas_user(jonas):
    """Jonas's own Rendez account: Maria's colleague, without admin rights."""
    return own_account(jonas, "jonas", "jonas@alice.example")


@pytest.fixture
def bob_admin(bob, django_user_model):
    """The admin of Bob's Clinic, the outsider business."""
    user = django_user_model.objects.create_user("bob-admin", "admin@bob.example", "pw-bob-admin")
    Membership.objects.create(user=user, tenant=bob, role=Membership.Role.ADMIN)
    return user


@pytest.fixture
def api(alice) -> ApiClient:
    return ApiClient(make_api_key(alice))


@pytest.fixture
def outsider_api(bob) -> ApiClient:
    return ApiClient(make_api_key(bob))


@pytest.fixture
def basil(db) -> Tenant:
    plan, _ = Plan.objects.get_or_create(slug="basic", defaults={"name": "Basic", "capabilities": []})
    tenant = make_tenant("basil", name="Basil's Barbers")
    tenant.plan = plan
    tenant.save(update_fields=["plan"])
    return tenant


@pytest.fixture
def basil_api(basil) -> ApiClient:
    return ApiClient(make_api_key(basil))


# --- the browser's part of OAuth ----------------------------------------------------------------------------


def consent(zoom: RunningEmulator, authorize_url: str, user_id: str, decision: str = "allow") -> str:
    """Sign in at the emulator as `user_id` and answer its consent screen; return where Zoom sends the
    browser back (path and query of Rendez's callback)."""
    query = urlsplit(authorize_url).query
    with httpx2.Client(timeout=10.0) as browser:
        response = browser.post(
            f"{zoom.base_url}/oauth/authorize?{query}", data={"user_id": user_id, "decision": decision}
        )
    assert response.status_code == 302, response.text
    location = urlsplit(response.headers["location"])
    assert f"{location.scheme}://{location.netloc}" == BASE_URL
    return f"{location.path}?{location.query}"


def confirmer(tenant: Tenant):
    """An admin of `tenant` (made on first use), the person who confirms connects in these tests."""
    from django.contrib.auth import get_user_model

    user, made = get_user_model().objects.get_or_create(username=f"zoom-confirmer-{tenant.slug}")
    if made:
        Membership.objects.create(user=user, tenant=tenant, role=Membership.Role.ADMIN)
    return user


def signed_in_browser(user) -> Client:
    browser = Client()
    browser.force_login(user)
    return browser


def tenant_of_authorize_url(authorize_url: str) -> Tenant:
    from django.core import signing

    from rendez.integrations.zoom import states

    state = parse_qs(urlsplit(authorize_url).query)["state"][0]
    return Tenant.objects.get(pk=signing.loads(state, salt=states.SALT)["t"])


def finish(browser: Client, callback: str, decision: str = "connect"):
    """Follow Zoom's redirect to the callback in `browser` and answer the confirmation page; return the last
    response (the callback's own when it asked nothing)."""
    landed = browser.get(callback)
    if landed.status_code != 302:
        return landed
    question = browser.get(landed["Location"])
    assert question.status_code == 200, question.content
    return browser.post(landed["Location"], {"decision": decision})


def connect(api: ApiClient, zoom: RunningEmulator, path: str, user_id: str):
    """Start a connect through the API, consent as `user_id`, follow the callback in the browser of an admin
    of the tenant and confirm; return the last response."""
    started = api.post(path)
    assert started.status_code == 200, started.content
    authorize_url = started.json()["authorize_url"]
    browser = signed_in_browser(confirmer(tenant_of_authorize_url(authorize_url)))
    return finish(browser, consent(zoom, authorize_url, user_id))


def authorize_outside_rendez(zoom: RunningEmulator, user_id: str) -> dict[str, Any]:
    """`user_id` authorizes the same Zoom app somewhere Rendez does not see (another installation sharing the
    app, a script): Zoom issues a new grant and kills the user's earlier tokens (zoom-api.md §1.7)."""
    from urllib.parse import urlencode

    query = {"response_type": "code", "client_id": CLIENT_ID, "redirect_uri": REDIRECT_URI, "state": "x"}
    with httpx2.Client(timeout=10.0) as browser:
        approved = browser.post(
            f"{zoom.base_url}/oauth/authorize?{urlencode(query)}",
            data={"user_id": user_id, "decision": "allow"},
        )
        code = parse_qs(urlsplit(approved.headers["location"]).query)["code"][0]
        granted = browser.post(
            f"{zoom.base_url}/oauth/token",
            data={"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI},
            auth=(CLIENT_ID, CLIENT_SECRET),
        )
    assert granted.status_code == 200, granted.text
    return granted.json()


def connect_staff(api: ApiClient, zoom: RunningEmulator, member: Staff, user_id: str) -> Connection:
    response = connect(api, zoom, f"/staff/{member.pk}/zoom/connect", user_id)
    assert response.status_code == 200, response.content
    return Connection.objects.get(staff=member)


def connect_tenant(api: ApiClient, zoom: RunningEmulator, tenant: Tenant, user_id: str = MARIA) -> Connection:
    response = connect(api, zoom, "/integrations/zoom/connect", user_id)
    assert response.status_code == 200, response.content
    return Connection.objects.get(tenant=tenant, staff__isnull=True)


# --- what happened, for the flow tests ----------------------------------------------------------------------


def run_jobs() -> int:
    """Run every due job through the real worker, in this thread; returns how many ran."""
    from rendez.jobs.worker import Worker

    return Worker(listen=False).run_once()


def settle() -> None:
    """Run jobs until none is due (a sync enqueues notices and a meeting-ready job after it)."""
    for _ in range(5):
        if not run_jobs():
            return


def token_requests(zoom: RunningEmulator, grant_type: str) -> list[dict[str, Any]]:
    """The emulator's log of `POST /oauth/token` requests with this grant type."""
    return [
        entry
        for entry in zoom.control.requests("POST", "/oauth/token")
        if isinstance(entry["body"], dict) and entry["body"].get("grant_type") == grant_type
    ]


def add_zoom_users(zoom: RunningEmulator, count: int, account_id: str = S2S_ACCOUNT_ID) -> list[str]:
    """Hire `count` more people at a Zoom account of the emulator (enough of them make Zoom paginate)."""
    from zoom_emulator.models import User

    ids = []
    with zoom.emulator.mutation() as state:
        latest = max(user.created_at for user in state.users.values())
        for number in range(count):
            user = User(
                id=f"extra-user-{number:04d}",
                account_id=account_id,
                email=f"extra.{number:04d}@demo-clinic.example",
                first_name="Extra",
                last_name=f"{number:04d}",
                created_at=latest + 1 + number,
            )
            state.users[user.id] = user
            ids.append(user.id)
    return ids


def make_token_due(**lookup: Any) -> Connection:
    """Time travel for Rendez's side only: the stored access token of the connection is due for renewal."""
    from datetime import timedelta

    from django.utils import timezone

    Connection.objects.filter(**lookup).update(access_token_renew_at=timezone.now() - timedelta(seconds=1))
    return Connection.objects.get(**lookup)
