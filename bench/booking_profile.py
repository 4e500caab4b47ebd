"""A booking's CPU in one process, without HTTP: Django's WSGI application called directly with a prepared
environ, for `POST /api/v1/bookings` and for `GET /healthz`, turn about, after a warm-up. Prints the CPU
time (time.process_time) per request of each and their difference, which is what the HTTP benchmark's
"server CPU over a trivial request" measures without the noise of other processes, and the CPU of the
PostgreSQL backend per booking (its scheduler count in /proc); with `--profile` the
bookings run under cProfile and the functions with the most time are printed.

    python bench/booking_profile.py [--database-url postgres://postgres@127.0.0.1:5432/rendez_bench_profile]
        [--bookings 300] [--warm-up 50] [--profile] [--staff 8]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import sys
import time
from typing import Any

from _setup import django_on, emit, make_tenant


def environ(method: str, path: str, key: str, body: bytes = b"") -> dict[str, Any]:
    return {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1:8000",
        "HTTP_AUTHORIZATION": f"Bearer {key}",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }


def call(app, env: dict[str, Any], expect: int) -> None:
    status: list[str] = []
    chunks = app(env, lambda s, headers, exc_info=None: status.append(s))
    b"".join(chunks)
    if hasattr(chunks, "close"):
        chunks.close()
    if not status[0].startswith(str(expect)):
        raise SystemExit(f"{env['PATH_INFO']} answered {status[0]}")


def backend_pid() -> int:
    """The PostgreSQL backend serving this process's requests (its connection is kept between them)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def compare_middleware(args, key: str, bodies: list[bytes]) -> None:
    """Bookings turn about through the full stack and the lean one, in this one process: the machine's load
    weighs on both alike. Median CPU per booking of each."""
    from django.core.handlers.wsgi import WSGIHandler

    from rendez.lib import lean_api

    apps = {"full": WSGIHandler(), "lean": lean_api.application(WSGIHandler())}
    spent: dict[str, list[float]] = {name: [] for name in apps}
    for n, body in enumerate(bodies):
        name = "full" if n % 2 else "lean"
        env = environ("POST", "/api/v1/bookings", key, body)
        began = time.process_time()
        call(apps[name], env, 201)
        if n >= args.warm_up:
            spent[name].append(time.process_time() - began)
    emit(
        bench="booking.middleware",
        bookings_each=len(spent["full"]),
        **{f"{name}_median_cpu_ms": round(statistics.median(s) * 1000, 3) for name, s in spent.items()},
        **{f"{name}_mean_cpu_ms": round(statistics.fmean(s) * 1000, 3) for name, s in spent.items()},
        load_average=round(os.getloadavg()[0], 2),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/rendez_bench_profile")
    parser.add_argument("--bookings", type=int, default=300)
    parser.add_argument("--warm-up", type=int, default=50)
    parser.add_argument("--staff", type=int, default=8)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument(
        "--compare-middleware",
        action="store_true",
        help="book turn about through all of settings.MIDDLEWARE and through the lean API stack",
    )
    args = parser.parse_args()
    os.environ.setdefault("RENDEZ_LOG_LEVEL", "WARNING")
    django_on(args.database_url)
    tenant, staff, service, key = make_tenant(staff_count=args.staff)
    from booking import cpu_seconds, plan_slots

    from rendez.wsgi import application

    slots = plan_slots(service, staff, args.bookings + args.warm_up)

    def body(n: int) -> bytes:
        staff_id, start = slots[n]
        customer = {"name": f"Client {n}", "email": f"c{n}@b.example"}
        return json.dumps(
            {"service_id": service.pk, "staff_id": staff_id, "start": start, "customer": customer}
        ).encode()

    bodies = [body(n) for n in range(len(slots))]
    if args.compare_middleware:
        compare_middleware(args, key, bodies)
        return
    for n in range(args.warm_up):
        call(application, environ("POST", "/api/v1/bookings", key, bodies[n]), 201)
        call(application, environ("GET", "/healthz", key), 200)
    booking_cpu = healthz_cpu = 0.0
    backend = backend_pid()
    postgres_before = cpu_seconds([backend])
    profiler = cProfile.Profile(time.process_time) if args.profile else None  # CPU, not waits
    for n in range(args.warm_up, len(slots)):
        env = environ("POST", "/api/v1/bookings", key, bodies[n])
        began = time.process_time()
        if profiler:
            profiler.enable()
        call(application, env, 201)
        if profiler:
            profiler.disable()
        booking_cpu += time.process_time() - began
        env = environ("GET", "/healthz", key)
        began = time.process_time()
        call(application, env, 200)
        healthz_cpu += time.process_time() - began
    postgres_cpu = cpu_seconds([backend]) - postgres_before
    emit(
        bench="booking.in_process",
        bookings=args.bookings,
        booking_cpu_ms=round(booking_cpu * 1000 / args.bookings, 3),
        healthz_cpu_ms=round(healthz_cpu * 1000 / args.bookings, 3),
        over_trivial_ms=round((booking_cpu - healthz_cpu) * 1000 / args.bookings, 3),
        postgres_cpu_ms=round(postgres_cpu * 1000 / args.bookings, 3),
        profiled=args.profile,
        load_average=round(os.getloadavg()[0], 2),
    )
    if profiler:
        stats = pstats.Stats(profiler)
        stats.sort_stats("tottime").print_stats(45)
        stats.sort_stats("cumulative").print_stats(70)


if __name__ == "__main__":
    main()
