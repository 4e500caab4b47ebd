"""The writers of Zoom connections and staff mappings, used alike by the API, the callback, the event
endpoint and the panel. Two narrow exceptions, each documented where it writes: tokens.py stores refreshed
tokens under the connection's row lock, and ratelimit.py records the account plan a response reveals.

Every change that can give a staff member a host again re-syncs their upcoming appointments, so meetings that
could not be made in between are made now.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone

from rendez import jobs
from rendez.conferencing import reconcile
from rendez.integrations.oauth.models import TOKEN_FIELDS
from rendez.integrations.zoom import health, oauth, places, tokens
from rendez.integrations.zoom.client import ZoomClient
from rendez.integrations.zoom.errors import ZoomError
from rendez.integrations.zoom.models import OAUTH_MODES, Connection, Mode, StaffMapping
from rendez.integrations.zoom.payloads import REVOKE_JOB, RevokePayload
from rendez.integrations.zoom.schemas import Me, TokenGrant, ZoomUser
from rendez.integrations.zoom.states import Connect
from rendez.lib import vault
from rendez.scheduling import events
from rendez.scheduling.models import Appointment, Staff
from rendez.tenants.models import Tenant

logger = logging.getLogger("rendez.zoom")

# The account's user list changes rarely; a minute saves Zoom calls while an admin maps several staff.
USERS_CACHE_SECONDS = 60


class ConnectionRuleError(Exception):
    """A request that the rules refuse; `message` is for the person who asked, `field` the input at fault."""

    def __init__(self, message: str, *, code: str = "invalid", field: str | None = None) -> None:
        super().__init__(message)
        self.message, self.code, self.field = message, code, field


# --- reading ------------------------------------------------------------------------------------------------


def tenant_connection(tenant: Tenant) -> Connection | None:
    return Connection.objects.filter(tenant=tenant, staff__isnull=True).first()


def account_users(connection: Connection, *, fresh: bool = False) -> list[ZoomUser]:
    """The users of the tenant connection's Zoom account, from a short cache."""
    key = f"rendez:zoom-users:{connection.pk}:{connection.connected_at.timestamp()}"
    users = None if fresh else cache.get(key)
    if users is None:
        users = ZoomClient(connection).list_users()
        cache.set(key, users, USERS_CACHE_SECONDS)
    return list(users)


# --- connecting ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Authorized:
    """A grant Zoom has just issued and the Zoom user it is for, not stored as a connection (yet)."""

    grant: TokenGrant
    me: Me
    granted_at: datetime


def complete_oauth(connect: Connect, code: str) -> Authorized:
    """Exchange the code at once (codes live five minutes) and learn who authorized; refuse what the rules
    refuse. Storing waits for a person's confirmation (confirmations.py, then `store_authorized`).

    Zoom errors propagate before anything is stored. A refused grant is given back (`give_back`).
    """
    grant = oauth.exchange_code(code, connect.code_verifier)
    authorized = Authorized(grant, _whoami(connect, grant), timezone.now())
    me = authorized.me
    refusal: ConnectionRuleError | None = None
    if connect.expected_zoom_user_id and me.id != connect.expected_zoom_user_id:
        refusal = ConnectionRuleError(
            "This reconnect link is for the Zoom account that was connected before, not "
            f"{me.email or me.id}. Sign in to Zoom with that account, or connect a different one from "
            "Rendez.",
            code="other_zoom_user",
        )
    elif connect.mode == Mode.TENANT_OAUTH and not _has_account_scopes(grant):
        # A member's authorization cannot create meetings for colleagues nor list the account's users.
        refusal = ConnectionRuleError(
            f"{me.email or 'This Zoom user'} is not an admin of the Zoom account, so Rendez could not get "
            "account-wide permissions. Connect with the account's owner or an admin, or let each staff "
            "member connect their own Zoom account.",
            code="not_account_admin",
        )
    else:
        refusal = _place_refusal(places.Place(connect.tenant, connect.staff, connect.mode), me)
    if refusal is not None:
        give_back(authorized, connect.mode)
        raise refusal
    return authorized


def store_authorized(place: places.Place, authorized: Authorized) -> Connection:
    """Store a grant a person confirmed. The rules are asked again: things may have changed meanwhile."""
    refusal = _place_refusal(place, authorized.me)
    try:
        if refusal is None:
            return _store_oauth(place, authorized)
    except IntegrityError:
        # Another connect of the same Zoom user was stored in between (one_working_connection_per_zoom_user).
        refusal = ConnectionRuleError(places.OTHER_BUSINESS, code="zoom_user_connected_elsewhere")
    give_back(authorized, place.mode)
    raise refusal


def give_back(authorized: Authorized, mode: str) -> None:
    """Dispose of a grant Rendez will not store.

    Zoom honours only a user's latest authorization (§1.7). When this grant is the latest and the Zoom user
    already has a working connection, issuing it killed that connection's tokens: the connection takes the
    fresh ones and keeps working, changed in nothing else (revoking would uninstall the app for that user
    and break it). When the connection's tokens are newer, this grant is dead already and is left alone.
    Without such a connection the grant is revoked.
    """
    me, grant = authorized.me, authorized.grant
    issued_until, _ = tokens.renewal_times(grant.expires_in, authorized.granted_at)
    with transaction.atomic():
        holder = (
            Connection.objects.select_for_update()
            .filter(zoom_user_id=me.id, account_id=me.account_id, mode__in=OAUTH_MODES)
            .filter(status=Connection.Status.CONNECTED)
            .first()
        )
        if holder is None:
            _schedule_revoke_token(grant.access_token, mode)
            return
        holder_until = holder.access_token_expires_at
        if holder_until is not None and holder_until >= issued_until:
            logger.info("zoom grant of a refused connect is older than connection %s's: left", holder.pk)
            return
        tokens.store_grant(holder, grant, now=authorized.granted_at)
        holder.save(update_fields=[*TOKEN_FIELDS, "updated_at"])
    logger.info("zoom connection %s took the fresh tokens of a refused connect of its Zoom user", holder.pk)


def _place_refusal(place: places.Place, me: Me) -> ConnectionRuleError | None:
    message = places.connect_refusal(place, me.id, me.email)
    if message is None:
        return None
    code = "zoom_user_connected_elsewhere" if message == places.OTHER_BUSINESS else "zoom_user_taken"
    return ConnectionRuleError(message, code=code)


def _store_oauth(place: places.Place, authorized: Authorized) -> Connection:
    grant, me = authorized.grant, authorized.me
    if place.mode == Mode.STAFF_OAUTH:
        assert place.staff is not None
        return _store_personal(place.staff, grant, me, granted_at=authorized.granted_at)
    return _store_tenant(
        place.tenant,
        Mode.TENANT_OAUTH,
        account_id=me.account_id,
        grant=grant,
        zoom_user_id=me.id,
        email=me.email,
        granted_at=authorized.granted_at,
    )


def save_s2s(tenant: Tenant, account_id: str, client_id: str, client_secret: str) -> Connection:
    """Verify Server-to-Server credentials by getting a token, then store them. Zoom's refusal propagates
    as `OAuthGrantError` and nothing is stored."""
    grant = oauth.account_credentials(account_id, client_id, client_secret)
    return _store_tenant(
        tenant,
        Mode.TENANT_S2S,
        account_id=account_id,
        grant=grant,
        client_id=client_id,
        client_secret=client_secret,
    )


def _whoami(connect: Connect, grant: TokenGrant) -> Me:
    # An unsaved connection carrying the fresh grant: the client can use it without touching the database.
    probe = Connection(tenant=connect.tenant, staff=connect.staff, mode=connect.mode)
    tokens.store_grant(probe, grant)
    return ZoomClient(probe).get_model("/users/me", Me)


def _store_personal(
    staff: Staff, grant: TokenGrant, me: Me, *, granted_at: datetime | None = None
) -> Connection:
    with transaction.atomic():
        previous = Connection.objects.select_for_update().filter(staff=staff).first()
        if previous is not None:
            # Zoom already killed the earlier tokens of the same Zoom user (§1.7); another user's grant
            # would stay installed, so it is revoked.
            if previous.zoom_user_id != me.id:
                _schedule_revoke(previous)
            previous.delete()
        connection = Connection(
            tenant_id=staff.tenant_id,
            staff=staff,
            mode=Mode.STAFF_OAUTH,
            account_id=me.account_id,
            zoom_user_id=me.id,
            email=me.email,
            scopes=grant.scope,
        )
        tokens.store_grant(connection, grant, now=granted_at)
        connection.save()
        resync_upcoming([staff.pk])
    logger.info("zoom personal connection %s stored for staff %s", connection.pk, staff.pk)
    return connection


def _store_tenant(
    tenant: Tenant,
    mode: str,
    *,
    account_id: str,
    grant: TokenGrant,
    zoom_user_id: str = "",
    email: str = "",
    client_id: str = "",
    client_secret: str = "",
    granted_at: datetime | None = None,
) -> Connection:
    with transaction.atomic():
        previous = Connection.objects.select_for_update().filter(tenant=tenant, staff__isnull=True).first()
        if previous is not None and previous.account_id == account_id:
            # The same account connected again (a reconnect, or another mode): its staff mappings stay valid.
            # The earlier grant is revoked unless Zoom already killed it (the same user authorized again).
            if previous.mode != mode or previous.zoom_user_id != zoom_user_id:
                _schedule_revoke(previous)
            connection = previous
            connection.forget_credentials()
        else:
            if previous is not None:
                _schedule_revoke(previous)
                previous.delete()
            connection = Connection(tenant=tenant, account_id=account_id)
        connection.mode = mode
        connection.zoom_user_id, connection.email, connection.scopes = zoom_user_id, email, grant.scope
        connection.client_id = client_id
        connection.client_secret_encrypted = vault.encrypt(client_secret)
        connection.connected_at = timezone.now()
        health.mark_connected(connection)
        tokens.store_grant(connection, grant, now=granted_at)
        connection.save()
    auto_map(connection)
    with transaction.atomic():
        resync_upcoming(list(connection.mappings.values_list("staff_id", flat=True)))
    logger.info("zoom tenant connection %s (%s) stored for tenant %s", connection.pk, mode, tenant.pk)
    return connection


# --- staff mappings -----------------------------------------------------------------------------------------


def auto_map(connection: Connection) -> int:
    """Map every active staff member without a mapping whose email is a Zoom user's of the account.

    A Zoom user who already hosts for another staff member is skipped (one meeting at a time per Zoom user).
    A failure to list the users (a token without the list scope) leaves mappings to the admin.
    """
    try:
        users = account_users(connection, fresh=True)
    except ZoomError as exc:
        logger.warning("zoom users of connection %s could not be listed: %s", connection.pk, exc)
        return 0
    by_email = {user.email.lower(): user for user in users if user.email and user.id}
    taken = places.taken_for_hosting(connection.tenant)
    unmapped = Staff.objects.filter(tenant_id=connection.tenant_id, is_active=True, zoom_mapping__isnull=True)
    mappings = []
    for member in unmapped.exclude(email="").order_by("pk"):
        user = by_email.get(member.email.lower())
        if user is None or taken.get(user.id or "", member.pk) != member.pk:
            continue
        taken[user.id or ""] = member.pk
        mappings.append(
            StaffMapping(connection=connection, staff=member, zoom_user_id=user.id or "", email=user.email)
        )
    StaffMapping.objects.bulk_create(mappings)
    return len(mappings)


def map_staff(staff: Staff, zoom_user_id: str | None) -> StaffMapping | None:
    """Set (or with None clear) which Zoom user of the tenant account `staff` hosts as."""
    connection = tenant_connection(staff.tenant)
    if zoom_user_id is None:
        with transaction.atomic():
            if StaffMapping.objects.filter(staff=staff).delete()[0]:
                resync_upcoming([staff.pk])
        return None
    if connection is None:
        raise ConnectionRuleError(
            "Connect the business's Zoom account first: staff can only be mapped to users of a connected "
            "account.",
            code="no_tenant_connection",
        )
    user = next((user for user in account_users(connection) if user.id == zoom_user_id), None)
    if user is None:
        raise ConnectionRuleError(
            f"There is no active Zoom user with id {zoom_user_id!r} in the connected Zoom account.",
            code="unknown_zoom_user",
            field="zoom_user_id",
        )
    refusal = places.host_refusal(staff, zoom_user_id, user.email)
    if refusal is not None:
        raise ConnectionRuleError(refusal, code="zoom_user_hosts_for_another")
    with transaction.atomic():
        mapping, _ = StaffMapping.objects.update_or_create(
            staff=staff,
            defaults={"connection": connection, "zoom_user_id": user.id or "", "email": user.email},
        )
        resync_upcoming([staff.pk])
    return mapping


# --- disconnecting ------------------------------------------------------------------------------------------


def disconnect(connection: Connection) -> None:
    """Revoke at Zoom (in the background: a failing revoke is retried and never blocks) and forget the
    credentials. Meetings already on Zoom stay there; new bookings get none. The staff who hosted through it
    are re-synced: one whose meetings now have another host (a personal connection gone, the business's
    mapping left) gets them moved there, the old ones deleted where still reachable and people told."""
    connection_id = connection.pk
    hosted_by = (
        [connection.staff_id]
        if connection.staff_id
        else list(connection.mappings.values_list("staff_id", flat=True))
    )
    with transaction.atomic():
        _schedule_revoke(connection)
        connection.delete()
        resync_upcoming(hosted_by)
    logger.info("zoom connection %s (%s) disconnected", connection_id, connection.mode)


def disconnect_staff(staff: Staff) -> bool:
    """Remove `staff`'s personal connection, or else their mapping. False when they had neither."""
    personal = Connection.objects.filter(staff=staff).first()
    if personal is not None:
        disconnect(personal)
        return True
    with transaction.atomic():
        deleted, _ = StaffMapping.objects.filter(staff=staff).delete()
        resync_upcoming([staff.pk] if deleted else [])
    return bool(deleted)


def forget_deauthorized(account_id: str, zoom_user_id: str, reason: str) -> list[Connection]:
    """Zoom says the user removed our app: delete those credentials and ask for a reconnect."""
    with transaction.atomic():
        matches = list(
            Connection.objects.select_for_update().filter(
                account_id=account_id,
                zoom_user_id=zoom_user_id,
                mode__in=[Mode.STAFF_OAUTH, Mode.TENANT_OAUTH],
            )
        )
        for connection in matches:
            health.mark_needs_reconnect(connection, reason, forget_credentials=True)
    return matches


def _has_account_scopes(grant: TokenGrant) -> bool:
    return any(scope.endswith(":admin") for scope in grant.scope.split())


def _schedule_revoke(connection: Connection) -> None:
    token = connection.access_token or connection.refresh_token
    if token:
        _schedule_revoke_token(
            token, connection.mode, connection.client_id, connection.client_secret_encrypted
        )


def _schedule_revoke_token(
    token: str, mode: str, client_id: str = "", client_secret_encrypted: str = ""
) -> None:
    """Revoke in the background; the job payload holds the token encrypted, like the database does."""
    # The app's credentials only for S2S: the other modes' rows have never carried those keys.
    s2s = (
        {"client_id": client_id, "client_secret": client_secret_encrypted} if mode == Mode.TENANT_S2S else {}
    )
    jobs.enqueue(REVOKE_JOB, RevokePayload(token=vault.encrypt(token), mode=mode, **s2s))


# --- re-sync ------------------------------------------------------------------------------------------------


def resync_upcoming(staff_ids: list[int]) -> int:
    """Ask for a meeting sync of every appointment of these staff that has not ended and holds seats, and of
    every appointment of their business with a meeting left on Zoom (its host may be reachable again).

    Their host's connection changed, so each sync first reads the meeting from Zoom (one GET) instead of
    trusting the record: a reconnect of the same Zoom user makes only the meetings that are gone, and a
    meeting that must move to another Zoom user is replaced, its old one deleted, its people told."""
    if not staff_ids:
        return 0
    upcoming = Appointment.objects.filter(staff_id__in=staff_ids, end__gt=timezone.now(), seats_taken__gt=0)
    tenants = Staff.objects.filter(pk__in=staff_ids).values("tenant_id")
    stranded = Appointment.objects.filter(
        tenant_id__in=tenants, end__gt=timezone.now(), pk__in=reconcile.with_meetings_left()
    )
    appointments = list((upcoming | stranded).distinct().only("pk", "tenant_id"))
    reconcile.request_verify([appointment.pk for appointment in appointments])
    return events.appointments_changed(appointments)
