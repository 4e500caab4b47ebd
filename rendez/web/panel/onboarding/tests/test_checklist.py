"""The dashboard's onboarding checklist: each step follows the data, whoever made it; it stays until every
step is done and is put away only then. Nora is admin of a new business, "Nest"; Olga (admin of bob) is the
outsider; Dora is alice's staff member."""

from __future__ import annotations

from datetime import time, timedelta
from xml.etree import ElementTree

import pytest
from django.utils import timezone

from rendez.integrations.zoom import tenant_settings
from rendez.integrations.zoom.models import Connection, Mode
from rendez.scheduling.models import Service, Staff
from rendez.scheduling.tests.factories import book, make_service, make_staff, set_hours
from rendez.tenants.models import Plan, Tenant
from rendez.web.models import ChecklistDismissal
from rendez.web.panel.onboarding.checklist import checklist_for

pytestmark = pytest.mark.django_db


def done(tenant: Tenant) -> dict[str, bool]:
    return {step.key: step.done for step in checklist_for(tenant).steps}


def test_a_new_business_sees_every_step_to_do(nora_client, nest):
    body = nora_client.get("/panel/dashboard/").content.decode()

    assert "Get ready to take bookings" in body and "0 of 7 done" in body
    assert "Add me as a staff member" in body
    assert 'href="/panel/settings/"' in body
    assert "Put the checklist away" not in body


def test_each_step_is_done_when_its_data_exists(nest):
    steps = ["profile", "staff", "hours", "service", "zoom_connect", "zoom_on", "share"]
    assert done(nest) == dict.fromkeys(steps, False)

    Tenant.objects.filter(pk=nest.pk).update(address="Torstraße 1, Berlin")
    nest.refresh_from_db()
    member = Staff.objects.create(tenant=nest, name="Emil", timezone="Europe/Berlin")
    assert done(nest) == {**dict.fromkeys(steps, False), "profile": True, "staff": True}

    set_hours(member, [0, 1, 2, 3, 4], [(time(9), time(17))])
    video = make_service(nest, member, name="Video call", location_type=Service.LocationType.VIDEO)
    Connection.objects.create(tenant=nest, staff=member, mode=Mode.STAFF_OAUTH, zoom_user_id="z-emil")
    assert [key for key, ok in done(nest).items() if not ok] == ["zoom_on", "share"]

    tenant_settings.update(nest, {"enabled": True})
    assert done(nest)["zoom_on"] is False  # the video service still has Zoom off
    Service.objects.filter(pk=video.pk).update(video_provider="zoom")
    assert done(nest)["zoom_on"] is True

    today = timezone.now().astimezone(member.zone)
    monday = (today + timedelta(days=14 - today.weekday())).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    book(video, member, monday, now=timezone.now())
    assert all(done(nest).values())


def test_a_broken_zoom_connection_does_not_count(nest):
    member = make_staff(nest, "Emil")
    Connection.objects.create(
        tenant=nest, staff=member, mode=Mode.STAFF_OAUTH, status=Connection.Status.NEEDS_RECONNECT
    )

    assert done(nest)["zoom_connect"] is False


def test_an_in_person_business_is_not_asked_to_connect_zoom(nest):
    make_service(nest, make_staff(nest), name="Massage", location_type=Service.LocationType.IN_PERSON)

    steps = {step.key: step for step in checklist_for(nest).steps}

    assert steps["zoom_connect"].done and steps["zoom_on"].done
    assert "none of your services is a video meeting" in steps["zoom_connect"].hint


def test_a_plan_without_zoom_has_no_zoom_steps(nest):
    Tenant.objects.filter(pk=nest.pk).update(plan=Plan.objects.create(slug="basic", name="Basic"))
    nest.refresh_from_db()

    assert "zoom_connect" not in done(nest) and "zoom_on" not in done(nest)


def test_the_checklist_costs_a_bounded_number_of_queries(nest, django_assert_max_num_queries):
    member = make_staff(nest)
    for number in range(5):
        make_service(nest, member, name=f"Service {number}")

    with django_assert_max_num_queries(9):
        checklist_for(nest)


def test_the_owner_adds_themselves_as_a_staff_member_once(nora_client, nora, nest):
    response = nora_client.post("/panel/onboarding/add-me/")

    me = Staff.objects.get(tenant=nest)
    assert (me.name, me.email, me.user, me.timezone) == (
        "Nora Lind",
        "nora@nest.example",
        nora,
        "Europe/Berlin",
    )
    assert response["Location"] == f"/panel/staff/{me.pk}/"
    assert done(nest)["staff"] is True
    again = nora_client.post("/panel/onboarding/add-me/", follow=True)
    assert Staff.objects.filter(tenant=nest).count() == 1
    assert "You are a staff member already." in again.content.decode()
    assert "Add me as a staff member" not in nora_client.get("/panel/dashboard/").content.decode()


def test_an_outsider_adding_themselves_touches_only_their_own_business(olga_client, olga, bob, nest):
    olga_client.post("/panel/onboarding/add-me/")

    assert not Staff.objects.filter(tenant=nest).exists()
    assert Staff.objects.get(user=olga).tenant == bob


def test_staff_members_have_no_checklist_actions(dora_client, alice):
    staff_before = Staff.objects.filter(tenant=alice).count()

    assert dora_client.post("/panel/onboarding/add-me/").status_code == 404
    assert dora_client.post("/panel/onboarding/dismiss/").status_code == 404
    assert dora_client.get("/panel/onboarding/qr.svg").status_code == 404
    assert Staff.objects.filter(tenant=alice).count() == staff_before
    assert not ChecklistDismissal.objects.exists()


def test_the_checklist_cannot_be_put_away_before_every_step_is_done(nora_client, nest):
    response = nora_client.post("/panel/onboarding/dismiss/", follow=True)

    assert "stays until every step is done" in response.content.decode()
    assert not ChecklistDismissal.objects.exists()
    assert "Get ready to take bookings" in response.content.decode()


def test_a_finished_checklist_is_put_away_for_the_business_only(nora_client, nest, olga_client, monkeypatch):
    from rendez.web.panel.onboarding import views
    from rendez.web.panel.onboarding.checklist import Checklist, Step

    finished = Checklist((Step("staff", "Add your first staff member", True, ""),), dismissed=False)
    monkeypatch.setattr(views, "checklist_for", lambda tenant: finished)
    assert "Put the checklist away" not in olga_client.get("/panel/dashboard/").content.decode()

    nora_client.post("/panel/onboarding/dismiss/")

    assert ChecklistDismissal.objects.get().tenant == nest
    assert checklist_for(nest).dismissed
    assert "Get ready to take bookings" in olga_client.get("/panel/dashboard/").content.decode()


def test_the_dashboard_shares_the_booking_page_as_link_qr_code_and_snippet(nora_client, nest):
    body = nora_client.get("/panel/dashboard/").content.decode()

    assert 'value="http://127.0.0.1:8000/book/nest/"' in body
    assert '<svg viewBox="0 0' in body and "QR code of http://127.0.0.1:8000/book/nest/" in body
    # The framed variant (docs/embed.md), and the script that sizes it, escaped once more to show as text.
    assert "&lt;iframe data-rendez-embed src=&quot;http://127.0.0.1:8000/book/nest/embed/&quot;" in body
    assert "&lt;script src=&quot;http://127.0.0.1:8000/static/web/embed.js&quot; async&gt;" in body
    assert 'data-copy="embed-snippet"' in body and "customers book without leaving your site" in body
    assert 'data-copy="booking-url"' in body and "/static/web/copy.js" in body


def test_the_qr_code_downloads_as_an_svg_file(nora_client):
    response = nora_client.get("/panel/onboarding/qr.svg")

    assert response["Content-Type"] == "image/svg+xml"
    assert response["Content-Disposition"] == 'attachment; filename="booking-page-nest.svg"'
    root = ElementTree.fromstring(response.content)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"


def test_the_embed_snippet_escapes_the_business_name(nest):
    from rendez.web.panel.onboarding.sharing import embed_snippet

    Tenant.objects.filter(pk=nest.pk).update(name='Nest "&" <Co>')
    nest.refresh_from_db()

    assert 'title="Book with Nest &quot;&amp;&quot; &lt;Co&gt;"' in embed_snippet(nest)
    Tenant.objects.filter(pk=nest.pk).update(name="Nora's Studio")
    nest.refresh_from_db()
    assert 'title="Book with Nora\'s Studio"' in embed_snippet(nest)  # as the owner will paste it
