"""The outbox's knobs: a Django setting wins, then the RENDEZ_JOBS_* variable, then the default."""

from __future__ import annotations

import pytest
from django.test import override_settings

from rendez.jobs import conf
from rendez.lib.env import ConfigurationError


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("RENDEZ_JOBS_RETENTION_DAYS", "RENDEZ_JOBS_TIME_LIMIT", "RENDEZ_JOBS_LISTEN"):
        monkeypatch.delenv(name, raising=False)
    assert (conf.retention_days(), conf.default_time_limit(), conf.listen_enabled()) == (30.0, 600.0, True)


def test_the_environment_tunes_a_worker_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RENDEZ_JOBS_RETENTION_DAYS", "7")
    monkeypatch.setenv("RENDEZ_JOBS_TIME_LIMIT", "0")
    monkeypatch.setenv("RENDEZ_JOBS_EXTRA_MODULES", "a.jobs, b.jobs")
    assert (conf.retention_days(), conf.default_time_limit()) == (7.0, 0.0)
    assert conf.extra_handler_modules() == ["a.jobs", "b.jobs"]


@override_settings(JOBS_RETENTION_DAYS=90, JOBS_LISTEN=False)
def test_a_django_setting_wins_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RENDEZ_JOBS_RETENTION_DAYS", "7")
    monkeypatch.setenv("RENDEZ_JOBS_LISTEN", "1")
    assert (conf.retention_days(), conf.listen_enabled()) == (90.0, False)


def test_a_value_that_is_no_number_names_its_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RENDEZ_JOBS_RETENTION_DAYS", "a month")
    with pytest.raises(ConfigurationError, match="RENDEZ_JOBS_RETENTION_DAYS must be a number"):
        conf.retention_days()
