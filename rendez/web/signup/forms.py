"""What a stranger signing up may type, checked at the boundary: every field says what is wrong with it."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.db.models import Q
from django.utils.text import slugify

from rendez.lib.zones import zone_choices
from rendez.tenants.models import Plan, Tenant

NAME_MAX = 200  # Tenant.name
OWNER_NAME_MAX = 150  # User.first_name
EMAIL_MAX = 254
SLUG_MIN, SLUG_MAX = 3, 50  # Tenant.slug is a SlugField of 50
SLUG_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")


def offered_plans() -> list[Plan]:
    """The plans a new business may choose: RENDEZ_SIGNUP_PLANS in its order, or every plan by name."""
    slugs = list(settings.SIGNUP_PLANS)
    if not slugs:
        return list(Plan.objects.order_by("name", "pk"))
    found = {plan.slug: plan for plan in Plan.objects.filter(slug__in=slugs)}
    return [found[slug] for slug in slugs if slug in found]


def suggested_slug(name: str) -> str:
    return slugify(name)[:SLUG_MAX].strip("-")


def email_taken(email: str) -> bool:
    """An account signs in with this email (or has it as its username) already."""
    users = get_user_model().objects
    return users.filter(Q(email__iexact=email) | Q(username__iexact=email)).exists()


class SignUpForm(forms.Form):
    name = forms.CharField(label="Business name", max_length=NAME_MAX)
    slug = forms.CharField(
        label="Booking page address",
        max_length=SLUG_MAX,
        required=False,
        help_text="Your booking page will be at /book/<this>/: lowercase letters, digits and hyphens.",
    )
    timezone = forms.ChoiceField(label="Time zone", choices=zone_choices, initial="UTC")
    owner_name = forms.CharField(label="Your name", max_length=OWNER_NAME_MAX)
    email = forms.EmailField(label="Your email", max_length=EMAIL_MAX)
    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, plans: list[Plan], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.plans = plans
        self.fields["password"].help_text = " ".join(password_validation.password_validators_help_texts())
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["owner_name"].widget.attrs["autocomplete"] = "name"
        self.fields["name"].widget.attrs["autocomplete"] = "organization"
        self.fields["slug"].widget.attrs.update({"autocapitalize": "none", "spellcheck": "false"})
        if len(plans) > 1:
            self.fields["plan"] = forms.ChoiceField(
                label="Plan",
                choices=[(plan.slug, plan.name) for plan in plans],
                initial=plans[0].slug,
                widget=forms.RadioSelect,
            )

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError("Give your business a name.")
        return name

    def clean_slug(self) -> str:
        slug = self.cleaned_data["slug"].strip().lower()
        if not slug:
            # Left empty: the one suggested from the name (checked below, once the name is known).
            return ""
        return _checked_slug(slug)

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip()
        if email_taken(email):
            raise forms.ValidationError(
                "An account with this email exists already: sign in instead, or reset its password."
            )
        return email

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if "slug" in data and not data["slug"] and data.get("name"):
            try:
                data["slug"] = _checked_slug(suggested_slug(data["name"]))
            except forms.ValidationError as error:
                self.add_error("slug", error)
        if "plan" in self.fields and "plan" in data:
            data["plan"] = next(plan for plan in self.plans if plan.slug == data["plan"])
        else:
            data["plan"] = self.plans[0] if self.plans else None
        password = data.get("password")
        if password:
            self._check_password(password, data)
        return data

    def _check_password(self, password: str, data: dict[str, Any]) -> None:
        owner = get_user_model()(username=data.get("email", ""), email=data.get("email", ""))
        owner.first_name = data.get("owner_name", "")
        try:
            password_validation.validate_password(password, owner)
        except forms.ValidationError as error:
            self.add_error("password", error)


def _checked_slug(slug: str) -> str:
    if len(slug) < SLUG_MIN:
        raise forms.ValidationError(f"Use at least {SLUG_MIN} characters.")
    if not SLUG_PATTERN.match(slug):
        raise forms.ValidationError(
            "Use lowercase letters, digits and hyphens only, starting and ending with a letter or digit."
        )
    if Tenant.objects.filter(slug=slug).exists():
        raise forms.ValidationError(f"/book/{slug}/ is taken. Try {_free_variant(slug)}.")
    return slug


def _free_variant(slug: str) -> str:
    """A free address close to `slug`, for the refusal to suggest."""
    taken = set(Tenant.objects.filter(slug__startswith=slug).values_list("slug", flat=True))
    for number in range(2, 100):
        candidate = f"{slug[: SLUG_MAX - len(str(number)) - 1]}-{number}"
        if candidate not in taken:
            return candidate
    return "another address"
