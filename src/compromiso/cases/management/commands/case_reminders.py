from typing import Any

from django.core.management.base import BaseCommand

from compromiso.cases import reminders


class Command(BaseCommand):
    help = (
        "Remind assignees of cases near their legal deadline and escalate overdue cases to the "
        "unit heads. Idempotent: run it from cron as often as you like (e.g. every 15 minutes)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        result = reminders.run()
        self.stdout.write(f"reminded={result['reminded']} escalated={result['escalated']}")
