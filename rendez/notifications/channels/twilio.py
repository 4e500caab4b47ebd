"""SMS and WhatsApp through Twilio's Messages resource.

POST {base}/2010-04-01/Accounts/{AccountSid}/Messages.json, form-encoded To/From/Body, HTTP Basic auth with
the
account SID and auth token. WhatsApp is the same call with `whatsapp:`-prefixed numbers on both ends.
"""

from __future__ import annotations

from rendez.lib import http
from rendez.notifications.channels.base import ChannelError, OutgoingMessage, VendorSettings

# Twilio error codes that will not change on a retry (invalid or unreachable "To", unverified sender, ...).
# Other 4xx answers are permanent too; this list only makes the error text friendlier.
KNOWN_CODES = {21211: "invalid 'To' number", 21408: "region not enabled", 21610: "recipient unsubscribed"}


class TwilioTransport:
    def __init__(self, *, whatsapp: bool) -> None:
        self.whatsapp = whatsapp

    def send(self, message: OutgoingMessage, vendor: VendorSettings) -> str:
        if not (vendor.account_sid and vendor.secret and vendor.sender):
            kind = "WhatsApp" if self.whatsapp else "SMS"
            raise ChannelError(
                f"{kind} is not configured (Twilio account SID, auth token, sender)", permanent=True
            )
        url = f"{vendor.base_url}/2010-04-01/Accounts/{vendor.account_sid}/Messages.json"
        form = {
            "To": self._address(message.recipient),
            "From": self._address(vendor.sender),
            "Body": message.text,
        }
        try:
            response = http.request("POST", url, data=form, auth=(vendor.account_sid, vendor.secret))
        except http.HTTPError as exc:
            raise ChannelError.from_http(exc, _twilio_detail(exc)) from exc
        return str(_json(response).get("sid", ""))

    def _address(self, number: str) -> str:
        if self.whatsapp and not number.startswith("whatsapp:"):
            return f"whatsapp:{number}"
        return number


def _twilio_detail(exc: http.HTTPError) -> str:
    if exc.response is None:
        return ""
    body = _json(exc.response)
    code = body.get("code")
    text = KNOWN_CODES.get(code, "") if isinstance(code, int) else ""
    return f"(Twilio {code}: {text or body.get('message', '')})" if code else ""


def _json(response: object) -> dict:
    try:
        data = response.json()  # type: ignore[attr-defined]
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}
