"""What Google sends here: browsers back from consent (the OAuth callback), and push notifications (a hint to
sync a connection now, believed only with its channel's token)."""

from __future__ import annotations

import hmac
import logging

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from rendez.calendars.models import CalendarConnection, CalendarSync
from rendez.integrations.google import connect, sync

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
        sync.request_sync(connection)
    return HttpResponse(status=200)


@never_cache
@require_GET
def callback(request: HttpRequest) -> HttpResponse:
    """Google sends the browser back here after consent. Only a signed-in person finishes a connect: anyone
    else signs in first and comes back to this same URL (the state is not touched until then)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    query = {name: request.GET.get(name, "") for name in ("state", "code", "error")}
    try:
        connected = connect.finish(request.user, query)
    except connect.NotConnected as exc:
        context = {"ok": False, "title": "Google Calendar was not connected", "message": exc.message}
        return render(
            request, "integrations/connect_result.html", {**context, "back": exc.back}, status=exc.status
        )
    messages.success(request, f"Google Calendar {connected.connection_email} is connected.")
    return HttpResponseRedirect(connected.back)
