"""The Google emulator as a fixture for every test package (registered in the root conftest's
`pytest_plugins`): on a real port with the default people, no events, Rendez's settings pointed at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from google_emulator import Emulator
from google_emulator.testing import RunningEmulator, run_emulator
from rendez.tests.integrations.google.world import (
    BASE_URL,
    CLIENT_ID,
    CLIENT_SECRET,
    REDIRECT_URI,
    quiet_seed,
)


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
