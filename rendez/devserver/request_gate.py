"""At most N requests inside Rendez at once in `rendez serve`; the others wait their turn, first come first
served.

The embedded worker shares the process, and so Python's one interpreter lock, with the web server, whose
threaded server starts a thread per connection. CPython hands the lock round the runnable threads, so with 30
requests in progress the worker's two runners had about a sixteenth of the CPU and fell ever further behind
(bench/README.md, "Embedded default under load"). Queued requests wait on an event and take no CPU, so the
worker's runners compete with a handful of requests instead. The emulator mounted under /_zoom/ is not gated:
the worker's own calls to it must not queue behind the bookings that made them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from rendez.lib.write_lock import FairSemaphore

WsgiApp = Callable[..., Any]
UNGATED_PREFIXES = ("/_zoom/",)


class RequestGate:
    def __init__(self, application: WsgiApp, limit: int) -> None:
        self.application = application
        self.slots = FairSemaphore(limit)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO", "").startswith(UNGATED_PREFIXES):
            return self.application(environ, start_response)
        self.slots.acquire()
        try:
            response = self.application(environ, start_response)
        except BaseException:
            self.slots.release()
            raise
        return _ReleasingResponse(response, self.slots)


class _ReleasingResponse:
    """The application's response, giving the slot back once the server has sent it and closes it."""

    def __init__(self, response: Iterable[bytes], slots: FairSemaphore) -> None:
        self.response = response
        self.slots = slots
        self.released = False

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.response)

    def close(self) -> None:
        try:
            close = getattr(self.response, "close", None)
            if close is not None:
                close()
        finally:
            if not self.released:
                self.released = True
                self.slots.release()
