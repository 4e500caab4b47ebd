"""Who a workflow's message goes to for one booking, with the address fitting its channel and the zone they
see."""

from __future__ import annotations

from dataclasses import dataclass

from rendez.notifications.models import Channel, EventSnapshot, RecipientKind, Workflow
from rendez.scheduling.models import Booking, Staff
from rendez.tenants.people import admin_emails

PHONE_CHANNELS = frozenset({Channel.SMS, Channel.WHATSAPP})


@dataclass(frozen=True)
class Recipient:
    kind: str
    address: str  # empty: this person has no address for the channel (recorded as a skipped delivery)
    timezone: str
    # The staff member the booking was just taken from (a reassignment).
    former_staff: bool = False


def recipients_for(
    workflow: Workflow, booking: Booking, snapshot: EventSnapshot | None = None
) -> list[Recipient]:
    """Customer, staff, admins, then fixed addresses; an address reached twice gets one message (the first
    kind's, so a customer who is also an admin never receives the staff-only host link).

    Staff as of the event `snapshot` (default: the booking's staff member now); after a reassignment both
    the new staff member and the former one hear about it."""
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
        found.extend(_staff(workflow, booking, snapshot))
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


def _staff(workflow: Workflow, booking: Booking, snapshot: EventSnapshot | None) -> list[Recipient]:
    current = snapshot.staff if snapshot is not None else booking.appointment.staff
    members: list[tuple[Staff, bool]] = [(current, False)] if current is not None else []
    if snapshot is not None and snapshot.reassigned and snapshot.previous_staff is not None:
        members.append((snapshot.previous_staff, True))
    return [
        Recipient(
            RecipientKind.STAFF,
            _address(workflow.channel, member.email, member.phone),
            member.timezone,
            former_staff=former,
        )
        for member, former in members
    ]


def staff_address(channel: str, staff: Staff) -> str:
    """Where a staff member gets messages of `channel`."""
    return _address(channel, staff.email, staff.phone)


def _address(channel: str, email: str, phone: str) -> str:
    if channel == Channel.EMAIL:
        return email
    if channel in PHONE_CHANNELS:
        return phone
    return ""
