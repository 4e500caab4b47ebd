"""The people of the calendar connect tests, for every provider: Maria and Jonas with their own Rendez
accounts (staff of Alice's Studio, not admins) and an admin of another business (Bob's)."""

from __future__ import annotations

import pytest

from rendez.tenants.models import Membership


def _staff_account(member, django_user_model, username: str, password: str):
    user = django_user_model.objects.create_user(username, member.email, password)
    Membership.objects.create(user=user, tenant=member.tenant, role=Membership.Role.STAFF)
    member.user = user
    member.save(update_fields=["user"])
    return user


@pytest.fixture
def maria_user(maria, django_user_model):
    """Maria's own Rendez account: a staff member of Alice's Studio, not an admin."""
    return _staff_account(maria, django_user_model, "maria", "pw-maria")


@pytest.fixture
def jonas_user(jonas, django_user_model):
    """A colleague of Maria's without admin rights."""
    return _staff_account(jonas, django_user_model, "jonas", "pw-jonas")


@pytest.fixture
def bob_admin(bob, django_user_model):
    user = django_user_model.objects.create_user("bob-admin", "admin@bob.example", "pw-bob-admin")
    Membership.objects.create(user=user, tenant=bob, role=Membership.Role.ADMIN)
    return user
