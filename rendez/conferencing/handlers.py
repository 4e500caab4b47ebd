"""The `conferencing.sync` job: level-triggered, one at a time per appointment (its key)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from rendez import jobs
from rendez.conferencing import external, followers, notices, reconcile  # noqa: F401 - they register job kinds
from rendez.scheduling.events import SYNC_MEETING


class SyncPayload(BaseModel):
    model_config = ConfigDict(extra="ignore")

    appointment_id: int


@jobs.handler(SYNC_MEETING, max_attempts=8)
def sync(payload: dict, job: jobs.Job) -> None:
    data = SyncPayload.model_validate(payload)
    followers.appointment_changed(data.appointment_id)
    reconcile.sync(data.appointment_id, last_attempt=job.attempts >= job.max_attempts, attempt=job.attempts)
