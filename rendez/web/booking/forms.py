"""The booking page's forms: what a stranger may type, bounded and validated at the boundary."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo, available_timezones

from django import forms

from rendez.lib.phones import PhoneField
from rendez.scheduling.models import Customer, ServiceQuestion
from rendez.web.question_fields import add_question_fields, checked_answers

# The customer's name as the database and the API take it (Customer.name, BookingIn): a name the API accepts
# is never cut or refused on the page.
NAME_MAX = Customer._meta.get_field("name").max_length or 200
EMAIL_MAX = 254
NOTES_MAX = 1000
ZONES = frozenset(available_timezones())
# The visitor's zone as their browser reported it (static/web/booking.js) or as they chose it: every step
# renders its times in it, so no page waits for a script to put them right.
ZONE_COOKIE = "rendez_tz"


def known_zone(value: str | None) -> str | None:
    """`value` when it names a zone, else None."""
    return value if value in ZONES else None


def zone_or(value: str | None, fallback: str) -> ZoneInfo:
    """The zone named `value` if it is one, else `fallback`: what a browser sends may be anything."""
    return ZoneInfo(value if value in ZONES else fallback)


def zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(ZONES) if "/" in name or name == "UTC"]


class DetailsForm(forms.Form):
    name = forms.CharField(label="Your name", max_length=NAME_MAX, strip=True)
    email = forms.EmailField(label="Email", max_length=EMAIL_MAX)
    phone = PhoneField(label="Phone (optional)", required=False)
    # The honeypot: hidden from people by the stylesheet, filled in by form-filling bots.
    website = forms.CharField(label="Leave this empty", required=False, max_length=200)
    staff = forms.CharField(widget=forms.HiddenInput, max_length=20)
    start = forms.CharField(widget=forms.HiddenInput, max_length=40)
    tz = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)
    notes = forms.CharField(
        label="Notes (optional)",
        required=False,
        max_length=NOTES_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Anything the business should know before your appointment.",
    )

    def __init__(
        self,
        *args: Any,
        region: str | None = None,
        seats: int = 1,
        questions: Sequence[ServiceQuestion] = (),
        series: bool = False,
        **kwargs: Any,
    ) -> None:
        """`region`: the business's country, where a phone number typed without country code is from.
        `seats`: how many seats one booking may take (what is left of a group slot); above one, the visitor
        picks how many. `questions`: the service's booking questions, asked before the notes."""
        super().__init__(*args, **kwargs)
        cast(PhoneField, self.fields["phone"]).region = region
        if seats > 1:
            self.fields["party_size"] = forms.TypedChoiceField(
                label="Seats",
                coerce=int,
                choices=[(count, str(count)) for count in range(1, seats + 1)],
                initial=1,
                help_text=f"Up to {seats} seats are left at this time.",
            )
        self.questions = list(questions)
        asked = add_question_fields(self, self.questions)
        self.order_fields(["name", "email", "phone", "party_size", *asked, "notes"])
        self.answers: list[dict[str, object]] = []
        if series:
            # A service that allows recurring bookings (web/booking/series.py).
            from rendez.web.booking.series import add_repeat_fields

            add_repeat_fields(self)

    @property
    def party_size(self) -> int:
        return int(self.cleaned_data.get("party_size") or 1)

    def clean_name(self) -> str:
        name = self.cleaned_data["name"]
        if not any(character.isalpha() for character in name):
            raise forms.ValidationError("Enter your name.")
        return name

    def clean_website(self) -> str:
        if self.cleaned_data["website"]:
            raise forms.ValidationError("This booking could not be sent. Please try again.")
        return ""

    def clean_start(self) -> datetime:
        return parse_start(self.cleaned_data["start"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self.answers = checked_answers(self, self.questions)
        return data


def parse_start(value: str | None) -> datetime:
    """A slot's start as the pages carry it: ISO 8601 with an offset."""
    try:
        start = datetime.fromisoformat(value or "")
    except ValueError:
        raise forms.ValidationError("That time is not one we offer. Please pick a time again.") from None
    if start.tzinfo is None:
        raise forms.ValidationError("That time is not one we offer. Please pick a time again.")
    return start.astimezone(UTC)


def parse_day(value: str | None, today: date, horizon_days: int) -> date | None:
    """The day asked for, within today (minus one: zones run ahead) and the service's horizon; else None."""
    try:
        day = date.fromisoformat(value or "")
    except ValueError:
        return None
    if not today - timedelta(days=1) <= day <= today + timedelta(days=horizon_days):
        return None
    return day
