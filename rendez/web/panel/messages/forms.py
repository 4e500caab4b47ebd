"""The workflow form: the fields of a workflow; what is acceptable is decided by the model's validation."""

from __future__ import annotations

from typing import Any

from django import forms

from rendez.notifications.models import Channel, Delivery, Trigger, Workflow
from rendez.notifications.workflows import FIELDS

TEMPLATE = {"data-shortcode-target": ""}


class WorkflowForm(forms.Form):
    name = forms.CharField(label="Name", max_length=200)
    trigger = forms.ChoiceField(label="When", choices=Trigger.choices)
    offset_minutes = forms.IntegerField(
        label="Offset (minutes)",
        min_value=0,
        initial=0,
        help_text="Reminders only: how long before the start or after the end it goes out.",
    )
    channel = forms.ChoiceField(label="Channel", choices=Channel.choices)
    to_customer = forms.BooleanField(label="To the customer", required=False)
    to_staff = forms.BooleanField(label="To the staff member", required=False)
    to_admins = forms.BooleanField(label="To the business's admins", required=False)
    fixed_recipients = forms.CharField(
        label="Fixed addresses",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="One per line: emails, phone numbers (+4915112345678), Telegram chat ids or webhook URLs.",
    )
    subject_template = forms.CharField(
        label="Subject", max_length=300, required=False, widget=forms.TextInput(attrs=TEMPLATE)
    )
    body_template = forms.CharField(label="Message", widget=forms.Textarea(attrs={**TEMPLATE, "rows": 8}))
    attach_invitation = forms.BooleanField(label="Attach a calendar invitation (emails)", required=False)
    is_active = forms.BooleanField(label="Active", required=False)

    @staticmethod
    def initial_for(workflow: Workflow | None) -> dict[str, Any]:
        if workflow is None:
            return {"offset_minutes": 0, "attach_invitation": True, "is_active": True, "to_customer": True}
        return {name: getattr(workflow, name) for name in FIELDS}


class DeliveryFilter(forms.Form):
    state = forms.ChoiceField(
        label="Status", choices=[("", "Any status"), *Delivery.State.choices], required=False
    )
