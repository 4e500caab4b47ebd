"""`rendez help`: every Rendez command with what it does, Django's by name, and the emulator's own help."""

from __future__ import annotations

import pytest

from rendez import cli

RENDEZ_COMMANDS = ["demo", "jobs", "reencrypt", "serve", "worker", "zoom-emulator"]


def rendez_section(output: str) -> str:
    return output.split("Rendez commands:", 1)[1].split("\n\n", 1)[0]


@pytest.mark.parametrize("argv", [["rendez"], ["rendez", "help"], ["rendez", "--help"]])
def test_help_lists_every_rendez_command_with_what_it_does(capsys, argv):
    cli.main(argv)

    output = capsys.readouterr().out
    lines = {line.split()[0]: line for line in rendez_section(output).strip().splitlines()}
    assert sorted(lines) == RENDEZ_COMMANDS
    assert "Run background jobs" in lines["worker"]
    assert "Zoom emulator" in lines["zoom-emulator"]


def test_help_still_names_djangos_commands(capsys):
    cli.main(["rendez", "help"])

    django_part = capsys.readouterr().out.split("Django's commands", 1)[1]
    for name in ("migrate", "check", "createsuperuser", "collectstatic"):
        assert name in django_part


def test_help_on_the_emulator_shows_its_options_without_django(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["rendez", "help", "zoom-emulator"])

    assert exit_info.value.code == 0
    assert "--state-file" in capsys.readouterr().out


def test_help_on_a_django_command_is_djangos(capsys):
    cli.main(["rendez", "help", "worker"])

    assert "--concurrency" in capsys.readouterr().out
