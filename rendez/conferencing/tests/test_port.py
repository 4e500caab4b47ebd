"""The port's values and the provider registry: no database, no vendor."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from django.core.exceptions import ImproperlyConfigured

from rendez.conferencing.port import (
    HostRef,
    HostUnusable,
    MeetingChanges,
    MeetingGone,
    MeetingInfo,
    MeetingSpec,
    ProviderError,
    QuotaExhausted,
    get_provider,
    provider_names,
)

START = datetime(2026, 3, 3, 10, 0, tzinfo=UTC)


class FakeProvider:
    """Just enough of a provider for the registry to accept."""

    def create(self, host: HostRef, spec: MeetingSpec, *, attempt_started_at: datetime) -> MeetingInfo:
        raise NotImplementedError

    def update(self, host: HostRef, external_id: str, changes: MeetingChanges) -> None:
        raise NotImplementedError

    def delete(self, host: HostRef, external_id: str) -> None:
        raise NotImplementedError

    def get(self, host: HostRef, external_id: str) -> MeetingInfo:
        raise NotImplementedError

    def find(self, host: HostRef, spec: MeetingSpec, created_after: datetime) -> MeetingInfo | None:
        raise NotImplementedError

    def start_url(self, host: HostRef, external_id: str) -> str:
        raise NotImplementedError

    def integration(self, tenant):
        raise NotImplementedError

    def host_for(self, staff):
        raise NotImplementedError


class NotAProvider:
    def create(self) -> None:
        raise NotImplementedError


HERE = "rendez.conferencing.tests.test_port"


def test_a_registered_provider_is_found_by_name(settings) -> None:
    settings.CONFERENCING_PROVIDERS = {"fake": f"{HERE}.FakeProvider"}
    assert isinstance(get_provider("fake"), FakeProvider)
    assert provider_names() == ["fake"]


def test_an_unknown_provider_name_is_a_configuration_error(settings) -> None:
    settings.CONFERENCING_PROVIDERS = {"fake": f"{HERE}.FakeProvider"}
    with pytest.raises(ImproperlyConfigured, match=r"No meeting provider named 'teams'.*registers fake"):
        get_provider("teams")


def test_without_the_setting_no_provider_is_registered(settings) -> None:
    del settings.CONFERENCING_PROVIDERS
    assert provider_names() == []
    with pytest.raises(ImproperlyConfigured, match="registers none"):
        get_provider("zoom")


def test_a_path_that_does_not_import_is_a_configuration_error(settings) -> None:
    settings.CONFERENCING_PROVIDERS = {"zoom": "rendez.integrations.zoom.nowhere.ZoomProvider"}
    with pytest.raises(ImproperlyConfigured, match=r"CONFERENCING_PROVIDERS\['zoom'\].*cannot be imported"):
        get_provider("zoom")


def test_a_class_without_the_calls_of_the_port_is_a_configuration_error(settings) -> None:
    settings.CONFERENCING_PROVIDERS = {"half": f"{HERE}.NotAProvider"}
    with pytest.raises(ImproperlyConfigured, match="is not a MeetingProvider"):
        get_provider("half")


def test_a_spec_keeps_its_start_in_utc() -> None:
    berlin_noon = datetime(2026, 3, 3, 11, 0, tzinfo=timezone(timedelta(hours=1)))
    spec = MeetingSpec("Topic", "", berlin_noon, 30, "Europe/Berlin")
    assert spec.start == START
    assert spec.start.tzinfo is UTC


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"start": datetime(2026, 3, 3, 10, 0)}, "aware"),
        ({"timezone": "Mars/Olympus_Mons"}, "IANA"),
        ({"duration_minutes": 0}, "positive"),
        ({"settings": {"breakout_rooms": True}}, "unknown meeting options"),
    ],
)
def test_a_spec_refuses_what_no_provider_could_send(changes: dict, problem: str) -> None:
    values = {"topic": "Topic", "agenda": "", "start": START, "duration_minutes": 30, "timezone": "UTC"}
    with pytest.raises(ValueError, match=problem):
        MeetingSpec(**(values | changes))


def test_only_the_options_the_tenant_set_are_sent() -> None:
    spec = MeetingSpec(
        "Topic", "", START, 30, "UTC", settings={"waiting_room": False, "join_before_host": None}
    )
    assert spec.chosen_settings == {"waiting_room": False}


def test_changes_name_only_the_fields_they_set() -> None:
    assert MeetingChanges().is_empty
    assert MeetingChanges(duration_minutes=45, agenda="").changed == {"duration_minutes", "agenda"}


def test_errors_say_whether_a_retry_helps() -> None:
    assert not ProviderError("Zoom refused the topic.").retryable
    assert ProviderError("Zoom did not answer.", retryable=True, retry_after=2.0).retry_after == 2.0
    assert not MeetingGone("The meeting no longer exists on Zoom.").retryable
    assert not HostUnusable("Maria's Zoom connection was revoked: reconnect it.").retryable
    quota = QuotaExhausted("Maria's daily Zoom allowance is spent.", retry_after=3600.0)
    assert (quota.retryable, quota.retry_after) == (True, 3600.0)
    assert quota.reason == str(quota) == "Maria's daily Zoom allowance is spent."
