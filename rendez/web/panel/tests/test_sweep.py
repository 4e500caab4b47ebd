"""Every address of the panel, tried with the wrong session: another tenant's admin (Olga, admin of bob) and a
staff member of the same tenant (Dora) reaching for what is not hers (Emil's appointment, booking, Zoom
connection ...). And every address refusing a POST without its CSRF token.

The addresses come from the URL resolver (the `panel` namespace, included modules and all), so a page added
later is swept without anyone touching this file. Path parameters are filled from `ids_of_alice`, a map from
parameter name to one of alice's objects; a parameter missing from it fails the sweep, so that no page escapes
it by being unfillable.

What counts as refused:
- an address that names an object (it has path parameters): 403, 404, 405 (wrong method) or a redirect to
  sign-in, for GET and for POST;
- an address that names none (a list, a form for a new object, the viewer's own settings) is the viewer's own
  page: it may answer, but nothing of alice's may show in it (`canaries`);
- in every case, none of alice's rows has changed afterwards (`snapshot`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from rendez.conferencing.models import Meeting
from rendez.integrations.zoom.models import Connection, OAuthState, StaffMapping, ZoomSettings
from rendez.jobs.models import Job
from rendez.notifications.models import ChannelConfig, Delivery, Trigger, Workflow
from rendez.scheduling.models import (
    Appointment,
    Booking,
    Customer,
    Service,
    ServiceQuestion,
    Staff,
    TimeOff,
    WorkingHours,
)
from rendez.tenants.models import ApiKey, Membership, Tenant
from rendez.web.panel.tests.fixtures import make_meeting, signed_in

pytestmark = pytest.mark.django_db

NAMESPACE = "panel"

# Pages that serve anyone, whatever their session: they name nothing of a tenant's.
EXEMPT = {
    "panel:login": "the sign-in form",
    "panel:logout": "signing out ends whichever session asks",
    "panel:password_reset": "asking for a reset link by email address",
    "panel:password_reset_done": "'the link is on its way'",
    "panel:password_reset_confirm": "guarded by the signed token in the link, not by the session",
    "panel:password_reset_complete": "'your password is set'",
    "panel:switch": "lists the viewer's own memberships; choosing another tenant is checked against them",
}
REFUSED = {403, 404, 405}
JOIN_URL = "https://zoom.example/j/90001?pwd=emil-secret"


@dataclass(frozen=True)
class Route:
    name: str  # "panel:calendar_week"
    params: tuple[str, ...]


def panel_routes() -> list[Route]:
    return list(_walk(get_resolver().url_patterns, (), ()))


def _walk(entries: Iterable, namespaces: tuple[str, ...], params: tuple[str, ...]) -> Iterator[Route]:
    for entry in entries:
        names = params + tuple(entry.pattern.regex.groupindex)
        if isinstance(entry, URLResolver):
            inner = namespaces + ((entry.namespace,) if entry.namespace else ())
            yield from _walk(entry.url_patterns, inner, names)
        elif isinstance(entry, URLPattern) and namespaces[:1] == (NAMESPACE,):
            assert entry.name, f"{entry.pattern} in the panel has no name: name it so it can be swept"
            yield Route(":".join((*namespaces, entry.name)), names)


def url_of(route: Route, ids: dict[str, object]) -> str:
    missing = [p for p in route.params if p not in ids]
    assert not missing, (
        f"{route.name} takes {missing}: extend `ids_of_alice` in {__name__} with one of alice's objects "
        "for it, so the sweep can try the page"
    )
    return reverse(route.name, kwargs={p: ids[p] for p in route.params})


def _rows(queryset) -> list[dict]:
    return list(queryset.order_by("pk").values())


def snapshot(tenant: Tenant, viewer: Staff | None = None) -> dict[str, list[dict]]:
    """Every row of the tenant's that a panel page could write, and all jobs (they hold no tenant column).

    Zoom connects the viewer starts for herself (her own "Connect Zoom") are hers to start, so left out."""
    of_tenant = {
        "appointments": Appointment,
        "bookings": Booking,
        "customers": Customer,
        "meetings": Meeting,
        "services": Service,
        "staff": Staff,
        "zoom connections": Connection,
        "zoom connect attempts": OAuthState,
        "zoom settings": ZoomSettings,
        "workflows": Workflow,
        "deliveries": Delivery,
        "channel configs": ChannelConfig,
        "api keys": ApiKey,
        "memberships": Membership,
    }
    rows = {label: _rows(model._default_manager.filter(tenant=tenant)) for label, model in of_tenant.items()}
    if viewer is not None:
        rows["zoom connect attempts"] = _rows(OAuthState.objects.filter(tenant=tenant).exclude(staff=viewer))
    rows["tenant"] = _rows(Tenant.objects.filter(pk=tenant.pk))
    rows["services' staff"] = _rows(Service.staff.through.objects.filter(service__tenant=tenant))
    rows["working hours"] = _rows(WorkingHours.objects.filter(staff__tenant=tenant))
    rows["time off"] = _rows(TimeOff.objects.filter(staff__tenant=tenant))
    rows["booking questions"] = _rows(ServiceQuestion.objects.filter(service__tenant=tenant))
    rows["zoom mappings"] = _rows(StaffMapping.objects.filter(connection__tenant=tenant))
    rows["jobs"] = _rows(Job.objects.all())
    return rows


@pytest.fixture
def ids_of_alice(alice, dora_user, emil, emils_appointment, doras_appointment) -> dict[str, object]:
    """One of alice's objects per path parameter, none of them Dora's own (she is swept too)."""
    make_meeting(emils_appointment, external_id="90001", join_url=JOIN_URL, password="emil-pass")
    connection = Connection.objects.create(tenant=alice, mode="tenant_oauth", email="owner@zoom.example")
    StaffMapping.objects.create(
        connection=connection, staff=emil, zoom_user_id="zu-emil", email="emil@zoom.example"
    )
    booking = emils_appointment.bookings.get()
    now = timezone.now()
    time_off = TimeOff.objects.create(staff=emil, start=now + timedelta(days=3), end=now + timedelta(days=4))
    workflow = Workflow.objects.create(tenant=alice, name="Canary reminder", trigger=Trigger.values[0])
    key, _ = ApiKey.issue(alice, "canary key")
    job = Job.objects.create(kind="canary", key=f"appointment:{emils_appointment.pk}", run_after=now)
    question = ServiceQuestion.objects.create(service=emils_appointment.service, label="Canary question")
    return {
        "appointment_id": emils_appointment.pk,
        "booking_id": booking.pk,
        "customer_id": booking.customer_id,
        "meeting_id": emils_appointment.meeting.pk,
        "service_id": emils_appointment.service_id,
        "staff_id": emil.pk,
        "time_off_id": time_off.pk,
        "question_id": question.pk,
        "connection_id": connection.pk,
        "mapping_id": connection.mappings.get().pk,
        "workflow_id": workflow.pk,
        "api_key_id": key.pk,
        "key_id": key.pk,
        "job_id": job.pk,
        "provider": "microsoft",  # a staff member's calendar card (connect, choose, disconnect)
        # Password reset links: well-formed, and wrong.
        "uidb64": "MQ",
        "token": "set-password",
    }


# What must not show in a page the viewer may open: Emil's customer, his meeting, alice's Zoom account.
CANARIES = (
    "Grace",
    JOIN_URL,
    "emil-pass",
    "owner@zoom.example",
    "emil@zoom.example",
    "Canary reminder",
    "Canary question",
)


def _sweep(
    session: Callable[[], Client], ids: dict[str, object], tenant: Tenant, viewer: Staff | None = None
) -> list[str]:
    """Each request from a fresh `session()`: one page (signing out, switching tenant) must not change what
    the next is tried with."""
    before = snapshot(tenant, viewer)
    wrong = []
    for route in panel_routes():
        url = url_of(route, ids)
        for method in ("get", "post"):
            response = getattr(session(), method)(url)
            if not _refused(route, response):
                wrong.append(f"{method.upper()} {url} ({route.name}) answered {response.status_code}")
    changed = [label for label, rows in snapshot(tenant, viewer).items() if rows != before[label]]
    return wrong + [f"alice's {label} changed" for label in changed]


def _refused(route: Route, response) -> bool:
    if response.status_code in REFUSED:
        return True
    if response.status_code == 302 and response.url.startswith(reverse("panel:login")):
        return True
    if route.params and route.name not in EXEMPT:
        return False
    body = response.content.decode(errors="replace")
    return response.status_code < 500 and not any(canary in body for canary in CANARIES)


def test_the_sweep_covers_the_pages_named_in_the_issue():
    names = {route.name for route in panel_routes()}
    assert {"panel:appointment", "panel:cancel", "panel:calendar_week", "panel:dashboard"} <= names


def test_another_tenants_admin_reaches_nothing_of_alices(ids_of_alice, alice, olga, bob):
    assert _sweep(lambda: signed_in(olga, bob), ids_of_alice, alice) == []


def test_a_staff_member_reaches_nothing_of_another_staff_members(ids_of_alice, alice, dora, dora_user):
    assert _sweep(lambda: signed_in(dora_user, alice), ids_of_alice, alice, viewer=dora) == []


def test_signed_out_visitors_reach_nothing_but_the_exempt_pages(ids_of_alice, alice):
    assert _sweep(Client, ids_of_alice, alice) == []


def test_every_post_without_a_csrf_token_is_refused(ids_of_alice, alice, ada):
    before = snapshot(alice)
    accepted = []
    for route in panel_routes():
        url = url_of(route, ids_of_alice)
        response = signed_in(ada, alice, enforce_csrf_checks=True).post(
            url, {"status": "cancelled", "name": "Changed"}
        )
        if response.status_code != 403 or b"CSRF" not in response.content:
            accepted.append(f"POST {url} ({route.name}) answered {response.status_code}")
    assert accepted == []
    assert snapshot(alice) == before
