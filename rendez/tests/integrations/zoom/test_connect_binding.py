"""Connecting Zoom is bound to the person: a grant is stored only when a signed-in person of the tenant
confirms it in the browser that came back from Zoom; one Zoom user is connected in one place of the
installation; two staff members never host on one Zoom user.

Personas: Alice's Studio (admin `alice_admin`, staff Maria with her own Rendez account, Jonas, Nina), Bob's
Clinic as the outsider (its admin `bob_admin`, its staff Fiona). Zoom users of the emulator: MARIA and JONAS
(Demo Clinic), AISHA (another account), connected nowhere unless a test connects them.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from rendez.integrations.zoom import confirmations, places
from rendez.integrations.zoom.client import ZoomClient
from rendez.integrations.zoom.models import Connection, Mode, PendingConnect, StaffMapping
from rendez.integrations.zoom.schemas import Me, TokenGrant
from rendez.jobs.models import Job
from rendez.lib import vault
from rendez.scheduling.tests.factories import make_staff
from rendez.tests.integrations.zoom.fixtures import (
    AISHA,
    CLIENT_ID,
    JONAS,
    LEA,
    MARIA,
    MARIA_EMAIL,
    confirmer,
    connect_staff,
    connect_tenant,
    consent,
    finish,
    run_jobs,
    signed_in_browser,
)

OTHER_BUSINESS = (
    "This Zoom account is already connected to another business on this Rendez; disconnect it there first"
)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def fiona(bob):
    return make_staff(bob, "Fiona")


def _authorize_url(api, path: str) -> str:
    started = api.post(path)
    assert started.status_code == 200, started.content
    return started.json()["authorize_url"]


def _text(response) -> str:
    return response.content.decode()


def _works(connection: Connection) -> bool:
    """The stored connection still acts at Zoom (its tokens were not killed)."""
    fresh = Connection.objects.get(pk=connection.pk)
    return fresh.is_usable and ZoomClient(fresh).get_model("/users/me", Me).id == connection.zoom_user_id


def _revoked_tokens(zoom) -> list[str]:
    return [entry["body"]["token"] for entry in zoom.control.requests("POST", "/oauth/revoke")]


def _meeting_calls(zoom) -> list[dict]:
    return [entry for entry in zoom.control.requests() if "/meetings" in entry["path"]]


def _held_access_token(pending: PendingConnect) -> str:
    return TokenGrant.model_validate_json(vault.decrypt(pending.grant_encrypted)).access_token


# --- the attack of issue 14: a connect link opened by somebody else ---------------------------------------


def test_another_business_cannot_take_over_a_zoom_user_through_a_forwarded_link(
    api, outsider_api, zoom, alice, bob, maria, fiona
):
    theirs = connect_staff(api, zoom, maria, MARIA)
    link = _authorize_url(outsider_api, f"/staff/{fiona.pk}/zoom/connect")
    zoom.control.clear_requests()

    # Maria approves Bob's link in a browser without any Rendez session.
    response = Client().get(consent(zoom, link, MARIA))

    assert response.status_code == 400
    assert OTHER_BUSINESS in _text(response)
    assert "Alice" not in _text(response)
    assert not Connection.objects.filter(tenant=bob).exists()
    assert not PendingConnect.objects.exists()
    assert list(Connection.objects.values_list("pk", "status")) == [(theirs.pk, Connection.Status.CONNECTED)]
    assert _works(theirs), "Alice's connection took the fresh tokens Zoom issued and kept working"
    assert _revoked_tokens(zoom) == []
    assert _meeting_calls(zoom) == []
    assert not Job.objects.filter(kind="zoom.revoke").exists()


def test_a_callback_in_a_browser_without_a_session_stores_nothing_and_asks_to_sign_in(
    outsider_api, zoom, bob, fiona
):
    link = _authorize_url(outsider_api, f"/staff/{fiona.pk}/zoom/connect")
    browser = Client()

    landed = browser.get(consent(zoom, link, AISHA))
    asked = browser.get(landed["Location"])

    assert landed.status_code == 302 and landed["Location"].startswith("/integrations/zoom/confirm/")
    assert asked.status_code == 302
    assert asked["Location"].startswith("/login/?next=/integrations/zoom/confirm/")
    assert not Connection.objects.exists()
    assert PendingConnect.objects.get().zoom_user_id == AISHA
    assert _meeting_calls(zoom) == []


def test_the_tenant_connection_of_another_business_is_refused_and_stays_usable(
    api, outsider_api, zoom, alice, bob, fiona
):
    theirs = connect_tenant(api, zoom, alice, MARIA)
    browser = signed_in_browser(confirmer(bob))

    response = finish(
        browser, consent(zoom, _authorize_url(outsider_api, "/integrations/zoom/connect"), MARIA)
    )

    assert response.status_code == 400 and OTHER_BUSINESS in _text(response)
    assert not Connection.objects.filter(tenant=bob).exists()
    stored = Connection.objects.get(pk=theirs.pk)
    assert (stored.status, stored.zoom_user_id, stored.mode) == (
        Connection.Status.CONNECTED,
        MARIA,
        Mode.TENANT_OAUTH,
    )
    assert _works(theirs)
    assert _revoked_tokens(zoom) == []


# --- confirming ---------------------------------------------------------------------------------------------


def test_the_question_names_the_zoom_user_the_staff_member_and_the_business(api, zoom, maria, alice_admin):
    browser = signed_in_browser(alice_admin)
    landed = browser.get(consent(zoom, _authorize_url(api, f"/staff/{maria.pk}/zoom/connect"), MARIA))

    question = browser.get(landed["Location"])

    assert question.status_code == 200
    assert f"Connect Zoom user {MARIA_EMAIL} to Maria Koch at Alice&#x27;s Studio?" in _text(question)
    assert "no-store" in question["Cache-Control"]
    assert not Connection.objects.exists(), "asking stores nothing"


def test_an_api_started_connect_is_finished_by_a_signed_in_admin(api, zoom, maria, alice_admin):
    browser = signed_in_browser(alice_admin)

    done = finish(browser, consent(zoom, _authorize_url(api, f"/staff/{maria.pk}/zoom/connect"), MARIA))

    assert done.status_code == 200 and "Your Zoom account has been connected" in _text(done)
    connection = Connection.objects.get(staff=maria)
    assert (connection.zoom_user_id, connection.status) == (MARIA, Connection.Status.CONNECTED)
    assert not PendingConnect.objects.exists()
    assert _works(connection)


def test_the_staff_member_signs_in_after_the_callback_and_confirms(api, zoom, maria, maria_user):
    browser = Client()
    landed = browser.get(consent(zoom, _authorize_url(api, f"/staff/{maria.pk}/zoom/connect"), MARIA))
    to_login = browser.get(landed["Location"])
    next_url = landed["Location"]

    signed_in = browser.post(
        to_login["Location"], {"identifier": "maria", "password": "pw-maria", "next": next_url}
    )
    assert signed_in.status_code == 302 and signed_in["Location"] == next_url
    done = browser.post(next_url, {"decision": "connect"})

    assert done.status_code == 200 and "Your Zoom account has been connected" in _text(done)
    assert Connection.objects.get(staff=maria).zoom_user_id == MARIA


def test_the_person_who_started_it_in_the_panel_confirms_in_the_same_browser(zoom, maria, maria_user, alice):
    browser = signed_in_browser(maria_user)
    session = browser.session
    session["panel_tenant_id"] = alice.pk
    session.save()
    started = browser.post("/panel/staff/me/zoom/connect/")

    done = finish(browser, consent(zoom, started["Location"], MARIA))

    assert done.status_code == 200 and 'href="/panel/staff/me/"' in _text(done)
    assert Connection.objects.get(staff=maria).zoom_user_id == MARIA


def test_a_forwarded_confirmation_address_does_not_work_in_another_browser(api, zoom, maria, alice_admin):
    landed = Client().get(consent(zoom, _authorize_url(api, f"/staff/{maria.pk}/zoom/connect"), MARIA))

    elsewhere = signed_in_browser(alice_admin)
    shown = elsewhere.get(landed["Location"])
    posted = elsewhere.post(landed["Location"], {"decision": "connect"})

    assert (shown.status_code, posted.status_code) == (404, 404)
    assert not Connection.objects.exists()


def test_confirming_needs_the_csrf_token(api, zoom, maria, alice_admin):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(alice_admin)
    landed = browser.get(consent(zoom, _authorize_url(api, f"/staff/{maria.pk}/zoom/connect"), MARIA))

    forged = browser.post(landed["Location"], {"decision": "connect"})

    assert forged.status_code == 403
    assert not Connection.objects.exists()
    page = browser.get(landed["Location"])
    token = page.context["csrf_token"]
    done = browser.post(landed["Location"], {"decision": "connect", "csrfmiddlewaretoken": str(token)})
    assert done.status_code == 200 and Connection.objects.filter(staff=maria).exists()


def test_a_confirmation_works_once(api, zoom, maria, alice_admin):
    browser = signed_in_browser(alice_admin)
    landed = browser.get(consent(zoom, _authorize_url(api, f"/staff/{maria.pk}/zoom/connect"), MARIA))
    assert browser.post(landed["Location"], {"decision": "connect"}).status_code == 200
    stored = Connection.objects.get(staff=maria)

    again = browser.post(landed["Location"], {"decision": "connect"})

    assert again.status_code == 404
    assert list(Connection.objects.values_list("pk", flat=True)) == [stored.pk]


def test_declining_stores_nothing_and_revokes_the_grant(api, zoom, maria, alice_admin):
    browser = signed_in_browser(alice_admin)
    landed = browser.get(consent(zoom, _authorize_url(api, f"/staff/{maria.pk}/zoom/connect"), MARIA))
    held = _held_access_token(PendingConnect.objects.get())

    response = browser.post(landed["Location"], {"decision": "cancel"})

    assert response.status_code == 200 and "nothing was connected" in _text(response)
    assert not Connection.objects.exists() and not PendingConnect.objects.exists()
    run_jobs()
    assert _revoked_tokens(zoom) == [held]


def test_a_tenant_connect_is_confirmed_as_the_business_account(api, zoom, alice, alice_admin, maria, jonas):
    browser = signed_in_browser(alice_admin)
    landed = browser.get(consent(zoom, _authorize_url(api, "/integrations/zoom/connect"), MARIA))

    question = browser.get(landed["Location"])
    done = browser.post(landed["Location"], {"decision": "connect"})

    assert f"Connect Zoom user {MARIA_EMAIL} as the business Zoom account of Alice&#x27;s Studio?" in _text(
        question
    )
    assert done.status_code == 200
    assert Connection.objects.get(tenant=alice, staff__isnull=True).zoom_user_id == MARIA
    assert set(StaffMapping.objects.values_list("zoom_user_id", flat=True)) == {MARIA, JONAS}


def test_a_staff_member_cannot_confirm_the_business_account(api, zoom, alice, maria_user):
    browser = signed_in_browser(maria_user)
    landed = browser.get(consent(zoom, _authorize_url(api, "/integrations/zoom/connect"), MARIA))

    assert browser.get(landed["Location"]).status_code == 404
    assert not Connection.objects.exists()


# --- grants nobody confirms ---------------------------------------------------------------------------------


def _make_pending_due() -> None:
    past = timezone.now() - timedelta(seconds=1)
    PendingConnect.objects.update(expires_at=past)
    Job.objects.filter(kind=confirmations.EXPIRE_JOB).update(run_after=past)


def test_an_unconfirmed_grant_is_revoked_when_it_expires(outsider_api, zoom, bob, fiona):
    Client().get(consent(zoom, _authorize_url(outsider_api, f"/staff/{fiona.pk}/zoom/connect"), AISHA))
    pending = PendingConnect.objects.get()
    held = _held_access_token(pending)
    job = Job.objects.get(kind=confirmations.EXPIRE_JOB)
    assert job.run_after == pending.expires_at
    assert pending.expires_at >= timezone.now() + confirmations.PENDING_LIFETIME - timedelta(minutes=1)
    assert run_jobs() == 0, "not before it expires"

    _make_pending_due()
    run_jobs()
    run_jobs()

    assert not PendingConnect.objects.exists() and not Connection.objects.exists()
    (revoke,) = zoom.control.requests("POST", "/oauth/revoke")
    assert (revoke["status"], revoke["body"]) == (200, {"token": held})
    assert [CLIENT_ID, AISHA] not in zoom.control.state()["grants"]


def test_an_expired_confirmation_page_stores_nothing(api, zoom, maria, alice_admin):
    browser = signed_in_browser(alice_admin)
    landed = browser.get(consent(zoom, _authorize_url(api, f"/staff/{maria.pk}/zoom/connect"), MARIA))
    _make_pending_due()

    response = browser.post(landed["Location"], {"decision": "connect"})

    assert response.status_code == 404
    assert not Connection.objects.exists()


def test_a_confirmed_grant_is_not_revoked_later(api, zoom, maria):
    connection = connect_staff(api, zoom, maria, MARIA)

    _make_pending_due()
    run_jobs()

    assert _revoked_tokens(zoom) == []
    assert _works(connection)


# --- one Zoom user, one place -------------------------------------------------------------------------------


def test_reconnecting_the_same_zoom_user_to_the_same_place_is_allowed(api, zoom, maria):
    first = connect_staff(api, zoom, maria, MARIA)

    again = connect_staff(api, zoom, maria, MARIA)

    assert again.zoom_user_id == MARIA and not Connection.objects.filter(pk=first.pk).exists()
    assert _works(again)


def test_moving_a_zoom_user_to_another_staff_member_is_refused_until_disconnected(api, zoom, maria, jonas):
    hers = connect_staff(api, zoom, maria, MARIA)
    browser = signed_in_browser(confirmer(maria.tenant))

    response = finish(browser, consent(zoom, _authorize_url(api, f"/staff/{jonas.pk}/zoom/connect"), MARIA))

    assert response.status_code == 400
    assert "already connected for Maria Koch; disconnect it from Maria Koch first" in _text(response)
    assert not Connection.objects.filter(staff=jonas).exists()
    assert _works(hers)

    assert api.delete(f"/staff/{maria.pk}/zoom").status_code == 204
    assert connect_staff(api, zoom, jonas, MARIA).zoom_user_id == MARIA


def test_a_zoom_user_connected_in_another_business_is_refused_when_confirming_too(
    api, outsider_api, zoom, alice, bob, maria, fiona
):
    """The rule is asked again at confirmation: the Zoom user may have been connected elsewhere since."""
    browser = signed_in_browser(confirmer(bob))
    landed = browser.get(
        consent(zoom, _authorize_url(outsider_api, f"/staff/{fiona.pk}/zoom/connect"), MARIA)
    )
    theirs = connect_staff(api, zoom, maria, MARIA)

    response = browser.post(landed["Location"], {"decision": "connect"})

    assert response.status_code == 400 and OTHER_BUSINESS in _text(response)
    assert not Connection.objects.filter(tenant=bob).exists()
    assert _works(theirs)


def test_the_business_account_user_cannot_also_be_a_personal_connection(api, zoom, alice, maria, nina):
    business = connect_tenant(api, zoom, alice, MARIA)
    browser = signed_in_browser(confirmer(alice))

    response = finish(browser, consent(zoom, _authorize_url(api, f"/staff/{nina.pk}/zoom/connect"), MARIA))

    assert response.status_code == 400
    assert "already connected as the business Zoom account of Alice" in _text(response)
    assert not Connection.objects.filter(staff=nina).exists()
    assert _works(business)


def test_the_database_refuses_two_working_connections_of_one_zoom_user(alice, bob, maria, fiona):
    from django.db import IntegrityError, transaction

    Connection.objects.create(tenant=alice, staff=maria, mode=Mode.STAFF_OAUTH, zoom_user_id=MARIA)
    with pytest.raises(IntegrityError), transaction.atomic():
        Connection.objects.create(tenant=bob, staff=fiona, mode=Mode.STAFF_OAUTH, zoom_user_id=MARIA)
    broken = Connection.objects.create(
        tenant=bob, staff=fiona, mode=Mode.STAFF_OAUTH, zoom_user_id=MARIA, status="needs_reconnect"
    )
    assert broken.pk


# --- two staff members never host on one Zoom user ----------------------------------------------------------


def test_mapping_a_second_staff_member_to_a_mapped_zoom_user_is_refused(api, zoom, alice, maria, nina):
    connect_tenant(api, zoom, alice)
    zoom.control.clear_requests()

    response = api.put(f"/staff/{nina.pk}/zoom", {"zoom_user_id": MARIA})

    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "zoom_user_hosts_for_another"
    assert f"{MARIA_EMAIL} already hosts meetings for Maria Koch" in error["message"]
    assert "one meeting at a time" in error["message"]
    assert dict(StaffMapping.objects.values_list("staff_id", "zoom_user_id")) == {maria.pk: MARIA}
    assert _meeting_calls(zoom) == []


def test_mapping_to_a_zoom_user_connected_personally_by_another_staff_member_is_refused(
    api, zoom, alice, jonas, nina
):
    connect_tenant(api, zoom, alice)
    connect_staff(api, zoom, jonas, LEA)

    response = api.put(f"/staff/{nina.pk}/zoom", {"zoom_user_id": LEA})

    assert response.status_code == 409
    assert "already hosts meetings for Jonas Weber" in response.json()["error"]["message"]
    assert not StaffMapping.objects.filter(staff=nina).exists()


def test_remapping_the_same_staff_member_to_their_own_zoom_user_is_allowed(api, zoom, alice, maria):
    connect_tenant(api, zoom, alice)

    assert api.put(f"/staff/{maria.pk}/zoom", {"zoom_user_id": MARIA}).status_code == 200


def test_automatic_mapping_skips_a_zoom_user_who_hosts_for_someone_else(api, zoom, alice, jonas):
    lea = make_staff(alice, "Lea")
    lea.email = "lea.schmitt@demo-clinic.example"
    lea.save(update_fields=["email"])
    connect_staff(api, zoom, jonas, LEA)

    connect_tenant(api, zoom, alice)

    assert not StaffMapping.objects.filter(staff=lea).exists()
    assert StaffMapping.objects.get(staff=jonas).zoom_user_id == JONAS


def test_a_personal_connect_of_a_zoom_user_mapped_to_someone_else_is_refused(api, zoom, alice, jonas, nina):
    business = connect_tenant(api, zoom, alice)
    browser = signed_in_browser(confirmer(alice))

    response = finish(browser, consent(zoom, _authorize_url(api, f"/staff/{nina.pk}/zoom/connect"), JONAS))

    assert response.status_code == 400
    assert "already hosts meetings for Jonas Weber" in _text(response)
    assert not Connection.objects.filter(staff=nina).exists()
    run_jobs()
    assert len(_revoked_tokens(zoom)) == 1, "Jonas had no grant of his own: the new one is revoked"
    assert _works(business)


def test_the_panel_dropdown_shows_why_a_mapping_is_refused(api, zoom, alice, maria, nina, alice_admin):
    connect_tenant(api, zoom, alice)
    browser = signed_in_browser(alice_admin)
    session = browser.session
    session["panel_tenant_id"] = alice.pk
    session.save()

    response = browser.post(f"/panel/staff/{nina.pk}/zoom/map/", {"zoom_user_id": MARIA})

    assert response.status_code == 400
    assert "already hosts meetings for Maria Koch" in _text(response)
    assert not StaffMapping.objects.filter(staff=nina).exists()


def test_a_refusal_about_another_business_never_names_it(alice, bob, maria, fiona):
    Connection.objects.create(tenant=alice, staff=maria, mode=Mode.STAFF_OAUTH, zoom_user_id=MARIA)

    refusal = places.connect_refusal(places.Place(bob, fiona, Mode.STAFF_OAUTH), MARIA)

    assert refusal == places.OTHER_BUSINESS
    assert "Alice" not in refusal and "Maria" not in refusal
