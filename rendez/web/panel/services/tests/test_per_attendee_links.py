"""The service option "Personal join links for each attendee" (`per_attendee_links`): on by default for new
group video services, in the API's service objects and the panel's service form, through the catalog
writer."""

from __future__ import annotations

import pytest

from rendez.scheduling.models import Service
from rendez.scheduling.tests.factories import make_service
from rendez.web.panel.services.tests.test_services import FORM, zoom_usable

pytestmark = pytest.mark.django_db

GROUP = {"name": "Group class", "duration_minutes": 60, "capacity": 8, "zoom_enabled": True}


def test_a_new_group_video_service_gives_personal_links_by_default(alice_api):
    body = alice_api.post("/services", GROUP).json()
    assert body["per_attendee_links"] is True
    one_to_one = alice_api.post("/services", {**GROUP, "name": "Coaching", "capacity": 1}).json()
    assert one_to_one["per_attendee_links"] is False
    in_person = alice_api.post("/services", {**GROUP, "name": "Yoga", "zoom_enabled": False}).json()
    assert in_person["per_attendee_links"] is False


def test_services_made_before_keep_the_shared_link_until_changed(alice, alice_api):
    older = make_service(alice, name="Older class", capacity=8, zoom_enabled=True)
    assert alice_api.get(f"/services/{older.pk}").json()["per_attendee_links"] is False
    changed = alice_api.patch(f"/services/{older.pk}", {"per_attendee_links": True})
    assert changed.status_code == 200 and changed.json()["per_attendee_links"] is True
    assert Service.objects.get(pk=older.pk).per_attendee_links is True


def test_the_option_is_chosen_explicitly_and_refuses_non_booleans(alice_api):
    chosen = alice_api.post("/services", {**GROUP, "per_attendee_links": False}).json()
    assert chosen["per_attendee_links"] is False
    refused = alice_api.patch(f"/services/{chosen['id']}", {"per_attendee_links": "yes"})
    assert refused.status_code == 422
    assert "per_attendee_links" in refused.json()["error"]["fields"]
    assert Service.objects.get(pk=chosen["id"]).per_attendee_links is False


def test_another_tenant_cannot_change_it(alice, bob_api):
    service = make_service(alice, name="Group class", capacity=8, zoom_enabled=True, per_attendee_links=True)
    assert bob_api.patch(f"/services/{service.pk}", {"per_attendee_links": False}).status_code == 404
    assert Service.objects.get(pk=service.pk).per_attendee_links is True


def test_the_panel_form_offers_it_checked_for_a_new_service_and_saves_it(ada_client, alice):
    zoom_usable(alice)
    page = ada_client.get("/panel/services/new/").content.decode()
    assert "Personal join links for each attendee" in page
    box = page.split('name="per_attendee_links"')[1].split(">")[0]
    assert "checked" in box
    data = {**FORM, "capacity": "6", "video_provider": "zoom"}  # the box left unticked
    assert ada_client.post("/panel/services/new/", data).status_code == 302
    service = Service.objects.get(tenant=alice, name=FORM["name"])
    assert service.per_attendee_links is False
    data["per_attendee_links"] = "on"
    assert ada_client.post(f"/panel/services/{service.pk}/", data).status_code == 302
    service.refresh_from_db()
    assert service.per_attendee_links is True
