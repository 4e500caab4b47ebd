"""REST API v1: bearer keys, JSON, one error shape, OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs."""

from __future__ import annotations

from rendez.api import bookings, catalog, extensions, meetings, questions, series, slots, tenant
from rendez.api.auth import ApiKeyAuth
from rendez.api.errors import Api, install_error_handlers

api = Api(
    title="Rendez API",
    version="1.0.0",
    description="Book appointments whose video meetings are created, moved and removed automatically.",
    auth=ApiKeyAuth(),
    urls_namespace="api-v1",
)
install_error_handlers(api)
api.add_router("", catalog.router)
api.add_router("", questions.router)
api.add_router("", slots.router)
api.add_router("", bookings.router)
api.add_router("", series.router)
api.add_router("", meetings.router)
api.add_router("", tenant.router)
# What the integrations add (each registers in its AppConfig.ready, which runs before any URLconf loads).
for router in extensions.routers():
    api.add_router("", router)
