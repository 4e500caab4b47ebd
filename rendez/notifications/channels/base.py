"""The channel port: what a transport receives, what it raises, and where its vendor settings come from."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx2

from rendez.lib import http
from rendez.notifications import conf
from rendez.notifications.models import ChannelConfig


@dataclass(frozen=True)
class OutgoingMessage:
    channel: str
    recipient: str
    subject: str
    text: str
    tenant_name: str = ""
    # Emails: the business's sender name (From) and reply-to address (the business profile's).
    sender_name: str = ""
    reply_to: str = ""
    # Emails: the calendar invitation and its iTIP method (REQUEST or CANCEL).
    invitation: bytes | None = None
    invitation_method: str = "REQUEST"
    # Emails: the delivery's stored Message-ID, the same on every attempt so a receiver can drop a duplicate
    # (empty: a fresh one is made, for messages that are not deliveries).
    message_id: str = ""
    # Webhooks: the structured event sent as JSON beside the rendered text.
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class VendorSettings:
    """A tenant's vendor account for a channel, or the installation's when the tenant has none."""

    base_url: str = ""
    account_sid: str = ""
    secret: str = ""
    sender: str = ""


class ChannelError(Exception):
    def __init__(self, message: str, *, permanent: bool, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.retry_after = retry_after

    @classmethod
    def from_http(cls, exc: http.HTTPError, detail: str = "") -> ChannelError:
        message = f"{exc} {detail}".strip()
        return cls(message, permanent=not exc.retryable, retry_after=exc.retry_after)


class Transport(Protocol):
    def send(self, message: OutgoingMessage, vendor: VendorSettings) -> str:
        """Deliver the message; return the vendor's message id when there is one."""
        ...


# What each vendor channel's secret is called, for the refusal below.
SECRET_NAMES = {"sms": "Twilio auth token", "whatsapp": "Twilio auth token", "telegram": "Telegram bot token"}


def vendor_settings(tenant_id: int, channel: str) -> VendorSettings:
    """The tenant's enabled ChannelConfig, with blanks filled from the installation's settings, except when
    the config sends the channel to another host than the installation's: then the account is the tenant's
    alone, and nothing of the installation's (secret, account, sender) fills a blank. The installation's
    Twilio or Telegram credentials must only ever reach the host the operator configured for them; a
    per-tenant base URL points elsewhere (a tenant's own gateway, or a typo), so a config without a secret
    of its own raises a permanent `ChannelError` that says so."""
    config = ChannelConfig.objects.filter(tenant_id=tenant_id, channel=channel, is_enabled=True).first()
    defaults = _installation_defaults(channel)
    if config is None:
        return defaults
    own = VendorSettings(
        base_url=config.base_url.rstrip("/"),
        account_sid=config.account_sid,
        secret=config.secret,
        sender=config.sender,
    )
    if own.base_url and defaults.base_url and not _same_origin(own.base_url, defaults.base_url):
        if not own.secret:
            kind, secret = config.get_channel_display(), SECRET_NAMES.get(channel, "secret")
            raise ChannelError(
                f"this business's {kind} settings send to {own.base_url} instead of the installation's "
                f"{defaults.base_url} but have no {secret} of their own; "
                "the installation's is never sent to another host",
                permanent=True,
            )
        return own
    return VendorSettings(
        base_url=own.base_url or defaults.base_url,
        account_sid=own.account_sid or defaults.account_sid,
        secret=own.secret or defaults.secret,
        sender=own.sender or defaults.sender,
    )


def _same_origin(url: str, other: str) -> bool:
    return http.is_configured_origin(httpx2.URL(url), other)


def _installation_defaults(channel: str) -> VendorSettings:
    if channel == "sms":
        return VendorSettings(
            conf.twilio_base_url(),
            conf.twilio_account_sid(),
            conf.twilio_auth_token(),
            conf.twilio_sms_from(),
        )
    if channel == "whatsapp":
        return VendorSettings(
            conf.twilio_base_url(),
            conf.twilio_account_sid(),
            conf.twilio_auth_token(),
            conf.twilio_whatsapp_from(),
        )
    if channel == "telegram":
        return VendorSettings(base_url=conf.telegram_base_url(), secret=conf.telegram_bot_token())
    if channel == "webhook":
        return VendorSettings(secret=conf.webhook_secret())
    return VendorSettings()
