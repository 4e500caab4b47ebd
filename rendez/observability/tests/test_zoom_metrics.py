"""Zoom figures, measured on the production client talking HTTP to the emulator."""

from __future__ import annotations

import pytest

from rendez.integrations.zoom import ratelimit
from rendez.integrations.zoom.client import ZoomClient
from rendez.integrations.zoom.schemas import Me
from rendez.observability.tests.samples import Samples, value
from rendez.tests.integrations.zoom.fixtures import connect_tenant, make_token_due

pytestmark = pytest.mark.django_db


def moved(before: Samples, after: Samples, name: str, **labels: str) -> float:
    return value(after, name, **labels) - value(before, name, **labels)


def test_zoom_calls_and_token_renewals_are_counted(scrape, api, zoom, alice):  # noqa: F811
    connection = connect_tenant(api, zoom, alice)
    before = scrape()

    ZoomClient(make_token_due(pk=connection.pk)).get_model("/users/me", Me)

    after = scrape()
    call = {"method": "GET", "endpoint": "/users/me"}
    assert moved(before, after, "rendez_zoom_requests_total", outcome="ok", **call) == 1
    assert moved(before, after, "rendez_zoom_request_duration_seconds_count", **call) == 1
    assert (
        moved(before, after, "rendez_zoom_token_refreshes_total", mode="tenant_oauth", outcome="renewed") == 1
    )


def test_a_call_held_back_by_the_rate_limiter_is_measured(scrape, api, zoom, alice):  # noqa: F811
    connection = connect_tenant(api, zoom, alice)
    category = ratelimit.category_of("/users/me")
    before = scrape()

    # What a 429 from Zoom does: every process holds this category back for a moment.
    ratelimit.pause(connection, category, 0.3)
    ZoomClient(connection).get_model("/users/me", Me)

    after = scrape()
    assert moved(before, after, "rendez_zoom_rate_limit_pauses_total", category=category) == 1
    assert moved(before, after, "rendez_zoom_rate_limit_wait_seconds_count", category=category) == 1
    assert moved(before, after, "rendez_zoom_rate_limit_wait_seconds_sum", category=category) > 0.1
