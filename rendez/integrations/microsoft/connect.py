"""Microsoft 365 calendars as a provider of the shared connect (rendez/calendars/connecting.py): its states
(rows of `calendars.CalendarConnectState` marked `microsoft`), the identity platform's code exchange (PKCE),
the connections writer (reads /me and the default calendar) and Graph's calendar list."""

from __future__ import annotations

from rendez.calendars import connecting
from rendez.calendars.models import CalendarConnection, CalendarConnectState, Provider
from rendez.integrations.microsoft import connections, oauth, tokens
from rendez.integrations.microsoft.client import GraphClient, GraphError
from rendez.integrations.oauth.state import ConnectStates

STATES: ConnectStates[CalendarConnectState] = ConnectStates(
    CalendarConnectState,
    salt="rendez.microsoft.oauth-state",
    label="Microsoft",
    row={"provider": Provider.MICROSOFT},
)


def calendar_list(connection: CalendarConnection) -> list[connecting.CalendarEntry]:
    return GraphClient(connection).calendars()


CONNECTOR = connecting.Connector(
    provider=Provider.MICROSOFT,
    label="Microsoft 365",
    company="Microsoft",
    client_id_setting="MICROSOFT_CLIENT_ID",
    states=STATES,
    oauth=oauth.provider,
    exchange_code=oauth.exchange_code,
    connect_with_grant=connections.connect_with_grant,
    connect_errors=(connections.ConnectError,),
    unavailable=tokens.Unavailable,
    calendar_list=calendar_list,
    list_errors=(GraphError, *tokens.Unavailable),
    unusable=tokens.ConnectionUnusable,
)
authorize_url = CONNECTOR.authorize_url
