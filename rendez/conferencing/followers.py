"""What else follows an appointment's meeting work, without conferencing importing it: apps register a hook
at startup (rendez.calendars writes the appointment into the staff member's calendar with the link).

`appointment_changed` hooks run at the start of every `conferencing.sync` attempt (the job every appointment
change enqueues, whatever the service); `meeting_ready` hooks run when a meeting becomes ready or its link
changes (beside `notifications.meeting_ready`). Hooks take the appointment id, should only enqueue jobs, and
cost at most a query: they run for every appointment of every tenant.
"""

from __future__ import annotations

from collections.abc import Callable

Hook = Callable[[int], None]

_on_change: list[Hook] = []
_on_ready: list[Hook] = []


def on_appointment_changed(hook: Hook) -> None:
    if hook not in _on_change:
        _on_change.append(hook)


def on_meeting_ready(hook: Hook) -> None:
    if hook not in _on_ready:
        _on_ready.append(hook)


def appointment_changed(appointment_id: int) -> None:
    for hook in _on_change:
        hook(appointment_id)


def meeting_ready(appointment_id: int) -> None:
    for hook in _on_ready:
        hook(appointment_id)
