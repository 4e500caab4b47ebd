"""`rendez jobs list|show|retry|prune`: look at jobs, re-run dead-lettered ones, delete old finished ones."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rendez.jobs import conf
from rendez.jobs.claims import rerun
from rendez.jobs.models import Job
from rendez.jobs.retention import prune_finished

LIST_ROW = "{id:>8}  {state:<9}  {kind:<28} {key:<24} {attempts:>8}  {run_after:<19}  {error}"


class Command(BaseCommand):
    help = "List, show and re-run background jobs; delete old finished ones."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list", help="recent jobs, newest first")
        listing.add_argument("--state", choices=Job.State.values)
        listing.add_argument("--kind")
        listing.add_argument("--limit", type=int, default=50)
        show = sub.add_parser("show", help="one job in full")
        show.add_argument("id", type=int)
        retry = sub.add_parser("retry", help="re-run dead jobs")
        which = retry.add_mutually_exclusive_group(required=True)
        which.add_argument("id", type=int, nargs="?")
        which.add_argument("--all-dead", action="store_true")
        prune = sub.add_parser("prune", help="delete finished jobs older than the retention period")
        prune.add_argument("--older-than-days", type=float, help="default: RENDEZ_JOBS_RETENTION_DAYS (30)")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['action']}")(options)

    def _list(self, options: dict[str, Any]) -> None:
        jobs = Job.objects.order_by("-id")
        if options["state"]:
            jobs = jobs.filter(state=options["state"])
        if options["kind"]:
            jobs = jobs.filter(kind=options["kind"])
        listed = list(jobs[: options["limit"]])
        if not listed:
            self.stdout.write(
                "No jobs" + (" match these filters." if options["state"] or options["kind"] else ".")
            )
            return
        header = dict(
            id="ID", state="STATE", kind="KIND", key="KEY", attempts="ATTEMPTS", run_after="RUN AFTER"
        )
        self.stdout.write(LIST_ROW.format(**header, error="LAST ERROR").rstrip())
        for job in listed:
            error = job.last_error.strip().splitlines()[-1][:80] if job.last_error.strip() else ""
            row = LIST_ROW.format(
                id=job.pk,
                state=job.state,
                kind=job.kind,
                key=job.key or "-",
                attempts=f"{job.attempts}/{job.max_attempts}",
                run_after=f"{job.run_after:%Y-%m-%d %H:%M:%S}",
                error=error,
            )
            self.stdout.write(row.rstrip())

    def _show(self, options: dict[str, Any]) -> None:
        job = self._get(options["id"])
        for field in Job._meta.concrete_fields:
            if field.name in {"payload", "last_error"}:
                continue
            self.stdout.write(f"{field.name}: {getattr(job, field.attname)}")
        self.stdout.write(f"payload: {json.dumps(job.payload, indent=2, sort_keys=True)}")
        self.stdout.write(f"last_error:\n{job.last_error}")

    def _retry(self, options: dict[str, Any]) -> None:
        if options["all_dead"]:
            count = rerun()
        else:
            job = self._get(options["id"])
            if job.state != Job.State.DEAD:
                raise CommandError(f"job {job.pk} is {job.state}; only dead jobs are re-run")
            count = rerun([job.pk])
        self.stdout.write(f"{count} job(s) queued again")

    def _prune(self, options: dict[str, Any]) -> None:
        days = options["older_than_days"]
        days = conf.retention_days() if days is None else days
        if days <= 0:
            raise CommandError("the retention period is 0 days (keep finished jobs): nothing to prune")
        deleted = prune_finished(timedelta(days=days))
        self.stdout.write(f"{deleted} finished job(s) older than {days:g} days deleted")

    def _get(self, job_id: int) -> Job:
        try:
            return Job.objects.get(pk=job_id)
        except Job.DoesNotExist:
            raise CommandError(f"no job {job_id}") from None
