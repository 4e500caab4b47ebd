"""The people of the connect tests (calendars of every provider, Zoom): Maria and Jonas with their own Rendez
accounts (staff of Alice's Studio, not admins) and an admin of another business (Bob's); and how such a
person's browser finishes a connect the API started."""

from __future__ import annotations

import pytest
from django.test import Client

from rendez.tenants.models import Membership


def browser_of(user) -> Client:
    """A browser signed in as `user` (the callbacks need a signed-in person)."""
    browser = Client()
    browser.force_login(user)
    return browser


def start_calendar_connect(api, staff, provider: str) -> str:
    """Start a connect through the API; the `authorize_url` to send a browser to."""
    response = api.post(f"/staff/{staff.pk}/calendars/{provider}/connect")
    assert response.status_code == 200, response.content
    return str(response.json()["authorize_url"])


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
