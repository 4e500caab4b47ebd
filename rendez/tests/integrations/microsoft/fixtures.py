"""The Microsoft emulator as a fixture for every test package (registered in the root conftest's
`pytest_plugins`): on a real port with the default people, no events, Rendez's settings pointed at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from microsoft_emulator import Emulator
from microsoft_emulator.clock import ManualClock
from microsoft_emulator.testing import RunningEmulator, run_emulator
from rendez.tests.integrations.microsoft.world import point_rendez_at, quiet_seed


@pytest.fixture
def microsoft(settings, request) -> Iterator[RunningEmulator]:
    """The emulator on the real clock; parametrised indirectly with "manual clock", on a clock the test moves
    (`control.advance_clock`)."""
    clock = ManualClock() if getattr(request, "param", None) == "manual clock" else None
    with run_emulator(Emulator(seed=quiet_seed(), clock=clock)) as running:
        point_rendez_at(settings, running)
        yield running
