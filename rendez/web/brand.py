"""A business's look on its public pages: the logo and the brand colour, both served from Rendez's own address
so the pages' Content-Security-Policy (rendez/lib/csp.py) needs no inline style and no foreign image.

Both addresses name their content (the logo's file name carries its digest, the stylesheet's its colour), so
they are cached for good: a new logo or colour is a new address.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.decorators.http import require_GET

from rendez.tenants import profile
from rendez.tenants.models import Tenant, validate_brand_colour

FOREVER = "public, max-age=31536000, immutable"


@require_GET
def logo(request: HttpRequest, slug: str, name: str) -> FileResponse:
    tenant = get_object_or_404(Tenant, slug=slug, is_active=True)
    path = profile.logo_path(tenant)
    if path is None or path.name != name:
        raise Http404
    content_type = profile.CONTENT_TYPES.get(path.suffix, "application/octet-stream")
    response = FileResponse(path.open("rb"), content_type=content_type)
    response["Cache-Control"] = FOREVER
    return response


@require_GET
def colours(request: HttpRequest, colour: str) -> HttpResponse:
    """`:root` custom properties for a brand colour `rrggbb`; only colours a profile may hold are served."""
    value = f"#{colour}"
    try:
        validate_brand_colour(value)
    except ValidationError:
        raise Http404 from None
    response = HttpResponse(f":root {{ --accent: {value.lower()}; }}\n", content_type="text/css")
    response["Cache-Control"] = FOREVER
    return response


def logo_url(tenant: Tenant) -> str:
    path = profile.logo_path(tenant)
    if path is None:
        return ""
    return reverse("brand_logo", kwargs={"slug": tenant.slug, "name": path.name})


def colours_url(tenant: Tenant) -> str:
    if not tenant.brand_colour:
        return ""
    return reverse("brand_colours", kwargs={"colour": tenant.brand_colour.lstrip("#").lower()})
