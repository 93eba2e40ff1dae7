from typing import Any

from django.core.management.base import BaseCommand

from compromiso.surveys import services


class Command(BaseCommand):
    help = (
        "Remind, once, whoever has not answered a survey invitation after five days while the "
        "wave is open. Idempotent: run it daily."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"reminded={services.remind_invitations()}")
