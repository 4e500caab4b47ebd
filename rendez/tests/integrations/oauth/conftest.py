from __future__ import annotations

from collections.abc import Iterator

import pytest

from rendez.integrations.oauth.provider import ClientAuth
from rendez.tests.integrations.oauth.fake_provider import FakeProvider, serving


@pytest.fixture
def fake() -> Iterator[FakeProvider]:
    """A provider that puts the client's credentials in the form body and rotates refresh tokens
    (Microsoft's style)."""
    with serving(FakeProvider()) as running:
        yield running


@pytest.fixture
def fake_basic() -> Iterator[FakeProvider]:
    """A provider that wants HTTP Basic and says `reason` (Zoom's style)."""
    with serving(FakeProvider(client_auth=ClientAuth.BASIC, reason_field="reason")) as running:
        yield running


@pytest.fixture
def fake_keeping() -> Iterator[FakeProvider]:
    """A provider whose refresh token stays the same (Google's style)."""
    with serving(FakeProvider(rotates=False)) as running:
        yield running
