"""The staff pages' cast: the panel's personas (Ada the admin, Dora the staff member, Olga the outsider) and
the Zoom integration's (Maria and Jonas, users of the emulator's Demo Clinic; Nina, who has no Zoom user)."""

from __future__ import annotations

from rendez.tests.integrations.zoom.conftest import api, jonas, maria, nina, zoom  # noqa: F401 - fixtures
from rendez.web.panel.tests.conftest import (  # noqa: F401
    ada,
    ada_client,
    alice,
    bob,
    clear_cache,
    dora,
    dora_client,
    dora_user,
    emil,
    fast_passwords,
    olga,
    olga_client,
)
