"""Read-only questions other parts of Rendez (the panel) ask about a tenant's Zoom connections."""

from __future__ import annotations

from django.db.models import QuerySet

from rendez.integrations.zoom.models import Connection
from rendez.tenants.models import Tenant


def connections_needing_reconnect(tenant: Tenant) -> QuerySet[Connection]:
    """The tenant's connections that stopped working and wait for someone to connect Zoom again."""
    return (
        Connection.objects.filter(tenant=tenant, status=Connection.Status.NEEDS_RECONNECT)
        .select_related("staff")
        .order_by("pk")
    )
