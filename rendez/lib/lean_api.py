"""Two middleware stacks in one WSGI application: API-key requests take a lean one, everything else all of
settings.MIDDLEWARE.

A request to `/api/` that carries `Authorization: Bearer …` is authenticated by its key and by nothing else
(rendez/api/auth.py): no session is read, no user loaded, no CSRF token checked or set (ninja's key-auth views
are exempt anyway), no message storage opened, no CSP nonce made for a JSON answer, no htmx headers parsed.
Those middlewares cost CPU on every booking (bench/booking_profile.py) for nothing, so such requests
go through `settings.API_MIDDLEWARE`, which keeps what still applies: the request's observation (id, log line,
metrics), SecurityMiddleware (https redirect, HSTS, nosniff, referrer policy), `Cache-Control: no-store`,
CommonMiddleware and X-Frame-Options.

Every other request — each web page, the API's own docs page, an API call without a key (answered 401 by the
API) — goes through every middleware, so the web pages lose nothing. A cookie sent with an API-key request
is ignored, which is what key authentication means.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler

API_PREFIX = "/api/"


class ApiKeyHandler(WSGIHandler):
    """Django's WSGI handler over `settings.API_MIDDLEWARE` instead of `settings.MIDDLEWARE`."""

    def load_middleware(self, is_async: bool = False) -> None:
        # BaseHandler reads settings.MIDDLEWARE; it is swapped only while this handler is built, once, at
        # start-up, before any request is served.
        full = settings.MIDDLEWARE
        settings.MIDDLEWARE = settings.API_MIDDLEWARE
        try:
            super().load_middleware(is_async)
        finally:
            settings.MIDDLEWARE = full


def is_api_key_request(environ: dict[str, Any]) -> bool:
    return environ.get("PATH_INFO", "").startswith(API_PREFIX) and environ.get(
        "HTTP_AUTHORIZATION", ""
    ).lower().startswith("bearer ")


class Split:
    """The WSGI application: API-key requests to the lean handler, all others to the full one."""

    def __init__(self, web: WSGIHandler, api: WSGIHandler) -> None:
        self.web, self.api = web, api

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        handler = self.api if is_api_key_request(environ) else self.web
        return handler(environ, start_response)


def application(web: WSGIHandler) -> Split:
    return Split(web, ApiKeyHandler())
