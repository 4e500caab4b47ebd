"""The tenant's Zoom settings: read with defaults, written here only (API and panel alike)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from rendez.conferencing.texts import MeetingTexts
from rendez.integrations.zoom.models import ZoomSettings
from rendez.lib import shortcodes
from rendez.scheduling import events
from rendez.scheduling.models import Appointment
from rendez.tenants.models import Tenant

# Zoom's limits on a meeting's topic and agenda (create-meeting body, §3.1).
TOPIC_MAX = 200
AGENDA_MAX = 2000
# Shortcodes that name the meeting itself cannot appear in it: it does not exist yet when they are rendered.
# Nor one booking's answers (a group session's meeting is everyone's), nor the change a message is about (a
# meeting is made once, not per change).
TEMPLATE_SHORTCODES = (
    shortcodes.SHORTCODES - shortcodes.MEETING_SHORTCODES - shortcodes.CHANGE_SHORTCODES - {"booking_answers"}
)
EDITABLE = ("enabled", "topic_template", "description_template", "random_password")


def settings_of(tenant: Tenant) -> ZoomSettings:
    """The tenant's settings; an unsaved default row when it never saved any."""
    found = ZoomSettings.objects.filter(tenant=tenant).first()
    return found or ZoomSettings(tenant=tenant)


def meeting_texts(tenant: Tenant) -> MeetingTexts:
    """The topic and description templates edited here, for every provider's meetings (conferencing.texts)."""
    saved = settings_of(tenant)
    return MeetingTexts(saved.topic_template, saved.description_template)


def update(tenant: Tenant, changes: dict[str, Any]) -> ZoomSettings:
    """Apply `changes` (any of EDITABLE) after validating them; raises ValidationError by field."""
    current = settings_of(tenant)
    was_enabled = current.enabled
    for name, value in changes.items():
        if name not in EDITABLE:
            raise ValidationError({name: "This setting does not exist."})
        setattr(current, name, value)
    errors = template_errors(current.topic_template, current.description_template)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        current.save()
        if current.enabled and not was_enabled:
            # Bookings made while it was off are owed a meeting now (turning it off leaves meetings be).
            events.upcoming_changed(Appointment.objects.filter(tenant=tenant))
    return current


def template_errors(topic: str, description: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    checks = (("topic_template", topic, TOPIC_MAX), ("description_template", description, AGENDA_MAX))
    for field, template, limit in checks:
        problems = []
        if field == "topic_template" and not template.strip():
            problems.append("A meeting needs a topic.")
        if len(template) > limit:
            problems.append(f"Keep it to {limit} characters (Zoom's limit).")
        if unknown := shortcodes.unknown(template, TEMPLATE_SHORTCODES):
            names = ", ".join("{" + name + "}" for name in unknown)
            available = ", ".join("{" + name + "}" for name in sorted(TEMPLATE_SHORTCODES))
            problems.append(f"Unknown or unusable shortcode(s): {names}. Available: {available}.")
        if problems:
            errors[field] = " ".join(problems)
    return errors
