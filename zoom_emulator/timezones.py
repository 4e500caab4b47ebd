"""The 135 time-zone ids Zoom accepts when scheduling (its published list, shipped as package data)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

TIMEZONES_FILE = Path(__file__).with_name("data") / "zoom-timezones.json"


@cache
def zoom_timezone_ids() -> frozenset[str]:
    with TIMEZONES_FILE.open() as handle:
        return frozenset(entry["id"] for entry in json.load(handle)) | {"UTC"}
