"""Google Calendar as a provider of the shared connect (rendez/calendars/connecting.py): its states (kept in
`GoogleConnectState`), OAuth provider, code exchange, connections writer and calendar list."""

from __future__ import annotations

from rendez.calendars import connecting
from rendez.calendars.models import CalendarConnection, Provider
from rendez.integrations.google import connections, tokens
from rendez.integrations.google.client import CalendarClient, CalendarError
from rendez.integrations.google.models import GoogleConnectState
from rendez.integrations.oauth.state import ConnectStates

STATES: ConnectStates[GoogleConnectState] = ConnectStates(
    GoogleConnectState, salt="rendez.google.oauth-state", label="Google"
)


def calendar_list(connection: CalendarConnection) -> list[connecting.CalendarEntry]:
    return CalendarClient(connection).calendar_list()


CONNECTOR = connecting.Connector(
    provider=Provider.GOOGLE,
    label="Google Calendar",
    company="Google",
    client_id_setting="GOOGLE_CLIENT_ID",
    states=STATES,
    oauth=tokens.provider,
    exchange_code=tokens.exchange_code,
    connect_with_grant=connections.connect_with_grant,
    connect_errors=(connections.ConnectError,),
    unavailable=(tokens.GoogleUnavailable,),
    calendar_list=calendar_list,
    list_errors=(CalendarError, tokens.GoogleUnavailable),
    unusable=tokens.ConnectionUnusable,
)
authorize_url = CONNECTOR.authorize_url
