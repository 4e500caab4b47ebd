"""API-key requests take the lean middleware stack, every other request all of settings.MIDDLEWARE: through
the WSGI application gunicorn serves (rendez/lib/lean_api.py), not Django's test client, which has its own
handler."""

from __future__ import annotations

import io
import sys
from typing import Any

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import override_settings

from rendez.lib import lean_api
from rendez.observability.context import HEADER as REQUEST_ID
from rendez.scheduling.tests.factories import make_api_key
from rendez.tenants.models import Tenant

# Whatever the stack, every dynamic response keeps these.
KEPT = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY"}


def call(path: str, authorization: str = "", method: str = "GET") -> tuple[str, dict[str, str]]:
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "testserver",
        "CONTENT_LENGTH": "0",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }
    if authorization:
        environ["HTTP_AUTHORIZATION"] = authorization
    answered: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        answered["status"], answered["headers"] = status, headers

    # As Django's test client does: the test's transaction must outlive the request's end.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        body = lean_api.application(WSGIHandler())(environ, start_response)
        b"".join(body)
        body.close()  # type: ignore[attr-defined]
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    headers: dict[str, str] = {}
    for name, value in answered["headers"]:
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    return answered["status"], headers


@pytest.fixture
def key(db) -> str:
    return make_api_key(Tenant.objects.create(slug="lean", name="Lean"))


@pytest.fixture(autouse=True)
def testserver():
    with override_settings(ALLOWED_HOSTS=["testserver"], SECURE_SSL_REDIRECT=False):
        yield


def test_an_api_key_request_skips_the_session_csrf_csp_and_htmx_middlewares(key):
    status, headers = call("/api/v1/services", f"Bearer {key}")

    assert status.startswith("200")
    assert "Content-Security-Policy" not in headers
    assert "Set-Cookie" not in headers
    assert "Cookie" not in headers.get("Vary", "")
    assert REQUEST_ID in headers
    assert {name: headers.get(name) for name in KEPT} == KEPT


def test_a_wrong_key_is_refused_on_the_lean_stack_too(key):
    status, headers = call("/api/v1/services", "Bearer not-a-key")

    assert status.startswith("401")
    assert {name: headers.get(name) for name in KEPT} == KEPT


def test_a_web_page_keeps_every_middleware(db):
    status, headers = call("/")

    assert "Content-Security-Policy" in headers
    assert REQUEST_ID in headers
    assert {name: headers.get(name) for name in KEPT} == KEPT


def test_the_api_docs_page_without_a_key_keeps_every_middleware(db):
    status, headers = call("/api/v1/docs")

    assert status.startswith("200")
    assert "Content-Security-Policy" in headers


@pytest.mark.parametrize(
    ("path", "authorization", "lean"),
    [
        ("/api/v1/bookings", "Bearer abc", True),
        ("/api/v1/bookings", "bearer abc", True),
        ("/api/v1/bookings", "", False),
        ("/api/v1/bookings", "Basic abc", False),
        ("/apiary", "Bearer abc", False),
        ("/panel/", "Bearer abc", False),
    ],
)
def test_only_bearer_requests_to_the_api_are_lean(path, authorization, lean):
    environ = {"PATH_INFO": path, **({"HTTP_AUTHORIZATION": authorization} if authorization else {})}

    assert lean_api.is_api_key_request(environ) is lean


def test_the_lean_stack_is_a_subset_of_the_full_one_in_the_same_order(settings):
    full = settings.MIDDLEWARE

    assert [name for name in full if name in settings.API_MIDDLEWARE] == settings.API_MIDDLEWARE
