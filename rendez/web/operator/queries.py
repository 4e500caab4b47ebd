"""What the operator pages show: tenants with their counts and Zoom status, the platform's Zoom setup."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.checks import CheckMessage
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse

from rendez.integrations.zoom import conf
from rendez.integrations.zoom import queries as zoom_queries
from rendez.integrations.zoom.checks import zoom_configuration
from rendez.integrations.zoom.models import Connection
from rendez.scheduling.models import Booking, Staff
from rendez.tenants.models import Tenant


def _count(model, **filters) -> Coalesce:
    # One subquery per count: joining staff, bookings and connections at once would multiply the rows.
    rows = (
        model.objects.filter(tenant=OuterRef("pk"), **filters)
        .order_by()
        .values("tenant")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def tenants() -> QuerySet[Tenant]:
    return (
        Tenant.objects.select_related("plan")
        .annotate(
            staff_count=_count(Staff),
            booking_count=_count(Booking),
            zoom_connected=zoom_queries.connection_count(Connection.Status.CONNECTED),
            zoom_broken=zoom_queries.connection_count(Connection.Status.NEEDS_RECONNECT),
        )
        .order_by("name")
    )


@dataclass(frozen=True)
class ZoomSetup:
    modes: list[tuple[str, str, bool]]  # (value, label, enabled)
    client_id: str
    client_secret_set: bool
    webhook_secret_set: bool
    api_base_url: str
    oauth_base_url: str
    redirect_uri: str
    event_url: str
    emulator: bool
    problems: list[CheckMessage]


def zoom_setup() -> ZoomSetup:
    """The Zoom configuration as the operator may see it: whether secrets are set, never their values."""
    enabled = conf.enabled_modes()
    client_id, client_secret = conf.client_credentials()
    return ZoomSetup(
        modes=[(mode.value, mode.label, mode.value in enabled) for mode in conf.ALL_MODES],
        client_id=client_id,
        client_secret_set=bool(client_secret),
        webhook_secret_set=bool(conf.webhook_secret()),
        api_base_url=conf.api_base_url(),
        oauth_base_url=conf.oauth_base_url(),
        redirect_uri=conf.redirect_uri(),
        event_url=settings.BASE_URL + reverse("zoom:events"),
        emulator=bool(settings.ZOOM_EMULATOR),
        problems=zoom_configuration(),
    )
