"""Maria's connection to the Microsoft emulator (whose `microsoft` fixture is in fixtures.py, for every
package), made from a grant the emulator issued after its consent page was answered over HTTP.

Zoom fixtures (`zoom`, `maria`, `api`, `alice`) come from the Zoom integration's fixtures: Maria is the same
person in every emulator's seed.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from microsoft_emulator.testing import RunningEmulator
from rendez.calendars.models import CalendarConnection
from rendez.integrations.microsoft import connections
from rendez.scheduling.models import Staff
from rendez.tests.integrations.microsoft.world import grant_from_consent, settle


@pytest.fixture
def monday() -> date:
    today = date.today()
    return today + timedelta(days=14 - today.weekday())


@pytest.fixture
def connected(microsoft: RunningEmulator, maria: Staff) -> CalendarConnection:
    connection = connections.connect_with_grant(maria, grant_from_consent(microsoft))
    settle()
    connection.refresh_from_db()
    return connection
