from __future__ import annotations

import html

from rendez.lib import shortcodes


def test_it_substitutes_known_shortcodes():
    assert shortcodes.render("Hi {customer_name}!", {"customer_name": "Carla"}) == "Hi Carla!"


def test_it_leaves_other_braces_alone():
    template = '{"name": "{customer_name}"} and { spaced } and {Upper}'
    assert shortcodes.render(template, {"customer_name": "C"}) == '{"name": "C"} and { spaced } and {Upper}'


def test_double_braces_are_a_literal_shortcode():
    assert shortcodes.render("Write {{customer_name}}", {"customer_name": "C"}) == "Write {customer_name}"
    assert shortcodes.used("Write {{customer_name}}") == set()


def test_it_keeps_names_it_has_no_value_for():
    assert shortcodes.render("{nope} {customer_name}", {"customer_name": "C"}) == "{nope} C"


def test_it_reports_unknown_shortcodes_sorted():
    assert shortcodes.unknown("{customer_name} {zoom_link} {custmer_name}") == ["custmer_name", "zoom_link"]
    assert shortcodes.unknown("{tenant_name} {tenant_address} {zoom_meeting_host_url}") == []


def test_it_escapes_values_not_the_template():
    rendered = shortcodes.render("<b>{customer_name}</b>", {"customer_name": "<script>"}, escape=html.escape)
    assert rendered == "<b>&lt;script&gt;</b>"


def test_it_drops_lines_whose_optional_value_is_empty():
    template = "Hello\nJoin: {zoom_meeting_url}\nPassword: {zoom_meeting_password}\nBye"
    values = {"zoom_meeting_url": "https://zoom.test/j/1", "zoom_meeting_password": ""}
    rendered = shortcodes.render(template, values, drop_empty_lines_of=shortcodes.MEETING_SHORTCODES)
    assert rendered == "Hello\nJoin: https://zoom.test/j/1\nBye"
