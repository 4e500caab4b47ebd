"""Personas of the sign-up tests: Nora signs up her business, "Nora's Studio"; Olga (admin of bob, from the
panel's personas) is the outsider. Clients come from different addresses unless a test says otherwise."""

from __future__ import annotations

from typing import Any

from rendez.web.panel.tests.conftest import (  # noqa: F401 - fixtures
    bob,
    clear_cache,
    fast_passwords,
    olga,
    olga_client,
)

NORA = {
    "name": "Nora's Studio",
    "slug": "noras-studio",
    "timezone": "America/New_York",
    "owner_name": "Nora Lind",
    "email": "nora@studio.example",
    "password": "a long and fine password",
}


def form(**changes: Any) -> dict[str, Any]:
    return {**NORA, **changes}
