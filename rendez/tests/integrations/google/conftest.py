"""Maria's connection made from a grant the Google emulator (the `google` fixture, google/fixtures.py) issued
after its consent page was answered over HTTP, as a browser would.

Zoom fixtures (`zoom`, `maria`, `api`, `alice`) come from the Zoom integration's conftest: Maria is the same
person in both emulators' seeds.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from google_emulator.testing import RunningEmulator
from rendez.calendars.models import CalendarConnection
from rendez.integrations.google import connections
from rendez.scheduling.models import Staff
from rendez.tests.integrations.google.world import (
    grant_from_consent,
    settle,
)


@pytest.fixture
def monday() -> date:
    """Monday in two weeks: bookable, and inside the emulator's seeded fortnight only by chance."""
    today = date.today()
    return today + timedelta(days=14 - today.weekday())


@pytest.fixture
def connected(google: RunningEmulator, maria: Staff) -> CalendarConnection:
    connection = connections.connect_with_grant(maria, grant_from_consent(google))
    settle()
    connection.refresh_from_db()
    return connection
