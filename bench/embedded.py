"""The embedded default under load: `rendez serve` (SQLite, embedded worker, Zoom emulator mounted) with 30
clients mixing slot reads and bookings.

A fresh var dir is migrated and seeded with the demo (`rendez demo`), then `rendez serve` starts as a
subprocess with ZOOM_EMULATOR=1, as `make run` does; the demo's two staff members connect to the emulator
through OAuth. The bench adds one 30-minute video service without buffers and with a year's horizon (so that
the slots it hands out stay free), reads every slot once, and hands them out to the clients in order: each
client reads slots (the three weeks before the slot's week, `--reads-per-booking`) and then books it, over one
keep-alive HTTP connection. A warm-up (`--warm-up` seconds of the same mix, then until their meetings exist)
precedes the timed run.

Prints JSON lines:
- embedded.requests: requests per second, errors (any answer but 200/201, or no answer) by status, booking
  p50/p99/max and how many took over 1 s, slot read p50/p99, the client's CPU per request and the server
  process's CPU per request;
- embedded.meetings: of the run's bookings, how many had their meeting ready (state `ready`) by the end of
  the run and how many were still pending then, and booking-to-meeting-ready latency p50/p99/max (the
  booking's `created_at` to the meeting's `updated_at` in the database); how many were ready within 10 s;
  then how long after the run the rest took (up to `--drain` seconds).

    python bench/embedded.py [--seconds 60] [--clients 30] [--reads-per-booking 3] [--warm-up 5]
        [--port 18417] [--root PATH] [--drain 120]

`--seconds 20` is the quick mode. `--root` runs another checkout's code (e.g. `git archive` of an older
commit unpacked in /tmp) with this script, for before/after comparisons.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
READY_WITHIN_S = 10.0
SERVICE = {
    "name": "Bench call",
    "duration_minutes": 30,
    "slot_interval_minutes": 30,
    "horizon_days": 365,
    "location_type": "video",
    "video_provider": "zoom",
}


def emit(**fields: object) -> None:
    print(json.dumps(fields), flush=True)


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


# The server


class Server:
    def __init__(self, root: Path, var_dir: Path, port: int, profile: Path | None = None) -> None:
        self.root, self.var_dir, self.port, self.profile = root, var_dir, port, profile
        self.env = {
            **os.environ,
            "RENDEZ_VAR_DIR": str(var_dir),
            "ZOOM_EMULATOR": "1",
            "PORT": str(port),
            "RENDEZ_BASE_URL": f"http://127.0.0.1:{port}",
            "PYTHONPATH": os.pathsep.join([str(root), *filter(None, [os.environ.get("PYTHONPATH")])]),
            # Zoom takes 100 meeting creates and updates per host and day; the demo has two hosts, and a
            # minute of this bench books more than 200 meetings. Lifted (for Rendez and the mounted
            # emulator alike) so that what is measured is the server, not Zoom's quota.
            "ZOOM_DAILY_MEETING_WRITES_PER_HOST": "1000000",
        }
        for name in ("DATABASE_URL", "RENDEZ_DB_CONN_MAX_AGE"):
            self.env.pop(name, None)
        self.process: subprocess.Popen | None = None

    def rendez(self, *args: str) -> str:
        return subprocess.run(
            [sys.executable, "-m", "rendez.cli", *args],
            cwd=self.root,
            env=self.env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout

    def start(self) -> str:
        """Migrate, seed the demo, serve; returns the demo's API key."""
        self.rendez("migrate", "--no-input", "-v", "0")
        key = next(line.split()[-1] for line in self.rendez("demo").splitlines() if "API key:" in line)
        log = open(self.var_dir / "serve.log", "w")  # noqa: SIM115 - lives as long as the server
        serve = ["serve", "--host", "127.0.0.1", "--port", str(self.port)]
        if self.profile is not None:
            command = [sys.executable, str(ROOT / "bench" / "_profiled_serve.py"), str(self.profile), *serve]
        else:
            command = [sys.executable, "-m", "rendez.cli", *serve]
        self.process = subprocess.Popen(
            command,
            cwd=self.root,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        return key

    def cpu_seconds(self) -> float:
        assert self.process is not None
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30 if self.profile is None else 300)
            except subprocess.TimeoutExpired:
                self.process.kill()


# The client


class Api:
    """One keep-alive connection."""

    def __init__(self, port: int, key: str) -> None:
        self.port = port
        self.headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def call(self, method: str, path: str, body: object = None) -> tuple[int, bytes]:
        payload = None if body is None else json.dumps(body)
        try:
            self.connection.request(method, path, payload, self.headers)
            response = self.connection.getresponse()
            return response.status, response.read()
        except (OSError, http.client.HTTPException):
            self.connection.close()
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            return 0, b""

    def json(self, method: str, path: str, body: object = None) -> object:
        status, data = self.call(method, path, body)
        if status not in (200, 201):
            raise SystemExit(f"{method} {path} -> {status}: {data[:300]!r}")
        return json.loads(data)


def wait_until_up(api: Api, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        status, _ = api.call("GET", "/healthz")
        if status == 200:
            return
        time.sleep(0.5)
    raise SystemExit("rendez serve did not answer /healthz")


def wait_for_zoom(api: Api, seconds: float = 120) -> list[int]:
    """The demo staff connect to the emulator once the server answers; returns their ids."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        staff = api.json("GET", "/api/v1/staff")["items"]  # type: ignore[index]
        if staff and all((member.get("zoom") or {}).get("status") == "connected" for member in staff):
            return [member["id"] for member in staff]
        time.sleep(0.5)
    raise SystemExit("the demo staff did not connect to the Zoom emulator")


def all_slots(api: Api, service_id: int, staff_ids: list[int]) -> deque[tuple[int, str]]:
    slots: list[tuple[str, int]] = []
    for staff_id in staff_ids:
        start = date.today()
        for _ in range(6):
            end = start + timedelta(days=61)
            found = api.json(
                "GET",
                f"/api/v1/slots?service_id={service_id}&staff_id={staff_id}&date_from={start}&date_to={end}",
            )
            slots += [(slot["start"], staff_id) for slot in found]  # type: ignore[attr-defined]
            start = end + timedelta(days=1)
    slots.sort()
    return deque((staff_id, start) for start, staff_id in slots)


@dataclass
class Tally:
    bookings: list[float] = field(default_factory=list)  # seconds
    reads: list[float] = field(default_factory=list)
    booking_ids: list[int] = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)


def client_loop(
    api: Api, service_id: int, slots: deque, reads: int, until: float, tally: Tally, numbers: Iterator[int]
) -> None:
    while time.monotonic() < until:
        try:
            staff_id, start = slots.popleft()
        except IndexError:
            tally.errors["out of slots"] += 1
            return
        day = date.fromisoformat(start[:10])
        for n in range(reads):
            first = day - timedelta(days=7 * (reads - 1 - n))
            path = (
                f"/api/v1/slots?service_id={service_id}&staff_id={staff_id}"
                f"&date_from={first}&date_to={first + timedelta(days=6)}"
            )
            began = time.perf_counter()
            status, _ = api.call("GET", path)
            tally.reads.append(time.perf_counter() - began)
            if status != 200:
                tally.errors[f"slots {status}"] += 1
        number = next(numbers)
        body = {
            "service_id": service_id,
            "staff_id": staff_id,
            "start": start,
            "customer": {"name": f"Customer {number}", "email": f"customer{number}@bench.example"},
        }
        began = time.perf_counter()
        status, data = api.call("POST", "/api/v1/bookings", body)
        tally.bookings.append(time.perf_counter() - began)
        if status == 201:
            tally.booking_ids.append(json.loads(data)["id"])
        else:
            tally.errors[f"booking {status}"] += 1


def run_clients(
    port: int, key: str, service_id: int, slots: deque, clients: int, reads: int, seconds: float
) -> tuple[Tally, float, float]:
    """Returns the tally, the wall time and the client's CPU time."""
    tally = Tally()
    numbers = itertools.count(random.randrange(10**6, 10**7))  # next() is atomic under the GIL
    apis = [Api(port, key) for _ in range(clients)]
    cpu_before, began = time.process_time(), time.monotonic()
    until = began + seconds
    threads = [
        threading.Thread(target=client_loop, args=(api, service_id, slots, reads, until, tally, numbers))
        for api in apis
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall, cpu = time.monotonic() - began, time.process_time() - cpu_before
    for api in apis:
        api.connection.close()
    return tally, wall, cpu


# Meetings, read from the database (WAL: this reader does not get in the server's way)


def meeting_times(database: Path, booking_ids: list[int]) -> dict[int, tuple[datetime, str, datetime]]:
    """booking id -> (booking created_at, meeting state, meeting updated_at), all UTC."""
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=30) as db:
        rows = db.execute(
            "SELECT b.id, b.created_at, m.state, m.updated_at FROM scheduling_booking b "
            "LEFT JOIN conferencing_meeting m ON m.appointment_id = b.appointment_id"
        ).fetchall()
    wanted = set(booking_ids)
    parse = datetime.fromisoformat
    # No meeting row yet: its sync has not started.
    return {
        row[0]: (parse(row[1]), row[2] or "none", parse(row[3] or row[1])) for row in rows if row[0] in wanted
    }


def wait_for_meetings(database: Path, booking_ids: list[int], seconds: float) -> float | None:
    """Seconds until every booking's meeting is ready (None: not within `seconds`)."""
    began = time.monotonic()
    while time.monotonic() - began < seconds:
        times = meeting_times(database, booking_ids)
        if len(times) == len(booking_ids) and all(state == "ready" for _, state, _ in times.values()):
            return time.monotonic() - began
        time.sleep(1)
    return None


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=30)
    parser.add_argument("--reads-per-booking", type=int, default=3)
    parser.add_argument("--warm-up", type=float, default=5)
    parser.add_argument("--drain", type=float, default=120, help="seconds to wait after the run for meetings")
    parser.add_argument("--port", type=int, default=18417)
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout whose code is served")
    parser.add_argument("--label", default="", help="a name for this configuration in the output")
    parser.add_argument("--keep", action="store_true", help="keep the var dir (its path is printed)")
    parser.add_argument(
        "--profile",
        type=Path,
        help="run the server under yappi (bench/_profiled_serve.py; yappi on PYTHONPATH), write pstats here",
    )
    args = parser.parse_args()

    var_dir = Path(tempfile.mkdtemp(prefix="rendez-bench-embedded-"))
    server = Server(args.root.resolve(), var_dir, args.port, args.profile)
    database = var_dir / "rendez.sqlite3"
    try:
        key = server.start()
        api = Api(args.port, key)
        wait_until_up(api)
        staff_ids = wait_for_zoom(api)
        service = api.json("POST", "/api/v1/services", {**SERVICE, "staff_ids": staff_ids})
        service_id = service["id"]  # type: ignore[index]
        slots = all_slots(api, service_id, staff_ids)
        api.connection.close()

        common = (args.port, key, service_id, slots, args.clients, args.reads_per_booking)
        warm, _, _ = run_clients(*common, args.warm_up)
        warm_drained = wait_for_meetings(database, warm.booking_ids, 180)

        load_before = os.getloadavg()
        server_cpu_before = server.cpu_seconds()
        tally, wall, client_cpu = run_clients(*common, args.seconds)
        run_end = datetime.now(UTC).replace(tzinfo=None)
        server_cpu = server.cpu_seconds() - server_cpu_before
        at_end = meeting_times(database, tally.booking_ids)
        requests = len(tally.bookings) + len(tally.reads)
        label = {"label": args.label} if args.label else {}
        emit(
            bench="embedded.requests",
            **label,
            seconds=round(wall, 1),
            clients=args.clients,
            reads_per_booking=args.reads_per_booking,
            requests=requests,
            req_per_s=round(requests / wall, 1),
            errors=sum(tally.errors.values()),
            errors_by_kind=dict(tally.errors),
            bookings=len(tally.bookings),
            booking_p50_ms=round(percentile(tally.bookings, 0.5) * 1000, 1),
            booking_p99_ms=round(percentile(tally.bookings, 0.99) * 1000, 1),
            booking_max_ms=round(max(tally.bookings, default=float("nan")) * 1000, 1),
            bookings_over_1s=sum(1 for seconds in tally.bookings if seconds > 1),
            slot_reads=len(tally.reads),
            slot_p50_ms=round(percentile(tally.reads, 0.5) * 1000, 1),
            slot_p99_ms=round(percentile(tally.reads, 0.99) * 1000, 1),
            client_cpu_ms_per_request=round(client_cpu / max(requests, 1) * 1000, 2),
            server_cpu_ms_per_request=round(server_cpu / max(requests, 1) * 1000, 2),
            warm_up_meetings_ready_after_s=None if warm_drained is None else round(warm_drained, 1),
            load_average=[round(value, 2) for value in load_before],
        )

        drained = wait_for_meetings(database, tally.booking_ids, args.drain)
        final = meeting_times(database, tally.booking_ids)
        latencies = [
            (updated - created).total_seconds()
            for created, state, updated in final.values()
            if state == "ready"
        ]
        ready_during_run = sum(
            1 for _, state, updated in at_end.values() if state == "ready" and updated <= run_end
        )
        emit(
            bench="embedded.meetings",
            **label,
            bookings=len(tally.booking_ids),
            ready_during_run=ready_during_run,
            pending_at_end=len(tally.booking_ids) - ready_during_run,
            ready_within_10s=sum(1 for latency in latencies if latency <= READY_WITHIN_S),
            ready_p50_s=round(percentile(latencies, 0.5), 2),
            ready_p99_s=round(percentile(latencies, 0.99), 2),
            ready_max_s=round(max(latencies, default=float("nan")), 2),
            all_ready_after_run_s=None if drained is None else round(drained, 1),
            not_ready_after_drain=len(tally.booking_ids) - len(latencies),
            states=dict(Counter(state for _, state, _ in final.values())),
        )
    finally:
        server.stop()
        if args.keep:
            print(f"var dir kept: {var_dir}", file=sys.stderr)
        else:
            shutil.rmtree(var_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
