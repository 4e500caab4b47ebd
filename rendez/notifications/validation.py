"""What makes a workflow acceptable. `Workflow.clean()` calls this, so ModelForms and the API (full_clean)
agree."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator

from rendez.lib import http, shortcodes
from rendez.lib.phones import InvalidPhone, normalize_phone

if TYPE_CHECKING:
    from rendez.notifications.models import Workflow

# Four weeks: enough for "a week before"; far beyond that, a reminder outlives the booking horizon anyway.
MAX_OFFSET_MINUTES = 28 * 24 * 60
TELEGRAM_CHAT = re.compile(r"^(-?\d{1,20}|@[A-Za-z][A-Za-z0-9_]{4,31})$")
AddError = Callable[[str, str], None]


def validate_workflow(workflow: Workflow) -> None:
    """Raise ValidationError (by field) for anything that would make the workflow fail or leak at send
    time."""
    errors = workflow_errors(workflow)
    if errors:
        raise ValidationError(errors)


def workflow_errors(workflow: Workflow) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    for field in ("subject_template", "body_template"):
        template = getattr(workflow, field)
        if unknown := shortcodes.unknown(template):
            names = ", ".join("{" + name + "}" for name in unknown)
            add(field, f"Unknown shortcode(s): {names}. Available: {available()}.")
    if workflow.channel == "email" and not workflow.subject_template.strip():
        add("subject_template", "Emails need a subject.")
    _check_recipients(workflow, add)
    _check_offset(workflow, add)
    return errors


def available() -> str:
    return ", ".join("{" + name + "}" for name in sorted(shortcodes.SHORTCODES))


def _check_recipients(workflow: Workflow, add: AddError) -> None:
    fixed = workflow.fixed_addresses
    if not (workflow.to_customer or workflow.to_staff or workflow.to_admins or fixed):
        add("fixed_recipients", "Choose at least one recipient.")
    host_only = shortcodes.uses_any(workflow.templates, shortcodes.HOST_ONLY_SHORTCODES)
    if host_only and (workflow.to_customer or fixed):
        add(
            "body_template",
            "{meeting_host_url} (or its older name {zoom_meeting_host_url}) starts the meeting as its host: "
            "it may only be sent to staff and tenant admins, "
            "not to customers or fixed addresses.",
        )
    if workflow.to_customer and shortcodes.uses_any(workflow.templates, shortcodes.NOT_FOR_CUSTOMERS):
        add(
            "body_template",
            "{change_reason} is the reason your team gave for a change: "
            "it may be sent to staff, tenant admins and fixed addresses, not to customers.",
        )
    channel = workflow.channel
    if channel in ("telegram", "webhook") and (
        workflow.to_customer or workflow.to_staff or workflow.to_admins
    ):
        add("fixed_recipients", f"{workflow.get_channel_display()} messages go to fixed addresses only.")
    if channel in ("sms", "whatsapp") and workflow.to_admins:
        add(
            "to_admins", "Tenant admins have no phone number on record; add their numbers as fixed addresses."
        )
    for address in fixed:
        if problem := address_problem(channel, address):
            add("fixed_recipients", problem)


def address_problem(channel: str, address: str) -> str | None:
    """Why `address` cannot receive `channel` messages, or None."""
    if channel == "email":
        try:
            EmailValidator()(address)
        except ValidationError:
            return f"{address!r} is not an email address."
    elif channel in ("sms", "whatsapp"):
        return _phone_problem(address)
    elif channel == "telegram":
        if not TELEGRAM_CHAT.match(address):
            return f"{address!r} is not a Telegram chat id (a number, or @channelname)."
    elif channel == "webhook":
        try:
            URLValidator(schemes=["http", "https"])(address)
        except ValidationError:
            return f"{address!r} is not an http(s) URL."
        return tenant_url_problem(address)
    return None


def tenant_url_problem(url: str) -> str | None:
    """Why Rendez would refuse to call `url`, a URL a tenant (or an operator for a tenant) typed in, known
    without a DNS lookup: the send-time check's own reason (`http.check_saved_url`), or None. Names that
    only resolve to a private address are still refused when sending."""
    try:
        http.check_saved_url(url)
    except http.BlockedAddressError as exc:
        return f"{url!r} cannot be used: {exc}."
    return None


def _check_offset(workflow: Workflow, add: AddError) -> None:
    if workflow.is_timed:
        if workflow.offset_minutes > MAX_OFFSET_MINUTES:
            add("offset_minutes", "Reminders can be at most 28 days before the start or after the end.")
    elif workflow.offset_minutes:
        add("offset_minutes", "An offset only applies to before_start and after_end workflows.")


def _phone_problem(address: str) -> str | None:
    """A fixed number is sent to as written, so it must be a valid number already in E.164 (the form in which
    customers' and staff numbers are stored)."""
    try:
        normalized = normalize_phone(address)
    except InvalidPhone:
        return f"{address!r} is not a phone number in international format (+4915112345678)."
    if normalized != address:
        return f"Write {address!r} as {normalized}: in international format, without spaces."
    return None
