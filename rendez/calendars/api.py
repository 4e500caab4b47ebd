"""Staff calendars in REST API v1 (issue 18 section 5): list, choose calendars, disconnect, and the changes
people made in their calendar to Rendez's events (shown, never obeyed). Registered through api/extensions.py.

Connecting starts here for every registered provider (`POST /api/v1/staff/{id}/calendars/{provider}/connect`,
finished in the browser by `connecting.py`); staff objects' `calendars` list is `staff_calendars` below.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status
from pydantic import StrictBool

from rendez.api.auth import tenant_of
from rendez.api.errors import ApiError, error_responses, refuse_nulls
from rendez.api.schemas import Input, patch_schema
from rendez.calendars import choices, connecting, noticing, writing
from rendez.calendars.models import CalendarConnection
from rendez.scheduling.models import Staff

router = Router(tags=["calendars"])
ERRORS = error_responses(401, 403, 404, 422)
CONNECT_ERRORS = error_responses(401, 403, 404, 409, 422)
BODY_ERRORS = error_responses(400, 401, 403, 404, 422)
ProviderName = Literal["google", "microsoft"]
CALENDAR_ID = Field(min_length=1, max_length=1024)


class AuthorizeOut(Schema):
    authorize_url: str


class CalendarOut(Schema):
    provider: ProviderName
    status: Literal["connected", "needs_reconnect", "disconnected"]
    account_email: str
    busy_calendar_ids: list[str]
    write_calendar_id: str = Field(description="Where appointments are written; empty: nowhere")
    transparent_events_block: bool = Field(description='Whether "free" events block booking times too')
    last_synced_at: datetime | None
    problem: str = Field("", description="Why it needs reconnecting, when it does.")


class CalendarIn(Input):
    model_config = patch_schema()

    busy_calendar_ids: list[str] | None = Field(None, max_length=20)
    write_calendar_id: str | None = Field(None, max_length=1024)
    transparent_events_block: StrictBool | None = Field(
        None,
        description='Whether events marked "free" (Google: transparent; Microsoft: showAs free) block '
        "booking times too. Off by default: only busy events block. Rendez's own appointment events never "
        "do.",
    )


class ChangeOut(Schema):
    appointment_id: int
    start: datetime
    state: str
    change: str
    noticed_at: datetime | None


@router.post("/staff/{staff_id}/calendars/{provider}/connect", response={200: AuthorizeOut, **CONNECT_ERRORS})
def connect_calendar(request: HttpRequest, staff_id: int, provider: ProviderName):
    """Start connecting the staff member's calendar at `provider`: send a browser to `authorize_url`. The
    connect is finished there by a person signed in to Rendez who may manage this staff member (an admin of
    the business, or the staff member themself); the browser then lands on the staff member's page in the
    panel."""
    member = _staff(request, staff_id)
    connector = connecting.connector_of(provider)
    if connector is None:
        raise ApiError(404, "not_found", "This calendar provider is not available.")
    if not member.is_active:
        raise ApiError(409, "staff_inactive", "This staff member is deactivated: activate them first.")
    if not connector.configured:
        raise ApiError(
            409,
            f"{provider}_not_configured",
            f"This Rendez has no {connector.company} app set up ({connector.client_id_setting}).",
        )
    return AuthorizeOut(authorize_url=connector.authorize_url(member.tenant, member, started_by_id=None))


@router.get("/staff/{staff_id}/calendars", response={200: list[CalendarOut], **ERRORS})
def list_calendars(request: HttpRequest, staff_id: int):
    member = _staff(request, staff_id)
    connections = CalendarConnection.objects.filter(tenant_id=member.tenant_id, staff=member)
    return [_out(connection) for connection in connections.order_by("provider")]


@router.put("/staff/{staff_id}/calendars/{provider}", response={200: CalendarOut, **BODY_ERRORS})
def put_calendar(request: HttpRequest, staff_id: int, provider: ProviderName, payload: CalendarIn):
    """Choose which calendars block time, which one receives appointments, and whether "free" events block
    too. Fields left out stay as they are; the busy times are read again at once, in full."""
    connection = _connection(request, staff_id, provider)
    changes = payload.dict(exclude_unset=True)
    refuse_nulls(changes)
    ids = changes.get("busy_calendar_ids")
    if ids is not None and any(
        not isinstance(item, str) or not item.strip() or len(item) > 1024 for item in ids
    ):
        raise ApiError(
            422, "invalid", "Calendar ids are non-empty strings.", {"busy_calendar_ids": "invalid"}
        )
    saved = choices.choose(
        connection,
        choices.Choices(
            busy_calendar_ids=ids,
            write_calendar_id=changes.get("write_calendar_id"),
            transparent_events_block=changes.get("transparent_events_block"),
        ),
    )
    return _out(saved)


@router.delete("/staff/{staff_id}/calendars/{provider}", response={204: None, **ERRORS})
def disconnect_calendar(request: HttpRequest, staff_id: int, provider: ProviderName):
    """Disconnect: stop notifications, revoke Rendez's access, forget the busy times read from it."""
    connection = _connection(request, staff_id, provider)
    writer = writing.writer_of(provider)
    if writer is None:
        raise ApiError(404, "not_found", "This calendar provider is not available.")
    writer.disconnect(connection)
    return Status(204, None)


@router.get("/staff/{staff_id}/calendar-changes", response={200: list[ChangeOut], **ERRORS})
def calendar_changes(request: HttpRequest, staff_id: int):
    """Appointments whose calendar event someone moved or deleted in their calendar: the appointment did not
    change; staff decide (move it in Rendez, or tell the customer)."""
    member = _staff(request, staff_id)
    return [
        ChangeOut(
            appointment_id=record.appointment_id,
            start=record.appointment.start,
            state=record.state,
            change=record.noticed_change,
            noticed_at=record.noticed_at,
        )
        for record in noticing.noticed_for_staff(member.tenant_id, member.pk)
    ]


def _staff(request: HttpRequest, staff_id: int) -> Staff:
    return get_object_or_404(Staff, pk=staff_id, tenant=tenant_of(request))


def _connection(request: HttpRequest, staff_id: int, provider: str) -> CalendarConnection:
    member = _staff(request, staff_id)
    connection = CalendarConnection.objects.filter(
        tenant_id=member.tenant_id, staff=member, provider=provider
    ).first()
    if connection is None:
        raise ApiError(404, "not_found", f"This staff member has no {provider} calendar connected.")
    return connection


def _out(connection: CalendarConnection) -> CalendarOut:
    return CalendarOut(
        provider=connection.provider,  # type: ignore[arg-type]
        status=connection.status,  # type: ignore[arg-type]
        account_email=connection.account_email,
        busy_calendar_ids=list(connection.busy_calendar_ids),
        write_calendar_id=connection.write_calendar_id,
        transparent_events_block=connection.transparent_events_block,
        last_synced_at=connection.last_synced_at,
        problem=connection.broken_reason
        if connection.status == CalendarConnection.Status.NEEDS_RECONNECT
        else "",
    )


def staff_calendars(member: Staff) -> list[dict]:
    """The `calendars` of a staff object: each live connection (a disconnected one is only a record). Reads
    the prefetched `calendar_connections`, kept to the staff member's own tenant."""
    return [
        {
            "provider": connection.provider,
            "status": connection.status,
            "account_email": connection.account_email,
            "busy_calendar_ids": list(connection.busy_calendar_ids),
            "write_calendar_id": connection.write_calendar_id,
            "last_synced_at": connection.last_synced_at,
        }
        for connection in sorted(member.calendar_connections.all(), key=lambda c: c.provider)
        if connection.tenant_id == member.tenant_id
        and connection.status != CalendarConnection.Status.DISCONNECTED
    ]
