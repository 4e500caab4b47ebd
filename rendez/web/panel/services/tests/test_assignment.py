"""The service form's "When the customer picks 'Any available'" choice, saved through the catalog writer."""

from __future__ import annotations

import pytest

from rendez.scheduling.models import Service
from rendez.web.panel.services.tests.test_services import FORM

pytestmark = pytest.mark.django_db


def test_an_admin_chooses_who_gets_any_available_bookings(ada_client, alice, dora):
    page = ada_client.get("/panel/services/new/").content.decode()
    assert "When the customer picks “Any available”" in page
    assert ada_client.post("/panel/services/new/", {**FORM, "assignment": "least_busy"}).status_code == 302
    service = Service.objects.get(tenant=alice)
    assert service.assignment == "least_busy"
    edit = ada_client.get(f"/panel/services/{service.pk}/").content.decode()
    assert '<option value="least_busy" selected>' in edit
    ada_client.post(f"/panel/services/{service.pk}/", {**FORM, "assignment": "first_free"})
    service.refresh_from_db()
    assert service.assignment == "first_free"


def test_an_unknown_policy_is_refused_and_nothing_changes(ada_client, consultation):
    response = ada_client.post(f"/panel/services/{consultation.pk}/", {**FORM, "assignment": "lottery"})
    assert response.status_code == 400 and "Select a valid choice" in response.content.decode()
    consultation.refresh_from_db()
    assert (consultation.assignment, consultation.name) == ("round_robin", "Consultation")


def test_staff_cannot_change_it(dora_client, consultation):
    response = dora_client.post(f"/panel/services/{consultation.pk}/", {**FORM, "assignment": "first_free"})
    assert response.status_code == 404
    consultation.refresh_from_db()
    assert consultation.assignment == "round_robin"
