"""The business profile: the one writer of what a business says about itself (name, postal address, time zone,
sender name, reply-to, booking-page welcome and cancellation policy, brand colour, logo) and how its booking
page offers staff who cannot host a Zoom meeting yet. The panel's
Settings → Business profile calls it; the booking and customer pages, emails and invitations read the fields.

Refusals raise Django's `ValidationError` with messages by field, and nothing is saved. The booking page's
address (the slug) is not part of the profile: links already sent and pages already embedded name it.

Logos: PNG or JPEG up to `LOGO_MAX_BYTES`, recognised by their first bytes (a file's name and its claimed type
say nothing), stored as they came under `MEDIA_ROOT/logos/` with a name made of the tenant and a digest of the
content. Pillow is not a dependency, so nothing is resized: the pages scale the picture down. SVG is refused:
it can carry scripts.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

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
LOGO_MAX_BYTES = 1024 * 1024
# Leading bytes → (file suffix, content type).
LOGO_SIGNATURES = {
    b"\x89PNG\r\n\x1a\n": (".png", "image/png"),
    b"\xff\xd8\xff": (".jpg", "image/jpeg"),
}
CONTENT_TYPES = dict(LOGO_SIGNATURES.values())
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


def logo_type(data: bytes) -> tuple[str, str] | None:
    """(suffix, content type) of a PNG or JPEG, or None."""
    return next((kind for head, kind in LOGO_SIGNATURES.items() if data.startswith(head)), None)


def check_logo(data: bytes) -> tuple[str, str]:
    if not data:
        raise ValidationError({"logo": "The file is empty."})
    if len(data) > LOGO_MAX_BYTES:
        size = len(data) / (1024 * 1024)
        raise ValidationError({"logo": f"The logo is {size:.1f} MB; it may be 1 MB at most."})
    kind = logo_type(data)
    if kind is None:
        raise ValidationError({"logo": "The logo must be a PNG or JPEG picture."})
    return kind


def set_logo(tenant: Tenant, data: bytes) -> Tenant:
    """Store `data` as the business's logo; the one it replaces is removed once the change is committed."""
    suffix, _ = check_logo(data)
    name = f"{LOGO_DIR}/{tenant.pk}-{hashlib.sha256(data).hexdigest()[:20]}{suffix}"
    target = media_root() / name
    partial = target.with_name(target.name + ".part")
    write_private(partial, data)
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
