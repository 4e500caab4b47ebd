"""Fixtures of the scheduling tests: two tenants, Dora's Berlin calendar, a one-to-one and a group service."""

from __future__ import annotations

import pytest

from rendez.scheduling.tests.factories import make_service, make_staff, make_tenant, utc

# A Monday morning in summer: 08:00 in Berlin, an hour before Dora starts work.
NOW = utc(2026, 6, 1, 6)


@pytest.fixture
def alice(db):
    return make_tenant("alice", name="Alice's Studio", timezone="Europe/Berlin")


@pytest.fixture
def bob(db):
    return make_tenant("bob", name="Bob's Clinic", timezone="America/New_York")


@pytest.fixture
def dora(alice):
    return make_staff(alice, "Dora")


@pytest.fixture
def consultation(alice, dora):
    """One-to-one, 30 minutes, with a Zoom meeting."""
    return make_service(alice, dora, name="Consultation", duration_minutes=30, zoom_enabled=True)


@pytest.fixture
def yoga(alice, dora):
    """A group class of five, an hour long."""
    return make_service(alice, dora, name="Yoga", duration_minutes=60, capacity=5, location_type="in_person")
