"""What `/metrics` answers: this process's (or every process's) counters plus gauges read from the database.

With PROMETHEUS_MULTIPROC_DIR set, prometheus_client writes each process's counters and histograms to files
in that directory and a scrape adds them up, so any gunicorn worker answers for all of them. Gauges that
describe shared state (jobs by state, queue lag) are not kept per process at all: they are read from the job
table during the scrape, so every process gives the same figure.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Iterator
from datetime import timedelta

from django.db import DatabaseError
from django.utils import timezone
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric

from rendez.jobs import presence, registry, stats
from rendez.probes import readiness

logger = logging.getLogger("rendez.observability")


class JobTableCollector:
    """rendez_jobs{kind,state}, rendez_jobs_queue_lag_seconds{queue} and rendez_jobs_workers_seen, read at
    scrape time."""

    def collect(self) -> Iterator[Metric]:
        now = timezone.now()
        try:
            counts = stats.counts_by_kind_and_state()
            oldest = stats.oldest_due(registry.registered_kinds(), now)
            seen = presence.seen_since(now - timedelta(seconds=readiness.worker_stale_seconds()))
        except DatabaseError:
            logger.warning("metrics: the job table could not be read; job gauges left out of this scrape")
            return
        jobs = GaugeMetricFamily("rendez_jobs", "Jobs by kind and current state.", labels=["kind", "state"])
        for (kind, state), count in sorted(counts.items()):
            jobs.add_metric([kind, state], count)
        yield jobs
        waited = dict.fromkeys(_known_queues(), 0.0)
        for job in oldest:
            waited[job.queue] = max(waited.get(job.queue, 0.0), (now - job.run_after).total_seconds())
        lag = GaugeMetricFamily(
            "rendez_jobs_queue_lag_seconds",
            "Age of the oldest due pending job (of a kind with a handler) per queue; 0: nothing waits.",
            labels=["queue"],
        )
        for queue, seconds in sorted(waited.items()):
            lag.add_metric([queue], seconds)
        yield lag
        yield GaugeMetricFamily(
            "rendez_jobs_workers_seen",
            "Job workers heard from within RENDEZ_READYZ_WORKER_STALE_SECONDS (what /readyz counts).",
            value=len(seen),
        )


class _Together:
    """Several collectors exposed as one registry-like object (all `generate_latest` needs is `collect`)."""

    def __init__(self, *parts: CollectorRegistry | JobTableCollector) -> None:
        self.parts = parts

    def collect(self) -> Iterable[Metric]:
        for part in self.parts:
            yield from part.collect()


def exposition() -> bytes:
    """The text exposition format of every Rendez metric."""
    return generate_latest(_Together(_process_metrics(), JobTableCollector()))  # type: ignore[arg-type]


def multiprocess_dir() -> str:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")


def _process_metrics() -> CollectorRegistry:
    if not multiprocess_dir():
        return REGISTRY
    # A fresh registry per scrape, as prometheus_client's multiprocess mode requires: the files are re-read.
    combined = CollectorRegistry()
    multiprocess.MultiProcessCollector(combined)
    return combined


def _known_queues() -> set[str]:
    queues = {"default"}
    for kind in registry.registered_kinds():
        spec = registry.get_handler(kind)
        if spec is not None:
            queues.add(spec.queue)
    return queues
