"""The `compromiso` command: Django's manage.py plus a few short names.

compromiso demo      load the demo network (idempotent) and print the staff logins
compromiso serve     serve on http://127.0.0.1:8000 (or the address given)
compromiso serve --production [ADDRESS]
                     gunicorn, static files, the task worker and the scheduler (production.py)
compromiso worker    run background tasks
compromiso scheduler enqueue the periodic jobs at their times (core/schedule.py)
compromiso <any Django management command>
"""

import os
import sys

ALIASES = {
    "serve": ["runserver", "--noreload"],
}


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "compromiso.config.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    if len(args) > 1 and args[1] == "serve" and "--production" in args[2:]:
        from compromiso.production import serve

        sys.exit(serve([arg for arg in args[2:] if arg != "--production"]))
    if len(args) > 1 and args[1] in ALIASES:
        command, rest = args[1], args[2:]
        if command == "serve" and not rest:
            rest = ["127.0.0.1:8000"]
        args = [args[0], *ALIASES[command], *rest]
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
