"""Zoom's limits kept by Rendez (ratelimit.py): the per-account buckets shared through the database, 429s
that pause everybody, the per-host daily cap counted before Zoom is called, and deferred work resuming after
00:00 UTC soonest appointment first, with the tenant's admins told once."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import httpx2
import pytest
from django.db import connection as db_connection

from rendez.conferencing import notices
from rendez.conferencing.models import Meeting
from rendez.conferencing.port import HostRef, MeetingChanges, ProviderError, QuotaExhausted
from rendez.conferencing.reconcile import QUOTA_SPREAD, quota_delay
from rendez.integrations.zoom import ratelimit, tenant_settings
from rendez.integrations.zoom.models import AccountPlan, Connection, HostDailyUsage, RateBucket
from rendez.integrations.zoom.provider import ZoomProvider
from rendez.integrations.zoom.ratelimit import HEAVY, LIGHT, MEDIUM, Limit
from rendez.integrations.zoom.responses import seconds_until_utc_midnight
from rendez.jobs.models import Job
from rendez.scheduling.tests.factories import make_service
from rendez.tests.integrations.zoom.fixtures import MARIA, connect_staff
from rendez.tests.integrations.zoom.test_lifecycle import a_monday, book, settle
from rendez.tests.integrations.zoom.test_provider import calls, spec

ACCOUNT = "demo-account"
FIVE_A_SECOND = Limit(rate=5.0, capacity=1.0)


@pytest.fixture
def provider() -> ZoomProvider:
    return ZoomProvider()


@pytest.fixture
def personal_host(api, zoom, maria, provider) -> HostRef:
    connect_staff(api, zoom, maria, MARIA)
    zoom.control.clear_requests()
    host = provider.host_for(maria)
    assert host is not None
    return host


@pytest.fixture
def video(alice, maria):
    tenant_settings.update(alice, {"enabled": True})
    return make_service(alice, maria, name="Video consultation", duration_minutes=30, zoom_enabled=True)


@pytest.fixture
def hosted(api, zoom, maria):
    return connect_staff(api, zoom, maria, MARIA)


def creates(zoom) -> list[tuple[str, str]]:
    return [call for call in calls(zoom) if call[0] in ("POST", "PATCH")]


# --- the arithmetic -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "category"),
    [
        ("POST", "/users/me/meetings", MEDIUM),
        ("GET", "/users/dXNyLW1hcmlhLWtvY2gtMDE/meetings", MEDIUM),
        ("PATCH", "/meetings/84202961283", LIGHT),
        ("DELETE", "/meetings/84202961283", LIGHT),
        ("GET", "/meetings/84202961283", LIGHT),
        ("GET", "/users", MEDIUM),
        ("GET", "/users/me", LIGHT),
        ("GET", "/users/me/settings", MEDIUM),
        ("GET", "/accounts/me/lock_settings", MEDIUM),
    ],
)
def test_each_endpoint_counts_in_its_zoom_category(method: str, path: str, category: str) -> None:
    assert ratelimit.category_of(path) == category


@pytest.mark.parametrize("plan", list(AccountPlan))
@pytest.mark.parametrize("category", [LIGHT, MEDIUM, HEAVY])
def test_a_full_bucket_never_lets_more_than_zoom_allows_into_one_second(plan: str, category: str) -> None:
    limit = ratelimit.limit_for(plan, category)
    allowed = ratelimit.PER_SECOND[AccountPlan(plan)][category]

    # Zoom counts in fixed one-second windows: a full bucket plus one second of refill must fit in one.
    assert limit.capacity >= 1
    assert int(limit.capacity + limit.rate) <= allowed
    assert limit.rate == pytest.approx(allowed * 0.9)


def test_a_pro_accounts_meeting_creates_run_at_18_a_second() -> None:
    assert ratelimit.limit_for("pro", MEDIUM) == Limit(rate=18.0, capacity=1.0)
    assert ratelimit.limit_for("business", LIGHT) == Limit(rate=72.0, capacity=4.0)


def test_the_bucket_refills_with_time_up_to_its_capacity() -> None:
    limit = Limit(rate=4.0, capacity=2.0)

    assert ratelimit.refilled(-1.0, 100.0, 100.25, limit) == 0.0
    assert ratelimit.refilled(-1.0, 100.0, 110.0, limit) == 2.0
    # A clock behind the bucket's adds nothing (another machine's clock ran ahead).
    assert ratelimit.refilled(0.5, 100.0, 99.0, limit) == 0.5


def test_a_caller_waits_for_the_tokens_it_reserved_ahead() -> None:
    limit = Limit(rate=4.0, capacity=2.0)

    assert ratelimit.wait_for(0.0, limit) == 0.0
    assert ratelimit.wait_for(-2.0, limit) == 0.5
    # A pause of 3 s: the next taker leaves the bucket at -12 and waits those 3 s.
    assert ratelimit.wait_for(ratelimit.paused_tokens(3.0, limit) - 1, limit) == 3.0


def test_a_free_accounts_daily_limit_header_tells_the_plan() -> None:
    free = httpx2.Response(200, headers={"X-RateLimit-Category": "Light", "X-RateLimit-Limit": "6000"})
    host_cap = httpx2.Response(201, headers={"X-RateLimit-Category": "Medium", "X-RateLimit-Limit": "100"})

    assert ratelimit.plan_told_by(free, LIGHT) == "free"
    assert ratelimit.plan_told_by(free, MEDIUM) is None
    assert ratelimit.plan_told_by(host_cap, MEDIUM) is None
    assert ratelimit.plan_told_by(httpx2.Response(200), LIGHT) is None


def test_deferred_work_resumes_after_the_reset_soonest_appointment_first() -> None:
    now = datetime(2031, 3, 10, 22, 0, tzinfo=UTC)
    until_midnight = 7200.0
    starts = [now + timedelta(hours=hours) for hours in (1, 2, 3, 26, 24 * 7, 24 * 30, 24 * 365)]

    delays = [quota_delay(until_midnight, start, now) for start in starts]

    # Appointments before the reset, or at it, go first; then by start, all within the spread.
    assert delays[0] == delays[1] == until_midnight
    assert delays[2:] == sorted(delays[2:]) and len(set(delays[2:])) == len(delays[2:])
    assert delays[3] == pytest.approx(until_midnight + 150, abs=1)
    assert max(delays) < until_midnight + QUOTA_SPREAD.total_seconds()


# --- the shared bucket --------------------------------------------------------------------------------------


def test_takes_drain_the_bucket_and_time_refills_it(db) -> None:
    assert ratelimit.take(ACCOUNT, MEDIUM, FIVE_A_SECOND, now=1000.0) == 0.0
    assert ratelimit.take(ACCOUNT, MEDIUM, FIVE_A_SECOND, now=1000.0) == -1.0
    assert ratelimit.take(ACCOUNT, MEDIUM, FIVE_A_SECOND, now=1000.1) == pytest.approx(-1.5)
    assert ratelimit.take(ACCOUNT, MEDIUM, FIVE_A_SECOND, now=1010.0) == 0.0
    # Another category and another account have their own buckets.
    assert ratelimit.take(ACCOUNT, LIGHT, FIVE_A_SECOND, now=1010.0) == 0.0
    assert ratelimit.take("other-account", MEDIUM, FIVE_A_SECOND, now=1010.0) == 0.0
    assert RateBucket.objects.count() == 3


def test_acquiring_is_one_statement(db, django_assert_num_queries) -> None:
    member = Connection(account_id=ACCOUNT, account_plan="pro")

    with django_assert_num_queries(1):
        ratelimit.acquire(member, MEDIUM)


class SlowRoundTrip:
    """A clock that moves `round_trip` seconds at each reading: the statement between acquire's first reading
    and its second took that long."""

    def __init__(self, start: float, round_trip: float) -> None:
        self.now, self.round_trip = start, round_trip
        self.slept: list[float] = []

    def __call__(self) -> float:
        read, self.now = self.now, self.now + self.round_trip
        return read

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_a_caller_sleeps_to_its_turn_not_its_whole_wait_after_the_round_trip(db) -> None:
    member = Connection(account_id=ACCOUNT, account_plan="pro")
    limit = ratelimit.limit_for("pro", MEDIUM)
    clock = SlowRoundTrip(start=1000.0, round_trip=0.02)
    # Two calls at 1000.00: the first takes the saved token, the second's turn is 1/18 s after the first.
    ratelimit.take(ACCOUNT, MEDIUM, limit, now=1000.0)

    waited = ratelimit.acquire(member, MEDIUM, clock=clock, sleep=clock.sleep)

    assert waited == pytest.approx(1 / limit.rate)
    # Read at 1000.00, the statement returned at 1000.02: the 0.02 s are part of the wait, not added to it.
    assert clock.slept == [pytest.approx(1 / limit.rate - 0.02)]


def test_a_caller_whose_turn_passed_during_the_round_trip_does_not_sleep(db) -> None:
    member = Connection(account_id=ACCOUNT, account_plan="pro")
    limit = ratelimit.limit_for("pro", MEDIUM)
    clock = SlowRoundTrip(start=1000.0, round_trip=0.5)
    ratelimit.take(ACCOUNT, MEDIUM, limit, now=1000.0)

    assert ratelimit.acquire(member, MEDIUM, clock=clock, sleep=clock.sleep) > 0
    assert clock.slept == []


def test_a_wait_longer_than_a_few_seconds_fails_retryable_and_keeps_no_token(db) -> None:
    member = Connection(account_id=ACCOUNT, account_plan="pro")
    ratelimit.pause(member, LIGHT, 30.0, now=time.time())

    with pytest.raises(ratelimit.Throttled) as throttled:
        ratelimit.acquire(member, LIGHT)

    assert throttled.value.retryable and throttled.value.retry_after == pytest.approx(30.0, abs=0.5)
    bucket = RateBucket.objects.get(account_id=ACCOUNT, category=LIGHT)
    # As paused (plus the refill of the few milliseconds since), not one token further down.
    paused = ratelimit.paused_tokens(30.0, ratelimit.limit_for("pro", LIGHT))
    assert paused <= bucket.tokens < paused + 0.5


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_workers_on_separate_connections_share_one_bucket(monkeypatch) -> None:
    monkeypatch.setattr(ratelimit, "limit_for", lambda plan, category: FIVE_A_SECOND)
    threads, per_thread = 4, 5
    finished: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        member = Connection(account_id=ACCOUNT, account_plan="pro")
        try:
            for _ in range(per_thread):
                ratelimit.acquire(member, MEDIUM)
                with lock:
                    finished.append(time.monotonic())
        finally:
            db_connection.close()

    started = time.monotonic()
    running = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in running:
        thread.start()
    for thread in running:
        thread.join()
    took = time.monotonic() - started

    total = threads * per_thread
    assert len(finished) == total
    # 20 calls at 5/s with one token saved up: at least 19/5 s, and no one-second window holds more than
    # the burst plus a second's refill.
    assert took >= (total - FIVE_A_SECOND.capacity) / FIVE_A_SECOND.rate - 0.05
    stamps = sorted(finished)
    busiest = max(sum(1 for other in stamps if first <= other < first + 1.0) for first in stamps)
    assert busiest <= FIVE_A_SECOND.capacity + FIVE_A_SECOND.rate


# --- 429s and the plan, against the emulator ----------------------------------------------------------------


def test_a_per_second_429_pauses_the_accounts_bucket_for_everybody(zoom, provider, personal_host) -> None:
    info = provider.create(personal_host, spec(random_password=False), attempt_started_at=datetime.now(UTC))
    zoom.control.clear_requests()
    zoom.control.set_faults(rate_limit_storm=1)

    with pytest.raises(ProviderError) as limited:
        provider.start_url(personal_host, info.external_id)

    assert limited.value.retryable
    assert calls(zoom) == [("GET", f"/v2/meetings/{info.external_id}")]
    # Zoom sent no Retry-After: its window is a second, so the next Light call of the account waits that.
    limit = ratelimit.limit_for("pro", LIGHT)
    assert ratelimit.wait_for(ratelimit.take(ACCOUNT, LIGHT, limit), limit) == pytest.approx(1.0, abs=0.1)


def test_a_429_with_retry_after_holds_every_call_of_the_category_back(zoom, provider, personal_host) -> None:
    member = Connection.objects.get(account_id=ACCOUNT)
    limited = httpx2.Response(
        429,
        headers={"Retry-After": "40"},
        json={"code": 429, "message": "You have reached the maximum per-second rate limit for this API."},
    )

    ratelimit.after_response(member, LIGHT, limited)
    with pytest.raises(ProviderError) as held:
        provider.start_url(personal_host, "84202961283")

    assert held.value.retryable and held.value.retry_after == pytest.approx(40.0, abs=1)
    assert calls(zoom) == []


def test_the_host_cap_429_pauses_no_bucket(db) -> None:
    member = Connection(account_id=ACCOUNT, account_plan="pro")
    capped = httpx2.Response(
        429,
        json={
            "code": 429,
            "message": "You have exceeded the daily rate limit (100) of Meeting Create/Update API requests "
            "permitted for this particular user. You may resume these requests at GMT 00:00:00.",
        },
    )

    ratelimit.after_response(member, MEDIUM, capped)

    assert not RateBucket.objects.exists()


def test_a_free_account_is_learnt_from_zoom_and_sized_so(api, zoom, provider, alice) -> None:
    from rendez.scheduling.tests.factories import make_staff

    sam = make_staff(alice, "Sam Rivera")
    connection = connect_staff(api, zoom, sam, "dXNyLXNhbS1yaXZlcmEtMDU")
    assert connection.account_plan == ""
    host = provider.host_for(sam)
    assert host is not None

    provider.create(host, spec(random_password=False), attempt_started_at=datetime.now(UTC))
    provider.find(host, spec(random_password=False), datetime.now(UTC) - timedelta(minutes=1))

    connection.refresh_from_db()
    assert connection.account_plan == "free"
    assert ratelimit.limit_for(ratelimit.account_plan(connection), MEDIUM) == Limit(rate=1.8, capacity=1.0)


def test_the_plan_default_comes_from_the_setting(settings) -> None:
    settings.ZOOM_ACCOUNT_PLAN_DEFAULT = "business"

    assert ratelimit.account_plan(Connection(account_id=ACCOUNT)) == "business"
    assert ratelimit.account_plan(Connection(account_id=ACCOUNT, account_plan="free")) == "free"


# --- the host's daily cap -----------------------------------------------------------------------------------


def usage() -> int:
    row = HostDailyUsage.objects.filter(zoom_user_id=MARIA, day=ratelimit.utc_day()).first()
    return row.count if row else 0


def test_the_101st_create_of_the_day_is_refused_without_calling_zoom(zoom, provider, personal_host) -> None:
    for _ in range(100):
        provider.create(personal_host, spec(random_password=False), attempt_started_at=datetime.now(UTC))
    assert usage() == 100
    assert creates(zoom) == [("POST", "/v2/users/me/meetings")] * 100
    zoom.control.clear_requests()

    with pytest.raises(QuotaExhausted) as capped:
        provider.create(personal_host, spec(random_password=False), attempt_started_at=datetime.now(UTC))

    assert calls(zoom) == []
    assert capped.value.retry_after == pytest.approx(seconds_until_utc_midnight(), abs=5)
    assert "Maria Koch has used up today's Zoom allowance" in capped.value.reason
    assert usage() == 100


def test_updates_count_and_deletes_do_not(zoom, provider, personal_host) -> None:
    info = provider.create(personal_host, spec(random_password=False), attempt_started_at=datetime.now(UTC))
    provider.update(personal_host, info.external_id, MeetingChanges(duration_minutes=60))
    provider.delete(personal_host, info.external_id)

    assert usage() == 2


def test_zooms_own_cap_429_sets_the_count_to_the_cap(zoom, provider, personal_host) -> None:
    # Zoom counted writes we did not make (another app on the account, say): its cap comes after 2 of ours.
    zoom.emulator.config.daily_meeting_writes_per_host = 2
    for _ in range(2):
        provider.create(personal_host, spec(random_password=False), attempt_started_at=datetime.now(UTC))

    with pytest.raises(QuotaExhausted):
        provider.create(personal_host, spec(random_password=False), attempt_started_at=datetime.now(UTC))
    assert usage() == 100
    with pytest.raises(QuotaExhausted):
        provider.create(personal_host, spec(random_password=False), attempt_started_at=datetime.now(UTC))

    assert creates(zoom) == [("POST", "/v2/users/me/meetings")] * 3


def test_a_write_zoom_never_took_is_not_counted(zoom, provider, personal_host) -> None:
    zoom.control.set_faults(error_rate=1.0, error_kind="503", paths=["/v2/users/me/meetings"])

    with pytest.raises(ProviderError):
        provider.create(personal_host, spec(random_password=False), attempt_started_at=datetime.now(UTC))

    assert usage() == 0


# --- deferred to 00:00 UTC, through the meeting lifecycle ---------------------------------------------------


def test_syncs_past_the_cap_wait_for_midnight_soonest_first_and_admins_hear_once(
    settings, zoom, hosted, video, maria, alice_admin
) -> None:
    settings.ZOOM_DAILY_MEETING_WRITES_PER_HOST = 1
    weeks = [4, 2, 3, 1]
    bookings = [book(video, maria, a_monday(week)) for week in weeks]
    zoom.control.clear_requests()

    settle()

    assert creates(zoom) == [("POST", "/v2/users/me/meetings")]
    made = Meeting.objects.get(external_id__gt="")
    assert made.appointment_id == bookings[0].appointment_id
    waiting = Job.objects.filter(kind="conferencing.sync", state=Job.State.PENDING).order_by(
        "run_after", "id"
    )
    by_start = sorted(bookings[1:], key=lambda booking: booking.appointment.start)
    assert [job.payload["appointment_id"] for job in waiting] == [b.appointment_id for b in by_start]
    midnight = datetime.combine(ratelimit.utc_day() + timedelta(days=1), datetime.min.time(), tzinfo=UTC)
    for job in waiting:
        assert midnight <= job.run_after < midnight + QUOTA_SPREAD
        assert job.max_attempts > job.attempts
    deferred = Meeting.objects.exclude(pk=made.pk)
    assert {meeting.last_error for meeting in deferred} == {
        "Maria Koch has used up today's Zoom allowance of meeting changes; Zoom takes more after 00:00 UTC. "
        f"Rendez tries again after 00:00 UTC on {midnight:%d %B %Y}."
    }
    told = [
        job.payload
        for job in Job.objects.filter(kind=notices.NOTICE_JOB)
        if job.payload["event"] == notices.DEFERRED
    ]
    assert len(told) == 1


def test_a_retried_deferral_tells_nobody_again(settings, zoom, hosted, video, maria, alice_admin) -> None:
    settings.ZOOM_DAILY_MEETING_WRITES_PER_HOST = 1
    book(video, maria, a_monday(1))
    book(video, maria, a_monday(2))
    settle()
    Job.objects.filter(kind="conferencing.sync", state=Job.State.PENDING).update(
        run_after=datetime.now(UTC) - timedelta(seconds=1)
    )

    settle()

    assert Job.objects.filter(kind=notices.NOTICE_JOB).count() == 1
    assert creates(zoom) == [("POST", "/v2/users/me/meetings")]
