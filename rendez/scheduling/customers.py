"""The one writer of customers' own details (name, email, phone) once they exist.

Bookings create customers (`services.book`, which never changes a known customer's details); corrections made
by the tenant's staff in the panel come through here, so a customer stays one row per email within a tenant.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction

from rendez.scheduling.models import Customer


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
