"""Reminders are scheduled jobs: put at their time, moved with the appointment, dropped when the booking is
off."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from rendez.jobs.models import Job
from rendez.notifications.dispatch import REMINDER, reminder_key
from rendez.notifications.models import Delivery, Trigger
from rendez.notifications.tests.fixtures import book, make_due, run_jobs, slot, workflow
from rendez.scheduling import services


def _reminders(booking, state=Job.State.PENDING):
    return list(Job.objects.filter(kind=REMINDER, key__startswith=f"reminder:{booking.pk}:", state=state))


def _reminder_workflows(tenant):
    day = workflow(tenant, name="24h", trigger=Trigger.BEFORE_START, offset_minutes=24 * 60)
    hour = workflow(tenant, name="1h", trigger=Trigger.BEFORE_START, offset_minutes=60)
    after = workflow(tenant, name="Thanks", trigger=Trigger.AFTER_END, offset_minutes=120)
    return day, hour, after


def test_a_booking_schedules_its_reminders(tenant, service):
    day, hour, after = _reminder_workflows(tenant)
    booking = book(service)
    run_jobs()
    start, end = booking.appointment.start, booking.appointment.end
    jobs = {job.key: job.run_after for job in _reminders(booking)}
    assert jobs == {
        reminder_key(booking.pk, day.pk): start - timedelta(hours=24),
        reminder_key(booking.pk, hour.pk): start - timedelta(hours=1),
        reminder_key(booking.pk, after.pk): end + timedelta(hours=2),
    }
    assert not Delivery.objects.exists()


def test_rescheduling_moves_the_reminders(tenant, service):
    day, hour, _ = _reminder_workflows(tenant)
    booking = book(service)
    run_jobs()
    new_start = slot(days=5, hour=16)
    services.reschedule_booking(booking, start=new_start)
    run_jobs()
    jobs = {job.key: job.run_after for job in _reminders(booking)}
    assert jobs[reminder_key(booking.pk, day.pk)] == new_start - timedelta(hours=24)
    assert jobs[reminder_key(booking.pk, hour.pk)] == new_start - timedelta(hours=1)
    assert len(_reminders(booking)) == 3  # moved, not added


def test_moving_a_group_session_moves_every_bookings_reminders(tenant, service):
    _, hour, _ = _reminder_workflows(tenant)
    first = book(service)
    second = book(service, email="bob@example.com", name="Bob")
    run_jobs()
    new_start = slot(days=6, hour=9)
    services.reschedule_appointment(first.appointment, start=new_start)
    run_jobs()
    for booking in (first, second):
        [job] = [j for j in _reminders(booking) if j.key == reminder_key(booking.pk, hour.pk)]
        assert job.run_after == new_start - timedelta(hours=1)


def test_cancelling_drops_the_reminders(tenant, service):
    _reminder_workflows(tenant)
    booking = book(service)
    run_jobs()
    services.cancel_booking(booking)
    run_jobs()
    assert _reminders(booking) == []
    assert len(_reminders(booking, Job.State.CANCELLED)) == 3
    make_due()
    run_jobs()
    assert not Delivery.objects.exists()


def test_rejecting_a_pending_booking_drops_its_reminders(tenant, service):
    service.initial_status = "pending"
    service.save()
    _reminder_workflows(tenant)
    booking = book(service)
    run_jobs()
    assert len(_reminders(booking)) == 2  # before_start only: after_end waits for confirmation
    services.set_status(booking, "rejected")
    run_jobs()
    assert _reminders(booking) == []


def test_a_reminder_whose_time_has_passed_is_not_scheduled(tenant, service):
    day, hour, after = _reminder_workflows(tenant)
    # The next half-hour boundary at least five minutes away: under an hour from now.
    soon = timezone.now() + timedelta(minutes=5)
    start = soon.replace(minute=0, second=0, microsecond=0) + timedelta(
        minutes=30 if soon.minute < 30 else 60
    )
    booking = book(service, start)
    run_jobs()
    assert {job.key for job in _reminders(booking)} == {reminder_key(booking.pk, after.pk)}


def test_a_due_reminder_sends_once(tenant, service, settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    _, hour, _ = _reminder_workflows(tenant)
    booking = book(service)
    run_jobs()
    Job.objects.filter(key=reminder_key(booking.pk, hour.pk)).update(run_after=timezone.now())
    run_jobs()
    [delivery] = Delivery.objects.all()
    assert delivery.event == Trigger.BEFORE_START and delivery.workflow == hour
    assert delivery.state == Delivery.State.SENT

    # The reminder job running again (at least once delivery) finds the delivery it made.
    job = Job.objects.get(key=reminder_key(booking.pk, hour.pk))
    Job.objects.filter(pk=job.pk).update(state=Job.State.PENDING, run_after=timezone.now())
    run_jobs()
    assert Delivery.objects.count() == 1


def test_a_reminder_for_a_new_time_is_sent_again(tenant, service, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    _, hour, _ = _reminder_workflows(tenant)
    booking = book(service)
    run_jobs()
    Job.objects.filter(key=reminder_key(booking.pk, hour.pk)).update(run_after=timezone.now())
    run_jobs()
    services.reschedule_booking(booking, start=slot(days=5))
    run_jobs()
    Job.objects.filter(key=reminder_key(booking.pk, hour.pk), state="pending").update(
        run_after=timezone.now()
    )
    run_jobs()
    assert Delivery.objects.filter(event=Trigger.BEFORE_START).count() == 2


def test_a_deactivated_workflow_sends_nothing(tenant, service):
    _, hour, _ = _reminder_workflows(tenant)
    booking = book(service)
    run_jobs()
    hour.is_active = False
    hour.save()
    Job.objects.filter(key=reminder_key(booking.pk, hour.pk)).update(run_after=timezone.now())
    run_jobs()
    assert not Delivery.objects.exists()
