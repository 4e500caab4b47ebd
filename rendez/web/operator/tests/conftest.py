"""Personas of the operator tests: Otto the platform superuser; Ada (alice's admin) and anonymous visitors
are turned away."""

from __future__ import annotations

import pytest
from django.test import Client

from rendez.scheduling.tests.conftest import alice, bob  # noqa: F401 - fixtures
from rendez.web.panel.tests.conftest import PASSWORD, ada, ada_client, clear_cache, fast_passwords  # noqa: F401


@pytest.fixture
def otto(db, django_user_model):
    return django_user_model.objects.create_superuser("otto", "otto@rendez.example", PASSWORD)


@pytest.fixture
def otto_client(otto) -> Client:
    client = Client()
    client.force_login(otto)
    return client
