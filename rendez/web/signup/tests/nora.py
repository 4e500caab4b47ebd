"""Nora signs up her business, "Nora's Studio": the form she fills in."""

from __future__ import annotations

from typing import Any

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
