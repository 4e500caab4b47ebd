"""The booking page inside a business's own website (`/book/<slug>/embed/…`, docs/embed.md): the same steps,
views and templates as `/book/<slug>/`, without the site's header, allowed to be framed by the sites of
`settings.EMBED_FRAME_ANCESTORS` while every other page keeps frame-ancestors 'none'.

A frame on another site is not sent Rendez's CSRF cookie (SameSite=Lax, and browsers are dropping third-party
cookies altogether), so its details form carries a signed, short-lived form token bound to the business and
the service instead, and only that view skips the cookie check. This is safe because the form is anonymous:
the booking POST reads no session or cookie of the visitor, so a POST forged on another site can do nothing
its author could not do by filling in the form. The token keeps what the CSRF check gave an anonymous form:
a booking comes from a form Rendez served for this business and service, recently.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.defaults import page_not_found

from rendez.lib import csp
from rendez.scheduling.models import Service
from rendez.tenants.models import Tenant
from rendez.web.booking import views
from rendez.web.booking.forms import known_zone

View = Callable[..., HttpResponse]

NAMESPACE = "booking_embed"
FORM_TOKEN_FIELD = "embed_token"
# Long enough to read the page and type one's details after a pause; a refused form books nothing and says so.
FORM_TOKEN_MAX_AGE = timedelta(hours=2)
_SALT = "rendez.web.booking.embed.form-token"
EXPIRED = "This booking form was open too long, so nothing was booked. Please pick your time again."
UNVERIFIED = "This booking form could not be verified, so nothing was booked. Please pick your time again."


# --- the form token ---------------------------------------------------------------------------------------


def form_token(tenant: Tenant, service: Service, *, now: datetime | None = None) -> str:
    """The signed token the framed details form of `service` carries, issued `now`."""
    issued = int((now or timezone.now()).timestamp())
    return signing.Signer(salt=_SALT).sign_object([tenant.pk, service.pk, issued])


def form_token_refusal(token: str, tenant: Tenant, service_id: int, *, now: datetime | None = None) -> str:
    """Why `token` lets no booking of service `service_id` at `tenant` through; "" when it does."""
    try:
        tenant_id, signed_service_id, issued = signing.Signer(salt=_SALT).unsign_object(token)
    except (signing.BadSignature, TypeError, ValueError):
        return UNVERIFIED
    if (tenant_id, signed_service_id) != (tenant.pk, service_id):
        return UNVERIFIED
    age = int((now or timezone.now()).timestamp()) - issued
    return "" if age <= FORM_TOKEN_MAX_AGE.total_seconds() else EXPIRED


# --- the framed views -------------------------------------------------------------------------------------


def embeddable(view: View) -> View:
    """`view` as a website's frame shows it: templates drop the site's header (`request.embedded`), and the
    response may be framed by the sites of settings.EMBED_FRAME_ANCESTORS."""

    @wraps(view)
    def framed(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        request.embedded = True  # type: ignore[attr-defined]
        try:
            response = view(request, *args, **kwargs)
        except Http404 as error:
            # Shown in the frame (a page not open yet, a service gone), not as a browser's refusal to frame.
            response = page_not_found(request, error)
        return csp.allow_framing(request, response, settings.EMBED_FRAME_ANCESTORS)

    return framed


def _details(request: HttpRequest, slug: str, service_id: int) -> HttpResponse:
    """The details step; a booking goes through only with a valid form token (the cookie check is off)."""
    if request.method == "POST":
        tenant = views._tenant(slug)
        refusal = form_token_refusal(request.POST.get(FORM_TOKEN_FIELD, ""), tenant, service_id)
        if refusal:
            return _refused(request, tenant, service_id, refusal)
    return views.details(request, slug=slug, service_id=service_id)


def _refused(request: HttpRequest, tenant: Tenant, service_id: int, message: str) -> HttpResponse:
    time_url = reverse("booking:time", args=[tenant.slug, service_id], current_app=NAMESPACE)
    staff = request.POST.get("staff", "")
    again = {
        "staff": staff if staff == views.ANY or staff.isdigit() else views.ANY,
        "tz": known_zone(request.POST.get("tz")) or tenant.timezone,
    }
    context = {"tenant": tenant, "message": message, "again_url": f"{time_url}?{urlencode(again)}"}
    return render(request, "booking/embed_refused.html", context, status=403)


# The cookie check is skipped for this one view only; every other route of the frame keeps it (a POST route
# added to the booking page later fails closed in a frame until it is given a token of its own).
details = csrf_exempt(embeddable(_details))


def framed_route(route: URLPattern) -> URLPattern:
    """The booking page's `route` at the same path below `/book/<slug>/embed/`, under the same name."""
    view = details if route.name == "details" else embeddable(route.callback)
    return path(str(route.pattern), view, name=route.name)
