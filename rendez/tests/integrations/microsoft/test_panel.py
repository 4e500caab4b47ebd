"""The staff page's Microsoft 365 card (Django client, Microsoft emulator over HTTP): connect from the panel,
calendars chosen from Graph's list, disconnect; and a dead grant: the staff member and the admins are told
(the same reminders as Zoom's and Google's) and the admin's dashboard names who must reconnect what."""

from __future__ import annotations

from urllib.parse import urlsplit

from rendez.calendars.models import CalendarConnection, CalendarConnectState
from rendez.jobs.models import Job
from rendez.tests.integrations.microsoft.world import MARIA, MARIA_ID, sync_now
from rendez.web.panel.tests.fixtures import signed_in


def admin_browser(alice_admin, alice):
    return signed_in(alice_admin, alice)


def calendar_ids(microsoft) -> dict[str, str]:
    return {c["name"]: c["id"] for c in microsoft.control.state()["calendars"] if c["owner_id"] == MARIA_ID}


def test_an_admin_starts_a_connect_from_the_staff_page(microsoft, alice, alice_admin, maria):
    browser = admin_browser(alice_admin, alice)
    page = browser.get(f"/panel/staff/{maria.pk}/").content.decode()
    assert 'data-testid="microsoft-calendar-section"' in page and "Connect Microsoft 365" in page

    started = browser.post(f"/panel/staff/{maria.pk}/calendars/microsoft/connect/")

    assert started.status_code == 302
    sent = urlsplit(started["Location"])
    assert f"{sent.scheme}://{sent.netloc}{sent.path}" == (
        f"{microsoft.login_base_url}/common/oauth2/v2.0/authorize"
    )
    [state] = CalendarConnectState.objects.all()
    assert state.provider == "microsoft" and state.started_by_id == alice_admin.pk
    assert state.staff_id == maria.pk and state.return_url == f"/panel/staff/{maria.pk}/"


def test_the_card_offers_graphs_calendars_and_saves_the_choice(
    microsoft, connected, alice, alice_admin, maria
):
    browser = admin_browser(alice_admin, alice)
    page = browser.get(f"/panel/staff/{maria.pk}/").content.decode()
    assert MARIA in page and "Disconnect Microsoft 365" in page
    assert microsoft.control.requests("GET", "/graph/v1.0/me/calendars")
    ids = calendar_ids(microsoft)
    assert all(f'value="{calendar_id}"' in page for calendar_id in ids.values())

    saved = browser.post(
        f"/panel/staff/{maria.pk}/calendars/microsoft/choose/",
        {"busy_calendar_ids": list(ids.values()), "write_calendar_id": ""},
    )

    assert saved.status_code == 302
    connected.refresh_from_db()
    assert sorted(connected.busy_calendar_ids) == sorted(ids.values()) and connected.write_calendar_id == ""
    assert Job.objects.filter(kind="calendars.microsoft.sync", finished_at__isnull=True).exists()

    assert browser.post(f"/panel/staff/{maria.pk}/calendars/microsoft/disconnect/").status_code == 302
    connected.refresh_from_db()
    assert connected.status == CalendarConnection.Status.DISCONNECTED
    assert "Connect Microsoft 365" in browser.get(f"/panel/staff/{maria.pk}/").content.decode()


def test_a_dead_grant_is_told_and_the_dashboard_names_who_must_reconnect(
    microsoft, connected, alice, alice_admin, maria, mailoutbox
):
    microsoft.control.revoke_grant(MARIA_ID)
    microsoft.control.expire_access_tokens()
    sync_now(connected)  # the sync finds the grant dead; the first notice runs in the same settle
    sync_now(connected)  # a second failing sync sends nothing more

    connected.refresh_from_db()
    assert connected.status == CalendarConnection.Status.NEEDS_RECONNECT
    (email,) = mailoutbox
    assert sorted(email.to) == sorted([maria.email, "admin@alice.example"])
    assert email.subject == f"Microsoft 365 needs reconnecting for {maria.name}"
    assert connected.broken_reason in email.body and "/calendars/microsoft/connect" in email.body
    [reminder] = Job.objects.filter(kind="calendars.microsoft.connection_notice", finished_at__isnull=True)
    assert reminder.payload["number"] == 1  # then after 1, 3 and 7 days, as Zoom's

    browser = admin_browser(alice_admin, alice)
    dashboard = browser.get("/panel/dashboard/").content.decode()
    notice = dashboard[dashboard.index(f'data-testid="calendar-reconnect-{connected.pk}"') :]
    notice = notice[: notice.index("</li>")]
    assert "Microsoft 365 needs reconnecting" in notice and f"{maria.name}'s calendar" in notice
    assert f'href="/panel/staff/{maria.pk}/#microsoft-calendar-title"' in notice
    card = browser.get(f"/panel/staff/{maria.pk}/").content.decode()
    assert 'data-testid="microsoft-reconnect"' in card
