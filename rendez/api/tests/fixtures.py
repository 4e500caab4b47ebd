"""API fixtures: alice's and bob's API keys, clients that send them, and booking dates relative to today.

The API books against the real clock, so dates are "Monday in two weeks" rather than fixed days.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from rendez.scheduling.tests.factories import make_api_key, make_staff

BERLIN = ZoneInfo("Europe/Berlin")


class ApiClient:
    """A test client speaking JSON with one tenant's bearer key."""

    def __init__(self, key: str | None):
        self.client = Client()
        self.key = key

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"} if self.key else {}

    def get(self, path: str, params: dict | None = None):
        return self.client.get(f"/api/v1{path}", params or {}, headers=self._headers())

    def post(self, path: str, body: dict | None = None):
        return self._send("post", path, body)

    def patch(self, path: str, body: dict | None = None):
        return self._send("patch", path, body)

    def put(self, path: str, body: dict | None = None):
        return self._send("put", path, body)

    def delete(self, path: str):
        return self.client.delete(f"/api/v1{path}", headers=self._headers())

    def _send(self, method: str, path: str, body: dict | None):
        data = json.dumps(body if body is not None else {})
        return getattr(self.client, method)(
            f"/api/v1{path}", data, content_type="application/json", headers=self._headers()
        )


@pytest.fixture
def alice_key(alice) -> str:
    return make_api_key(alice)


@pytest.fixture
def bob_key(bob) -> str:
    return make_api_key(bob)


@pytest.fixture
def alice_api(alice_key) -> ApiClient:
    return ApiClient(alice_key)


@pytest.fixture
def bob_api(bob_key) -> ApiClient:
    return ApiClient(bob_key)


@pytest.fixture
def anonymous_api() -> ApiClient:
    return ApiClient(None)


@pytest.fixture
def frank(bob):
    return make_staff(bob, "Frank", timezone="America/New_York")


def a_monday() -> date:
    """The Monday two weeks after the next one (in Berlin): inside every horizon, far from any notice."""
    today = timezone.now().astimezone(BERLIN).date()
    return today + timedelta(days=7 - today.weekday()) + timedelta(days=14)


def berlin(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=BERLIN)


@pytest.fixture
def monday() -> date:
    return a_monday()


def booking_body(service, staff, start: datetime, name: str = "Charlie", **extra) -> dict:
    body = {
        "service_id": service.pk,
        "staff_id": staff.pk,
        "start": start.isoformat(),
        "customer": {"name": name, "email": f"{name.lower()}@example.com"},
    }
    body.update(extra)
    return body
