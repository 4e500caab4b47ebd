"""Many processes needing one connection's token at the same moment make one request of Zoom, not many.

Zoom's refresh tokens rotate and only the latest works (zoom-api.md §1.5, pitfall P1), so two refreshes
racing each other kill the connection with `invalid_grant`. DESIGN.md §7: lock the row, re-read, refresh only
if still needed. Threads stand in for processes: each has its own database connection, and they start
together at a barrier. PostgreSQL only: SQLite has no row locks to race on.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import django.db
import httpx2
import pytest
from django.utils import timezone

from rendez.integrations.zoom import tokens
from rendez.integrations.zoom.client import ZoomClient
from rendez.integrations.zoom.models import Connection
from rendez.integrations.zoom.schemas import Me, ZoomUser
from rendez.tests.integrations.zoom.fixtures import (
    MARIA,
    S2S_ACCOUNT_ID,
    S2S_CLIENT_ID,
    S2S_CLIENT_SECRET,
    connect_staff,
)
from zoom_emulator.testing import RunningEmulator

pytestmark = [pytest.mark.postgres, pytest.mark.usefixtures("transactional_db")]

THREADS = 20


def run_together(connection_id: int, work: Callable[[Connection], Any]) -> list[Any]:
    """Run `work` in THREADS threads, each on its own copy of the connection read before they all start."""
    barrier = threading.Barrier(THREADS, timeout=30)
    results: list[Any] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker() -> None:
        try:
            connection = Connection.objects.get(pk=connection_id)
            barrier.wait()
            result = work(connection)
            with lock:
                results.append(result)
        except BaseException as exc:  # noqa: BLE001 - reported by the test thread
            with lock:
                errors.append(exc)
        finally:
            django.db.connection.close()

    threads = [threading.Thread(target=worker, name=f"token-race-{n}") for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a thread is still waiting"
    assert errors == [], errors
    assert len(results) == THREADS
    return results


def token_requests(zoom: RunningEmulator, grant_type: str | None = None) -> list[dict[str, Any]]:
    entries = zoom.control.requests(method="POST", path="/oauth/token")
    return [entry for entry in entries if grant_type is None or entry["body"].get("grant_type") == grant_type]


def expire_locally(connection: Connection) -> None:
    """Make Rendez believe the stored access token has just expired (Zoom has not been told)."""
    past = timezone.now() - timedelta(seconds=1)
    Connection.objects.filter(pk=connection.pk).update(
        access_token_expires_at=past, access_token_renew_at=past
    )


def works_at_zoom(zoom: RunningEmulator, token: str, path: str) -> bool:
    response = httpx2.get(
        f"{zoom.api_base_url}{path}",
        headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
    )
    return response.status_code == 200


def live_refresh_tokens(zoom: RunningEmulator, user_id: str) -> list[str]:
    emulator = zoom.emulator
    with emulator.lock:
        return [
            token.value
            for token in emulator.state.tokens.values()
            if token.kind == "refresh" and token.user_id == user_id and not token.revoked
        ]


@pytest.fixture
def s2s_connection(api, zoom: RunningEmulator, alice) -> Connection:
    response = api.put(
        "/integrations/zoom/s2s",
        {"account_id": S2S_ACCOUNT_ID, "client_id": S2S_CLIENT_ID, "client_secret": S2S_CLIENT_SECRET},
    )
    assert response.status_code == 200, response.content
    return Connection.objects.get(tenant=alice, staff__isnull=True)


def test_twenty_threads_after_expiry_make_one_refresh(api, zoom: RunningEmulator, maria) -> None:
    connection = connect_staff(api, zoom, maria, MARIA)
    old_access, old_refresh = connection.access_token, connection.refresh_token
    expire_locally(connection)
    zoom.control.clear_requests()

    handed_out = run_together(connection.pk, tokens.access_token)

    assert len(token_requests(zoom, "refresh_token")) == 1
    assert token_requests(zoom) == token_requests(zoom, "refresh_token")
    assert len(set(handed_out)) == 1
    new_access = handed_out[0]
    assert new_access != old_access and works_at_zoom(zoom, new_access, "/users/me")
    connection.refresh_from_db()
    assert connection.is_usable and connection.broken_reason == ""
    assert connection.access_token == new_access
    renew_at = connection.access_token_renew_at
    assert renew_at is not None and renew_at > timezone.now()
    assert connection.refresh_token != old_refresh
    assert live_refresh_tokens(zoom, MARIA) == [connection.refresh_token]


def test_twenty_threads_after_expiry_make_one_s2s_token_request(
    zoom: RunningEmulator, s2s_connection: Connection
) -> None:
    old_access = s2s_connection.access_token
    expire_locally(s2s_connection)
    zoom.control.clear_requests()

    handed_out = run_together(s2s_connection.pk, tokens.access_token)

    assert len(token_requests(zoom, "account_credentials")) == 1
    assert token_requests(zoom) == token_requests(zoom, "account_credentials")
    assert len(set(handed_out)) == 1 and handed_out[0] != old_access
    assert works_at_zoom(zoom, handed_out[0], "/users")
    s2s_connection.refresh_from_db()
    assert s2s_connection.is_usable and s2s_connection.access_token == handed_out[0]


def test_a_token_rejected_in_twenty_threads_at_once_is_refreshed_once(
    api, zoom: RunningEmulator, maria
) -> None:
    connection = connect_staff(api, zoom, maria, MARIA)
    old_access = connection.access_token
    assert zoom.control.expire_tokens() >= 1
    zoom.control.clear_requests()

    identities = run_together(connection.pk, lambda own: ZoomClient(own).get_model("/users/me", Me).id)

    assert identities == [MARIA] * THREADS
    assert len(token_requests(zoom, "refresh_token")) == 1
    assert token_requests(zoom) == token_requests(zoom, "refresh_token")
    calls = zoom.control.requests(method="GET", path="/v2/users/me")
    # Every thread first tried the token Zoom had killed, then the one new token.
    assert sorted(entry["status"] for entry in calls) == [200] * THREADS + [401] * THREADS
    retried_with = {entry["headers"]["authorization"] for entry in calls if entry["status"] == 200}
    connection.refresh_from_db()
    assert connection.is_usable and connection.access_token != old_access
    assert retried_with == {f"Bearer {connection.access_token}"}
    assert live_refresh_tokens(zoom, MARIA) == [connection.refresh_token]


def test_an_s2s_token_rejected_in_twenty_threads_at_once_is_replaced_once(
    zoom: RunningEmulator, s2s_connection: Connection
) -> None:
    assert zoom.control.expire_tokens() >= 1
    zoom.control.clear_requests()

    # A user by id: S2S tokens cannot say `me` (§1.12); Light allows 30 calls a second, room for 20.
    identities = run_together(
        s2s_connection.pk, lambda own: ZoomClient(own).get_model(f"/users/{MARIA}", ZoomUser).id
    )

    assert identities == [MARIA] * THREADS
    assert len(token_requests(zoom, "account_credentials")) == 1
    assert token_requests(zoom) == token_requests(zoom, "account_credentials")
    s2s_connection.refresh_from_db()
    assert s2s_connection.is_usable
