"""The panel tests' personas and helpers are in fixtures.py (a plugin for every test, listed in the root
conftest.py); here what holds only for these directories' tests."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _panel_test_settings(fast_passwords, clear_cache) -> None:
    """Passwords hashed fast, the cache cleared around each test."""
