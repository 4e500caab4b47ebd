"""gunicorn hooks for bench/booking.py (`gunicorn -c bench/_booking_probe.py`): what each worker spent on the
bookings the benchmark times.

A request's phase comes in the `X-Bench-Phase` header. Warm-up bookings leave the serving worker's pid in
`warm.log`, so the benchmark can wait until every worker has served some; timed `POST /api/v1/bookings`
add their SQL statements (those Django sends through its cursors) and the worker's CPU time to the worker's
totals, written to `<pid>.json` when the worker exits. Everything lands in `RENDEZ_BENCH_PROBE_DIR`.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

PROBE_DIR = Path(os.environ.get("RENDEZ_BENCH_PROBE_DIR", "."))
PHASE_HEADER = "X-BENCH-PHASE"

_totals = {"bookings": 0, "statements": 0, "cpu_s": 0.0}
_request = {"statements": 0, "cpu_started": 0.0}


def _count_statement(execute, sql, params, many, context):
    _request["statements"] += 1
    return execute(sql, params, many, context)


def _phase(req: Any) -> str:
    return next((value for name, value in req.headers if name == PHASE_HEADER), "")


def post_worker_init(worker: Any) -> None:
    from django.db import connections

    connections["default"].execute_wrappers.append(_count_statement)


def pre_request(worker: Any, req: Any) -> None:
    _request["statements"] = 0
    _request["cpu_started"] = time.process_time()


def post_request(worker: Any, req: Any, environ: Any, resp: Any) -> None:
    phase = _phase(req)
    if phase == "warmup" and req.method == "POST":
        with open(PROBE_DIR / "warm.log", "a") as log:
            log.write(f"{os.getpid()}\n")
    elif phase == "timed" and req.method == "POST" and req.path == "/api/v1/bookings":
        _totals["bookings"] += 1
        _totals["statements"] += _request["statements"]
        _totals["cpu_s"] += time.process_time() - _request["cpu_started"]


def worker_exit(server: Any, worker: Any) -> None:
    (PROBE_DIR / f"{os.getpid()}.json").write_text(json.dumps(_totals))
