"""The panel's personas (Ada admin of alice, Dora staff, Olga of bob) and the Zoom emulator's fixtures."""

from __future__ import annotations

from rendez.api.tests.conftest import alice_api, alice_key, bob_api, bob_key  # noqa: F401, E402 - fixtures
from rendez.scheduling.tests.conftest import alice, bob, consultation, dora  # noqa: F401 - fixtures
from rendez.tests.integrations.zoom.conftest import maria, zoom  # noqa: F401 - fixtures
from rendez.web.panel.tests.conftest import (  # noqa: F401 - fixtures
    ada,
    ada_client,
    clear_cache,
    dora_client,
    dora_user,
    fast_passwords,
    olga,
    olga_client,
)
