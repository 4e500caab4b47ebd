"""The Django admin names things as people say them (issue 15, item 7: "Zoom settingss", "Working hourss")."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def otto_client(django_user_model) -> Client:
    client = Client()
    client.force_login(django_user_model.objects.create_superuser("otto", "otto@rendez.example", "pw"))
    return client


def test_the_admin_index_says_no_doubled_plurals(otto_client):
    html = otto_client.get("/admin/").content.decode()
    assert "settingss" not in html.lower() and "offs<" not in html.lower()
    for label in ("Zoom settings", "Time off", "API keys", "Channel accounts"):
        assert f">{label}</a>" in html


def test_a_staff_members_hours_are_working_hours(otto_client, dora):  # noqa: F811
    html = otto_client.get(f"/admin/scheduling/staff/{dora.pk}/change/").content.decode()
    assert "Working hours" in html and "hourss" not in html.lower()
