"""The demo business that `make run` seeds: idempotent, so every start can run it again.

Two staff members with working hours, a one-to-one video service, a group video service of five seats, an
in-person service, a few customers and bookings, an admin login and an API key. Everything goes through the
writers a business's own pages use (`create_tenant`, the catalog, memberships, the booking writer), so the
demo gets nothing a new business would not: its messages are the starter messages, its services take the
defaults of any new service. The staff share their names and emails with the Zoom emulator's Demo Clinic
users, so `rendez serve` can connect them to it through the real OAuth flow (rendez/devserver/demo_zoom.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from rendez.integrations.zoom import tenant_settings
from rendez.integrations.zoom.models import ZoomSettings
from rendez.scheduling import catalog, questions, services
from rendez.scheduling.availability import Interval
from rendez.scheduling.calendars import find_slots
from rendez.scheduling.models import Booking, Service, ServiceQuestion, Staff
from rendez.tenants import operations, people
from rendez.tenants.models import ApiKey, Membership, Plan, Tenant

DEMO_PASSWORD = "rendez-demo"
WEEKDAY_HOURS = [(time(9, 0), time(12, 30)), (time(13, 30), time(17, 0))]
# Name, email, login: the emulator's Demo Clinic users (zoom_emulator/seeds/default.json) have the same.
STAFF = [
    ("Maria Koch", "maria.koch@demo-clinic.example", "maria"),
    ("Jonas Weber", "jonas.weber@demo-clinic.example", "jonas"),
]
# What earlier versions of the seed called them: a var/ database from then is updated, not duplicated.
FORMER_EMAILS = {
    "maria.koch@demo-clinic.example": "maria@demo-clinic.example",
    "jonas.weber@demo-clinic.example": "jonas@demo-clinic.example",
}
CUSTOMERS = [
    ("Ada Lovelace", "ada@example.com", "+4915112345678"),
    ("Grace Hopper", "grace@example.com", "+14155550123"),
    ("Alan Turing", "alan@example.com", ""),
]


@dataclass
class DemoResult:
    tenant: Tenant
    staff: list[Staff]
    api_key: str
    admin_username: str
    operator_username: str
    password: str
    bookings_created: int


def seed_demo(now: datetime | None = None) -> DemoResult:
    now = now or timezone.now()
    with transaction.atomic():
        plan = operations.save_plan(
            Plan.objects.filter(slug="pro").first(),
            slug="pro",
            name="Pro",
            capabilities=["zoom", "sms", "whatsapp", "telegram", "webhook"],
            limits={"staff": 50, "services": 100},
        )
        tenant = Tenant.objects.filter(slug="demo").first() or operations.create_tenant(
            slug="demo",
            name="Demo Clinic",
            timezone="Europe/Berlin",
            address="Torstraße 1, 10119 Berlin",
            plan=plan,
        )
        operator = _user("operator", "operator@rendez.localhost", superuser=True)
        admin = _user("admin", "admin@demo-clinic.example")
        _member(tenant, admin, Membership.Role.ADMIN)
        staff = [_staff(tenant, name, email, username) for name, email, username in STAFF]
        one_to_one, group, in_person = _services(tenant, staff)
        _ask_questions(one_to_one)
        api_key = _demo_api_key(tenant)
        _enable_zoom(tenant)
    created = 0
    if not Booking.objects.filter(tenant=tenant).exists():
        created = _book_examples(one_to_one, group, in_person, now)
    return DemoResult(tenant, staff, api_key, admin.username, operator.username, DEMO_PASSWORD, created)


def _user(username: str, email: str, superuser: bool = False):
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(
        username=username, defaults={"email": email, "is_staff": superuser, "is_superuser": superuser}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    return user


def _staff(tenant: Tenant, name: str, email: str, username: str) -> Staff:
    user = _user(username, email)
    if user.email == FORMER_EMAILS.get(email):
        user.email = email
        user.save(update_fields=["email"])
    _member(tenant, user, Membership.Role.STAFF)
    former = FORMER_EMAILS.get(email)
    earlier = Staff.objects.filter(tenant=tenant, email__in=[email, former] if former else [email]).first()
    if earlier is not None:
        if (earlier.email, earlier.name) != (email, name):
            catalog.update_staff(earlier, catalog.StaffChanges(name=name, email=email))
        return earlier
    hours = [
        catalog.WorkingInterval(weekday=day, start=start, end=end)
        for day in range(5)
        for start, end in WEEKDAY_HOURS
    ]
    member = catalog.create_staff(
        tenant, catalog.StaffDetails(name=name, email=email, timezone="Europe/Berlin"), working_hours=hours
    )
    return catalog.link_account(member, user)


def _member(tenant: Tenant, user, role: str) -> None:
    """Make `user` a member with `role` unless they are one already (an admin's later choice stays)."""
    if not Membership.objects.filter(tenant=tenant, user=user).exists():
        people.set_role(tenant.pk, user, role)


def _enable_zoom(tenant: Tenant) -> None:
    """Switch meetings on for a tenant that never chose; an admin who switched them off keeps that."""
    if not ZoomSettings.objects.filter(tenant=tenant).exists():
        tenant_settings.update(tenant, {"enabled": True})


def _services(tenant: Tenant, staff: list[Staff]) -> tuple[Service, Service, Service]:
    specs = [
        catalog.ServiceDetails(
            name="Video consultation", duration_minutes=30, buffer_after_minutes=10, video_provider="zoom"
        ),
        catalog.ServiceDetails(
            name="Group workshop (video)",
            duration_minutes=60,
            capacity=5,
            slot_interval_minutes=60,
            video_provider="zoom",
            series_allowed=True,  # a weekly class people book as a series (docs/series.md)
        ),
        catalog.ServiceDetails(
            name="In-person check-up", duration_minutes=45, location_type=Service.LocationType.IN_PERSON
        ),
    ]
    staff_ids = [member.pk for member in staff]
    made = [
        Service.objects.filter(tenant=tenant, name=spec.name).first()
        or catalog.create_service(tenant, spec, staff_ids=staff_ids)
        for spec in specs
    ]
    return made[0], made[1], made[2]


def _ask_questions(service: Service) -> None:
    """A booking question for the demo's video consultation, through the one writer; a service that ever had
    one is left as its admin made it (a retired question stays retired)."""
    if not ServiceQuestion.objects.filter(service=service).exists():
        questions.add_question(service, questions.QuestionDraft("What would you like to talk about?"))


def _demo_api_key(tenant: Tenant) -> str:
    """RENDEZ_DEMO_API_KEY when set; otherwise one generated once and kept in var/ for every start to show."""
    remembered = Path(settings.VAR_DIR) / "demo_api_key"
    raw = settings.DEMO_API_KEY or (remembered.read_text().strip() if remembered.exists() else "")
    if not raw:
        _, raw = ApiKey.issue(tenant, "Demo key")
        remembered.parent.mkdir(parents=True, exist_ok=True)
        remembered.write_text(raw)
        remembered.chmod(0o600)
        return raw
    if ApiKey.authenticate(raw) is None:
        # Known but revoked (someone tried revoking it in the demo): revive it, as re-issuing would collide.
        revived = ApiKey.objects.filter(tenant=tenant, prefix=raw[:12]).update(revoked_at=None)
        if not revived:
            ApiKey.issue(tenant, "Demo key", raw_key=raw)
    return raw


def _book_examples(one_to_one: Service, group: Service, in_person: Service, now: datetime) -> int:
    window = Interval(now + timedelta(days=1), now + timedelta(days=15))
    staff = list(one_to_one.staff.order_by("pk"))
    plans = [
        (one_to_one, staff[0], 0, CUSTOMERS[0], 1),
        (one_to_one, staff[1], 3, CUSTOMERS[1], 1),
        (group, staff[0], 5, CUSTOMERS[0], 1),
        (group, staff[0], 5, CUSTOMERS[2], 2),
        (in_person, staff[1], 8, CUSTOMERS[2], 1),
    ]
    created = 0
    for service, member, nth, (name, email, phone), party in plans:
        slots = find_slots(service, [member], window, now)
        if len(slots) <= nth:
            continue
        start = slots[nth][1].start
        customer = services.CustomerDetails(name=name, email=email, phone=phone, timezone="Europe/Berlin")
        services.book(
            service=service, staff=member, start=start, customer=customer, party_size=party, now=now
        )
        created += 1
    return created
