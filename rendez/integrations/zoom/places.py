"""Where a Zoom user may be used: one Zoom user, one place, and one staff member hosting on it.

Zoom honours only a user's latest authorization of our app (zoom-api.md §1.7), so the same Zoom user
connected in two places is one working connection and one dead one — and, across businesses, one business
taking over another's Zoom account. A licensed Zoom user also runs one meeting at a time: starting a second
ends the first, so two staff members hosting on one Zoom user would cut each other's meetings off.

These functions only read; `connections.py` asks them before it writes. Refusals are sentences for the
person who asked; one about another business never names it.
"""

from __future__ import annotations

from dataclasses import dataclass

from rendez.integrations.zoom.models import OAUTH_MODES, Connection, Mode, StaffMapping
from rendez.scheduling.models import Staff
from rendez.tenants.models import Tenant

OTHER_BUSINESS = (
    "This Zoom account is already connected to another business on this Rendez; disconnect it there first."
)


@dataclass(frozen=True)
class Place:
    """Where an OAuth connection would go: a staff member's own connection, or the tenant connection."""

    tenant: Tenant
    staff: Staff | None
    mode: str

    def holds(self, connection: Connection) -> bool:
        if self.mode == Mode.STAFF_OAUTH:
            return connection.staff_id is not None and connection.staff_id == getattr(self.staff, "pk", None)
        return connection.tenant_id == self.tenant.pk and connection.staff_id is None


def holders(zoom_user_id: str) -> list[Connection]:
    """Every OAuth connection of this Zoom user in the installation, working or not."""
    return list(
        Connection.objects.select_related("staff", "tenant")
        .filter(zoom_user_id=zoom_user_id, mode__in=OAUTH_MODES)
        .order_by("pk")
    )


def connect_refusal(place: Place, zoom_user_id: str, email: str = "") -> str | None:
    """Why this Zoom user may not be connected at `place`, or None. Connecting it again where it already
    is (a reconnect) is allowed."""
    for holder in holders(zoom_user_id):
        if place.holds(holder):
            continue
        if holder.tenant_id != place.tenant.pk:
            return OTHER_BUSINESS
        if holder.staff is not None:
            return (
                f"This Zoom account is already connected for {holder.staff.name}; disconnect it from "
                f"{holder.staff.name} first."
            )
        return (
            f"This Zoom account is already connected as the business Zoom account of {place.tenant.name}. "
            "Map the staff member to it there instead, or disconnect the business account first."
        )
    if place.mode == Mode.STAFF_OAUTH and place.staff is not None:
        return host_refusal(place.staff, zoom_user_id, email)
    return None


def host_refusal(staff: Staff, zoom_user_id: str, email: str = "") -> str | None:
    """Why `staff` may not host as this Zoom user because another staff member of the business already
    does (through a mapping or their own connection), or None."""
    other = _other_host(staff, zoom_user_id)
    if other is None:
        return None
    who = email or "This Zoom user"
    return (
        f"{who} already hosts meetings for {other.name}, and a Zoom user runs one meeting at a time. "
        f"Clear or change {other.name}'s Zoom first."
    )


def _other_host(staff: Staff, zoom_user_id: str) -> Staff | None:
    mapping = (
        StaffMapping.objects.select_related("staff")
        .filter(staff__tenant_id=staff.tenant_id, zoom_user_id=zoom_user_id)
        .exclude(staff=staff)
        .first()
    )
    if mapping is not None:
        return mapping.staff
    personal = (
        Connection.objects.select_related("staff")
        .filter(tenant_id=staff.tenant_id, mode=Mode.STAFF_OAUTH, zoom_user_id=zoom_user_id)
        .exclude(staff=staff)
        .first()
    )
    return personal.staff if personal is not None else None


def taken_for_hosting(tenant: Tenant) -> dict[str, int]:
    """Zoom user id -> the staff member (id) of `tenant` who hosts on it, for mapping many at once."""
    taken = dict(StaffMapping.objects.filter(staff__tenant=tenant).values_list("zoom_user_id", "staff_id"))
    personal = Connection.objects.filter(tenant=tenant, mode=Mode.STAFF_OAUTH).exclude(zoom_user_id="")
    taken.update(personal.values_list("zoom_user_id", "staff_id"))
    return taken
