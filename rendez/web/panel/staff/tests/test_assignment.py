"""A staff member's weight, priority and caps for "any available", on their page, through the catalog."""

from __future__ import annotations

import pytest

from rendez.scheduling.models import Staff

pytestmark = pytest.mark.django_db

DETAILS = {"name": "Dora", "email": "", "timezone": "Europe/Berlin", "is_active": "on"}


def test_an_admin_sets_weight_priority_and_caps(ada_client, dora):
    page = ada_client.get(f"/panel/staff/{dora.pk}/").content.decode()
    assert "“Any available” bookings" in page and "Most sessions a day" in page
    settings = {
        "assignment_weight": "3",
        "assignment_priority": "-5",
        "max_assignments_per_day": "4",
        "max_assignments_per_week": "",
    }
    assert ada_client.post(f"/panel/staff/{dora.pk}/", {**DETAILS, **settings}).status_code == 302
    dora.refresh_from_db()
    assert (dora.assignment_weight, dora.assignment_priority) == (3, -5)
    assert (dora.max_assignments_per_day, dora.max_assignments_per_week) == (4, None)


def test_a_weight_out_of_range_is_refused_and_nothing_changes(ada_client, dora):
    response = ada_client.post(
        f"/panel/staff/{dora.pk}/", {**DETAILS, "name": "Renamed", "assignment_weight": "0"}
    )
    assert response.status_code == 400
    assert "Ensure this value is greater than or equal to 1" in response.content.decode()
    assert Staff.objects.get(pk=dora.pk).name == "Dora"


def test_an_outsider_cannot_set_them(olga_client, dora):
    response = olga_client.post(f"/panel/staff/{dora.pk}/", {**DETAILS, "assignment_weight": "50"})
    assert response.status_code == 404
    assert Staff.objects.get(pk=dora.pk).assignment_weight == 1
