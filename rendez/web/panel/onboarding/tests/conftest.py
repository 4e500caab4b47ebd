"""Personas of the checklist's tests: Nora is admin of a new business, "Nest"; the panel's personas (Olga,
admin of bob, the outsider; Dora, alice's staff member) come from rendez/web/panel/tests/fixtures.py."""

from __future__ import annotations

import pytest

from rendez.scheduling.tests.factories import make_tenant
from rendez.tenants.models import Membership, Tenant
from rendez.web.panel.tests.fixtures import member, signed_in


@pytest.fixture(autouse=True)
def _fast_passwords(fast_passwords) -> None:
    """Passwords hashed fast, as in the panel's tests."""


@pytest.fixture
def nest() -> Tenant:
    return make_tenant("nest", name="Nest", timezone="Europe/Berlin")


@pytest.fixture
def nora(nest, django_user_model):
    user = member(nest, "nora", Membership.Role.ADMIN, django_user_model, "nora@nest.example")
    user.first_name = "Nora Lind"
    user.save()
    return user


@pytest.fixture
def nora_client(nora, nest):
    return signed_in(nora, nest)
