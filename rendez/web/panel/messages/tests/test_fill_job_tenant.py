"""The data migration giving jobs enqueued before `Job.tenant_id` existed the tenant their payload names."""

from __future__ import annotations

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.utils import timezone

from rendez.jobs.models import Job
from rendez.scheduling.tests.factories import book
from rendez.web.panel.tests.fixtures import berlin

pytestmark = pytest.mark.django_db
migration = importlib.import_module("rendez.jobs.migrations.0006_fill_job_tenant")


def old_job(payload: dict | list, kind: str = "notifications.booking_event", state: str = "dead") -> Job:
    return Job.objects.create(kind=kind, payload=payload, state=state, run_after=timezone.now())


def test_open_and_dead_jobs_get_the_tenant_of_the_row_they_name(consultation, dora, monday, alice):
    booking = book(
        consultation, dora, berlin(monday, 10), "Charlie", now=berlin(monday, 6) - timedelta(days=7)
    )
    Job.objects.update(tenant_id=None)  # as enqueued before the column existed
    named = [
        old_job({"booking_id": booking.pk}),
        old_job({"appointment_id": booking.appointment_id}, kind="conferencing.sync", state="pending"),
    ]
    unnamed = [
        old_job({"booking_id": str(booking.pk)}),  # not an id
        old_job({"booking_id": 10**9}),  # gone
        old_job({"token": "x"}, kind="zoom.revoke"),  # names no tenant
        old_job({"booking_id": booking.pk}, state="succeeded"),  # history: left alone
        old_job(["not", "a", "dict"]),
    ]

    migration.fill_tenants(apps, None)

    assert all(job.tenant_id == alice.pk for job in Job.objects.filter(pk__in=[j.pk for j in named]))
    assert all(job.tenant_id is None for job in Job.objects.filter(pk__in=[j.pk for j in unnamed]))
