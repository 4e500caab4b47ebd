"""The worker in this process: outcomes, retries, dead letters, leases, per-key rules, commands."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone

from rendez import jobs
from rendez.jobs import claims
from rendez.jobs.models import Job
from rendez.jobs.tests import handlers
from rendez.jobs.worker import Worker

State = Job.State
pytestmark = pytest.mark.django_db


def run_due() -> int:
    return Worker(listen=False).run_once()


def make_due(job: Job) -> None:
    Job.objects.filter(pk=job.pk).update(run_after=timezone.now())


def test_it_runs_a_due_job_and_records_success() -> None:
    job = jobs.enqueue("tests.record", {"booking_id": 3})

    assert run_due() == 1

    job.refresh_from_db()
    assert handlers.calls == [{"booking_id": 3}]
    assert (job.state, job.attempts, job.lease_owner, job.lease_expires_at) == (State.SUCCEEDED, 1, "", None)
    assert job.started_at is not None and job.finished_at is not None


def test_the_builtin_noop_kind_runs() -> None:
    job = jobs.enqueue("jobs.noop", {})
    run_due()
    job.refresh_from_db()
    assert job.state == State.SUCCEEDED


def test_a_job_scheduled_for_later_waits() -> None:
    jobs.enqueue("tests.record", {}, run_after=timezone.now() + timedelta(minutes=1))

    assert run_due() == 0
    assert handlers.calls == []


@override_settings(JOBS_BACKOFF_BASE=10, JOBS_BACKOFF_MAX=3600)
def test_a_failing_job_retries_with_growing_jittered_backoff() -> None:
    job = jobs.enqueue("tests.fail", {})
    delays = []
    for attempt in (1, 2):
        before = timezone.now()
        run_due()
        after = timezone.now()
        job.refresh_from_db()
        assert (job.state, job.attempts) == (State.PENDING, attempt)
        assert "RuntimeError: boom" in job.last_error
        ceiling = 10 * 2 ** (attempt - 1)
        # Equal jitter: the delay lies in [ceiling/2, ceiling] after the moment of failure.
        assert before + timedelta(seconds=ceiling / 2) <= job.run_after <= after + timedelta(seconds=ceiling)
        delays.append((job.run_after - after).total_seconds())
        make_due(job)
    assert delays[1] > delays[0]


def test_it_dead_letters_after_the_kinds_limit_and_reruns_from_the_command() -> None:
    job = jobs.enqueue("tests.fragile", {"n": 1})  # max_attempts=2
    run_due()
    make_due(job)
    run_due()

    job.refresh_from_db()
    assert (job.state, job.attempts) == (State.DEAD, 2)
    assert "ConnectionError: vendor unreachable" in job.last_error
    assert job.finished_at is not None
    assert run_due() == 0

    handlers.fragile_broken["value"] = False
    out = StringIO()
    call_command("jobs", "retry", str(job.pk), stdout=out)
    assert "1 job(s) queued again" in out.getvalue()
    run_due()

    job.refresh_from_db()
    assert (job.state, job.attempts) == (State.SUCCEEDED, 3)
    assert handlers.calls == [{"n": 1}]


def test_retry_all_dead() -> None:
    for n in range(3):
        jobs.enqueue("tests.permanent", {"n": n})
    run_due()
    assert Job.objects.filter(state=State.DEAD).count() == 3

    call_command("jobs", "retry", "--all-dead", stdout=StringIO())

    assert Job.objects.filter(state=State.PENDING).count() == 3


def test_retry_refuses_a_job_that_is_not_dead() -> None:
    job = jobs.enqueue("tests.record", {})
    with pytest.raises(CommandError, match="only dead jobs"):
        call_command("jobs", "retry", str(job.pk))


def test_list_and_show_commands() -> None:
    dead = jobs.enqueue("tests.permanent", {"booking_id": 9}, key="booking:9")
    jobs.enqueue("tests.record", {})
    run_due()

    out = StringIO()
    call_command("jobs", "list", "--state", "dead", stdout=out)
    header, *rows = out.getvalue().splitlines()
    assert header.split() == ["ID", "STATE", "KIND", "KEY", "ATTEMPTS", "RUN", "AFTER", "LAST", "ERROR"]
    assert len(rows) == 1
    assert (
        str(dead.pk) in rows[0]
        and f" 1/{dead.max_attempts} " in rows[0]
        and "PermanentError: grant revoked" in rows[0]
    )

    out = StringIO()
    call_command("jobs", "show", str(dead.pk), stdout=out)
    assert '"booking_id": 9' in out.getvalue()
    assert "rendez/jobs/tests/handlers.py" in out.getvalue()  # the traceback summary


def test_list_says_when_there_is_no_job() -> None:
    out = StringIO()
    call_command("jobs", "list", stdout=out)
    assert out.getvalue() == "No jobs.\n"

    jobs.enqueue("tests.record", {})
    out = StringIO()
    call_command("jobs", "list", "--state", "dead", stdout=out)
    assert out.getvalue() == "No jobs match these filters.\n"


def test_a_job_that_finally_succeeds_shows_no_old_error() -> None:
    job = jobs.enqueue("tests.fragile", {"n": 1})  # fails while broken
    run_due()
    job.refresh_from_db()
    assert "vendor unreachable" in job.last_error

    handlers.fragile_broken["value"] = False
    make_due(job)
    run_due()

    job.refresh_from_db()
    assert (job.state, job.attempts, job.last_error) == (State.SUCCEEDED, 2, "")


def test_a_handler_can_ask_for_a_specific_delay() -> None:
    job = jobs.enqueue("tests.retry_after", {"after": 120})
    before = timezone.now()
    run_due()

    job.refresh_from_db()
    assert (job.state, job.attempts) == (State.PENDING, 1)
    assert before + timedelta(seconds=120) <= job.run_after <= timezone.now() + timedelta(seconds=120)
    assert "429 Too Many Requests" in job.last_error


def test_a_deferral_that_does_not_consume_an_attempt_keeps_the_job_alive() -> None:
    job = jobs.enqueue("tests.defer", {})  # max_attempts=1
    run_due()
    make_due(job)
    run_due()

    job.refresh_from_db()
    assert (job.state, job.attempts, job.max_attempts) == (State.PENDING, 0, 1)
    assert job.started_at is not None


def test_a_permanent_error_dead_letters_at_once() -> None:
    job = jobs.enqueue("tests.permanent", {})
    run_due()

    job.refresh_from_db()
    assert (job.state, job.attempts) == (State.DEAD, 1)
    assert "PermanentError: grant revoked" in job.last_error


def test_a_kind_without_handler_waits_untouched_for_a_worker_that_has_one() -> None:
    job = jobs.enqueue("nobody.handles.this", {})
    run_due()

    job.refresh_from_db()
    assert (job.state, job.attempts, job.last_error) == (State.PENDING, 0, "")


def test_the_oldest_due_job_goes_first_whatever_its_kind() -> None:
    now = timezone.now()
    newer = jobs.enqueue("tests.record", {"n": "newer"}, run_after=now - timedelta(minutes=1))
    older = jobs.enqueue("tests.fail", {"n": "older"}, run_after=now - timedelta(minutes=2))
    oldest_unhandled = jobs.enqueue("nobody.handles.this", {}, run_after=now - timedelta(minutes=3))

    assert [claims.claim(None, 60) for _ in range(3)] == [older, newer, None]
    assert Job.objects.get(pk=oldest_unhandled.pk).state == State.PENDING


def test_a_worker_serves_only_its_queues() -> None:
    mail = jobs.enqueue("tests.record", {"q": "mail"}, queue="mail")
    jobs.enqueue("tests.record", {"q": "default"})

    assert Worker(queues=["mail"], listen=False).run_once() == 1

    assert handlers.calls == [{"q": "mail"}]
    assert Job.objects.get(pk=mail.pk).state == State.SUCCEEDED


def test_an_expired_lease_makes_the_job_claimable_again_with_the_attempt_counted() -> None:
    job = jobs.enqueue("tests.record", {})
    lost = claims.claim(None, lease_seconds=60)  # a worker that then died
    assert lost is not None
    Job.objects.filter(pk=job.pk).update(lease_expires_at=timezone.now() - timedelta(seconds=1))

    assert claims.reap_expired_leases() == 1
    job.refresh_from_db()
    assert (job.state, job.attempts) == (State.PENDING, 1)
    assert "lease expired" in job.last_error
    run_due()

    job.refresh_from_db()
    assert (job.state, job.attempts, job.last_error) == (State.SUCCEEDED, 2, "")
    # The dead worker's late report must not overwrite the new attempt's outcome.
    assert claims.record_failure(lost, RuntimeError("late")) == State.PENDING
    job.refresh_from_db()
    assert job.state == State.SUCCEEDED
    assert claims.record_success(lost) is False


def test_a_job_that_keeps_killing_its_worker_ends_dead() -> None:
    job = jobs.enqueue("tests.fail", {})  # max_attempts=3
    Job.objects.filter(pk=job.pk).update(
        state=State.RUNNING,
        attempts=3,
        lease_owner="gone",
        lease_expires_at=timezone.now() - timedelta(seconds=1),
    )

    assert claims.reap_expired_leases() == 1

    job.refresh_from_db()
    assert job.state == State.DEAD
    assert "lease expired" in job.last_error


def test_a_live_lease_is_renewed() -> None:
    jobs.enqueue("tests.record", {})
    job = claims.claim(None, lease_seconds=1)
    assert job is not None and job.lease_expires_at is not None

    assert claims.renew_leases([job.lease_owner], lease_seconds=60) == 1
    renewed = Job.objects.get().lease_expires_at
    assert renewed is not None and renewed > job.lease_expires_at + timedelta(seconds=30)


class TestPerKeyClaims:
    def claimable_ids(self) -> list[int]:
        next_id = claims.next_claimable_id()
        return [next_id] if next_id is not None else []

    def test_a_job_waits_while_another_of_its_key_runs(self) -> None:
        jobs.enqueue("tests.record", {}, key="appointment:1")
        second = jobs.enqueue("tests.record", {}, key="appointment:1")
        other = jobs.enqueue("tests.record", {}, key="appointment:2")
        assert claims.claim(None, 60) is not None

        assert self.claimable_ids() == [other.pk]
        assert second.pk not in self.claimable_ids()

    def test_only_the_oldest_due_job_of_a_key_is_claimable(self) -> None:
        first = jobs.enqueue("tests.record", {}, key="appointment:1")
        jobs.enqueue("tests.record", {}, key="appointment:1")

        assert self.claimable_ids() == [first.pk]

    def test_a_retrying_job_holds_its_key_until_it_is_done(self) -> None:
        failing = jobs.enqueue("tests.fail", {}, key="appointment:1")
        jobs.enqueue("tests.record", {}, key="appointment:1")
        run_due()
        assert Job.objects.get(pk=failing.pk).state == State.PENDING

        assert self.claimable_ids() == []
        assert handlers.calls == []

    def test_a_job_scheduled_for_later_does_not_hold_its_key_before_its_time(self) -> None:
        jobs.enqueue("tests.record", {}, key="booking:1", run_after=timezone.now() + timedelta(days=1))
        now = jobs.enqueue("tests.record", {}, key="booking:1")

        assert self.claimable_ids() == [now.pk]

    def test_dead_and_cancelled_jobs_do_not_hold_their_key(self) -> None:
        jobs.enqueue("tests.permanent", {}, key="appointment:1")
        run_due()
        jobs.enqueue("tests.record", {}, key="appointment:1", run_after=timezone.now() + timedelta(days=1))
        jobs.cancel("tests.record", "appointment:1")
        after = jobs.enqueue("tests.record", {}, key="appointment:1")

        assert self.claimable_ids() == [after.pk]


def test_worker_command_once_drains_due_jobs() -> None:
    jobs.enqueue("tests.record", {"n": 1})
    jobs.enqueue("tests.record", {"n": 2})
    out = StringIO()

    call_command("worker", "--once", stdout=out)

    assert "ran 2 job(s)" in out.getvalue()
    assert handlers.calls == [{"n": 1}, {"n": 2}]


def test_claiming_takes_a_bounded_number_of_queries(django_assert_max_num_queries) -> None:
    jobs.enqueue("tests.record", {}, key="appointment:1")
    with django_assert_max_num_queries(5):
        assert claims.claim(None, 60) is not None
