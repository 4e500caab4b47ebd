"""The panel's personas (Ada admin of alice, Dora staff, Olga of bob), the Zoom integration's and the other
shared fixtures come from the modules the root conftest.py lists in `pytest_plugins`
(rendez/web/panel/tests/fixtures.py and others)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _panel_test_settings(fast_passwords, clear_cache) -> None:
    """As in every panel test: passwords hashed fast, the cache cleared around each test."""
