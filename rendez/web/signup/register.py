"""Signing a business up: its owner's account, the tenant, the owner's admin membership and the sign-up
record, all in one transaction, so a refusal at any step leaves nothing behind."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction

from rendez.tenants import operations
from rendez.tenants.models import Membership, Plan
from rendez.web.models import SignUp

USERNAME_MAX = 150  # User.username


@dataclass(frozen=True)
class NewBusiness:
    name: str
    slug: str
    timezone: str
    plan: Plan | None
    owner_name: str
    email: str
    password: str


class SignUpRefused(Exception):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message, self.field = message, field


def register(business: NewBusiness) -> SignUp:
    """Create the business and its owner; `SignUpRefused` (naming the field) when it cannot be, with nothing
    saved. The owner is not verified yet: `verification.send_link` is the caller's next step."""
    try:
        with transaction.atomic():
            owner = get_user_model().objects.create_user(
                username=_username(business.email),
                email=business.email,
                password=business.password,
                first_name=business.owner_name,
            )
            tenant = operations.create_tenant(
                slug=business.slug, name=business.name, timezone=business.timezone, plan=business.plan
            )
            Membership.objects.create(user=owner, tenant=tenant, role=Membership.Role.ADMIN)
            return SignUp.objects.create(tenant=tenant, owner=owner, email=business.email)
    except operations.TenantError as error:
        raise SignUpRefused(error.message, error.field) from None
    except IntegrityError:
        # Another sign-up took the same address between the form's check and this insert.
        raise SignUpRefused(f"/book/{business.slug}/ was taken just now. Try another.", "slug") from None


def _username(email: str) -> str:
    """The email itself, which is what the owner types at sign-in; a made-up name when it does not fit or an
    older account (with another email) has it as its name."""
    users = get_user_model().objects
    candidate = email.lower()
    if len(candidate) <= USERNAME_MAX and not users.filter(username__iexact=candidate).exists():
        return candidate
    return f"owner-{secrets.token_hex(6)}"
