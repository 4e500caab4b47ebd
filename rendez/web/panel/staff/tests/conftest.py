"""The staff pages' cast: the panel's personas (Ada the admin, Dora the staff member, Emil her colleague,
Olga the outsider) and the Zoom integration's (Maria and Jonas, users of the emulator's Demo Clinic; Nina, who
has no Zoom user). Invitation emails go to a real SMTP server (`smtp_server`)."""

from __future__ import annotations

from rendez.notifications.tests.conftest import smtp_server  # noqa: F401 - fixtures
from rendez.tests.integrations.zoom.conftest import api, jonas, maria, nina, zoom  # noqa: F401
from rendez.web.panel.tests.conftest import (  # noqa: F401
    ada,
    ada_client,
    alice,
    bob,
    clear_cache,
    consultation,
    dora,
    dora_client,
    dora_user,
    doras_appointment,
    emil,
    fast_passwords,
    monday,
    olga,
    olga_client,
)
