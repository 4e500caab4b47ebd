"""Personas of the sign-up tests: Nora signs up her business, "Nora's Studio" (nora.py); Olga (admin of
bob, from the panel's personas) is the outsider. Clients come from different addresses unless a test says
otherwise."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _panel_test_settings(fast_passwords, clear_cache) -> None:
    """As in the panel's tests: passwords hashed fast, the cache cleared around each test."""
