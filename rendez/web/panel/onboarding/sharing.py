"""What an owner hands out to be booked: the booking page's address, its QR code (SVG, drawn here by segno,
which is pure Python) and the snippet that embeds the booking page in their website (docs/embed.md)."""

from __future__ import annotations

import functools
import io

import segno
from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse

from rendez.tenants.models import Tenant

# Error correction M survives a smudged print; scale and border are in SVG units, the page sizes the image.
QR_ERROR = "m"
QR_BORDER = 4  # the quiet zone the QR standard asks for, in modules


def booking_url(tenant: Tenant) -> str:
    return settings.BASE_URL + reverse("booking:services", kwargs={"slug": tenant.slug})


@functools.lru_cache(maxsize=512)
def qr_svg(url: str, *, title: str = "") -> str:
    """The QR code of `url` as one `<svg>` element (no XML declaration), for inline use or download.

    Kept per address and title: the dashboard shows it on every visit, and drawing it took 4 ms."""
    code = segno.make(url, error=QR_ERROR, micro=False)
    return code.svg_inline(scale=1, border=QR_BORDER, title=title or None, omitsize=True, svgclass="qr-code")


def qr_svg_file(url: str) -> bytes:
    """The QR code of `url` as a standalone SVG file, to download and print."""
    buffer = io.BytesIO()
    segno.make(url, error=QR_ERROR, micro=False).save(buffer, kind="svg", scale=10, border=QR_BORDER)
    return buffer.getvalue()


def embed_url(tenant: Tenant) -> str:
    return settings.BASE_URL + reverse("booking_embed:services", kwargs={"slug": tenant.slug})


def embed_snippet(tenant: Tenant) -> str:
    """The HTML a business pastes into its website (shown as text, so the page escapes it once more): the
    framed booking page, which works as it is, and embed.js, which sizes the frame to each step."""
    script = settings.BASE_URL + static("web/embed.js")
    return (
        f'<iframe data-rendez-embed src="{attribute(embed_url(tenant))}" '
        f'title="Book with {attribute(tenant.name)}" '
        'style="width:100%;height:720px;border:0" loading="lazy"></iframe>\n'
        f'<script src="{attribute(script)}" async></script>'
    )


def attribute(text: str) -> str:
    """`text` safe inside a double-quoted attribute, and still readable: an apostrophe stays one (Django's
    escape writes &#x27;, which the owner would paste and see)."""
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")
