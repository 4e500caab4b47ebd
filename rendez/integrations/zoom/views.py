"""The pages Zoom sends browsers and events to: the OAuth callback, the reconnect link, the event endpoint."""

from __future__ import annotations

import logging

from django.core import signing
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from rendez.integrations.zoom import access, connections, notices, oauth, states, webhooks
from rendez.integrations.zoom.errors import OAuthGrantError, ZoomError
from rendez.integrations.zoom.models import Mode
from rendez.scheduling.models import Staff
from rendez.tenants.models import Tenant

logger = logging.getLogger("rendez.zoom")

# Zoom's answer to "access denied" on its consent screen (RFC 6749 §4.1.2.1).
DENIED = "access_denied"


def _result(request: HttpRequest, *, ok: bool, title: str, message: str, status: int = 200, **extra):
    context = {"ok": ok, "title": title, "message": message, **extra}
    return render(request, "zoom/connect_result.html", context, status=status)


@require_GET
def callback(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", "")
    if not state:
        # Installs started from the Zoom Marketplace arrive without our state (§1.9).
        return _result(
            request,
            ok=False,
            title="Start the connection from Rendez",
            message="This authorization did not start in Rendez, so Rendez cannot tell which account it is "
            "for. Open Rendez and use “Connect Zoom” there.",
            status=400,
        )
    try:
        connect = states.consume(state)
    except states.StateRefused as exc:
        return _result(
            request,
            ok=False,
            title="Zoom was not connected",
            message=f"{exc} Start again from Rendez with “Connect Zoom”.",
            status=400,
        )
    back = connect.return_url or "/"
    error = request.GET.get("error", "")
    if error:
        message = (
            "You declined the authorization on Zoom, so nothing was connected."
            if error == DENIED
            else f"Zoom did not authorize the connection ({error[:100]})."
        )
        return _result(
            request, ok=False, title="Zoom was not connected", message=message + _retry_hint(), back=back
        )
    refusal = access.refusal(connect.tenant, connect.mode)
    if refusal is not None:
        return _result(
            request, ok=False, title="Zoom was not connected", message=refusal, back=back, status=403
        )
    try:
        connection = connections.complete_oauth(connect, request.GET.get("code", ""))
    except connections.ConnectionRuleError as exc:
        return _result(
            request, ok=False, title="Zoom was not connected", message=exc.message, back=back, status=400
        )
    except OAuthGrantError as exc:
        logger.info("zoom authorization code refused: %s", exc.error)
        return _result(
            request,
            ok=False,
            title="Zoom was not connected",
            message=f"Zoom refused the authorization: {exc.reason or exc.error}." + _retry_hint(),
            back=back,
            status=400,
        )
    except ZoomError as exc:
        return _result(
            request,
            ok=False,
            title="Zoom was not connected",
            message=f"Zoom could not be reached to finish the connection ({exc.message})." + _retry_hint(),
            back=back,
            status=502,
        )
    return _result(
        request,
        ok=True,
        title="Your Zoom account has been connected",
        message=_connected_message(connection),
        back=back,
    )


def _retry_hint() -> str:
    return " To try again, start the connection once more from Rendez with “Connect Zoom”."


def _connected_message(connection) -> str:
    account = connection.email or connection.account_id
    if connection.mode == Mode.STAFF_OAUTH:
        return f"{connection.staff.name} now hosts video meetings as {account} on Zoom."
    mapped = connection.mappings.count()
    return (
        f"{connection.tenant.name} is connected to the Zoom account of {account}; {mapped} staff "
        "member(s) were matched to Zoom users by email."
    )


@require_GET
def reconnect(request: HttpRequest, token: str) -> HttpResponse:
    """The link of a "reconnect Zoom" email: a new authorization for the same staff member or tenant."""
    try:
        claims = notices.read_reconnect_link(token)
    except signing.SignatureExpired:
        return _result(
            request,
            ok=False,
            title="This reconnect link has expired",
            message="Connect Zoom again from Rendez.",
            status=410,
        )
    except signing.BadSignature:
        return _result(
            request, ok=False, title="This link is not valid", message="Connect Zoom from Rendez.", status=400
        )
    tenant_id, staff_id = int(claims.get("t") or 0), int(claims.get("s") or 0)
    tenant = Tenant.objects.select_related("plan").filter(pk=tenant_id, is_active=True).first()
    staff = Staff.objects.filter(pk=staff_id, tenant=tenant).first() if staff_id else None
    mode = str(claims.get("m", ""))
    refusal = access.refusal(tenant, mode) if tenant else "This business no longer exists in Rendez."
    if refusal is None and mode == Mode.STAFF_OAUTH and staff is None:
        refusal = "This staff member no longer exists in Rendez."
    if refusal is not None or tenant is None or mode == Mode.TENANT_S2S:
        return _result(
            request, ok=False, title="Zoom cannot be reconnected here", message=refusal or "", status=403
        )
    state, challenge = states.begin(tenant, mode, staff, expected_zoom_user_id=str(claims.get("u") or ""))
    return HttpResponseRedirect(oauth.authorize_url(state, challenge))


@csrf_exempt
@require_POST
def events(request: HttpRequest) -> HttpResponse:
    try:
        length = int(request.headers.get("Content-Length") or 0)
    except ValueError:
        length = 0
    if length > webhooks.MAX_BODY_BYTES:
        return JsonResponse({"error": "The event body is too large."}, status=413)
    try:
        outcome = webhooks.receive(
            request.body,
            request.headers.get("x-zm-request-timestamp", ""),
            request.headers.get("x-zm-signature", ""),
        )
    except webhooks.EventRefused as exc:
        return JsonResponse({"error": exc.message}, status=exc.status)
    if outcome.body is not None:
        return JsonResponse(outcome.body)
    return HttpResponse(status=204)
