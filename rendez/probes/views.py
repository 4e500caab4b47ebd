"""`/healthz` (the process answers), `/readyz` (it can do its work) and `/metrics` (Prometheus)."""

from __future__ import annotations

import hmac

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST

from rendez.probes import readiness, scrape


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Alive: the process runs and answers. Touches no database, so a database outage does not restart it."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    checks = readiness.run_checks()
    ready = all(check.ok for check in checks)
    body = {
        "status": "ok" if ready else "unavailable",
        "checks": {check.name: {"ok": check.ok, "detail": check.detail} for check in checks},
    }
    return JsonResponse(body, status=200 if ready else 503)


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    refusal = _refusal(request)
    if refusal is not None:
        return refusal
    return HttpResponse(scrape.exposition(), content_type=CONTENT_TYPE_LATEST)


def _refusal(request: HttpRequest) -> JsonResponse | None:
    """Who may read the metrics: holders of RENDEZ_METRICS_TOKEN; without one, nobody unless DEBUG is on.

    Metrics name tenants' job kinds, routes and volumes: not for the public, but not secret enough to be worth
    a second mechanism. Prometheus sends the token with `authorization: {credentials: ...}`.
    """
    token = getattr(settings, "METRICS_TOKEN", "")
    if not token:
        if settings.DEBUG:
            return None
        return _error(403, "metrics_disabled", "Set RENDEZ_METRICS_TOKEN to let Prometheus read the metrics.")
    scheme, _, offered = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(offered.strip().encode(), token.encode()):
        response = _error(401, "unauthorized", "Send the metrics token as a bearer token.")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return None


def _error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message, "fields": {}}}, status=status)
