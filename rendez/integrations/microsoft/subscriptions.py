"""Graph change-notification subscriptions: a hint to sync sooner, renewed before they expire.

Graph delivers only to https addresses (subscription resource type), so subscriptions are made only when
RENDEZ_BASE_URL is https (or, with the emulator, MICROSOFT_NOTIFICATIONS_OVER_HTTP); otherwise the delta poll
alone keeps busy times current. One subscription per synced calendar (`me/calendars/{id}/events`, created,
updated, deleted), its id in CalendarSync.channel_id and its own random `clientState` stored encrypted: a
notification is believed only when it echoes it. Lifetime: 3 days asked (under both limits Graph has
documented, 4,230 and 10,080 minutes), renewed with PATCH when less than a day is left.
"""

from __future__ import annotations

import contextlib
import logging
import re
import secrets
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.utils import timezone

from rendez.calendars.models import CalendarConnection, CalendarSync
from rendez.integrations.microsoft.client import GraphClient, GraphError, GraphRefused, NotFound
from rendez.lib import vault

logger = logging.getLogger("rendez.microsoft")

LIFETIME = timedelta(days=3)
RENEW_BEFORE = timedelta(days=1)
# Graph writes seven fraction digits; Python reads at most six.
_SEVEN_DIGITS = re.compile(r"(\.\d{6})\d+")


def push_possible() -> bool:
    return settings.BASE_URL.startswith("https://") or bool(
        getattr(settings, "MICROSOFT_NOTIFICATIONS_OVER_HTTP", False)
    )


def notification_url() -> str:
    return f"{settings.BASE_URL}/integrations/microsoft/notifications"


def ensure(connection: CalendarConnection, client: GraphClient) -> bool:
    """Every synced calendar has a subscription that lives at least RENEW_BEFORE more; False when one could
    not be made (Graph refused, e.g. its validation request did not reach us): then polling stays frequent."""
    complete = True
    for state in CalendarSync.objects.filter(tenant_id=connection.tenant_id, connection=connection):
        expires = state.channel_expires_at
        if state.channel_id and expires is not None and expires - timezone.now() > RENEW_BEFORE:
            continue
        try:
            _renew_or_create(client, state)
        except GraphRefused as refused:
            complete = False
            logger.warning(
                "microsoft subscription refused: %s",
                refused.code or refused.status,
                extra={"sync_id": state.pk},
            )
    return complete


def _renew_or_create(client: GraphClient, state: CalendarSync) -> None:
    if state.channel_id:
        try:
            renew(client, state)
            return
        except NotFound:
            pass  # expired and deleted by Graph: make a new one
    create(client, state)


def renew(client: GraphClient, state: CalendarSync) -> None:
    answer = client.renew_subscription(state.channel_id, _graph_time(timezone.now() + LIFETIME))
    state.channel_expires_at = _parse(answer.get("expirationDateTime"), timezone.now() + LIFETIME)
    state.save(update_fields=["channel_expires_at"])


def create(client: GraphClient, state: CalendarSync) -> None:
    client_state = secrets.token_urlsafe(48)  # under Graph's 128 characters
    wanted = timezone.now() + LIFETIME
    answer = client.create_subscription(
        {
            "changeType": "created,updated,deleted",
            "notificationUrl": notification_url(),
            "lifecycleNotificationUrl": notification_url(),
            "resource": f"me/calendars/{state.calendar_id}/events",
            "expirationDateTime": _graph_time(wanted),
            "clientState": client_state,
        }
    )
    state.channel_id = str(answer["id"])
    state.channel_resource_id = str(answer.get("resource", ""))[:200]
    state.channel_token_encrypted = vault.encrypt(client_state)
    state.channel_expires_at = _parse(answer.get("expirationDateTime"), wanted)
    state.save(
        update_fields=["channel_id", "channel_resource_id", "channel_token_encrypted", "channel_expires_at"]
    )


def stop(client: GraphClient, state: CalendarSync) -> None:
    if state.channel_id:
        # A failed delete is harmless: Graph deletes it on expiry; its notifications match no stored id.
        with contextlib.suppress(GraphError):
            client.delete_subscription(state.channel_id)


def forget(state: CalendarSync) -> None:
    """Graph removed the subscription (lifecycle `subscriptionRemoved`): the next sync makes a new one."""
    state.channel_id = state.channel_resource_id = state.channel_token_encrypted = ""
    state.channel_expires_at = None
    state.save(
        update_fields=["channel_id", "channel_resource_id", "channel_token_encrypted", "channel_expires_at"]
    )


def renew_soon(state: CalendarSync) -> None:
    """`reauthorizationRequired`: renewing (PATCH) reauthorizes; the next sync does it."""
    state.channel_expires_at = timezone.now()
    state.save(update_fields=["channel_expires_at"])


def _graph_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.0000000Z")


def _parse(text: object, default: datetime) -> datetime:
    """Graph's `expirationDateTime` ("2030-03-20T09:00:00.0000000Z" or with an offset)."""
    if not isinstance(text, str):
        return default
    try:
        moment = datetime.fromisoformat(_SEVEN_DIGITS.sub(r"\1", text.replace("Z", "+00:00")))
    except ValueError:
        return default
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
