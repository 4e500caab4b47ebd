"""The one writer of customers' own details (name, email, phone) once they exist.

Bookings create customers (`services.book`, which never changes a known customer's details); corrections made
by the tenant's staff in the panel come through here, so a customer stays one row per email within a tenant.
The reasons a customer gives when they move or cancel a booking are added to its notes here too.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction

from rendez.scheduling.models import Booking, Customer


@dataclass(frozen=True)
class CustomerError(Exception):
    field: str
    message: str


def update_customer(customer: Customer, *, name: str, email: str, phone: str) -> Customer:
    """Correct a customer's details; every past booking and future message shows the new ones."""
    name, email, phone = name.strip(), email.strip().lower(), phone.strip()
    if not name:
        raise CustomerError("name", "Give the customer's name.")
    clash = Customer.objects.filter(tenant_id=customer.tenant_id, email=email).exclude(pk=customer.pk)
    if clash.exists():
        raise CustomerError("email", f"Another customer already has the email {email}.")
    customer.name, customer.email, customer.phone = name, email, phone
    try:
        with transaction.atomic():
            customer.save(update_fields=["name", "email", "phone"])
    except IntegrityError:  # the same email taken in the meantime
        raise CustomerError("email", f"Another customer already has the email {email}.") from None
    return customer


# Longer than any reason a customer gives for a change; the notes are for staff to read at a glance.
NOTE_MAX = 500


def add_booking_note(booking: Booking, note: str) -> Booking:
    """Add a line to what staff read beside the booking (its notes): a customer's reason for a change.
    Appends under a row lock, so two notes written at once both stay."""
    note = note.strip()[:NOTE_MAX]
    if not note:
        return booking
    with transaction.atomic():
        current = Booking.objects.select_for_update().values_list("notes", flat=True).get(pk=booking.pk)
        booking.notes = f"{current.rstrip()}\n{note}".strip()
        Booking.objects.filter(pk=booking.pk).update(notes=booking.notes)
    return booking
