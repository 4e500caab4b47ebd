"""Microsoft 365 calendars as a provider of the shared connect (rendez/calendars/connecting.py): its states
are rows of `calendars.CalendarConnectState` marked `microsoft`; `connect_with_grant` reads /me and the
default calendar."""

from __future__ import annotations

from rendez.calendars import connecting
from rendez.calendars.models import CalendarConnectState, Provider
from rendez.integrations.microsoft import connections, oauth
from rendez.integrations.microsoft.client import GraphClient
from rendez.integrations.oauth.state import ConnectStates

STATES: ConnectStates[CalendarConnectState] = ConnectStates(
    CalendarConnectState,
    salt="rendez.microsoft.oauth-state",
    label="Microsoft",
    row={"provider": Provider.MICROSOFT},
)
CONNECTOR = connecting.Connector(
    Provider.MICROSOFT, STATES, oauth.provider, connections.connect_with_grant, GraphClient
)
authorize_url = CONNECTOR.authorize_url
