"""The operator's admin shows scheduling data but never writes it behind services.py and catalog.py."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("model", ["staff", "service", "appointment", "booking", "customer", "timeoff"])
def test_the_admin_lists_scheduling_data_but_offers_no_add(admin_client, model, dora, consultation):
    listing = admin_client.get(f"/admin/scheduling/{model}/")
    assert listing.status_code == 200
    assert admin_client.get(f"/admin/scheduling/{model}/add/").status_code == 403


def test_a_staff_member_cannot_be_changed_in_the_admin(admin_client, dora):
    page = admin_client.get(f"/admin/scheduling/staff/{dora.pk}/change/")
    assert page.status_code == 200  # shown read-only
    admin_client.post(f"/admin/scheduling/staff/{dora.pk}/change/", {"name": "Changed"})
    dora.refresh_from_db()
    assert dora.name == "Dora"
