"""`{meeting_url}`, `{meeting_host_url}`, `{meeting_password}` and their older names `{zoom_meeting_*}`:
templates stored with either read the same values, the host link reaches no customer under either name,
and the starter messages use the new names."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from rendez.conferencing.models import Meeting
from rendez.lib import shortcodes
from rendez.notifications import validation
from rendez.notifications.defaults import (
    DEFAULTS,
    MEETING_LINK_BODY,
    MEETING_LINK_CHANGED_BODY,
    STAFF_MEETING_LINK_BODY,
)
from rendez.notifications.models import Workflow
from rendez.notifications.tests.fixtures import book, plain_text, run_jobs, workflow

NEW = ("meeting_url", "meeting_password", "meeting_host_url")
OLD = ("zoom_meeting_url", "zoom_meeting_password", "zoom_meeting_host_url")


def test_each_old_name_is_an_alias_of_a_new_one():
    assert dict(zip(OLD, NEW, strict=True)) == shortcodes.ALIASES
    assert set(NEW) <= shortcodes.SHORTCODES and not set(OLD) & shortcodes.SHORTCODES
    assert shortcodes.unknown(" ".join("{" + name + "}" for name in NEW + OLD)) == []
    assert set(NEW + OLD) <= shortcodes.MEETING_SHORTCODES
    assert {"meeting_host_url", "zoom_meeting_host_url"} == shortcodes.HOST_ONLY_SHORTCODES


def test_an_alias_takes_its_shortcodes_value():
    values = shortcodes.with_aliases({"meeting_url": "https://zoom.test/j/1", "customer_name": "C"})
    assert values == {
        "meeting_url": "https://zoom.test/j/1",
        "zoom_meeting_url": "https://zoom.test/j/1",
        "customer_name": "C",
    }


def test_pages_offer_the_new_names_only():
    assert all(name not in validation.available() for name in OLD)
    assert all("{" + name + "}" in validation.available() for name in NEW)


def test_the_starter_messages_use_the_new_names():
    templates = [text for default in DEFAULTS for text in (default.subject, default.body)]
    templates += [MEETING_LINK_BODY, MEETING_LINK_CHANGED_BODY, STAFF_MEETING_LINK_BODY]
    assert any("{meeting_url}" in text for text in templates)
    assert not any(shortcodes.used(text) & set(OLD) for text in templates)


@pytest.mark.parametrize("name", ["meeting_host_url", "zoom_meeting_host_url"])
@pytest.mark.parametrize(
    "to", [{"to_customer": True}, {"to_customer": False, "fixed_recipients": "a@b.test"}]
)
def test_the_host_link_reaches_no_customer_under_either_name(tenant, name, to):
    with pytest.raises(ValidationError) as caught:
        workflow(tenant, body_template="Start: {" + name + "}", **to)
    assert "only be sent to staff" in caught.value.message_dict["body_template"][0]
    assert not Workflow.objects.exists()


@pytest.mark.parametrize("names", [NEW, OLD], ids=["new", "old"])
def test_a_stored_template_with_either_names_shows_the_meeting(
    smtp_server, tenant, zoom_service, staff, names
):
    url, password, host = ("{" + name + "}" for name in names)
    booking = book(zoom_service)
    Meeting.objects.create(
        tenant=tenant,
        appointment=booking.appointment,
        external_id="85746352411",
        join_url="https://zoom.test/j/85746352411?pwd=x",
        password="a1B2c3",
        state=Meeting.State.READY,
    )
    workflow(tenant, body_template=f"Join: {url}\nPassword: {password}")
    workflow(tenant, to_customer=False, to_staff=True, body_template=f"Start: {host}\nPassword: {password}")
    run_jobs()

    [to_customer] = smtp_server.to("carla@example.com")
    assert "Join: https://zoom.test/j/85746352411?pwd=x\nPassword: a1B2c3" in plain_text(to_customer)
    [to_staff] = smtp_server.to(staff.email)
    start = f"/panel/appointments/{booking.appointment_id}/start-meeting/"
    assert start in plain_text(to_staff) and "Password: a1B2c3" in plain_text(to_staff)
