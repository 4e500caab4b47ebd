"""Connecting and disconnecting a staff member's Google Calendar.

The browser consent flow (`connect.py`: API or panel start, `/integrations/google/callback`) ends in
`connect_with_grant(staff, grant)`, the grant of the code exchange (`tokens.Grant`).
"""

from __future__ import annotations

import base64
import contextlib
import json

from django.conf import settings
from django.db import transaction

from rendez.calendars import busy, syncing, writing
from rendez.calendars.connecting import ConnectError
from rendez.calendars.models import CalendarConnection, CalendarSync, Provider
from rendez.integrations.google import channels, tokens
from rendez.integrations.google.client import CalendarClient
from rendez.integrations.oauth import revocation
from rendez.lib import http
from rendez.scheduling.models import Staff

CALENDAR_SCOPES = tokens.CALENDAR_SCOPES
SCOPES = " ".join(tokens.SCOPES)


def connect_with_grant(staff: Staff, grant: tokens.Grant) -> CalendarConnection:
    """Store `grant` as `staff`'s Google Calendar connection (a new one, or a reconnect) and start syncing."""
    if not any(scope in grant.scope.split() for scope in CALENDAR_SCOPES):
        raise ConnectError("Calendar access was not granted: connect again and leave calendar access ticked.")
    email = _account_email(grant)
    with transaction.atomic():
        connection, created = CalendarConnection.objects.select_for_update().get_or_create(
            tenant_id=staff.tenant_id, staff=staff, provider=Provider.GOOGLE
        )
        if not grant.refresh_token and not connection.refresh_token_encrypted:
            raise ConnectError(
                "Google sent no refresh token: remove Rendez's access in Google and connect again."
            )
        if created or connection.account_email != email:
            # Another account's calendars: its primary calendar blocks time and receives appointments.
            connection.busy_calendar_ids, connection.write_calendar_id = [email], email
            CalendarSync.objects.filter(tenant_id=staff.tenant_id, connection=connection).delete()
        tokens.store_grant(connection, grant)
        connection.account_email, connection.scopes = email, grant.scope
        # A reconnect ends the breakage: its pending reminders find the connection healthy and stop.
        tokens.REMINDERS.mark_connected(connection)
        connection.save()
        busy.connections_changed(connection)
        syncing.request_sync(connection)
        writing.backfill(connection)
    return connection


def disconnect(connection: CalendarConnection) -> None:
    """Stop channels, revoke the grant, forget busy blocks; the row stays `disconnected` for the record."""
    if connection.status == CalendarConnection.Status.CONNECTED:
        # Before the transaction (calls to Google); a channel left running expires and matches nothing.
        client = CalendarClient(connection)
        with contextlib.suppress(tokens.ConnectionUnusable, tokens.GoogleUnavailable):
            for state in CalendarSync.objects.filter(tenant_id=connection.tenant_id, connection=connection):
                channels.stop(client, state)
    with transaction.atomic():
        _forget(connection)


def _forget(connection: CalendarConnection) -> None:
    if connection.refresh_token_encrypted:
        # In the background, in this transaction: a disconnect never waits for (or fails with) Google.
        revocation.revoke_later("google", connection.refresh_token, tenant_id=connection.tenant_id)
    for calendar_id in set(connection.synced_calendar_ids()) | set(
        connection.busy_blocks.values_list("calendar_id", flat=True)
    ):
        busy.forget_calendar(connection, calendar_id)
    CalendarSync.objects.filter(tenant_id=connection.tenant_id, connection=connection).delete()
    connection.status = CalendarConnection.Status.DISCONNECTED
    connection.forget_tokens()
    connection.save()
    busy.connections_changed(connection)


def _account_email(grant: tokens.Grant) -> str:
    """The account's email from the id_token's payload, received straight from Google's token endpoint over
    TLS, so not verified (Google allows that; the emulator's is not signed with Google's keys); else
    userinfo."""
    if grant.id_token and grant.id_token.count(".") == 2:
        payload = grant.id_token.split(".")[1]
        try:
            claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        except ValueError:
            claims = {}
        if isinstance(claims, dict) and isinstance(claims.get("email"), str):
            return claims["email"]
    url = settings.GOOGLE_USERINFO_URL
    response = http.request(
        "GET", url, headers={"Authorization": f"Bearer {grant.access_token}"}, configured_base_url=url
    )
    return str(response.json()["email"])
