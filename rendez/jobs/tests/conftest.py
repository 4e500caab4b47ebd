from __future__ import annotations

from collections.abc import Iterator

import pytest

from rendez.jobs.tests import handlers


@pytest.fixture(autouse=True)
def _fresh_handler_state() -> Iterator[None]:
    handlers.calls.clear()
    handlers.typed_calls.clear()
    handlers.fragile_broken["value"] = True
    yield
    handlers.calls.clear()
    handlers.typed_calls.clear()
