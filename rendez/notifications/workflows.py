"""Writing workflows: the one place the panel (and anyone else) creates, edits and switches them.

Every write runs `Workflow.full_clean()`, so `validation.workflow_errors()` decides what is acceptable
(unknown shortcodes, the host link to customers, recipients the channel cannot reach ...); a refusal raises
Django's `ValidationError` with the errors by field, and nothing is saved."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from rendez.notifications.models import Workflow
from rendez.tenants.models import Tenant

# What a caller may set; tenant and default_key are not among them.
FIELDS = (
    "name",
    "trigger",
    "offset_minutes",
    "channel",
    "to_customer",
    "to_staff",
    "to_admins",
    "fixed_recipients",
    "subject_template",
    "body_template",
    "attach_invitation",
    "is_active",
)


def create_workflow(tenant: Tenant, values: dict[str, Any]) -> Workflow:
    workflow = Workflow(tenant=tenant)
    return _save(workflow, values)


def update_workflow(workflow: Workflow, values: dict[str, Any]) -> Workflow:
    return _save(workflow, values)


def set_active(workflow: Workflow, active: bool) -> Workflow:
    """Switch a workflow on or off. Reminders already queued check `is_active` when they run."""
    workflow.is_active = active
    workflow.save(update_fields=["is_active", "updated_at"])
    return workflow


def _save(workflow: Workflow, values: dict[str, Any]) -> Workflow:
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise TypeError(f"not workflow fields: {sorted(unknown)}")
    for name, value in values.items():
        setattr(workflow, name, value)
    workflow.full_clean(exclude=["default_key"])
    with transaction.atomic():
        workflow.save()
    return workflow
