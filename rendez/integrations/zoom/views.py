"""The pages Zoom sends browsers and events to: the OAuth callback and its confirmation, the reconnect link,
the event endpoint."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core import signing
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rendez.integrations.zoom import access, confirmations, connections, notices, oauth, states, webhooks
from rendez.integrations.zoom.errors import OAuthGrantError, ZoomError
from rendez.integrations.zoom.models import Connection, Mode, PendingConnect
from rendez.scheduling.models import Staff
from rendez.tenants.models import Tenant

logger = logging.getLogger("rendez.zoom")

# Zoom's answer to "access denied" on its consent screen (RFC 6749 §4.1.2.1).
DENIED = "access_denied"
NOT_CONNECTED = "Zoom was not connected"
RETRY_HINT = " To try again, start the connection once more from Rendez with “Connect Zoom”."
# The same answer for every confirmation that is not this person's to give: nothing about it is revealed.
NOT_HERE = (
    "This Zoom connection cannot be confirmed here: it has expired or was already answered, or it was "
    "completed in another browser, or your Rendez account may not confirm it. Nothing was connected. Start "
    "again from Rendez with “Connect Zoom”."
)


def _result(request: HttpRequest, *, ok: bool, title: str, message: str, status: int = 200, **extra):
    context = {"ok": ok, "title": title, "message": message, **extra}
    return render(request, "integrations/connect_result.html", context, status=status)


class NotConnected(Exception):  # noqa: N818 - reads as "raise NotConnected(...)"
    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message, self.status = message, status


def _failure(exc: Exception) -> tuple[str, int]:
    """What the person reads, and the status, when a callback or a confirmation connects nothing."""
    if isinstance(exc, NotConnected):
        return exc.message, exc.status
    if isinstance(exc, states.StateRefused):
        return f"{exc} Start again from Rendez with “Connect Zoom”.", 400
    if isinstance(exc, connections.ConnectionRuleError):
        return exc.message, 400
    if isinstance(exc, OAuthGrantError):
        logger.info("zoom authorization code refused: %s", exc.error)
        return f"Zoom refused the authorization: {exc.reason or exc.error}." + RETRY_HINT, 400
    if isinstance(exc, ZoomError):
        return f"Zoom could not be reached to finish the connection ({exc.message}).{RETRY_HINT}", 502
    raise exc


@never_cache
@require_GET
def callback(request: HttpRequest) -> HttpResponse:
    """Zoom sends the browser back here. The code is exchanged at once, but the grant is stored only when
    a signed-in person of the tenant confirms it in this browser (confirmations.py)."""
    if not request.GET.get("state"):
        # Installs started from the Zoom Marketplace arrive without our state (§1.9).
        return _result(
            request,
            ok=False,
            title="Start the connection from Rendez",
            message="This authorization did not start in Rendez, so Rendez cannot tell which account it is "
            "for. Open Rendez and use “Connect Zoom” there.",
            status=400,
        )
    back = ""
    try:
        connect = states.consume(request.GET["state"])
        back = connect.return_url or "/"
        authorized = _authorized(request, connect)
    except (NotConnected, states.StateRefused, connections.ConnectionRuleError, ZoomError) as exc:
        message, status = _failure(exc)
        return _result(request, ok=False, title=NOT_CONNECTED, message=message, back=back, status=status)
    held = confirmations.hold(connect, authorized)
    confirm_url = reverse("zoom:confirm", args=[held.token])
    response = HttpResponseRedirect(confirm_url)
    response.set_cookie(
        confirmations.COOKIE,
        held.browser_secret,
        max_age=int(confirmations.PENDING_LIFETIME.total_seconds()),
        path=confirm_url,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return response


def _authorized(request: HttpRequest, connect: states.Connect) -> connections.Authorized:
    error = request.GET.get("error", "")
    if error == DENIED:
        raise NotConnected(
            "You declined the authorization on Zoom, so nothing was connected." + RETRY_HINT, 200
        )
    if error:
        raise NotConnected(f"Zoom did not authorize the connection ({error[:100]})." + RETRY_HINT, 200)
    refusal = access.refusal(connect.tenant, connect.mode)
    if refusal is not None:
        raise NotConnected(refusal, 403)
    return connections.complete_oauth(connect, request.GET.get("code", ""))


@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """Ask "Connect Zoom user … to … at …?" and store the connection on a POST saying yes.

    Only the browser that came back from Zoom, signed in as a person who may confirm, sees the question;
    anybody else gets 404 and nothing changes."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    pending = confirmations.find(token, request.COOKIES.get(confirmations.COOKIE, ""))
    if pending is None or not confirmations.may_confirm(request.user, pending):
        return _result(request, ok=False, title="Nothing to confirm here", message=NOT_HERE, status=404)
    back = pending.return_url or reverse("panel:home")
    if request.method == "GET":
        context = {"question": confirmations.question(pending), "pending": pending, "back": back}
        return render(request, "zoom/confirm.html", context)
    try:
        connection = _decide(request, pending)
    except confirmations.PendingGone:
        return _result(request, ok=False, title="Nothing to confirm here", message=NOT_HERE, status=404)
    except (NotConnected, connections.ConnectionRuleError) as exc:
        message, status = _failure(exc)
        response = _result(request, ok=False, title=NOT_CONNECTED, message=message, back=back, status=status)
    else:
        response = _result(
            request,
            ok=True,
            title="Your Zoom account has been connected",
            message=_connected_message(connection),
            back=back,
        )
    response.delete_cookie(confirmations.COOKIE, path=request.path)
    return response


def _decide(request: HttpRequest, pending: PendingConnect) -> Connection:
    if request.POST.get("decision") != "connect":
        confirmations.decline(pending)
        raise NotConnected("You chose not to connect this Zoom account, so nothing was connected.", 200)
    refusal = access.refusal(pending.tenant, pending.mode)
    if refusal is not None:
        confirmations.decline(pending)
        raise NotConnected(refusal, 403)
    return confirmations.confirm(pending)


def _connected_message(connection: Connection) -> str:
    account = connection.email or connection.account_id
    if connection.mode == Mode.STAFF_OAUTH:
        assert connection.staff is not None
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
