"""rendez.lib.env: typed readers, settings-or-environment knobs, secrets and owner-only files."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from rendez.lib import env


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize(
    ("raw", "expected"), [("1", True), ("yes", True), ("ON", True), ("0", False), ("off", False)]
)
def test_booleans_read_the_usual_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("RENDEZ_FLAG", raw)
    assert env.env_bool("RENDEZ_FLAG") is expected


def test_a_blank_boolean_is_the_default_as_when_unset(monkeypatch):
    """`.env.example` lists `RENDEZ_SSL_REDIRECT=`: copying it must not turn an on-by-default switch off."""
    monkeypatch.setenv("RENDEZ_FLAG", " ")
    assert env.env_bool("RENDEZ_FLAG", True) is True
    monkeypatch.delenv("RENDEZ_FLAG")
    assert env.env_bool("RENDEZ_FLAG", True) is True


@pytest.mark.parametrize(
    ("reader", "raw", "wording"),
    [
        (env.env_bool, "maybe", "RENDEZ_KNOB must be a boolean (1/0, true/false), got 'maybe'"),
        (env.env_int, "2.5", "RENDEZ_KNOB must be an integer, got '2.5'"),
        (env.env_float, "soon", "RENDEZ_KNOB must be a number, got 'soon'"),
    ],
)
def test_a_value_that_cannot_be_read_names_the_variable(monkeypatch, reader, raw, wording):
    monkeypatch.setenv("RENDEZ_KNOB", raw)
    with pytest.raises(ImproperlyConfigured) as refused:
        reader("RENDEZ_KNOB", 1)
    assert str(refused.value) == wording


def test_numbers_fall_back_to_the_default_when_unset_or_blank(monkeypatch):
    monkeypatch.delenv("RENDEZ_KNOB", raising=False)
    assert env.env_float("RENDEZ_KNOB", 1.5) == 1.5
    monkeypatch.setenv("RENDEZ_KNOB", " ")
    assert env.env_int("RENDEZ_KNOB", 3) == 3
    monkeypatch.setenv("RENDEZ_KNOB", "0.25")
    assert env.env_float("RENDEZ_KNOB", 1.5) == 0.25


def test_a_list_set_empty_is_empty_and_an_unset_one_is_the_default(monkeypatch):
    monkeypatch.delenv("RENDEZ_HOSTS", raising=False)
    assert env.env_list("RENDEZ_HOSTS", ["a"]) == ["a"]
    monkeypatch.setenv("RENDEZ_HOSTS", "")
    assert env.env_list("RENDEZ_HOSTS", ["a"]) == []
    monkeypatch.setenv("RENDEZ_HOSTS", " b, ,c ")
    assert env.env_list("RENDEZ_HOSTS", ["a"]) == ["b", "c"]


def test_a_django_setting_wins_over_the_environment_then_the_default(settings, monkeypatch):
    monkeypatch.setenv("RENDEZ_EXAMPLE_WAIT", "30")
    settings.EXAMPLE_WAIT = 5
    assert env.setting_or_env("EXAMPLE_WAIT", "RENDEZ_EXAMPLE_WAIT", env.env_float, 120.0) == 5
    settings.EXAMPLE_WAIT = ""
    assert env.setting_or_env("EXAMPLE_WAIT", "RENDEZ_EXAMPLE_WAIT", env.env_float, 120.0) == 30.0
    monkeypatch.delenv("RENDEZ_EXAMPLE_WAIT")
    assert env.setting_or_env("EXAMPLE_WAIT", "RENDEZ_EXAMPLE_WAIT", env.env_float, 120.0) == 120.0


# --- secrets ------------------------------------------------------------------------------------------------


def test_a_secret_from_the_environment_is_used_and_nothing_is_written(monkeypatch, tmp_path):
    monkeypatch.setenv("RENDEZ_SECRET_KEY", "from-the-environment")
    assert (
        env.secret("RENDEZ_SECRET_KEY", tmp_path / "secret_key", may_generate=False) == "from-the-environment"
    )
    assert not (tmp_path / "secret_key").exists()


def test_in_development_a_secret_is_generated_once_and_kept_owner_only(monkeypatch, tmp_path):
    monkeypatch.delenv("RENDEZ_SECRET_KEY", raising=False)
    kept = tmp_path / "var" / "secret_key"

    first = env.secret("RENDEZ_SECRET_KEY", kept)
    again = env.secret("RENDEZ_SECRET_KEY", kept)

    assert first == again and len(first) >= 50
    assert mode_of(kept) == 0o600


def test_in_production_a_missing_secret_stops_start_up_instead_of_being_generated(monkeypatch, tmp_path):
    monkeypatch.delenv("RENDEZ_ENCRYPTION_KEYS", raising=False)
    with pytest.raises(env.MissingSecretError) as refused:
        env.secret("RENDEZ_ENCRYPTION_KEYS", tmp_path / "encryption_key", may_generate=False)
    assert str(refused.value).startswith(
        "RENDEZ_ENCRYPTION_KEYS is not set. Rendez runs as a production install"
    )
    assert not (tmp_path / "encryption_key").exists()


def test_the_refusal_points_at_a_secret_an_earlier_development_start_generated(monkeypatch, tmp_path):
    monkeypatch.delenv("RENDEZ_ENCRYPTION_KEYS", raising=False)
    earlier = tmp_path / "encryption_key"
    env.write_private(earlier, "an-old-development-key")
    with pytest.raises(env.MissingSecretError) as refused:
        env.secret("RENDEZ_ENCRYPTION_KEYS", earlier, may_generate=False)
    assert f"An earlier start generated one in {earlier}" in str(refused.value)
    assert "an-old-development-key" not in str(refused.value)


# --- owner-only files ---------------------------------------------------------------------------------------


def test_a_world_readable_database_file_is_made_owner_only_and_kept(tmp_path):
    database = tmp_path / "rendez.sqlite3"
    database.write_bytes(b"SQLite format 3\x00")
    database.chmod(0o644)

    env.private_file(database)

    assert mode_of(database) == 0o600
    assert database.read_bytes() == b"SQLite format 3\x00"


def test_a_missing_file_is_created_empty_and_owner_only(tmp_path):
    created = env.private_file(tmp_path / "new" / "rendez.sqlite3")
    assert created.read_bytes() == b""
    assert mode_of(created) == 0o600
    assert mode_of(created.parent) == 0o700


def test_rendez_own_directories_are_made_owner_only(tmp_path):
    mail = tmp_path / "mail"
    mail.mkdir(mode=0o755)
    mail.chmod(0o755)
    env.private_dir(mail)
    assert mode_of(mail) == 0o700
