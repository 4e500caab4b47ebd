"""Webhooks: a signed JSON POST to a URL of the tenant's choosing.

Headers: `X-Rendez-Timestamp` (Unix seconds) and `X-Rendez-Signature: sha256=<hex>`, the HMAC-SHA256 with the
tenant's webhook secret over `{timestamp}.{body}` (the raw body bytes). Receivers recompute it and reject old
timestamps, which stops replays. See docs/notifications.md for a verification snippet.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time

from rendez.lib import http
from rendez.notifications.channels.base import ChannelError, OutgoingMessage, VendorSettings

SIGNATURE_HEADER = "X-Rendez-Signature"
TIMESTAMP_HEADER = "X-Rendez-Timestamp"


def signature(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


class WebhookTransport:
    def send(self, message: OutgoingMessage, vendor: VendorSettings) -> str:
        if not vendor.secret:
            raise ChannelError("webhooks are not configured (signing secret)", permanent=True)
        body = json.dumps(
            {**message.data, "subject": message.subject, "text": message.text},
            separators=(",", ":"),
            sort_keys=True,
        ).encode()
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: signature(vendor.secret, timestamp, body),
        }
        try:
            http.request("POST", message.recipient, content=body, headers=headers)
        except http.HTTPError as exc:
            raise ChannelError.from_http(exc) from exc
        return ""
