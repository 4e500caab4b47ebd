"""Workflows in Chromium: an admin writes a message with a shortcode from the picker and saves it; an unknown
shortcode is refused next to the field. Screenshot of the workflows page (desktop) into docs/screenshots/."""

from __future__ import annotations

import pytest

from rendez.notifications.models import Workflow
from rendez.web.panel.tests.fixtures import PASSWORD
from rendez.web.tests.screens import DESKTOP, shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_admin_creates_a_workflow_with_the_picker(live_server, page, ada, alice):
    page.set_viewport_size(DESKTOP)
    page.goto(live_server.url + "/login/")
    page.get_by_label("Email or username").fill("ada")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Dashboard").wait_for()

    page.get_by_role("link", name="Messages").click()
    page.get_by_role("link", name="Add a workflow").click()
    page.get_by_label("Name").fill("Thank you")
    page.get_by_label("Subject").fill("Thanks")
    body = page.get_by_role("textbox", name="Message")
    body.fill("Hello {cusomer}, ")
    page.get_by_role("button", name="Add workflow").click()
    page.get_by_text("Unknown shortcode(s): {cusomer}").wait_for()

    body = page.get_by_role("textbox", name="Message")
    body.fill("Hello ")
    body.focus()
    page.get_by_role("button", name="{customer_name}").click()
    assert body.input_value() == "Hello {customer_name}"
    page.get_by_role("button", name="Add workflow").click()
    page.get_by_role("heading", name="Workflows").wait_for()
    assert Workflow.objects.get(tenant=alice, name="Thank you").body_template == "Hello {customer_name}"
    shoot(page, "panel-messages-workflows")
