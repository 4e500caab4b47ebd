"""Read-only questions other parts of Rendez (the panel) ask about a tenant's Zoom connections."""

from __future__ import annotations

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from rendez.integrations.zoom.models import Connection
from rendez.tenants.models import Tenant


def connections_needing_reconnect(tenant: Tenant) -> QuerySet[Connection]:
    """The tenant's connections that stopped working and wait for someone to connect Zoom again."""
    return (
        Connection.objects.filter(tenant=tenant, status=Connection.Status.NEEDS_RECONNECT)
        .select_related("staff")
        .order_by("pk")
    )


def connection_count(status: str) -> Coalesce:
    """For annotating a Tenant queryset: how many of each tenant's connections are in `status`."""
    rows = (
        Connection.objects.filter(tenant=OuterRef("pk"), status=status)
        .order_by()
        .values("tenant")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def has_working_connection(tenant: Tenant) -> bool:
    """Whether anyone of the tenant can host yet: its own connection or a staff member's, working."""
    return Connection.objects.filter(tenant=tenant, status=Connection.Status.CONNECTED).exists()
