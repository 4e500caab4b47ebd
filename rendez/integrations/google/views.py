"""What Google sends here: push notifications (a hint to sync a connection now, believed only with its
channel's token). Browsers back from consent land on the shared callback (rendez/calendars/views.py)."""

from __future__ import annotations

import hmac
import logging

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from rendez.calendars import syncing
from rendez.calendars.models import CalendarConnection, CalendarSync

logger = logging.getLogger("rendez.google")


@csrf_exempt  # Google posts here, not a browser; the channel token is the proof (checked below)
@require_POST
def notifications(request: HttpRequest) -> HttpResponse:
    channel_id = request.headers.get("X-Goog-Channel-ID", "")
    token = request.headers.get("X-Goog-Channel-Token", "")
    state = (
        CalendarSync.objects.select_related("connection").filter(channel_id=channel_id).first()
        if channel_id
        else None
    )
    if state is None:
        return HttpResponse(status=404)  # a stopped or unknown channel: Google stops after it expires
    if not token or not hmac.compare_digest(token, state.channel_token):
        logger.warning("google notification with a wrong channel token", extra={"sync_id": state.pk})
        return HttpResponse(status=403)
    connection = state.connection
    if request.headers.get("X-Goog-Resource-State") != "sync" and (
        connection.status == CalendarConnection.Status.CONNECTED
    ):
        syncing.request_sync(connection)
    return HttpResponse(status=200)
