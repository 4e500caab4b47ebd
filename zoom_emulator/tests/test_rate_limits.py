"""Per-account per-second limits by plan and category, and the per-host cap of 100 creates/updates a day."""

from __future__ import annotations

import httpx2

from zoom_emulator import Emulator, ManualClock

from .clients import MARIA, SAM, bearer, meeting_body, user_tokens

HOST_CAP_MESSAGE = (
    "You have exceeded the daily rate limit (100) of Meeting Create/Update API requests permitted for this "
    "particular user. You may resume these requests at GMT 00:00:00."
)


def test_a_free_account_gets_two_medium_requests_per_second(http: httpx2.Client, clock: ManualClock) -> None:
    token = user_tokens(http, SAM)["access_token"]
    statuses = [
        http.post("/v2/users/me/meetings", json=meeting_body(), headers=bearer(token)).status_code
        for _ in range(3)
    ]
    assert statuses == [201, 201, 429]
    limited = http.post("/v2/users/me/meetings", json=meeting_body(), headers=bearer(token))
    assert limited.json() == {
        "code": 429,
        "message": "You have reached the maximum per-second rate limit for this API. Try again later.",
    }
    assert limited.headers["X-RateLimit-Category"] == "Medium"
    assert limited.headers["X-RateLimit-Type"] == "QPS"
    assert limited.headers["X-RateLimit-Limit"] == "2"
    # Light requests have their own bucket.
    assert http.get("/v2/users/me", headers=bearer(token)).status_code == 200
    clock.advance(1)
    assert http.post("/v2/users/me/meetings", json=meeting_body(), headers=bearer(token)).status_code == 201


def test_a_pro_account_gets_twenty(http: httpx2.Client) -> None:
    token = user_tokens(http, MARIA)["access_token"]
    statuses = [http.get("/v2/users/me/settings", headers=bearer(token)).status_code for _ in range(21)]
    assert statuses.count(200) == 20 and statuses[-1] == 429


def test_a_host_gets_100_creates_and_updates_per_utc_day(http: httpx2.Client, clock: ManualClock) -> None:
    clock.set(1_900_000_000.0 - 1_900_000_000.0 % 86400 + 3600)  # 01:00 UTC
    token = user_tokens(http, MARIA)["access_token"]
    meeting_id = http.post("/v2/users/me/meetings", json=meeting_body(), headers=bearer(token)).json()["id"]
    for number in range(99):
        if number % 15 == 0:
            clock.advance(1)  # stay under the per-second limits
        response = http.patch(
            f"/v2/meetings/{meeting_id}", json={"topic": f"Edit {number}"}, headers=bearer(token)
        )
        assert response.status_code == 204
    assert response.headers["X-RateLimit-Remaining"] == "0"
    capped = http.post("/v2/users/me/meetings", json=meeting_body(), headers=bearer(token))
    assert capped.status_code == 429
    assert capped.json() == {"code": 429, "message": HOST_CAP_MESSAGE}
    # zoom-api.md 5.3: as observed, only the account-level headers come along; the body alone says
    # "per-user cap, wait for 00:00 UTC".
    assert "X-RateLimit-Type" not in capped.headers and "Retry-After" not in capped.headers
    assert capped.headers["X-RateLimit-Category"] == "Medium"
    # Reads and deletes do not count.
    assert http.get(f"/v2/meetings/{meeting_id}", headers=bearer(token)).status_code == 200
    clock.advance(23 * 3600)
    token = user_tokens(http, MARIA)["access_token"]  # the old one expired long ago
    assert (
        http.patch(
            f"/v2/meetings/{meeting_id}", json={"topic": "Next day"}, headers=bearer(token)
        ).status_code
        == 204
    )


def test_the_host_cap_on_a_free_account_carries_the_account_daily_headers(
    http: httpx2.Client, emulator: Emulator, clock: ManualClock
) -> None:
    emulator.config.daily_meeting_writes_per_host = 1
    token = user_tokens(http, SAM)["access_token"]
    assert http.post("/v2/users/me/meetings", json=meeting_body(), headers=bearer(token)).status_code == 201
    clock.advance(1)
    capped = http.post("/v2/users/me/meetings", json=meeting_body(), headers=bearer(token))
    assert capped.status_code == 429
    assert (
        capped.json()["code"] == 429
        and "daily rate limit (1) of Meeting Create/Update" in capped.json()["message"]
    )
    assert {k.lower() for k in capped.headers if k.lower().startswith("x-ratelimit")} == {
        "x-ratelimit-category",
        "x-ratelimit-limit",
        "x-ratelimit-remaining",
    }
    assert capped.headers["X-RateLimit-Limit"] == "2000" and "Retry-After" not in capped.headers
