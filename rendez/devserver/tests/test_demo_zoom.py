"""The demo's staff reach the emulator through the real OAuth flow: Rendez and its mounted emulator serve on
a real port, and the connect routine drives the consent page and the callback over HTTP, as `rendez serve`
does."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.wsgi import get_wsgi_application
from django.db import connections
from werkzeug.serving import make_server

from emulator_kit.serving import QuietRequestHandler
from rendez.devserver import demo_zoom
from rendez.devserver.zoom_mount import with_emulator
from rendez.integrations.zoom.models import Connection, Mode, OAuthState
from rendez.scheduling.models import Staff
from rendez.web.demo import seed_demo

# The emulator's Demo Clinic users (zoom_emulator/seeds/default.json).
MARIA = ("dXNyLW1hcmlhLWtvY2gtMDE", "maria.koch@demo-clinic.example")
JONAS = ("dXNyLWpvbmFzLXdlYmVyLTAy", "jonas.weber@demo-clinic.example")


class _ClosingHandler(QuietRequestHandler):
    """Each request runs in its own thread; its database connection must not outlive it (PostgreSQL would
    refuse to drop the test database)."""

    def handle(self) -> None:
        try:
            super().handle()
        finally:
            connections.close_all()


@pytest.fixture
def rendez_server(settings, tmp_path, transactional_db) -> Iterator[str]:
    """Rendez with the emulator mounted under /_zoom/, as `rendez serve` runs it with ZOOM_EMULATOR=1."""
    app: dict[str, Any] = {}
    server = make_server(
        "127.0.0.1",
        0,
        lambda environ, start: app["wsgi"](environ, start),
        True,
        request_handler=_ClosingHandler,
    )
    base = f"http://127.0.0.1:{server.server_port}"
    settings.VAR_DIR = tmp_path  # the emulator's state file and the demo API key
    settings.BASE_URL = base
    settings.ZOOM_EMULATOR = True
    settings.ZOOM_OAUTH_BASE_URL = f"{base}/_zoom"
    settings.ZOOM_API_BASE_URL = f"{base}/_zoom/v2"
    settings.ZOOM_CLIENT_ID = "rendez-demo-client"
    settings.ZOOM_CLIENT_SECRET = "rendez-demo-secret"
    settings.ZOOM_WEBHOOK_SECRET_TOKEN = "rendez-demo-webhook-secret"
    settings.ZOOM_CONNECTION_MODES = ["staff_oauth", "tenant_oauth", "tenant_s2s"]
    app["wsgi"] = with_emulator(get_wsgi_application())
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    yield base
    server.shutdown()
    server.server_close()


def _personal(member: Staff) -> tuple[str, str, str]:
    connection = Connection.objects.get(staff=member)
    return connection.mode, connection.zoom_user_id, connection.email


def test_serve_connects_the_demo_staff_through_oauth_once_the_server_answers(rendez_server, caplog):
    demo = seed_demo()
    maria, jonas = sorted(demo.staff, key=lambda member: member.name, reverse=True)

    with caplog.at_level(logging.INFO, logger="rendez.devserver"):
        thread = demo_zoom.start_in_background("127.0.0.1", int(rendez_server.rsplit(":", 1)[1]))
        assert thread is not None
        thread.join(timeout=30)

    assert not thread.is_alive()
    assert _personal(maria) == (Mode.STAFF_OAUTH, *MARIA)
    assert _personal(jonas) == (Mode.STAFF_OAUTH, *JONAS)
    assert Connection.objects.get(staff=maria).access_token  # stored by the callback's token exchange
    assert not OAuthState.objects.exists()  # both states were consumed by Rendez's callback
    assert [record.getMessage() for record in caplog.records if record.name == "rendez.devserver"] == [
        "Zoom: Maria Koch connected as maria.koch@demo-clinic.example (per-staff OAuth with the emulator)",
        "Zoom: Jonas Weber connected as jonas.weber@demo-clinic.example (per-staff OAuth with the emulator)",
    ]


def test_connected_staff_are_left_alone_and_one_without_a_zoom_user_is_reported(rendez_server, caplog):
    demo = seed_demo()
    assert len(demo_zoom.connect_demo_staff(rendez_server)) == 2
    first = set(Connection.objects.values_list("pk", flat=True))
    Staff.objects.create(tenant=demo.tenant, name="Nina Roth", email="nina@demo-clinic.example")
    caplog.clear()

    with caplog.at_level(logging.INFO, logger="rendez.devserver"):
        again = demo_zoom.connect_demo_staff(rendez_server)

    assert again == []
    assert set(Connection.objects.values_list("pk", flat=True)) == first
    assert [record.getMessage() for record in caplog.records if record.name == "rendez.devserver"] == [
        "Zoom: Nina Roth was not connected to the emulator: "
        "the emulator has no Zoom user with the email nina@demo-clinic.example"
    ]


def test_nothing_is_attempted_without_the_emulator(settings, db):
    settings.ZOOM_EMULATOR = False

    assert demo_zoom.start_in_background("127.0.0.1", 1) is None
    assert demo_zoom.connect_demo_staff("http://127.0.0.1:1") == []


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("127.0.0.1", "http://127.0.0.1:8000"),
        ("0.0.0.0", "http://127.0.0.1:8000"),
        ("localhost", "http://127.0.0.1:8000"),
        ("::", "http://[::1]:8000"),
    ],
)
def test_the_server_is_reached_over_loopback_whatever_it_is_bound_to(host, expected):
    assert demo_zoom.local_base_url(host, 8000) == expected
