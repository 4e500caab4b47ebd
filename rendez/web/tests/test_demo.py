"""The demo seed: idempotent, keyed by email, and upgrading the demo staff of earlier versions in place."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from rendez.integrations.zoom import tenant_settings
from rendez.scheduling.models import Staff
from rendez.web.demo import seed_demo

pytestmark = pytest.mark.django_db

STAFF = [
    ("Jonas Weber", "jonas.weber@demo-clinic.example"),
    ("Maria Koch", "maria.koch@demo-clinic.example"),
]


@pytest.fixture(autouse=True)
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path  # the demo API key is kept there
    settings.DEMO_API_KEY = ""


def _staff() -> list[tuple[str, str]]:
    return sorted(Staff.objects.values_list("name", "email"))


def test_the_demo_staff_are_the_emulators_demo_clinic_users():
    seed_demo()
    seed_demo()

    assert _staff() == STAFF
    users = get_user_model().objects.filter(username__in=["maria", "jonas"])
    assert sorted(users.values_list("username", "email")) == [
        ("jonas", "jonas.weber@demo-clinic.example"),
        ("maria", "maria.koch@demo-clinic.example"),
    ]


def test_the_staff_of_an_earlier_demo_are_renamed_not_duplicated():
    seed_demo()
    # What the seed made before the demo staff matched the emulator's users.
    Staff.objects.filter(email="maria.koch@demo-clinic.example").update(
        name="Maria Keller", email="maria@demo-clinic.example"
    )
    Staff.objects.filter(email="jonas.weber@demo-clinic.example").update(email="jonas@demo-clinic.example")
    get_user_model().objects.filter(username="maria").update(email="maria@demo-clinic.example")
    kept = set(Staff.objects.values_list("pk", flat=True))

    seed_demo()

    assert _staff() == STAFF
    assert set(Staff.objects.values_list("pk", flat=True)) == kept
    assert get_user_model().objects.get(username="maria").email == "maria.koch@demo-clinic.example"


def test_the_demo_switches_zoom_on_unless_the_admin_switched_it_off():
    tenant = seed_demo().tenant
    assert tenant_settings.settings_of(tenant).enabled

    tenant_settings.update(tenant, {"enabled": False})
    seed_demo()

    assert not tenant_settings.settings_of(tenant).enabled


def test_the_demo_command_says_the_staff_connect_once_the_server_is_up(settings, capsys):
    settings.ZOOM_EMULATOR = True

    call_command("demo")

    out = capsys.readouterr().out
    assert "  Zoom staff:    Maria Koch: connects to the emulator as maria.koch@demo-clinic.example" in out
    assert "                 Jonas Weber: connects to the emulator as jonas.weber@demo-clinic.example" in out


def test_the_demo_gets_the_starter_messages_any_new_business_gets_and_no_more():
    from rendez.notifications.models import Workflow
    from rendez.tenants import operations

    demo = seed_demo().tenant
    seed_demo()
    carol = operations.create_tenant(slug="carol", name="Carol's Salon", timezone="UTC", plan=None)

    def messages_of(tenant):
        fields = ["default_key", "name", "trigger", "offset_minutes", "subject_template", "body_template"]
        return sorted(Workflow.objects.filter(tenant=tenant).values_list(*fields))

    assert messages_of(demo) == messages_of(carol)
    assert len(messages_of(demo)) == 8


def test_the_demo_is_set_up_by_the_writers_a_new_business_uses():
    """Its services are what the catalog makes of the same details for any business, its staff sign in
    through `link_account` (the staff page's log says so), and seeding again changes nothing."""
    from rendez.scheduling import catalog
    from rendez.scheduling.models import Service, StaffChange
    from rendez.tenants import operations

    demo = seed_demo().tenant
    seed_demo()
    carol = operations.create_tenant(slug="carol", name="Carol's Salon", timezone="UTC", plan=None)
    skip = {"id", "tenant"}

    def shape(service: Service) -> dict[str, object]:
        return {
            f.attname: getattr(service, f.attname)
            for f in Service._meta.concrete_fields
            if f.name not in skip
        }

    for service in Service.objects.filter(tenant=demo):
        same = catalog.create_service(
            carol,
            catalog.ServiceDetails(
                name=service.name,
                duration_minutes=service.duration_minutes,
                buffer_after_minutes=service.buffer_after_minutes,
                capacity=service.capacity,
                slot_interval_minutes=service.slot_interval_minutes,
                location_type=service.location_type,
                zoom_enabled=service.zoom_enabled,
                series_allowed=service.series_allowed,  # the demo's own choice for its workshop
            ),
        )
        assert shape(service) == shape(same)
    linked = StaffChange.objects.filter(staff__tenant=demo, kind=StaffChange.Kind.ACCOUNT_LINKED)
    assert sorted(change.staff.name for change in linked) == [name for name, _ in STAFF]


def test_the_demo_consultation_asks_one_question_and_a_retired_one_stays_retired():
    from rendez.scheduling.models import ServiceQuestion
    from rendez.scheduling.questions import active_questions, retire_question

    seed_demo()
    seed_demo()
    [question] = ServiceQuestion.objects.all()
    assert (question.service.name, question.label, question.required) == (
        "Video consultation",
        "What would you like to talk about?",
        False,
    )
    retire_question(question)
    seed_demo()
    assert active_questions(question.service) == [] and ServiceQuestion.objects.count() == 1
