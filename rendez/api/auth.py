"""Bearer API keys: each key belongs to one tenant, and every query of the API is scoped by it."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer

from rendez.tenants.models import ApiKey, Tenant


class ApiKeyAuth(HttpBearer):
    openapi_description = "A tenant API key: `Authorization: Bearer rdz_...`"

    def authenticate(self, request: HttpRequest, token: str) -> ApiKey | None:
        return ApiKey.authenticate(token)


def tenant_of(request: HttpRequest) -> Tenant:
    key: ApiKey = request.auth  # type: ignore[attr-defined]
    return key.tenant
