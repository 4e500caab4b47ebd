"""The `rendez` command: manage.py with Rendez's own commands (serve, worker, demo, zoom-emulator, ...)."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rendez.settings")
    if len(args) > 1 and args[1] == "zoom-emulator":
        # The emulator stands alone: it must start without Django or a database.
        from zoom_emulator.__main__ import main as emulator_main

        emulator_main(args[2:])
        return
    from django.core.management import execute_from_command_line

    execute_from_command_line(args)


if __name__ == "__main__":
    main()
