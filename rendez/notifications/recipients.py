"""Who a workflow's message goes to for one booking, with the address fitting its channel and the zone they
see."""

from __future__ import annotations

from dataclasses import dataclass

from rendez.notifications.models import Channel, RecipientKind, Workflow
from rendez.scheduling.models import Booking
from rendez.tenants.people import admin_emails

PHONE_CHANNELS = frozenset({Channel.SMS, Channel.WHATSAPP})


@dataclass(frozen=True)
class Recipient:
    kind: str
    address: str  # empty: this person has no address for the channel (recorded as a skipped delivery)
    timezone: str


def recipients_for(workflow: Workflow, booking: Booking) -> list[Recipient]:
    """Customer, staff, admins, then fixed addresses; an address reached twice gets one message (the first
    kind's,
    so a customer who is also an admin never receives the staff-only host link)."""
    tenant_zone = booking.tenant.timezone
    found: list[Recipient] = []
    if workflow.to_customer:
        customer = booking.customer
        found.append(
            Recipient(
                RecipientKind.CUSTOMER,
                _address(workflow.channel, customer.email, customer.phone),
                customer.timezone or tenant_zone,
            )
        )
    if workflow.to_staff:
        staff = booking.appointment.staff
        found.append(
            Recipient(
                RecipientKind.STAFF, _address(workflow.channel, staff.email, staff.phone), staff.timezone
            )
        )
    if workflow.to_admins and workflow.channel == Channel.EMAIL:
        found.extend(
            Recipient(RecipientKind.ADMIN, email, tenant_zone) for email in admin_emails(booking.tenant_id)
        )
    found.extend(Recipient(RecipientKind.FIXED, address, tenant_zone) for address in workflow.fixed_addresses)
    unique: list[Recipient] = []
    seen: set[str] = set()
    for recipient in found:
        key = recipient.address.lower()
        if recipient.address and key in seen:
            continue
        seen.add(key)
        unique.append(recipient)
    return unique


def _address(channel: str, email: str, phone: str) -> str:
    if channel == Channel.EMAIL:
        return email
    if channel in PHONE_CHANNELS:
        return phone
    return ""
