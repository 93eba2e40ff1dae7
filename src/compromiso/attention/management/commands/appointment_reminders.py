from typing import Any

from django.core.management.base import BaseCommand

from compromiso.attention.services.appointments import send_reminders


class Command(BaseCommand):
    help = (
        "E-mail a reminder, once, to every booking that starts within the next 24 hours. "
        "Idempotent: run it from cron as often as you like (e.g. every 15 minutes)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"reminded={send_reminders()}")
