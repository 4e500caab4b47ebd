"""Phone numbers as people type them, stored as E.164 (`+493012345678`).

Every place that accepts a phone number (the API, the booking page, the panel) goes through `normalize_phone`,
so a number reaches SMS and WhatsApp channels in the one form their gateways take, and the same person typed
twice with different spacing is the same number.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import phonenumbers
from django import forms

# Longer than any E.164 number with the spacing, brackets and words ("ext.") people add; short enough that no
# one stores an essay in a phone field.
PHONE_MAX = 40


class InvalidPhone(ValueError):
    """A phone number that is not one; the message says what to fix, in words for the person who typed it."""


def normalize_phone(text: str, region: str | None = None) -> str:
    """`text` as E.164, or "" when it is blank.

    `region` (ISO 3166 alpha-2, e.g. "DE") is where a number without a country code is assumed to be; without
    it, the number must be international. Raises `InvalidPhone` for anything that is not a possible number.
    """
    text = text.strip()
    if not text:
        return ""
    if len(text) > PHONE_MAX:
        raise InvalidPhone(f"That is too long for a phone number ({PHONE_MAX} characters at most).")
    number = _parse(text, region)
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhone("That is not a valid phone number; check the digits and the country code.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _parse(text: str, region: str | None) -> phonenumbers.PhoneNumber:
    # "00" is how most of the world dials abroad; without a region to say so, the library would not know.
    if region is None and text.startswith("00"):
        text = "+" + text[2:]
    try:
        return phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as error:
        if error.error_type != phonenumbers.NumberParseException.INVALID_COUNTRY_CODE:
            raise InvalidPhone("That is not a phone number; use digits, spaces, +, - and brackets.") from None
        if text.startswith("+"):
            raise InvalidPhone("No country has that code; check the digits after the +.") from None
        raise InvalidPhone("Start with + and the country code, e.g. +49 30 1234567.") from None


@cache
def region_of_zone(zone: str) -> str | None:
    """The country of an IANA time zone ("Europe/Berlin" → "DE"), or None for zones of no one country (UTC).

    A business's zone is the best guess of where its customers' local numbers are from.
    """
    return _zone_countries().get(zone)


@cache
def _zone_countries() -> dict[str, str]:
    # zone.tab (shipped by tzdata) names one country per zone; zone1970.tab merges countries sharing a zone.
    table = resources.files("tzdata.zoneinfo").joinpath("zone.tab").read_text(encoding="utf-8")
    countries: dict[str, str] = {}
    for line in table.splitlines():
        if line and not line.startswith("#"):
            country, _coordinates, zone, *_comment = line.split("\t")
            countries[zone] = country
    return countries


class PhoneField(forms.CharField):
    """A form's phone number: cleaned to E.164, refused in `normalize_phone`'s words. `region` (set by the
    form, usually from the business's zone) is where a number typed without country code is from."""

    def __init__(self, *, region: str | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", PHONE_MAX)
        kwargs.setdefault("widget", forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}))
        super().__init__(**kwargs)
        self.region = region

    def to_python(self, value: Any) -> str:
        try:
            return normalize_phone(super().to_python(value) or "", self.region)
        except InvalidPhone as refusal:
            raise forms.ValidationError(str(refusal), code="invalid_phone") from None
