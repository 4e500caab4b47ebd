"""Zoom event deliveries as Zoom makes them: one fixture per event type, compact JSON, signed (§6.1-6.2)."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from pathlib import Path
from typing import Any

from django.test import Client

from rendez.integrations.zoom.models import Connection
from rendez.integrations.zoom.schemas import TokenGrant
from rendez.integrations.zoom.tokens import store_grant
from rendez.scheduling.models import Staff
from rendez.tests.integrations.zoom.fixtures import WEBHOOK_SECRET

EVENTS_URL = "/integrations/zoom/events"
FIXTURES = Path(__file__).parent / "fixtures" / "events"
MEETING_EVENTS = ["meeting.created", "meeting.updated", "meeting.deleted", "meeting.started", "meeting.ended"]


def load(event_type: str) -> dict[str, Any]:
    return json.loads((FIXTURES / f"{event_type}.json").read_text())


def body_of(event: dict[str, Any]) -> bytes:
    # Zoom sends compact JSON; the signature covers these exact bytes.
    return json.dumps(event, separators=(",", ":")).encode()


def sign(body: bytes, *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> dict[str, str]:
    """The headers Zoom sends with `body`: the request time in seconds and `v0=<hex HMAC-SHA256>`."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), b"v0:" + stamp.encode() + b":" + body, hashlib.sha256).hexdigest()
    return {"x-zm-request-timestamp": stamp, "x-zm-signature": f"v0={digest}"}


def deliver(body: bytes, headers: dict[str, str], client: Client | None = None):
    return (client or Client()).post(EVENTS_URL, body, content_type="application/json", headers=headers)


def deliver_signed(event: dict[str, Any]):
    body = body_of(event)
    return deliver(body, sign(body))


def personal_connection(staff: Staff, account_id: str, zoom_user_id: str) -> Connection:
    """A connected personal connection built directly, for events whose ids come from a fixture."""
    connection = Connection(
        tenant_id=staff.tenant_id,
        staff=staff,
        mode="staff_oauth",
        account_id=account_id,
        zoom_user_id=zoom_user_id,
    )
    store_grant(
        connection,
        TokenGrant(
            access_token=f"access-of-{zoom_user_id}",
            refresh_token=f"refresh-of-{zoom_user_id}",
            expires_in=3599,
        ),
    )
    connection.save()
    return connection
