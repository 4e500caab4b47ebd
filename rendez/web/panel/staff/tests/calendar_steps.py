"""What a staff member does in Chromium to connect a calendar from "My schedule", for every provider: press
the card's connect button, choose the account on the provider's consent page and allow, land back on the
page with the card connected."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from rendez.calendars import connecting


def connect_on_my_schedule(
    page, live_server, provider: str, consent_url: str, account: str, allow: str
) -> None:
    """`consent_url`: the provider's authorize address; `allow`: the test id of its consent button."""
    connector = connecting.connector_of(provider)
    assert connector is not None
    page.goto(f"{live_server.url}/panel/staff/me/")
    card = page.get_by_test_id(f"{provider}-calendar-section")
    card.get_by_role("button", name=f"Connect {connector.label}").click()
    page.wait_for_url(re.compile(re.escape(consent_url)))
    page.get_by_test_id(f"account-{account}").check()
    page.get_by_test_id(allow).click()
    page.wait_for_url(f"{live_server.url}/panel/staff/me/")
    expect(page.get_by_text(f"{connector.label} {account} is connected.")).to_be_visible()
    expect(page.get_by_test_id(f"{provider}-status")).to_have_text("Connected")
    expect(page.get_by_test_id(f"{provider}-account")).to_have_text(account)
