"""`{% meeting_status_of appointment as status %}`: the panel's words for a row's meeting (`panel.meetings`);
`{{ meeting.next_attempt_at|next_attempt }}`: "at 14:05" in the viewer's zone.

Rows come with their meeting joined in (`select_related("meeting")`), so naming it costs no query; only a
live meeting of an upcoming appointment nobody holds a seat in any more (between the cancel and its sync)
costs the one read `meeting_view` makes to tell "being deleted" from "took place"."""

from __future__ import annotations

from datetime import datetime

from django import template

from rendez.scheduling.models import Appointment
from rendez.web.panel.meetings import MeetingStatus, next_attempt_words, status_of

register = template.Library()


@register.simple_tag
def meeting_status_of(appointment: Appointment) -> MeetingStatus | None:
    return status_of(appointment)


@register.filter
def next_attempt(at: datetime | None) -> str:
    return next_attempt_words(at)
