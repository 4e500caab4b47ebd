"""What the dashboard shows a new business: the email still to confirm, the checklist, and the booking page to
share (its link, QR code and the snippet that embeds it in a website)."""

from __future__ import annotations

from typing import Any

from rendez.tenants.models import Tenant
from rendez.web.panel.onboarding import sharing
from rendez.web.panel.onboarding.checklist import checklist_for
from rendez.web.signup import verification


def dashboard_context(tenant: Tenant) -> dict[str, Any]:
    checklist = checklist_for(tenant)
    url = sharing.booking_url(tenant)
    return {
        "unverified": verification.pending_for(tenant),
        "checklist": checklist if checklist.shown else None,
        "share": {
            "url": url,
            "qr_svg": sharing.qr_svg(url, title=f"QR code of {url}"),
            "embed": sharing.embed_snippet(tenant),
        },
    }
