"""The Zoom part of REST API v1 (DESIGN.md section 9). Without the plan capability `zoom`, every operation
answers 403 and changes nothing."""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status
from pydantic import StrictBool

from rendez.api.auth import tenant_of
from rendez.api.errors import ApiError, error_responses, refuse_nulls
from rendez.api.schemas import Input, patch_schema
from rendez.integrations.zoom import access, conf, connections, oauth, states, tenant_settings
from rendez.integrations.zoom.errors import ConnectionUnusable, OAuthGrantError, ZoomAPIError, ZoomError
from rendez.integrations.zoom.models import Connection, Mode
from rendez.integrations.zoom.status import staff_zoom
from rendez.scheduling.models import Staff
from rendez.tenants.models import Tenant

router = Router(tags=["zoom"])
ERRORS = error_responses(401, 403, 404, 422)
BODY_ERRORS = error_responses(400, 401, 403, 404, 422)
REMOTE_ERRORS = error_responses(400, 401, 403, 404, 409, 422, 502)


# --- schemas ------------------------------------------------------------------------------------------------


class ConnectionOut(Schema):
    mode: Literal["staff_oauth", "tenant_oauth", "tenant_s2s"]
    status: Literal["connected", "needs_reconnect"]
    account_id: str
    email: str
    problem: str = Field("", description="Why it needs reconnecting, when it does.")


class SettingsOut(Schema):
    enabled: bool
    topic_template: str
    description_template: str
    random_password: bool
    connection: ConnectionOut | None = Field(description="The tenant connection (read-only)")
    connection_modes: list[str] = Field(description="The modes the platform lets tenants use")


class SettingsIn(Input):
    model_config = patch_schema()

    enabled: StrictBool | None = None
    topic_template: str | None = Field(None, max_length=tenant_settings.TOPIC_MAX)
    description_template: str | None = Field(None, max_length=tenant_settings.AGENDA_MAX)
    random_password: StrictBool | None = None


class AuthorizeOut(Schema):
    authorize_url: str = Field(
        description="Zoom's consent page. After consent, Rendez asks a signed-in person of the business (the "
        "staff member themself or an admin), in the browser that came back from Zoom, to confirm; nothing "
        "is connected before that."
    )


class S2SIn(Input):
    account_id: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_\-\.]+$")
    client_id: str = Field(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9_\-\.]+$")
    client_secret: str = Field(min_length=1, max_length=500)


class S2SOut(Schema):
    account_id: str
    client_id: str
    status: str
    problem: str


class ZoomUserOut(Schema):
    id: str
    email: str
    name: str


class MappingIn(Input):
    zoom_user_id: str | None = Field(max_length=100, description="null clears the mapping")


class StaffZoomOut(Schema):
    mode: str
    status: str
    zoom_user_id: str
    email: str


# --- helpers ------------------------------------------------------------------------------------------------


def _zoom_tenant(request: HttpRequest, mode: str | None = None) -> Tenant:
    tenant = tenant_of(request)
    refusal = access.refusal(tenant, mode)
    if refusal is not None:
        code = "zoom_not_in_plan" if refusal == access.NOT_IN_PLAN else "zoom_mode_disabled"
        raise ApiError(403, code, refusal)
    return tenant


def _connection_out(connection: Connection | None) -> ConnectionOut | None:
    if connection is None:
        return None
    return ConnectionOut(
        mode=connection.mode,  # type: ignore[arg-type]
        status=connection.status,  # type: ignore[arg-type]
        account_id=connection.account_id,
        email=connection.email,
        problem=connection.broken_reason,
    )


def _settings_out(tenant: Tenant) -> SettingsOut:
    current = tenant_settings.settings_of(tenant)
    return SettingsOut(
        enabled=current.enabled,
        topic_template=current.topic_template,
        description_template=current.description_template,
        random_password=current.random_password,
        connection=_connection_out(connections.tenant_connection(tenant)),
        connection_modes=conf.enabled_modes(),
    )


def _authorize(tenant: Tenant, mode: str, staff: Staff | None = None) -> AuthorizeOut:
    state, challenge = states.begin(tenant, mode, staff)
    return AuthorizeOut(authorize_url=oauth.authorize_url(state, challenge))


def _remote_failure(exc: ZoomError) -> ApiError:
    if isinstance(exc, ConnectionUnusable):
        # Retrying cannot help (a 502 would say it might): a person has to reconnect first.
        return ApiError(
            409,
            "zoom_needs_reconnect",
            f"{exc.message} Connect Zoom again (POST /api/v1/integrations/zoom/connect, or "
            "/api/v1/staff/{id}/zoom/connect for a personal connection, or the link in the email Rendez "
            "sent), then try again.",
        )
    if isinstance(exc, ZoomAPIError) and exc.is_missing_scope:
        return ApiError(
            409,
            "zoom_scope_missing",
            f"The Zoom app lacks a permission Rendez needs: {exc.message} Add the scope to the app and "
            "authorize again.",
        )
    return ApiError(502, "zoom_unavailable", f"Zoom did not answer as expected: {exc.message}")


def _staff(tenant: Tenant, staff_id: int) -> Staff:
    return get_object_or_404(Staff.objects.filter(tenant=tenant), pk=staff_id)


def _staff_zoom(staff: Staff) -> StaffZoomOut | None:
    fresh = Staff.objects.select_related("zoom_connection", "zoom_mapping__connection").get(pk=staff.pk)
    status = staff_zoom(fresh)
    return StaffZoomOut(**status) if status else None


# --- tenant settings and connection -------------------------------------------------------------------------


@router.get("/integrations/zoom/settings", response={200: SettingsOut, **ERRORS})
def get_settings(request: HttpRequest):
    return _settings_out(_zoom_tenant(request))


@router.put("/integrations/zoom/settings", response={200: SettingsOut, **BODY_ERRORS})
def put_settings(request: HttpRequest, payload: SettingsIn):
    """Change any of the settings; fields left out keep their value. `connection` is read-only."""
    tenant = _zoom_tenant(request)
    changes = {name: value for name, value in payload.dict(exclude_unset=True).items()}
    refuse_nulls(changes)
    tenant_settings.update(tenant, changes)
    return _settings_out(tenant)


@router.post("/integrations/zoom/connect", response={200: AuthorizeOut, **ERRORS})
def connect_tenant(request: HttpRequest):
    """Start connecting the tenant's Zoom account (tenant OAuth); send the admin's browser to
    `authorize_url`. An admin of the business confirms the connection in that browser, signed in to Rendez."""
    return _authorize(_zoom_tenant(request, Mode.TENANT_OAUTH), Mode.TENANT_OAUTH)


@router.delete("/integrations/zoom/connection", response={204: None, **ERRORS})
def disconnect_tenant(request: HttpRequest):
    """Disconnect the tenant connection (OAuth or S2S): revoke at Zoom, forget the credentials. Meetings
    already on Zoom stay; new bookings get none until a connection is made again."""
    connection = connections.tenant_connection(_zoom_tenant(request))
    if connection is None:
        raise ApiError(404, "not_found", "This business has no Zoom connection.")
    connections.disconnect(connection)
    return Status(204, None)


@router.get("/integrations/zoom/users", response={200: list[ZoomUserOut], **REMOTE_ERRORS})
def list_users(request: HttpRequest):
    """The active users of the connected Zoom account, for mapping staff to them."""
    connection = connections.tenant_connection(_zoom_tenant(request))
    if connection is None:
        raise ApiError(409, "no_tenant_connection", "Connect the business's Zoom account first.")
    try:
        users = connections.account_users(connection)
    except ZoomError as exc:
        raise _remote_failure(exc) from None
    return [ZoomUserOut(id=user.id or "", email=user.email, name=user.name) for user in users]


# --- Server-to-Server ---------------------------------------------------------------------------------------


def _s2s_connection(tenant: Tenant) -> Connection:
    connection = connections.tenant_connection(tenant)
    if connection is None or connection.mode != Mode.TENANT_S2S:
        raise ApiError(404, "not_found", "This business has no Server-to-Server Zoom connection.")
    return connection


def _s2s_out(connection: Connection) -> S2SOut:
    return S2SOut(
        account_id=connection.account_id,
        client_id=connection.client_id,
        status=connection.status,
        problem=connection.broken_reason,
    )


@router.put("/integrations/zoom/s2s", response={200: S2SOut, **REMOTE_ERRORS})
def put_s2s(request: HttpRequest, payload: S2SIn):
    """Store the tenant's own Server-to-Server app credentials, after Zoom has granted a token with them."""
    tenant = _zoom_tenant(request, Mode.TENANT_S2S)
    try:
        connection = connections.save_s2s(
            tenant, payload.account_id, payload.client_id, payload.client_secret
        )
    except OAuthGrantError as exc:
        reason = exc.reason or exc.error
        raise ApiError(
            422,
            "zoom_refused_credentials",
            f"Zoom refused these credentials: {reason}. Check the Account ID, Client ID and Client Secret on "
            "the app's App Credentials page, and that the app is activated.",
            {"client_secret" if exc.is_invalid_client else "account_id": reason},
        ) from None
    except ZoomError as exc:
        raise _remote_failure(exc) from None
    return _s2s_out(connection)


@router.get("/integrations/zoom/s2s", response={200: S2SOut, **ERRORS})
def get_s2s(request: HttpRequest):
    return _s2s_out(_s2s_connection(_zoom_tenant(request)))


@router.delete("/integrations/zoom/s2s", response={204: None, **ERRORS})
def delete_s2s(request: HttpRequest):
    connections.disconnect(_s2s_connection(_zoom_tenant(request)))
    return Status(204, None)


# --- staff --------------------------------------------------------------------------------------------------


@router.post("/staff/{staff_id}/zoom/connect", response={200: AuthorizeOut, **ERRORS}, tags=["staff"])
def connect_staff(request: HttpRequest, staff_id: int):
    """Start connecting the staff member's own Zoom account: send their browser to `authorize_url`. The
    staff member (or an admin) confirms the connection in that browser, signed in to Rendez. A Zoom user
    connected elsewhere on this Rendez is refused."""
    tenant = _zoom_tenant(request, Mode.STAFF_OAUTH)
    return _authorize(tenant, Mode.STAFF_OAUTH, _staff(tenant, staff_id))


@router.put("/staff/{staff_id}/zoom", response={200: StaffZoomOut | None, **REMOTE_ERRORS}, tags=["staff"])
def map_staff(request: HttpRequest, staff_id: int, payload: MappingIn):
    """Host as this Zoom user of the tenant account (`null` clears the mapping). A personal connection, when
    the staff member has one, still wins. A Zoom user who already hosts for another staff member is refused
    (409 `zoom_user_hosts_for_another`): a Zoom user runs one meeting at a time."""
    tenant = _zoom_tenant(request)
    member = _staff(tenant, staff_id)
    try:
        connections.map_staff(member, payload.zoom_user_id)
    except connections.ConnectionRuleError as exc:
        status = 422 if exc.field else 409
        raise ApiError(
            status, exc.code, exc.message, {exc.field: exc.message} if exc.field else None
        ) from None
    except ZoomError as exc:
        raise _remote_failure(exc) from None
    return _staff_zoom(member)


@router.delete("/staff/{staff_id}/zoom", response={204: None, **ERRORS}, tags=["staff"])
def disconnect_staff(request: HttpRequest, staff_id: int):
    """Disconnect the staff member's personal connection (revoking it at Zoom), or else clear their
    mapping."""
    member = _staff(_zoom_tenant(request), staff_id)
    if not connections.disconnect_staff(member):
        raise ApiError(404, "not_found", f"{member.name} has no Zoom connection or mapping.")
    return Status(204, None)
