"""Channels: how a rendered message reaches a recipient. One module per vendor protocol, one small interface.

    transport_for("sms").send(message, vendor)  -> provider message id (or "")

A transport raises `ChannelError(permanent=...)`: permanent means trying the same message again cannot help.
"""

from __future__ import annotations

from rendez.notifications.channels.base import ChannelError, OutgoingMessage, Transport, VendorSettings
from rendez.notifications.channels.email import EmailTransport
from rendez.notifications.channels.telegram import TelegramTransport
from rendez.notifications.channels.twilio import TwilioTransport
from rendez.notifications.channels.webhook import WebhookTransport

TRANSPORTS: dict[str, Transport] = {
    "email": EmailTransport(),
    "sms": TwilioTransport(whatsapp=False),
    "whatsapp": TwilioTransport(whatsapp=True),
    "telegram": TelegramTransport(),
    "webhook": WebhookTransport(),
}


def transport_for(channel: str) -> Transport:
    return TRANSPORTS[channel]


__all__ = ["ChannelError", "OutgoingMessage", "Transport", "VendorSettings", "transport_for"]
