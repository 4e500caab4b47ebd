"""Google Calendar as a provider of the shared connect (rendez/calendars/connecting.py): its states are kept
in its own `GoogleConnectState` table."""

from __future__ import annotations

from rendez.calendars import connecting
from rendez.calendars.models import Provider
from rendez.integrations.google import connections, tokens
from rendez.integrations.google.client import CalendarClient
from rendez.integrations.google.models import GoogleConnectState
from rendez.integrations.oauth.state import ConnectStates

STATES: ConnectStates[GoogleConnectState] = ConnectStates(
    GoogleConnectState, salt="rendez.google.oauth-state", label="Google"
)
CONNECTOR = connecting.Connector(
    Provider.GOOGLE, STATES, tokens.provider, connections.connect_with_grant, CalendarClient
)
authorize_url = CONNECTOR.authorize_url
