from typing import Any

from django.core.management.base import BaseCommand

from compromiso.attention.services.appointments import mark_no_shows


class Command(BaseCommand):
    help = (
        "Mark as no-shows the bookings whose slot ended more than 30 minutes ago without a "
        "check-in. Idempotent: run it from cron (e.g. every 15 minutes)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"no_shows={mark_no_shows()}")
