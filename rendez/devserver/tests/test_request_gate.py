"""`rendez serve` lets a few requests in at once, the rest in arrival order; the mounted emulator is never
held up (rendez/devserver/request_gate.py). Ordered by events, no timing."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from rendez.devserver.request_gate import RequestGate


class HeldApp:
    """A WSGI app whose requests wait for `release` and record the order they got in."""

    def __init__(self) -> None:
        self.entered: list[str] = []
        self.inside = threading.Event()
        self.release = threading.Event()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        self.entered.append(environ["PATH_INFO"])
        if environ["PATH_INFO"] == "/first":
            self.inside.set()
            self.release.wait(30)
        start_response("200 OK", [])
        return [b"ok"]


def serve(gate: RequestGate, path: str) -> threading.Thread:
    def run() -> None:
        response = gate({"PATH_INFO": path}, lambda status, headers: None)
        b"".join(response)
        if hasattr(response, "close"):  # as a WSGI server does; the ungated emulator returns a plain list
            response.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_requests_beyond_the_slots_wait_their_turn_in_order_and_the_emulator_passes() -> None:
    app = HeldApp()
    gate = RequestGate(app, limit=1)
    first = serve(gate, "/first")
    assert app.inside.wait(30)
    waiting = []
    for number in range(5):
        waiting.append(serve(gate, f"/queued-{number}"))
        assert gate.slots.wait_for_waiters(number + 1, timeout=30)
    # The worker's Zoom calls go to the emulator in this process: never queued behind bookings.
    serve(gate, "/_zoom/v2/users/me/meetings").join(30)
    assert app.entered == ["/first", "/_zoom/v2/users/me/meetings"]
    app.release.set()
    for thread in [first, *waiting]:
        thread.join(30)
    assert app.entered[2:] == [f"/queued-{number}" for number in range(5)]
    assert gate.slots.waiting() == 0
