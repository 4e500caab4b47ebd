"""The operator's forms: a new tenant, a tenant's plan, a plan's capabilities and limits."""

from __future__ import annotations

import re

from django import forms
from django.core.validators import validate_slug

from rendez.tenants.models import Plan, validate_timezone

KNOWN_CAPABILITIES = {
    "zoom": "video meetings on Zoom",
    "sms": "text messages",
}
_CAPABILITY = re.compile(r"^[a-z][a-z0-9_]*$")
_LIMIT = re.compile(r"^([a-z][a-z0-9_]*)\s*=\s*(\d+)$")


def _plan_field() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(Plan.objects.order_by("name"), required=False, empty_label="No plan")


class TenantForm(forms.Form):
    slug = forms.CharField(
        max_length=50, validators=[validate_slug], help_text="The booking page's address: /book/<slug>/."
    )
    name = forms.CharField(max_length=200)
    timezone = forms.CharField(
        label="Time zone",
        max_length=64,
        initial="UTC",
        validators=[validate_timezone],
        help_text="e.g. Europe/Berlin",
    )
    plan = _plan_field()


class TenantPlanForm(forms.Form):
    plan = _plan_field()


class PlanForm(forms.Form):
    slug = forms.CharField(max_length=50, validators=[validate_slug])
    name = forms.CharField(max_length=100)
    capabilities = forms.CharField(
        required=False,
        help_text="Comma separated. Known: "
        + ", ".join(f"{name} ({what})" for name, what in KNOWN_CAPABILITIES.items())
        + ".",
    )
    limits = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One per line, name = number, e.g. staff = 5.",
    )

    @classmethod
    def for_plan(cls, plan: Plan, data=None) -> PlanForm:
        initial = {
            "slug": plan.slug,
            "name": plan.name,
            "capabilities": ", ".join(plan.capabilities),
            "limits": "\n".join(f"{name} = {value}" for name, value in plan.limits.items()),
        }
        return cls(data, initial=initial)

    def clean_capabilities(self) -> list[str]:
        names = [
            name.strip().lower() for name in self.cleaned_data["capabilities"].split(",") if name.strip()
        ]
        wrong = [name for name in names if not _CAPABILITY.match(name)]
        if wrong:
            raise forms.ValidationError(
                f"Not a capability name: {', '.join(wrong)} (lower-case letters, digits, _)."
            )
        return names

    def clean_limits(self) -> dict[str, int]:
        limits: dict[str, int] = {}
        for line in self.cleaned_data["limits"].splitlines():
            if not line.strip():
                continue
            match = _LIMIT.match(line.strip().lower())
            if match is None:
                raise forms.ValidationError(f"Write each limit as name = number: {line.strip()!r} is not.")
            limits[match[1]] = int(match[2])
        return limits
