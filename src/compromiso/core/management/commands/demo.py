"""`compromiso demo`: load the demo network, idempotently, and print the staff log-ins.

Each installed app may have a `demo` module with `load(context: dict) -> None`; they run in
INSTALLED_APPS order (organisations before the catalogue before the domain modules), sharing one
context dict, inside one transaction.
"""

import importlib
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

DEMO_PASSWORD = "compromiso-demo"


class Command(BaseCommand):
    help = "Load the demo network (two organisations, staff for every role) and print the log-ins."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--cases",
            type=int,
            default=2000,
            help="How many demo cases to generate for the largest organisation (default 2000).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        context: dict[str, Any] = {
            "password": DEMO_PASSWORD,
            "logins": [],
            "case_count": max(options["cases"], 0),
        }
        with transaction.atomic():
            for app_config in apps.get_app_configs():
                if not app_config.name.startswith("compromiso."):
                    continue
                try:
                    module = importlib.import_module(f"{app_config.name}.demo")
                except ModuleNotFoundError as error:
                    if error.name != f"{app_config.name}.demo":
                        raise
                    continue
                module.load(context)
        self._print_logins(context)

    def _print_logins(self, context: dict[str, Any]) -> None:
        rows = context["logins"]
        width = max((len(row[1]) for row in rows), default=10) + 2
        self.stdout.write("")
        self.stdout.write(f"Demo network loaded. Staff log-ins (password for all: {DEMO_PASSWORD})")
        self.stdout.write("Log in at http://127.0.0.1:8000/accounts/login/")
        current = None
        for organization, username, role, where in rows:
            if organization != current:
                self.stdout.write(f"\n  {organization}")
                current = organization
            self.stdout.write(f"    {username:<{width}} {role} — {where}")
        self.stdout.write("")
