"""What an owner hands out to be booked: the booking page's address, its QR code (SVG, drawn here by segno,
which is pure Python) and an `<iframe>` snippet for their website."""

from __future__ import annotations

import io

import segno
from django.conf import settings
from django.urls import reverse
from django.utils.html import escape

from rendez.tenants.models import Tenant

# Error correction M survives a smudged print; scale and border are in SVG units, the page sizes the image.
QR_ERROR = "m"
QR_BORDER = 4  # the quiet zone the QR standard asks for, in modules


def booking_url(tenant: Tenant) -> str:
    return settings.BASE_URL + reverse("booking:services", kwargs={"slug": tenant.slug})


def qr_svg(url: str, *, title: str = "") -> str:
    """The QR code of `url` as one `<svg>` element (no XML declaration), for inline use or download."""
    code = segno.make(url, error=QR_ERROR, micro=False)
    return code.svg_inline(scale=1, border=QR_BORDER, title=title or None, omitsize=True, svgclass="qr-code")


def qr_svg_file(url: str) -> bytes:
    """The QR code of `url` as a standalone SVG file, to download and print."""
    buffer = io.BytesIO()
    segno.make(url, error=QR_ERROR, micro=False).save(buffer, kind="svg", scale=10, border=QR_BORDER)
    return buffer.getvalue()


def embed_snippet(tenant: Tenant) -> str:
    url = booking_url(tenant)
    return (
        f'<iframe src="{escape(url)}" title="Book with {escape(tenant.name)}" '
        'style="width:100%;min-height:720px;border:0" loading="lazy"></iframe>'
    )
