"""Phone numbers as people type them become E.164, or a refusal that says what to fix."""

from __future__ import annotations

import pytest

from rendez.lib.phones import InvalidPhone, normalize_phone, region_of_zone


@pytest.mark.parametrize(
    ("typed", "region", "stored"),
    [
        ("+49 30 1234567", None, "+49301234567"),
        ("+49 (0)30 123-4567", None, "+49301234567"),
        ("0049 30 1234567", None, "+49301234567"),
        ("030 1234567", "DE", "+49301234567"),
        ("+44 20 7946 0018", "DE", "+442079460018"),
        ("(650) 253-0000", "US", "+16502530000"),
        ("+1 650 253 0000 ext. 12", None, "+16502530000"),
        ("  +33 1 42 68 53 00 ", None, "+33142685300"),
    ],
)
def test_numbers_are_stored_as_e164(typed, region, stored):
    assert normalize_phone(typed, region) == stored


@pytest.mark.parametrize("blank", ["", "   "])
def test_no_number_stays_empty(blank):
    assert normalize_phone(blank) == ""


@pytest.mark.parametrize(
    ("typed", "region", "words"),
    [
        ("030 1234567", None, "Start with + and the country code"),
        ("call me maybe", None, "That is not a phone number"),
        ("+49 30 12", None, "That is not a valid phone number"),
        ("+1 555 0100", None, "That is not a valid phone number"),
        ("+999 1234567", None, "No country has that code"),
        ("+49" + "1" * 40, None, "too long for a phone number"),
        ("+49 30 1234\x00567", None, "That is not a phone number"),
    ],
)
def test_what_is_not_a_number_is_refused_saying_what_to_fix(typed, region, words):
    with pytest.raises(InvalidPhone) as refusal:
        normalize_phone(typed, region)
    assert words in str(refusal.value)


@pytest.mark.parametrize(
    ("zone", "region"),
    [
        ("Europe/Berlin", "DE"),
        ("America/New_York", "US"),
        ("Asia/Kolkata", "IN"),
        ("UTC", None),
        ("Nowhere", None),
    ],
)
def test_a_zone_names_the_country_of_its_local_numbers(zone, region):
    assert region_of_zone(zone) == region
