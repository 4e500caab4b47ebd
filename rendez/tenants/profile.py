"""The business profile: the one writer of what a business says about itself (name, postal address, time zone,
sender name, reply-to, booking-page welcome and cancellation policy, brand colour, logo) and how its booking
page offers staff who cannot host a Zoom meeting yet. The panel's
Settings → Business profile calls it; the booking and customer pages, emails and invitations read the fields.

Refusals raise Django's `ValidationError` with messages by field, and nothing is saved. The booking page's
address (the slug) is not part of the profile: links already sent and pages already embedded name it.

Logos: a PNG, JPEG or WebP picture up to `LOGO_MAX_BYTES`, recognised by Pillow from its content (a file's
name and its claimed type say nothing). A picture of more than `LOGO_MAX_PIXELS` is refused before it is
decoded (a small file can claim a huge picture: a decompression bomb). What is stored is made anew from the
pixels: turned upright as the camera said, shrunk to fit `LOGO_BOX` keeping its proportions (never
enlarged), and written as PNG without the upload's metadata (EXIF with its GPS position, text chunks, colour
profile), under `MEDIA_ROOT/logos/` with a name made of the tenant and a digest of that PNG. SVG is refused:
it can carry scripts.
"""

from __future__ import annotations

import hashlib
import io
import os
import warnings
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from PIL import Image, ImageOps, UnidentifiedImageError

from rendez.lib import zones
from rendez.lib.env import write_private
from rendez.tenants.models import Tenant

FIELDS = (
    "name",
    "address",
    "timezone",
    "sender_name",
    "reply_to_email",
    "welcome_text",
    "cancellation_policy",
    "brand_colour",
    "offer_staff_without_zoom",
)
LOGO_MAX_MB = 5
LOGO_MAX_BYTES = LOGO_MAX_MB * 1024 * 1024
LOGO_MAX_PIXELS = 25_000_000  # 5000 × 5000: a phone photo fits, a decompression bomb does not
LOGO_BOX = (400, 160)  # twice the page header's logo (8rem × 2.5rem and more), for sharp high-density screens
LOGO_FORMATS = ("PNG", "JPEG", "WEBP")
# Suffix → content type of stored logos (".jpg": logos stored as uploaded, before they were made PNG).
CONTENT_TYPES = {".png": "image/png", ".jpg": "image/jpeg"}
LOGO_DIR = "logos"


def update_profile(tenant: Tenant, values: dict[str, Any]) -> Tenant:
    """Set the profile fields in `values` (any of `FIELDS`) on `tenant` and save them, or refuse them all."""
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise TypeError(f"not business profile fields: {sorted(unknown)}")
    # Checked on a fresh copy: a refused change must not linger on the caller's object (the page's header
    # would show a name that was never saved).
    candidate = Tenant.objects.get(pk=tenant.pk)
    saved_zone = candidate.timezone
    for name, value in values.items():
        setattr(candidate, name, _normalized(name, value))
    _refuse_new_zone_of_no_place(candidate.timezone, saved_zone)
    candidate.full_clean(exclude=["slug", "plan", "logo"])
    candidate.save(update_fields=[*values])
    for name in values:
        setattr(tenant, name, getattr(candidate, name))
    return tenant


def _refuse_new_zone_of_no_place(zone: Any, saved_zone: str) -> None:
    """A new zone must be a place people live in ("localtime" or "Factory" are zone files, not places); a
    legacy alias saved before may stay, so that saving the rest never fails over a field nobody touched."""
    if zone != saved_zone and not zones.is_offered(zone):
        name = repr(zone) if isinstance(zone, str) and len(zone) <= 64 else "That"
        raise ValidationError(
            {"timezone": f"{name} is not a time zone; use an IANA name such as Europe/Berlin."}
        )


def _normalized(name: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    value = value.strip()
    if name == "brand_colour":
        return value.lower()
    return value


def prepared_logo(data: bytes) -> bytes:
    """The logo to store for an upload: PNG bytes fitting `LOGO_BOX`, without metadata. Raises
    `ValidationError` (field "logo") saying why a file is refused. Preparing a prepared logo changes
    nothing."""
    if not data:
        raise ValidationError({"logo": "The file is empty."})
    if len(data) > LOGO_MAX_BYTES:
        size = len(data) / (1024 * 1024)
        raise ValidationError({"logo": f"The logo is {size:.1f} MB; it may be {LOGO_MAX_MB} MB at most."})
    with warnings.catch_warnings():
        # Pillow's own bomb guard warns below its hard limit; here any warning of it is a refusal.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data), formats=LOGO_FORMATS) as picture:
                _refuse_huge(picture)
                return _as_png(_upright_and_small(picture))
        except (
            UnidentifiedImageError,
            Image.DecompressionBombWarning,
            Image.DecompressionBombError,
        ) as error:
            if isinstance(error, UnidentifiedImageError):
                raise ValidationError({"logo": "The logo must be a PNG, JPEG or WebP picture."}) from None
            raise ValidationError({"logo": _too_many_pixels()}) from None
        except (OSError, SyntaxError, ValueError):
            # Pillow's words for a picture whose header is fine and whose data is not.
            raise ValidationError(
                {"logo": "The picture is damaged or incomplete; try another file."}
            ) from None


def _refuse_huge(picture: Image.Image) -> None:
    width, height = picture.size
    if width * height > LOGO_MAX_PIXELS:
        raise ValidationError({"logo": f"The picture is {width} × {height} pixels. {_too_many_pixels()}"})


def _too_many_pixels() -> str:
    return f"A logo may have {LOGO_MAX_PIXELS // 1_000_000} million pixels at most; make it smaller first."


def _upright_and_small(picture: Image.Image) -> Image.Image:
    if picture.format == "JPEG":
        # Decode at a fraction of the size when that still covers the box (either way up): far less work.
        side = max(LOGO_BOX)
        picture.draft("RGB", (side, side))
    upright = ImageOps.exif_transpose(picture)
    has_alpha = upright.mode in ("RGBA", "LA", "PA") or (
        upright.mode == "P" and "transparency" in upright.info
    )
    small = upright.convert("RGBA" if has_alpha else "RGB")
    small.thumbnail(LOGO_BOX, Image.Resampling.LANCZOS)
    return small


def _as_png(picture: Image.Image) -> bytes:
    picture.info = {}  # no text, EXIF or colour profile is carried into the file
    out = io.BytesIO()
    picture.save(out, format="PNG", optimize=True)
    return out.getvalue()


def set_logo(tenant: Tenant, data: bytes) -> Tenant:
    """Store the upload `data` as the business's logo (prepared: see `prepared_logo`); the one it replaces is
    removed once the change is committed."""
    png = prepared_logo(data)
    name = f"{LOGO_DIR}/{tenant.pk}-{hashlib.sha256(png).hexdigest()[:20]}.png"
    target = media_root() / name
    partial = target.with_name(target.name + ".part")
    write_private(partial, png)
    os.replace(partial, target)  # readers see the whole file or none
    _replace_logo(tenant, name)
    return tenant


def remove_logo(tenant: Tenant) -> Tenant:
    _replace_logo(tenant, "")
    return tenant


def _replace_logo(tenant: Tenant, name: str) -> None:
    former = Tenant.objects.filter(pk=tenant.pk).values_list("logo", flat=True).first() or ""
    Tenant.objects.filter(pk=tenant.pk).update(logo=name)
    tenant.logo = name
    if former and former != name:
        transaction.on_commit(lambda: (media_root() / former).unlink(missing_ok=True))


def logo_path(tenant: Tenant) -> Path | None:
    """The logo's file, when the business has one and it is on disk."""
    if not tenant.logo:
        return None
    path = media_root() / tenant.logo
    return path if path.is_file() else None


def media_root() -> Path:
    return Path(settings.MEDIA_ROOT)
