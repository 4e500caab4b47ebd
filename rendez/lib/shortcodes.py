"""Shortcodes: `{name}` placeholders in message templates, filled from a mapping.

Pure: no ORM, no settings. The caller builds the values (see `rendez.notifications.context`) and this module
only
finds, checks and substitutes placeholders. A placeholder is `{` + a lowercase identifier + `}`; any other
brace
(JSON in a webhook body, `{ }`) is left alone, and `{{name}}` is the escape for a literal `{name}`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping

# The shortcodes every template may use. Keep in step with docs/notifications.md.
SHORTCODES: frozenset[str] = frozenset(
    {
        "customer_name",
        "customer_email",
        "customer_phone",
        "service_name",
        "staff_name",
        "appointment_date",
        "appointment_start_time",
        "appointment_end_time",
        "appointment_timezone",
        "booking_status",
        "booking_manage_url",
        "booking_answers",
        "meeting_url",
        "meeting_password",
        "meeting_host_url",
        "tenant_name",
        "tenant_address",
        "change_reason",
        "changed_by",
    }
)
# Older names, from when every meeting was Zoom's: templates stored with them keep working (the same value,
# the same rules), but pages and starter messages offer the new names only.
ALIASES: dict[str, str] = {
    "zoom_meeting_url": "meeting_url",
    "zoom_meeting_password": "meeting_password",
    "zoom_meeting_host_url": "meeting_host_url",
}
# Every name a template may use: the shortcodes and their aliases.
ACCEPTED: frozenset[str] = SHORTCODES | ALIASES.keys()
# Shortcodes whose value comes from the appointment's video meeting: a message using them waits for it.
MEETING_SHORTCODES: frozenset[str] = frozenset(
    {"meeting_url", "meeting_password", "meeting_host_url", *ALIASES}
)
# Shortcodes that may be empty: a line using one is left out when it is (a password-less meeting, a booking
# of a service without questions).
OPTIONAL_SHORTCODES: frozenset[str] = MEETING_SHORTCODES | {"booking_answers"}
# The host's start link: for staff only, never for customers or outside addresses.
HOST_ONLY_SHORTCODES: frozenset[str] = frozenset({"meeting_host_url", "zoom_meeting_host_url"})
# The change a message is about: the reason given in the confirm step and who made it. Empty outside event
# messages (a reminder is about no change). The reason is the business's own note: never for customers.
CHANGE_SHORTCODES: frozenset[str] = frozenset({"change_reason", "changed_by"})
NOT_FOR_CUSTOMERS: frozenset[str] = frozenset({"change_reason"})

_PLACEHOLDER = re.compile(r"\{\{([a-z_][a-z0-9_]*)\}\}|\{([a-z_][a-z0-9_]*)\}")


def used(template: str) -> set[str]:
    """The shortcodes a template uses (escaped `{{name}}` does not count)."""
    return {match.group(2) for match in _PLACEHOLDER.finditer(template) if match.group(2)}


def with_aliases(values: Mapping[str, str]) -> dict[str, str]:
    """`values` plus each alias of a shortcode in it, with the same value."""
    return {**values, **{old: values[new] for old, new in ALIASES.items() if new in values}}


def unknown(template: str, known: Iterable[str] = ACCEPTED) -> list[str]:
    """Shortcodes in `template` that are not in `known`, sorted: what a form should report."""
    return sorted(used(template) - set(known))


def uses_any(templates: Iterable[str], names: Iterable[str]) -> bool:
    wanted = set(names)
    return any(used(template) & wanted for template in templates)


def render(
    template: str,
    values: Mapping[str, str],
    escape: Callable[[str], str] | None = None,
    drop_empty_lines_of: Iterable[str] = (),
) -> str:
    """Replace each `{name}` with `values[name]` (passed through `escape`, e.g. HTML escaping, when given).

    Names missing from `values` stay as written, so a typo that slipped past validation shows up in the
    message
    instead of vanishing silently. `{{name}}` becomes the literal `{name}`. A line using one of
    `drop_empty_lines_of` whose value is empty is left out entirely ("Meeting password: " with no password).
    """
    optional = set(drop_empty_lines_of)
    if optional:
        template = "".join(
            line
            for line in template.splitlines(keepends=True)
            if not any(not values.get(name, "") for name in used(line) & optional)
        )

    def substitute(match: re.Match[str]) -> str:
        if match.group(1):
            return "{" + match.group(1) + "}"
        name = match.group(2)
        if name not in values:
            return match.group(0)
        value = str(values[name])
        return escape(value) if escape else value

    return _PLACEHOLDER.sub(substitute, template)
