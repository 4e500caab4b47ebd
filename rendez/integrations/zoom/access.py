"""Who may use Zoom at all: the plan's `zoom` capability, then the connection modes the operator enabled."""

from __future__ import annotations

from rendez.integrations.zoom import conf
from rendez.integrations.zoom.models import Mode
from rendez.tenants.models import Tenant

NOT_IN_PLAN = (
    "Zoom meetings are not part of this business's plan. Ask the platform operator to upgrade the plan."
)


def refusal(tenant: Tenant, mode: str | None = None) -> str | None:
    """Why `tenant` may not use Zoom (in `mode`, when given), or None when it may."""
    if not tenant.has_capability("zoom"):
        return NOT_IN_PLAN
    if mode is not None and not conf.mode_enabled(mode):
        label = Mode(mode).label if mode in Mode.values else mode
        return f"Connecting Zoom by {label} is not enabled on this platform (ZOOM_CONNECTION_MODES)."
    return None
