"""Public pages: the landing page."""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from rendez.tenants.models import Tenant


def landing(request: HttpRequest) -> HttpResponse:
    context = {
        "tenants": Tenant.objects.filter(is_active=True).order_by("name")[:20],
        "database": connection.vendor,
        "zoom_emulator": settings.ZOOM_EMULATOR,
        "zoom_api_base_url": settings.ZOOM_API_BASE_URL,
    }
    return render(request, "web/landing.html", context)
