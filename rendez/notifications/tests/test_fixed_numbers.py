"""A workflow's fixed SMS or WhatsApp numbers are sent to as written: valid numbers in E.164, or refused with
the form to write them in."""

from __future__ import annotations

import pytest

from rendez.notifications.validation import address_problem


@pytest.mark.parametrize("channel", ["sms", "whatsapp"])
def test_a_valid_number_in_e164_is_accepted(channel):
    assert address_problem(channel, "+4915112345678") is None


def test_a_valid_number_written_otherwise_is_refused_with_its_e164_form():
    assert address_problem("sms", "+49 151 1234 5678") == (
        "Write '+49 151 1234 5678' as +4915112345678: in international format, without spaces."
    )


@pytest.mark.parametrize("address", ["+4912", "0151 12345678", "call me", "+1555"])
def test_what_is_not_an_international_number_is_refused(address):
    assert address_problem("sms", address) == (
        f"{address!r} is not a phone number in international format (+4915112345678)."
    )
