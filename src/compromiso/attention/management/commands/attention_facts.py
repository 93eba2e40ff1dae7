import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from compromiso.attention import facts
from compromiso.attention.models import Visit
from compromiso.organizations.models import Organization


class Command(BaseCommand):
    help = (
        "Rebuild the branches' daily facts of the days whose visits changed since the last run, "
        "for every organisation (--all: every day with visits). Idempotent: run it daily."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--all", action="store_true", help="Rebuild every day with visits.")

    def handle(self, *args: Any, **options: Any) -> None:
        days = 0
        for organization in Organization.objects.all():
            chosen: list[dt.date] | None = None
            if options["all"]:
                chosen = list(
                    Visit.objects.filter(organization=organization)
                    .values_list("day", flat=True)
                    .distinct()
                )
            days += facts.refresh(organization, chosen)
        self.stdout.write(f"days={days}")
