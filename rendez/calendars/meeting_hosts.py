"""What the meeting providers that live in a staff member's calendar (Google Meet, Microsoft Teams) share: the
host is the staff member's calendar connection, and the integration is on whenever a service chose them.

Each provider keeps its own vendor calls and its own user key; only the connection lookups and the
integration's settings are said once here.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from rendez.calendars.models import CalendarConnection
from rendez.conferencing import texts
from rendez.conferencing.port import HostRef, HostUnusable, Integration, MeetingSpec

if TYPE_CHECKING:
    from rendez.scheduling.models import Staff
    from rendez.tenants.models import Tenant


def integration(tenant: Tenant) -> Integration:
    """Always on: a service that chose the provider is the tenant's choice, and a connected calendar is the
    host. Named by the tenant's topic and description templates; calendar meetings have no passcodes."""
    named = texts.meeting_texts(tenant)
    return Integration(
        enabled=True,
        topic_template=named.topic_template,
        description_template=named.description_template,
        random_password=False,
    )


def hosting_connection(staff: Staff, calendar_provider: str) -> CalendarConnection | None:
    """The staff member's calendar of `calendar_provider` that may host: None without one (or disconnected);
    one needing reconnection is returned, and its host is then not usable."""
    return (
        CalendarConnection.objects.filter(
            tenant_id=staff.tenant_id, staff_id=staff.pk, provider=calendar_provider
        )
        .exclude(status=CalendarConnection.Status.DISCONNECTED)
        .first()
    )


def host_ref(meeting_provider: str, connection: CalendarConnection, user_key: str) -> HostRef:
    """The host a staff member's calendar `connection` is for `meeting_provider` (usable unless it needs
    reconnecting)."""
    return HostRef(
        provider=meeting_provider,
        connection_id=connection.pk,
        user_key=user_key,
        account_id="",
        usable=connection.is_usable,
        tenant_id=connection.tenant_id,
        email=connection.account_email,
    )


def attempt_key(spec: MeetingSpec, attempt_started_at: datetime) -> str:
    """One per create attempt (the appointment and the attempt's start): a retry of the same attempt sends the
    same key (Google's conference requestId, Graph's transactionId), so the provider makes one meeting."""
    return f"{spec.reference or 'meeting'}-{int(attempt_started_at.timestamp() * 1000)}"


def connection_of(
    host: HostRef, calendar_provider: str, *, calendar_label: str, reconnect_where: str
) -> CalendarConnection:
    """The usable connection a meeting's `host` calls with, of its tenant; HostUnusable naming the calendar
    and where to reconnect it otherwise."""
    query = CalendarConnection.objects.filter(pk=host.connection_id, provider=calendar_provider)
    if host.tenant_id:
        query = query.filter(tenant_id=host.tenant_id)
    connection = query.select_related("staff").first()
    if connection is None or not connection.is_usable:
        raise HostUnusable(
            f"The {calendar_label} connection of {host.email or 'the staff member'} is gone or needs "
            f"reconnecting: reconnect it in {reconnect_where}."
        )
    return connection
