"""Per-staff OAuth end to end: the API starts a connect, a person consents at the emulator, the callback
stores the connection."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

from django.test import Client

from rendez.integrations.zoom.models import Connection, Mode, OAuthState
from rendez.jobs.models import Job
from rendez.scheduling.tests.factories import make_staff
from rendez.tests.integrations.zoom.fixtures import (
    JONAS,
    LEA,
    MARIA,
    MARIA_EMAIL,
    confirmer,
    connect,
    connect_staff,
    consent,
    finish,
    run_jobs,
    signed_in_browser,
    token_requests,
)

REVOKE_JOB = "zoom.revoke"


def _authorize_url(api, member) -> str:
    started = api.post(f"/staff/{member.pk}/zoom/connect")
    assert started.status_code == 200, started.content
    return started.json()["authorize_url"]


def test_a_staff_member_connects_their_own_zoom_account(api, zoom, maria):
    response = connect(api, zoom, f"/staff/{maria.pk}/zoom/connect", MARIA)

    assert response.status_code == 200
    assert "Your Zoom account has been connected" in response.content.decode()
    connection = Connection.objects.get(staff=maria)
    assert connection.mode == Mode.STAFF_OAUTH
    assert connection.status == Connection.Status.CONNECTED
    assert (connection.account_id, connection.zoom_user_id, connection.email) == (
        "demo-account",
        MARIA,
        MARIA_EMAIL,
    )
    assert "meeting:write:meeting" in connection.scopes.split()
    assert connection.access_token and connection.refresh_token


def test_the_staff_api_shows_who_the_member_hosts_as(api, zoom, maria):
    connect_staff(api, zoom, maria, MARIA)

    staff = api.get(f"/staff/{maria.pk}").json()

    assert staff["zoom"] == {
        "mode": "staff_oauth",
        "status": "connected",
        "zoom_user_id": MARIA,
        "email": MARIA_EMAIL,
    }


def test_the_authorize_url_asks_zoom_for_a_code_with_pkce(api, zoom, maria):
    url = urlsplit(_authorize_url(api, maria))
    query = parse_qs(url.query)

    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{zoom.base_url}/oauth/authorize"
    assert query["response_type"] == ["code"]
    assert query["code_challenge_method"] == ["S256"]
    assert query["redirect_uri"] == ["http://testserver/integrations/zoom/callback"]
    assert query["state"][0] and query["code_challenge"][0]


def test_the_code_exchange_sends_the_pkce_verifier_in_a_form_body(api, zoom, maria):
    connect_staff(api, zoom, maria, MARIA)

    (exchange,) = token_requests(zoom, "authorization_code")
    assert exchange["query"] == {}
    assert exchange["body"]["code_verifier"]
    assert exchange["headers"]["authorization"].startswith("Basic ")


def test_connecting_again_replaces_the_earlier_personal_connection(api, zoom, maria):
    first = connect_staff(api, zoom, maria, MARIA)

    second = connect_staff(api, zoom, maria, LEA)

    assert list(Connection.objects.filter(staff=maria).values_list("pk", "zoom_user_id")) == [
        (second.pk, LEA)
    ]
    assert not Connection.objects.filter(pk=first.pk).exists()


def test_replacing_a_connection_to_another_zoom_user_revokes_the_earlier_grant(api, zoom, maria):
    connect_staff(api, zoom, maria, MARIA)

    connect_staff(api, zoom, maria, LEA)

    assert Job.objects.filter(kind=REVOKE_JOB).count() == 1


def test_reconnecting_the_same_zoom_user_needs_no_revoke(api, zoom, maria):
    # Zoom already killed the earlier tokens when the same user authorized again.
    connect_staff(api, zoom, maria, MARIA)

    connect_staff(api, zoom, maria, MARIA)

    assert Connection.objects.filter(staff=maria).count() == 1
    assert not Job.objects.filter(kind=REVOKE_JOB).exists()


def test_a_denied_consent_ends_on_a_page_that_says_so_and_stores_nothing(api, zoom, maria):
    callback = consent(zoom, _authorize_url(api, maria), MARIA, decision="deny")

    response = Client().get(callback)

    page = response.content.decode()
    assert "Zoom was not connected" in page
    assert "You declined the authorization on Zoom" in page
    assert "start the connection once more" in page
    assert not Connection.objects.exists()
    assert not token_requests(zoom, "authorization_code")


def test_the_same_callback_replayed_is_refused_and_changes_nothing(api, zoom, maria):
    callback = consent(zoom, _authorize_url(api, maria), MARIA)
    browser = signed_in_browser(confirmer(maria.tenant))
    assert finish(browser, callback).status_code == 200
    stored = Connection.objects.get(staff=maria)

    replayed = browser.get(callback)

    assert replayed.status_code == 400
    assert "already used" in replayed.content.decode()
    assert list(Connection.objects.values_list("pk", "access_token_encrypted")) == [
        (stored.pk, stored.access_token_encrypted)
    ]
    assert len(token_requests(zoom, "authorization_code")) == 1


def test_a_code_zoom_refuses_ends_on_a_failure_page_and_stores_nothing(api, zoom, maria):
    callback = urlsplit(consent(zoom, _authorize_url(api, maria), MARIA))
    query = {key: values[0] for key, values in parse_qs(callback.query).items()}
    query["code"] = "not-a-code-zoom-issued"

    response = Client().get(f"{callback.path}?{urlencode(query)}")

    assert response.status_code == 400
    assert "Zoom refused the authorization" in response.content.decode()
    assert not Connection.objects.exists()
    assert not OAuthState.objects.exists()


def test_zoom_failing_during_the_code_exchange_stores_nothing(api, zoom, maria):
    callback = consent(zoom, _authorize_url(api, maria), MARIA)
    zoom.control.set_faults(paths=["/oauth/token"], error_rate=1.0, error_kind="503")

    response = Client().get(callback)

    assert response.status_code == 502
    assert "Zoom could not be reached" in response.content.decode()
    assert not Connection.objects.exists()


def test_a_callback_without_a_state_is_refused(zoom, maria):
    response = Client().get("/integrations/zoom/callback?code=abc")

    assert response.status_code == 400
    assert "did not start in Rendez" in response.content.decode()
    assert not Connection.objects.exists()


def test_connect_is_refused_for_another_tenants_staff_member(api, zoom, bob):
    frank = make_staff(bob, "Frank")

    response = api.post(f"/staff/{frank.pk}/zoom/connect")

    assert response.status_code == 404
    assert not OAuthState.objects.exists()


def test_connect_is_refused_for_a_staff_member_who_does_not_exist(api, zoom):
    response = api.post("/staff/999999/zoom/connect")

    assert response.status_code == 404
    assert not OAuthState.objects.exists()


def test_disconnecting_revokes_at_zoom_and_deletes_the_credentials(api, zoom, inbox, maria):
    token = connect_staff(api, zoom, maria, MARIA).access_token

    response = api.delete(f"/staff/{maria.pk}/zoom")

    assert response.status_code == 204
    assert not Connection.objects.exists()
    assert api.get(f"/staff/{maria.pk}").json()["zoom"] is None
    assert zoom.control.requests("POST", "/oauth/revoke") == []
    assert run_jobs() == 1
    (revoke,) = zoom.control.requests("POST", "/oauth/revoke")
    assert (revoke["status"], revoke["body"]) == (200, {"token": token})
    assert zoom.control.state()["grants"] == []


def test_zooms_event_about_our_own_revoke_changes_nothing(api, zoom, inbox, maria, jonas):
    connect_staff(api, zoom, maria, MARIA)
    other = connect_staff(api, zoom, jonas, JONAS)
    api.delete(f"/staff/{maria.pk}/zoom")
    run_jobs()
    assert zoom.control.wait_for_webhooks()

    assert inbox.replay(Client()).status_code in (200, 204)

    assert list(Connection.objects.values_list("pk", "status")) == [(other.pk, Connection.Status.CONNECTED)]
    assert not Job.objects.filter(kind="zoom.connection_notice").exists()


def test_disconnecting_a_staff_member_without_zoom_is_404(api, zoom, nina):
    response = api.delete(f"/staff/{nina.pk}/zoom")

    assert response.status_code == 404
    assert "has no Zoom connection" in response.json()["error"]["message"]
    assert not Job.objects.exists()
