"""Public pages: the landing page, and the favicon browsers ask for at the root."""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.templatetags.static import static

from rendez.tenants.models import Tenant
from rendez.web.panel.access import memberships_of

BUSINESSES_SHOWN = 20


def landing(request: HttpRequest) -> HttpResponse:
    user = request.user
    is_operator = bool(user.is_authenticated and user.is_superuser)
    context = {
        "signup_enabled": settings.SIGNUP_ENABLED,
        "is_operator": is_operator,
        "has_panel": user.is_authenticated and memberships_of(user).exists(),
        # Booking pages not yet open (an owner who has not confirmed the email) are not advertised.
        "tenants": Tenant.objects.filter(is_active=True)
        .filter(Q(signup__isnull=True) | Q(signup__verified_at__isnull=False))
        .order_by("name")[:BUSINESSES_SHOWN],
        # What runs here is the operator's business, and a developer's with the Zoom emulator mounted.
        "show_setup": is_operator or settings.ZOOM_EMULATOR,
        "database": connection.vendor,
        "zoom_emulator": settings.ZOOM_EMULATOR,
        "zoom_api_base_url": settings.ZOOM_API_BASE_URL,
    }
    return render(request, "web/landing.html", context)


def favicon(request: HttpRequest) -> HttpResponse:
    # Browsers ask for /favicon.ico whatever the page says; the file is a static one, cached as those are.
    return HttpResponsePermanentRedirect(static("web/favicon.ico"))
