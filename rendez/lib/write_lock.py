"""One process-wide queue for SQLite writers: first come, first served.

SQLite lets one connection write at a time. A writer that finds the database locked sleeps in SQLite's busy
handler and tries again (after 1, 2, 5, 10 ... up to 100 ms), so one that came first can lose to ones that
came later, again and again, and the job worker's writes compete with every request thread on those terms.
Writers of this process therefore queue here before SQLite is asked: `FairLock` hands the lock to the
longest waiter on release, and nobody can jump the queue. SQLite's own busy
handler stays for writers of other processes (`rendez migrate` beside `rendez serve`, a second worker).

Readers never take it: with WAL they read a snapshot while a writer writes.
"""

from __future__ import annotations

import threading
from collections import deque


class FairSemaphore:
    """`slots` holders at a time, handed over in the order they were asked for (not reentrant)."""

    def __init__(self, slots: int = 1) -> None:
        if slots < 1:
            raise ValueError("a FairSemaphore needs at least one slot")
        self._mutex = threading.Lock()
        self._changed = threading.Condition(self._mutex)
        self._free = slots
        self._queue: deque[threading.Event] = deque()

    def acquire(self, timeout: float | None = None) -> bool:
        """Wait for our turn; False if `timeout` seconds passed first (we then leave the queue)."""
        with self._mutex:
            if self._free and not self._queue:
                self._free -= 1
                return True
            turn = threading.Event()
            self._queue.append(turn)
            self._changed.notify_all()
        if turn.wait(timeout):
            return True
        with self._mutex:
            if turn.is_set():  # handed to us just as we gave up: keep it
                return True
            self._queue.remove(turn)
            self._changed.notify_all()
            return False

    def release(self) -> None:
        with self._mutex:
            if self._queue:
                # The slot passes directly to the longest waiter, so no newcomer slips in between.
                self._queue.popleft().set()
            else:
                self._free += 1
            self._changed.notify_all()

    def waiting(self) -> int:
        with self._mutex:
            return len(self._queue)

    def wait_for_waiters(self, count: int, timeout: float | None = None) -> bool:
        """Block until at least `count` threads queue (tests use it to line waiters up in a known order)."""
        with self._changed:
            return self._changed.wait_for(lambda: len(self._queue) >= count, timeout)

    def __enter__(self) -> FairSemaphore:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


class FairLock(FairSemaphore):
    """A lock handed over in the order it was asked for (not reentrant)."""

    def __init__(self) -> None:
        super().__init__(1)

    def release(self) -> None:
        with self._mutex:
            unheld = self._free == 1
        if unheld:
            raise RuntimeError("release of an unheld FairLock")
        super().release()


# The one queue of this process: every SQLite connection's writes go through it (rendez/lib/sqlite/base.py).
WRITE_LOCK = FairLock()
