"""The staff pages' cast: the panel's personas (Ada the admin, Dora the staff member, Emil her colleague,
Olga the outsider) and the Zoom integration's (Maria and Jonas, users of the emulator's Demo Clinic; Nina, who
has no Zoom user). Invitation emails go to a real SMTP server (`smtp_server`). All of them come from the
modules the root conftest.py lists in `pytest_plugins`."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _panel_test_settings(fast_passwords, clear_cache) -> None:
    """As in every panel test: passwords hashed fast, the cache cleared around each test."""
