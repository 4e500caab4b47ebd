"""A Google emulator over HTTP (real clock), Rendez pointed at it by its settings, and Maria's connection made
from a grant the emulator issued after its consent page was answered over HTTP, as a browser would.

Zoom fixtures (`zoom`, `maria`, `api`, `alice`) come from the Zoom integration's conftest: Maria is the same
person in both emulators' seeds.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest

from google_emulator import Emulator
from google_emulator.testing import RunningEmulator, run_emulator
from rendez.calendars.models import CalendarConnection
from rendez.integrations.google import connections
from rendez.scheduling.models import Staff
from rendez.tests.integrations.google.world import (
    BASE_URL,
    CLIENT_ID,
    CLIENT_SECRET,
    REDIRECT_URI,
    grant_from_consent,
    quiet_seed,
    settle,
)


@pytest.fixture
def monday() -> date:
    """Monday in two weeks: bookable, and inside the emulator's seeded fortnight only by chance."""
    today = date.today()
    return today + timedelta(days=14 - today.weekday())


@pytest.fixture
def google(settings) -> Iterator[RunningEmulator]:
    with run_emulator(Emulator(seed=quiet_seed())) as running:
        settings.GOOGLE_CLIENT_ID = CLIENT_ID
        settings.GOOGLE_CLIENT_SECRET = CLIENT_SECRET
        settings.GOOGLE_OAUTH_BASE_URL = running.oauth_base_url
        settings.GOOGLE_TOKEN_URL = running.token_url
        settings.GOOGLE_REVOKE_URL = running.revoke_url
        settings.GOOGLE_USERINFO_URL = running.userinfo_url
        settings.GOOGLE_CALENDAR_API_BASE_URL = running.calendar_api_base_url
        settings.GOOGLE_PUSH_OVER_HTTP = False
        settings.BASE_URL = BASE_URL
        running.control.add_redirect_uri(CLIENT_ID, REDIRECT_URI)
        yield running


@pytest.fixture
def connected(google: RunningEmulator, maria: Staff) -> CalendarConnection:
    connection = connections.connect_with_grant(maria, grant_from_consent(google))
    settle()
    connection.refresh_from_db()
    return connection
