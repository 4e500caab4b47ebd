"""Push channels (`events.watch`): a hint to sync sooner, renewed before they expire, stopped when unused.

Google delivers only to https addresses, so push is used only when RENDEZ_BASE_URL is https (or, with the
emulator, GOOGLE_PUSH_OVER_HTTP). Each channel has its own random token, stored encrypted; a notification is
believed only when it echoes that token (Google does not sign notifications).
"""

from __future__ import annotations

import contextlib
import secrets
import uuid
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.utils import timezone

from rendez.calendars.models import CalendarConnection, CalendarSync
from rendez.integrations.google.client import CalendarClient, CalendarError
from rendez.lib import vault

CHANNEL_LIFETIME = timedelta(days=7)
# Renewed when less than this is left: a day of safety polls (15 min) will certainly pass by in that time.
RENEW_BEFORE = timedelta(days=1)


def push_possible() -> bool:
    return settings.BASE_URL.startswith("https://") or bool(getattr(settings, "GOOGLE_PUSH_OVER_HTTP", False))


def push_address() -> str:
    return f"{settings.BASE_URL}/integrations/google/notifications"


def ensure_channels(connection: CalendarConnection, client: CalendarClient) -> None:
    """Every synced calendar has a channel that lives at least RENEW_BEFORE more."""
    for state in CalendarSync.objects.filter(tenant_id=connection.tenant_id, connection=connection):
        expires = state.channel_expires_at
        if state.channel_id and expires is not None and expires - timezone.now() > RENEW_BEFORE:
            continue
        _renew(client, state)


def stop(client: CalendarClient, state: CalendarSync) -> None:
    if state.channel_id and state.channel_resource_id:
        # A failed stop is harmless: the channel expires by itself, its notifications match no stored channel.
        with contextlib.suppress(CalendarError):
            client.stop_channel(state.channel_id, state.channel_resource_id)


def _renew(client: CalendarClient, state: CalendarSync) -> None:
    """Watch first, then stop the old channel: no gap without notifications."""
    old = CalendarSync(channel_id=state.channel_id, channel_resource_id=state.channel_resource_id)
    channel_id, token = uuid.uuid4().hex, secrets.token_urlsafe(32)
    wanted = timezone.now() + CHANNEL_LIFETIME
    answer = client.watch(
        state.calendar_id, channel_id, push_address(), token, int(wanted.timestamp() * 1000)
    )
    expires_ms = int(answer.get("expiration") or int(wanted.timestamp() * 1000))
    state.channel_id = channel_id
    state.channel_resource_id = str(answer.get("resourceId", ""))
    state.channel_token_encrypted = vault.encrypt(token)
    state.channel_expires_at = datetime.fromtimestamp(expires_ms / 1000, tz=UTC)
    state.save(
        update_fields=["channel_id", "channel_resource_id", "channel_token_encrypted", "channel_expires_at"]
    )
    stop(client, old)
