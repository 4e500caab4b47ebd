"""Connecting and disconnecting a staff member's Microsoft 365 calendar.

The browser consent flow (`connect.py` on the shared rendez/calendars/connecting.py: API or panel start,
`/integrations/microsoft/callback`) ends in `connect_with_grant(staff, grant)` with the grant of the code
exchange (`oauth.MicrosoftGrant`). Microsoft has no revocation endpoint an app can call: disconnecting deletes
the subscriptions and forgets the tokens.
"""

from __future__ import annotations

from django.db import transaction

from rendez.calendars import busy, syncing, writing
from rendez.calendars.connecting import ConnectError
from rendez.calendars.models import CalendarConnection, CalendarSync, Provider
from rendez.calendars.notices import REMINDERS
from rendez.integrations.microsoft import oauth, subscriptions, sync, tokens
from rendez.integrations.microsoft.client import GraphClient, GraphError
from rendez.integrations.oauth.provider import TokenGrant
from rendez.integrations.oauth.tokens import store_grant
from rendez.scheduling.models import Staff


def connect_with_grant(staff: Staff, grant: TokenGrant) -> CalendarConnection:
    """Store `grant` as `staff`'s Microsoft calendar connection (new, or a reconnect) and start syncing."""
    # Granted scopes may come bare or as resource URIs (https://graph.microsoft.com/Calendars.ReadWrite).
    granted = {scope.rsplit("/", 1)[-1].lower() for scope in grant.scope.split()}
    if oauth.CALENDAR_SCOPE.lower() not in granted:
        raise ConnectError("Calendar access was not granted: connect again and allow calendar access.")
    if not grant.refresh_token:
        raise ConnectError("Microsoft sent no refresh token: connect again and allow offline access.")
    me, calendar = _account(staff, grant)
    # `mail` is null for many personal accounts; userPrincipalName is always set (Graph user resource).
    email = str(me.get("mail") or me.get("userPrincipalName") or "")
    calendar_id = str(calendar["id"])
    with transaction.atomic():
        connection, created = CalendarConnection.objects.select_for_update().get_or_create(
            tenant_id=staff.tenant_id, staff=staff, provider=Provider.MICROSOFT
        )
        if created or connection.account_email != email:
            # Another account: its default calendar blocks time and receives appointments.
            connection.busy_calendar_ids, connection.write_calendar_id = [calendar_id], calendar_id
            CalendarSync.objects.filter(tenant_id=staff.tenant_id, connection=connection).delete()
        store_grant(connection, grant)
        connection.account_email, connection.scopes = email, grant.scope
        # A reconnect ends the breakage: its pending reminders find the connection healthy and stop.
        REMINDERS[Provider.MICROSOFT].mark_connected(connection)
        connection.save()
        busy.connections_changed(connection)
        syncing.request_sync(connection)
        writing.backfill(connection)
    return connection


def disconnect(connection: CalendarConnection) -> None:
    """Delete subscriptions, forget tokens and busy blocks; the row stays `disconnected` for the record."""
    if connection.status == CalendarConnection.Status.CONNECTED:
        client = sync.client_for(connection)
        for state in CalendarSync.objects.filter(tenant_id=connection.tenant_id, connection=connection):
            try:
                subscriptions.stop(client, state)
            except (tokens.ConnectionUnusable, *tokens.Unavailable):
                break  # Graph deletes subscriptions nobody renews
    for calendar_id in set(connection.synced_calendar_ids()) | set(
        connection.busy_blocks.values_list("calendar_id", flat=True)
    ):
        busy.forget_calendar(connection, calendar_id)
    CalendarSync.objects.filter(tenant_id=connection.tenant_id, connection=connection).delete()
    connection.status = CalendarConnection.Status.DISCONNECTED
    connection.access_token_encrypted = connection.refresh_token_encrypted = ""
    connection.save()
    busy.connections_changed(connection)


def _account(staff: Staff, grant: TokenGrant) -> tuple[dict[str, object], dict[str, object]]:
    """`/me` and `/me/calendar` with the fresh access token, before anything is stored."""
    probe = CalendarConnection(tenant_id=staff.tenant_id, staff=staff, provider=Provider.MICROSOFT)
    store_grant(probe, grant)
    client = GraphClient(probe)
    try:
        return client.me(), client.default_calendar()
    except GraphError as exc:
        raise ConnectError(
            f"Microsoft Graph could not be read with this grant ({exc.code or exc.status})."
        ) from exc
