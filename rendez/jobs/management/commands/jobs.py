"""`rendez jobs list|show|retry`: look at jobs and re-run dead-lettered ones."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rendez.jobs.claims import rerun
from rendez.jobs.models import Job


class Command(BaseCommand):
    help = "List, show and re-run background jobs."
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

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['action']}")(options)

    def _list(self, options: dict[str, Any]) -> None:
        jobs = Job.objects.order_by("-id")
        if options["state"]:
            jobs = jobs.filter(state=options["state"])
        if options["kind"]:
            jobs = jobs.filter(kind=options["kind"])
        for job in jobs[: options["limit"]]:
            error = job.last_error.strip().splitlines()[-1][:80] if job.last_error.strip() else ""
            self.stdout.write(
                f"{job.pk:>8}  {job.state:<9}  {job.kind:<28} {job.key or '-':<24} "
                f"{job.attempts}/{job.max_attempts}  {job.run_after:%Y-%m-%d %H:%M:%S}  {error}"
            )

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

    def _get(self, job_id: int) -> Job:
        try:
            return Job.objects.get(pk=job_id)
        except Job.DoesNotExist:
            raise CommandError(f"no job {job_id}") from None
