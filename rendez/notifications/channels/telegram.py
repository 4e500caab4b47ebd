"""Telegram through the Bot API: POST {base}/bot{token}/sendMessage with JSON {chat_id, text}."""

from __future__ import annotations

from rendez.lib import http
from rendez.notifications.channels.base import ChannelError, OutgoingMessage, VendorSettings


class TelegramTransport:
    def send(self, message: OutgoingMessage, vendor: VendorSettings) -> str:
        if not vendor.secret:
            raise ChannelError("Telegram is not configured (bot token)", permanent=True)
        url = f"{vendor.base_url}/bot{vendor.secret}/sendMessage"
        payload = {"chat_id": message.recipient, "text": message.text, "disable_web_page_preview": True}
        try:
            response = http.request("POST", url, json=payload)
        except http.HTTPError as exc:
            raise _error(exc) from exc
        body = response.json()
        if not body.get("ok"):
            raise ChannelError(
                f"Telegram refused the message: {body.get('description', body)}", permanent=True
            )
        return str(body.get("result", {}).get("message_id", ""))


def _error(exc: http.HTTPError) -> ChannelError:
    # Telegram says how long to back off in the body (`parameters.retry_after`), not always in a header.
    body: dict = {}
    if exc.response is not None:
        try:
            body = exc.response.json()
        except ValueError:
            body = {}
    retry_after = exc.retry_after
    parameters = body.get("parameters") if isinstance(body, dict) else None
    if isinstance(parameters, dict) and isinstance(parameters.get("retry_after"), int | float):
        retry_after = float(parameters["retry_after"])
    description = body.get("description", "") if isinstance(body, dict) else ""
    return ChannelError(f"{exc} {description}".strip(), permanent=not exc.retryable, retry_after=retry_after)
