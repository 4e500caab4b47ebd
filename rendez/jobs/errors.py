"""What a handler raises to steer its job. Any other exception is a transient failure retried with backoff."""

from __future__ import annotations

from datetime import datetime


class Retry(Exception):  # noqa: N818 - reads as `raise jobs.Retry(after=30)`
    """Run the job again later: after `after` seconds, or the usual backoff when None.

    `consume_attempt=False` defers without spending one of the kind's attempts (a quota that resets at
    midnight is not a failure of the job); a handler that always asks for that runs forever: keep it for such
    waits.
    """

    def __init__(
        self,
        after: float | None = None,
        reason: str = "",
        *,
        consume_attempt: bool = True,
        at: datetime | None = None,
    ) -> None:
        super().__init__(
            reason or (f"retry requested after {after}s" if after is not None else "retry requested")
        )
        self.after = after
        self.consume_attempt = consume_attempt
        # An exact instant instead of a delay: a handler that already told people when it tries again (a
        # meeting's next attempt) gets that instant, not one recomputed a few milliseconds later.
        self.at = at


class PermanentError(Exception):
    """Retrying cannot help (revoked grant, invalid input): dead-letter the job at once with this message."""


class TimeLimitExceeded(Exception):  # noqa: N818 - the job's error reads "TimeLimitExceeded: ..."
    """Recorded (never raised) when an attempt outlives its kind's time limit: the worker abandons it, and
    the job is retried with backoff like any transient failure, or dead-lettered when out of attempts."""
