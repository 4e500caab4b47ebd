"""The demo pages: an account's calendar shows what Rendez wrote; "Remove access" revokes the grant."""

from __future__ import annotations

import httpx2

from .conftest import CLIENT_ID, MARIA, event_body, refresh, tokens_for


def test_the_calendar_page_shows_events_and_removing_access_revokes(http: httpx2.Client) -> None:
    tokens = tokens_for(http)
    http.post(
        "/calendar/v3/calendars/primary/events",
        json=event_body(summary="Consultation <Jane>"),
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
    )
    assert MARIA in http.get("/").text
    page = http.get(f"/calendar/u/{MARIA}")
    assert page.status_code == 200
    assert "Consultation &lt;Jane&gt;" in page.text and "rendezBookingId=b-8812" in page.text
    assert "Dentist" in page.text and f'data-testid="remove-{CLIENT_ID}"' in page.text
    removed = http.post(f"/account/{MARIA}/apps/{CLIENT_ID}/remove")
    assert removed.status_code == 303
    assert refresh(http, tokens["refresh_token"]).json()["error"] == "invalid_grant"
    assert http.get("/calendar/u/nobody@example.com").status_code == 404
