"""The `rendez` command: manage.py with Rendez's own commands (serve, worker, demo, zoom-emulator, ...).

`rendez help` (or `rendez` alone) lists Rendez's commands first, each with what it does, then Django's by
name; `rendez help <command>` shows a command's options.
"""

from __future__ import annotations

import os
import sys
import textwrap

HELP_ARGUMENTS = ("help", "--help", "-h")
# Not a Django command: the emulator must start without Django or a database.
ZOOM_EMULATOR = "zoom-emulator"
ZOOM_EMULATOR_SUMMARY = "Serve the Zoom emulator on its own port (needs no settings and no database)."


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rendez.settings")
    if args[1:2] == [ZOOM_EMULATOR]:
        run_zoom_emulator(args[2:])
    elif args[1:] == ["help", ZOOM_EMULATOR]:
        run_zoom_emulator(["--help"])
    elif len(args) == 1 or (len(args) == 2 and args[1] in HELP_ARGUMENTS):
        print_overview(args[0])
    else:
        exit_on_incomplete_configuration()
        from django.core.management import execute_from_command_line

        execute_from_command_line(args)


def exit_on_incomplete_configuration() -> None:
    """Stop with the settings' own message instead of a traceback when the environment cannot make a working
    configuration (a production install without its secrets, a variable that cannot be read)."""
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    try:
        settings.INSTALLED_APPS  # noqa: B018 - imports rendez.settings, which reads the environment
    except ImproperlyConfigured as exc:
        sys.exit(f"rendez: {exc}")


def run_zoom_emulator(argv: list[str]) -> None:
    from zoom_emulator.__main__ import main as emulator_main

    emulator_main(argv)


def print_overview(program: str) -> None:
    import django
    from django.core.management import execute_from_command_line

    try:
        django.setup()
    except Exception:
        # Broken settings: Django's own help lists what it can and says what is wrong.
        execute_from_command_line([program, "help"])
        return
    print(overview())


def overview() -> str:
    from django.core.management import get_commands

    commands = get_commands()
    own = {name: app for name, app in commands.items() if app.startswith("rendez")}
    summaries = {name: command_summary(app, name) for name, app in own.items()}
    summaries[ZOOM_EMULATOR] = ZOOM_EMULATOR_SUMMARY
    width = max(len(name) for name in summaries) + 2
    lines = ["Usage: rendez <command> [options]", "", "Rendez commands:"]
    lines += [f"  {name.ljust(width)}{summaries[name]}" for name in sorted(summaries)]
    django_names = ", ".join(sorted(name for name in commands if name not in own))
    lines += ["", "Django's commands (migrate, check --deploy, createsuperuser, ...):"]
    lines += textwrap.wrap(django_names, width=100, initial_indent="  ", subsequent_indent="  ")
    lines += [
        "",
        "`rendez help <command>` shows a command's options; docs/operations.md shows production use.",
    ]
    return "\n".join(lines)


def command_summary(app: str, name: str) -> str:
    from django.core.management import load_command_class

    help_text = str(load_command_class(app, name).help).strip()
    return help_text.splitlines()[0] if help_text else ""


if __name__ == "__main__":
    main()
