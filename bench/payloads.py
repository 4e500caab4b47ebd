"""What typed job payloads and subscriptions cost a booking, in-process and without the database.

Per booking, the writer announces one change (`AppointmentChanged` + `BookingChanged`) and the subscribers
turn it into the two follow-up jobs whose rows are then built and checked (`queue._row`: payload validated
and dumped). "before" is the same work as `scheduling/events.py` did it at 583ce65: two dicts, two
`NewJob`s and `json.dumps` of each payload as the check. The INSERT itself is the same statement before and
after and is not timed here (bench/booking.py times the whole booking).

    python bench/payloads.py [--bookings 20000] [--rounds 7]

Prints one JSON line per variant (median CPU µs per booking over the rounds) and the ratio after ÷ before.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rendez.settings")

import django  # noqa: E402

django.setup()

from rendez import jobs  # noqa: E402
from rendez.jobs import conf, queue, registry  # noqa: E402
from rendez.jobs.subscriptions import jobs_for  # noqa: E402
from rendez.observability.context import current_request_id  # noqa: E402
from rendez.scheduling import events  # noqa: E402

START = datetime(2026, 6, 2, 8, tzinfo=UTC)
END = START + timedelta(minutes=30)


def before(n: int, now: datetime) -> list[dict[str, Any]]:
    sync = jobs.NewJob(
        "conferencing.sync", {"appointment_id": n}, key=f"appointment:{n}", coalesce=True, tenant_id=1
    )
    message = jobs.NewJob(
        "notifications.booking_event",
        {
            "booking_id": n,
            "event": "booking_created",
            "status": "confirmed",
            "previous_status": None,
            "start": START.isoformat(),
            "end": END.isoformat(),
            "appointment_id": n,
            "staff_id": 3,
        },
        key=f"booking:{n}",
        tenant_id=1,
    )
    return [_old_row(new, now) for new in (sync, message)]


def _old_row(new: jobs.NewJob, now: datetime) -> dict[str, Any]:
    """`queue._row` as it was at 583ce65: the payload checked by `json.dumps`."""
    json.dumps(new.payload)
    if new.coalesce and not new.key:
        raise ValueError("coalesce=True needs a key")
    spec = registry.get_handler(new.kind)
    return {
        "kind": new.kind,
        "key": new.key or "",
        "payload": new.payload,
        "queue": new.queue or (spec.queue if spec else "default"),
        "max_attempts": new.max_attempts
        or (spec.max_attempts if spec else None)
        or conf.default_max_attempts(),
        "run_after": new.run_after or now,
        "coalesce": new.coalesce,
        "request_id": current_request_id(),
        "tenant_id": new.tenant_id,
        "created_at": now,
    }


def after(n: int, now: datetime) -> list[dict[str, Any]]:
    change = events.BookingChanged(
        booking_id=n,
        tenant_id=1,
        event="booking_created",
        status="confirmed",
        previous_status=None,
        appointment_id=n,
        staff_id=3,
        start=START,
        end=END,
    )
    return [queue._row(new, now) for new in jobs_for([events.AppointmentChanged(n, 1), change])]


def timed(variant: Any, bookings: int) -> float:
    now = datetime.now(UTC)
    # CPU time of this process: on a shared machine, wall time counts the neighbours' turns too.
    started = time.process_time()
    for n in range(bookings):
        variant(n, now)
    return (time.process_time() - started) / bookings * 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bookings", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    assert [row["payload"] for row in after(1, START)] == [row["payload"] for row in before(1, START)]
    for variant in (before, after):  # warm-up: imports, pydantic's first validations
        timed(variant, 2000)
    figures: dict[str, list[float]] = {"before": [], "after": []}
    for _ in range(args.rounds):  # interleaved: a noisy neighbour hits both alike
        figures["before"].append(timed(before, args.bookings))
        figures["after"].append(timed(after, args.bookings))
    medians = {name: statistics.median(values) for name, values in figures.items()}
    for name, median in medians.items():
        figure = {"bench": "payloads.per_booking", "variant": name, "us_per_booking": round(median, 2)}
        print(json.dumps(figure))
    ratio = medians["after"] / medians["before"]
    print(json.dumps({"bench": "payloads.ratio", "after_over_before": round(ratio, 3)}))


if __name__ == "__main__":
    main()
