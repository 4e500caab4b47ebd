"""With PROMETHEUS_MULTIPROC_DIR set, /metrics answers for every process that shares the directory."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from rendez.observability.tests.samples import value

pytestmark = pytest.mark.django_db

# What a gunicorn worker does on a booking, in a process of its own.
A_PROCESS_BOOKING = """
from rendez.observability import metrics
metrics.BOOKINGS.labels(outcome="confirmed", reason="").inc()
metrics.request_handled("api/v1/bookings", "POST", 201, 0.02)
"""


def test_metrics_add_up_the_counts_of_every_process(scrape, tmp_path, monkeypatch):
    environment = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    for _ in range(2):
        subprocess.run([sys.executable, "-c", A_PROCESS_BOOKING], env=environment, check=True, timeout=60)
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))

    samples = scrape()

    assert value(samples, "rendez_bookings_total", outcome="confirmed", reason="") == 2
    latency = {"route": "api/v1/bookings", "method": "POST"}
    assert value(samples, "rendez_http_request_duration_seconds_count", **latency) == 2
    # The database's gauges are there too, read during the scrape rather than kept by any process.
    assert value(samples, "rendez_jobs_queue_lag_seconds", queue="default") == 0
