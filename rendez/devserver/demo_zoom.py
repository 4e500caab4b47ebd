"""Connects the demo tenant's staff to the mounted Zoom emulator through the real OAuth flow.

Nothing is written to the database directly: each staff member without a usable personal connection goes
through what a person's browser would do — a state with PKCE, the emulator's consent page (signing in as the
Zoom user with the staff member's email), Rendez's own callback, which exchanges the code and reads
`/users/me`, and the confirmation a signed-in admin would give, through the same writer. The emulator
answers only inside a running `rendez serve` (it is mounted in the same process), so `serve` runs this in a
background thread once the server answers.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from dataclasses import dataclass
from html import unescape
from html.parser import HTMLParser

import httpx2
from django.conf import settings
from django.db import connections

from rendez.integrations.zoom import access, confirmations, oauth, states
from rendez.integrations.zoom import connections as zoom_connections
from rendez.integrations.zoom.models import Connection, Mode
from rendez.scheduling.models import Staff
from rendez.tenants.models import Tenant

logger = logging.getLogger("rendez.devserver")

DEMO_TENANT = "demo"
# The server answers within a second of binding; a slow first import (cold disk) gets some slack.
READY_TIMEOUT_SECONDS = 30.0


class DemoConnectError(Exception):
    """One staff member could not be connected; the message says why."""


@dataclass(frozen=True)
class Connected:
    staff: Staff
    email: str


def demo_staff() -> list[Staff]:
    """The demo tenant's active staff, or nothing when there is no demo tenant."""
    tenant = Tenant.objects.filter(slug=DEMO_TENANT).first()
    if tenant is None:
        return []
    return list(Staff.objects.filter(tenant=tenant, is_active=True).order_by("pk"))


def connected_email(member: Staff) -> str | None:
    """The Zoom email of `member`'s usable personal connection, or None when they have none."""
    usable = Connection.objects.filter(
        staff=member, mode=Mode.STAFF_OAUTH, status=Connection.Status.CONNECTED
    )
    return usable.values_list("email", flat=True).first()


def connect_demo_staff(local_base_url: str) -> list[Connected]:
    """Connect every demo staff member who lacks a usable personal connection, through Rendez at
    `local_base_url` (e.g. http://127.0.0.1:8000). Returns who was connected; failures are logged, one per
    staff member, and never raised."""
    if not settings.ZOOM_EMULATOR:
        return []
    made = []
    for member in demo_staff():
        if connected_email(member) is not None:
            continue
        try:
            made.append(connect_staff(member, local_base_url))
        except (DemoConnectError, httpx2.HTTPError) as exc:
            logger.warning("Zoom: %s was not connected to the emulator: %s", member.name, exc)
            continue
        logger.info(
            "Zoom: %s connected as %s (per-staff OAuth with the emulator)", member.name, made[-1].email
        )
    return made


def connect_staff(member: Staff, local_base_url: str) -> Connected:
    """Run the per-staff OAuth flow for `member` as their browser would, signing in to the emulator as the
    Zoom user with their email."""
    refusal = access.refusal(member.tenant, Mode.STAFF_OAUTH)
    if refusal is not None:
        raise DemoConnectError(refusal)
    state, challenge = states.begin(member.tenant, Mode.STAFF_OAUTH, member)
    authorize = on_loopback(oauth.authorize_url(state, challenge), local_base_url)
    with httpx2.Client(timeout=settings.HTTP_TIMEOUT_SECONDS, follow_redirects=False) as browser:
        consent = browser.get(authorize)
        if consent.status_code != 200:
            raise DemoConnectError(f"the emulator's consent page answered {consent.status_code}")
        user_id = zoom_user_for(consent.text, member.email)
        approved = browser.post(authorize, data={"user_id": user_id, "decision": "allow"})
        if approved.status_code != 302:
            raise DemoConnectError(f"the emulator's consent answered {approved.status_code}, not a redirect")
        landed = browser.get(on_loopback(approved.headers["location"], local_base_url))
        if landed.status_code != 302:
            raise DemoConnectError(f"Rendez's callback answered {landed.status_code}: {_reason(landed.text)}")
        secret = browser.cookies.get(confirmations.COOKIE) or ""
    # The grant waits for a person's confirmation; the demo confirms it as its admin would, through the
    # same writer the confirmation page calls (nobody is signed in to this loopback browser).
    token = landed.headers["location"].rstrip("/").rsplit("/", 1)[-1]
    pending = confirmations.find(token, secret)
    if pending is None:
        raise DemoConnectError("Rendez's callback did not keep the grant for confirmation")
    try:
        connection = confirmations.confirm(pending)
    except zoom_connections.ConnectionRuleError as exc:
        raise DemoConnectError(exc.message) from None
    return Connected(member, connection.email)


def zoom_user_for(consent_page: str, email: str) -> str:
    """The id of the user whose email is `email` on the emulator's consent page (where a person picks who
    to sign in as)."""
    reader = _ConsentReader()
    reader.feed(consent_page)
    for user_id, label in reader.choices:
        if f"<{email.lower()}>" in label.lower():
            return user_id
    raise DemoConnectError(f"the emulator has no Zoom user with the email {email}")


def on_loopback(url: str, local_base_url: str) -> str:
    """`url` on our own server reached over loopback: the public base URL may name another host."""
    if not url.startswith(settings.BASE_URL + "/"):
        return url
    return local_base_url.rstrip("/") + url[len(settings.BASE_URL) :]


def _reason(page: str) -> str:
    """The heading and first paragraph of a result page, as plain text."""
    found = re.search(r"<h1>(.*?)</h1>\s*<p>(.*?)</p>", page, re.S)
    text = f"{found.group(1)}. {found.group(2)}" if found else page[:200]
    return unescape(re.sub(r"\s+", " ", text)).strip()


class _ConsentReader(HTMLParser):
    """Collects `(user_id, label text)` of the consent page's radio buttons."""

    def __init__(self) -> None:
        super().__init__()
        self.choices: list[tuple[str, str]] = []
        self._value: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if tag == "input" and named.get("name") == "user_id":
            self._value, self._text = named.get("value") or "", []

    def handle_data(self, data: str) -> None:
        if self._value is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "label" and self._value is not None:
            self.choices.append((self._value, "".join(self._text)))
            self._value = None


# --- from `rendez serve` ------------------------------------------------------------------------------------


def local_base_url(host: str, port: int) -> str:
    """Where this process's server answers over loopback, whatever address it is bound to."""
    if host in ("", "0.0.0.0", "localhost"):
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def start_in_background(host: str, port: int) -> threading.Thread | None:
    """When the emulator is mounted, connect the demo staff once the server answers. Never raises."""
    if not settings.ZOOM_EMULATOR:
        return None
    thread = threading.Thread(
        target=_connect_when_ready, args=(local_base_url(host, port),), name="demo-zoom", daemon=True
    )
    thread.start()
    return thread


def _connect_when_ready(base_url: str) -> None:
    try:
        wait_until_ready(base_url)
        connect_demo_staff(base_url)
    except Exception as exc:  # the demo's convenience must never take the server down
        logger.warning("Zoom: the demo staff were not connected to the emulator: %r", exc)
    finally:
        connections.close_all()  # this thread's only


def wait_until_ready(base_url: str) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while True:
        try:
            if httpx2.get(f"{base_url}/healthz", timeout=2.0).status_code == 200:
                return
        except httpx2.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise DemoConnectError(f"{base_url}/healthz did not answer within {READY_TIMEOUT_SECONDS:.0f}s")
        time.sleep(0.2)
