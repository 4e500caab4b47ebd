"""Personas of the operator tests: Otto the platform superuser; Ada (alice's admin) and anonymous visitors
are turned away."""

from __future__ import annotations

import pytest
from django.test import Client

from rendez.web.panel.tests.fixtures import PASSWORD


@pytest.fixture(autouse=True)
def _panel_test_settings(fast_passwords, clear_cache) -> None:
    """As in the panel's tests: passwords hashed fast, the cache cleared around each test."""


@pytest.fixture
def otto(db, django_user_model):
    return django_user_model.objects.create_superuser("otto", "otto@rendez.example", PASSWORD)


@pytest.fixture
def otto_client(otto) -> Client:
    client = Client()
    client.force_login(otto)
    return client
