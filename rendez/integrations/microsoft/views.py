"""Graph's change and lifecycle notifications: a hint to sync now, believed only with the subscription's
clientState. The validation handshake (`?validationToken=`) is answered with the token as text/plain within
Graph's 10 seconds; notifications are answered 202 at once (Graph allows 3 seconds); the sync is a job.
"""

from __future__ import annotations

import hmac
import json
import logging
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from rendez.calendars import syncing
from rendez.calendars.models import CalendarConnection, CalendarSync
from rendez.integrations.microsoft import subscriptions

logger = logging.getLogger("rendez.microsoft")

MAX_BODY = 256 * 1024
MAX_TOKEN = 1024


@csrf_exempt  # Graph posts here, not a browser; each item's clientState is the proof (checked below)
@require_POST
def notifications(request: HttpRequest) -> HttpResponse:
    token = request.GET.get("validationToken")
    if token is not None:
        if len(token) > MAX_TOKEN:
            return HttpResponse(status=400)
        # Graph checks the exact decoded token comes back as text/plain (webhooks guide, validation).
        return HttpResponse(token, status=200, content_type="text/plain; charset=utf-8")
    items = _items(request)
    if items is None:
        return HttpResponse(status=400)
    believed = [state for state in (_believe(item) for item in items) if state is not None]
    if items and not believed:
        return HttpResponse(status=403)
    return HttpResponse(status=202)


def _items(request: HttpRequest) -> list[dict[str, Any]] | None:
    if len(request.body) > MAX_BODY:
        return None
    try:
        body = json.loads(request.body)
    except ValueError:
        return None
    value = body.get("value") if isinstance(body, dict) else None
    if not isinstance(value, list):
        return None
    return [item for item in value if isinstance(item, dict)]


def _believe(item: dict[str, Any]) -> CalendarSync | None:
    """Act on one notification if it names a subscription we hold and echoes its clientState."""
    subscription_id = str(item.get("subscriptionId") or "")
    state = (
        CalendarSync.objects.select_related("connection").filter(channel_id=subscription_id).first()
        if subscription_id
        else None
    )
    if state is None:
        return None  # a deleted or unknown subscription: it expires on its own
    client_state = item.get("clientState")
    if not isinstance(client_state, str) or not hmac.compare_digest(client_state, state.channel_token):
        logger.warning("microsoft notification with a wrong clientState", extra={"sync_id": state.pk})
        return None
    lifecycle = item.get("lifecycleEvent")
    if lifecycle == "subscriptionRemoved":
        subscriptions.forget(state)
    elif lifecycle == "reauthorizationRequired":
        subscriptions.renew_soon(state)
    # Changes, `missed` notifications, and lifecycle events alike: the delta poll finds what changed.
    connection = state.connection
    if connection.status == CalendarConnection.Status.CONNECTED:
        syncing.request_sync(connection)
    return state
