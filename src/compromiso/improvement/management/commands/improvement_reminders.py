from typing import Any

from django.core.management.base import BaseCommand

from compromiso.improvement import reminders


class Command(BaseCommand):
    help = (
        "Remind the responsible person a week before an improvement action is due and escalate "
        "overdue ones to the unit heads and quality managers. Idempotent: run it daily."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        result = reminders.run()
        self.stdout.write(f"reminded={result['reminded']} escalated={result['escalated']}")
