"""A Microsoft emulator over HTTP (real clock, or one the test moves), Rendez pointed at it by its settings,
and Maria's connection made from a grant the emulator issued after its consent page was answered over HTTP.

Zoom fixtures (`zoom`, `maria`, `api`, `alice`) come from the Zoom integration's fixtures: Maria is the same
person in every emulator's seed.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest

from microsoft_emulator import Emulator
from microsoft_emulator.clock import ManualClock
from microsoft_emulator.testing import RunningEmulator, run_emulator
from rendez.calendars.models import CalendarConnection
from rendez.integrations.microsoft import connections
from rendez.scheduling.models import Staff
from rendez.tests.integrations.microsoft.world import grant_from_consent, point_rendez_at, quiet_seed, settle


@pytest.fixture
def monday() -> date:
    today = date.today()
    return today + timedelta(days=14 - today.weekday())


@pytest.fixture
def microsoft(settings, request) -> Iterator[RunningEmulator]:
    """The emulator on the real clock; parametrised indirectly with "manual clock", on a clock the test moves
    (`control.advance_clock`)."""
    clock = ManualClock() if getattr(request, "param", None) == "manual clock" else None
    with run_emulator(Emulator(seed=quiet_seed(), clock=clock)) as running:
        point_rendez_at(settings, running)
        yield running


@pytest.fixture
def connected(microsoft: RunningEmulator, maria: Staff) -> CalendarConnection:
    connection = connections.connect_with_grant(maria, grant_from_consent(microsoft))
    settle()
    connection.refresh_from_db()
    return connection
