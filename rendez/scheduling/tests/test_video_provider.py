"""The service writer's video choices: `video_provider`, its fallback, and `zoom_enabled` as the older name
of `video_provider == "zoom"`. Whatever clients send, in any order, a stored service keeps the rules
(hypothesis), and a refused change leaves it as it was."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rendez.scheduling import catalog
from rendez.scheduling.catalog import KEEP, CatalogError, ServiceChanges, ServiceDetails
from rendez.scheduling.models import Service, VideoProvider

pytestmark = pytest.mark.django_db

PROVIDERS = [None, *VideoProvider.values]
changes = st.builds(
    ServiceChanges,
    video_provider=st.sampled_from([KEEP, *PROVIDERS]),
    fallback_video_provider=st.sampled_from([KEEP, *PROVIDERS]),
    zoom_enabled=st.sampled_from([KEEP, True, False]),
)


def keeps_the_rules(service: Service) -> None:
    assert service.zoom_enabled == (service.video_provider == VideoProvider.ZOOM)
    if service.fallback_video_provider is not None:
        assert service.video_provider is not None
        assert service.fallback_video_provider != service.video_provider


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(start=st.sampled_from(PROVIDERS), steps=st.lists(changes, max_size=6))
def test_any_sequence_of_changes_keeps_the_rules(alice, start, steps):
    service = catalog.create_service(
        alice, ServiceDetails(name="Call", duration_minutes=30, video_provider=start)
    )
    for step in steps:
        before = Service.objects.values("video_provider", "fallback_video_provider").get(pk=service.pk)
        try:
            service = catalog.update_service(service, step)
        except CatalogError as error:
            assert error.field in {"zoom_enabled", "fallback_video_provider"}
            assert (
                Service.objects.values("video_provider", "fallback_video_provider").get(pk=service.pk)
                == before
            )
            continue
        keeps_the_rules(Service.objects.get(pk=service.pk))
        if step.video_provider is not KEEP:
            assert service.video_provider == step.video_provider
        elif step.zoom_enabled is not KEEP:
            assert service.zoom_enabled is step.zoom_enabled


@pytest.mark.parametrize(
    ("zoom", "provider", "stored"),
    [
        (None, KEEP, None),
        (True, KEEP, "zoom"),
        (False, KEEP, None),
        (True, "zoom", "zoom"),
        (None, "teams", "teams"),
    ],
)
def test_a_new_service_takes_either_name(alice, zoom, provider, stored):
    details = ServiceDetails(name="Call", duration_minutes=30, zoom_enabled=zoom, video_provider=provider)
    assert catalog.create_service(alice, details).video_provider == stored


def test_a_group_service_on_zoom_gives_personal_links_unless_told_otherwise(alice):
    group = ServiceDetails(name="Class", duration_minutes=60, capacity=8, video_provider="zoom")
    meet = ServiceDetails(name="Meet class", duration_minutes=60, capacity=8, video_provider="google_meet")
    old = ServiceDetails(name="Old class", duration_minutes=60, capacity=8, zoom_enabled=True)
    made = [catalog.create_service(alice, details).per_attendee_links for details in (group, meet, old)]
    assert made == [True, False, True]


def test_the_model_property_reads_and_writes_the_provider(alice):
    service = Service(tenant=alice, name="Call", duration_minutes=30)
    service.zoom_enabled = True
    assert service.video_provider == "zoom"
    service.zoom_enabled = False
    assert service.video_provider is None
    service.video_provider = "teams"
    service.zoom_enabled = False
    assert service.video_provider == "teams"
