"""`compromiso demo`: load the demo network, idempotently, and print the staff log-ins.

Each installed app may have a `demo` module with `load(context: dict) -> None`; they run in
INSTALLED_APPS order (organisations before the catalogue before the domain modules), sharing one
context dict, inside one transaction. One line of progress is printed per app; the log-ins come
last, so they stay on screen while the server and the worker start quietly.
"""

import importlib
import time
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import translation

DEMO_PASSWORD = "compromiso-demo"
DEMO_URL = "http://127.0.0.1:8000/accounts/login/"


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
            # Hashed once: every demo account shares it, and each hash costs a good fraction
            # of a second by design.
            "password_hash": make_password(DEMO_PASSWORD),
            "logins": [],
            "case_count": max(options["cases"], 0),
        }
        modules = []
        for app_config in apps.get_app_configs():
            if not app_config.name.startswith("compromiso."):
                continue
            try:
                module = importlib.import_module(f"{app_config.name}.demo")
            except ModuleNotFoundError as error:
                if error.name != f"{app_config.name}.demo":
                    raise
                continue
            modules.append((app_config, module))
        started = time.monotonic()
        self.stdout.write("Loading the demo network (about a minute the first time):")
        with transaction.atomic():
            for number, (app_config, module) in enumerate(modules, start=1):
                step = time.monotonic()
                with translation.override("en"):
                    name = str(app_config.verbose_name)
                self.stdout.write(f"  [{number}/{len(modules)}] {name}…", ending="")
                self.stdout.flush()
                module.load(context)
                self.stdout.write(f" {time.monotonic() - step:.1f} s")
        self.stdout.write(f"Done in {time.monotonic() - started:.0f} s.")
        self._print_logins(context)

    def _print_logins(self, context: dict[str, Any]) -> None:
        rows = context["logins"]
        width = max((len(row[1]) for row in rows), default=10) + 2
        self.stdout.write("")
        self.stdout.write(f"Demo network loaded. Staff log-ins (password for all: {DEMO_PASSWORD})")
        current = None
        for organization, username, role, where in rows:
            if organization != current:
                self.stdout.write(f"\n  {organization}")
                current = organization
            self.stdout.write(f"    {username:<{width}} {role} — {where}")
        self.stdout.write("")
        self.stdout.write(f"Log in at {DEMO_URL}")
        mailer: dict[str, Any] = settings.MAILERS["default"]
        mail_folder = mailer.get("OPTIONS", {}).get("file_path")
        if mail_folder:
            self.stdout.write(f"E-mails are written to {mail_folder}, one file each.")
        self.stdout.write("")
