from typing import Any

from django.core.management.base import BaseCommand

from compromiso.audits.services.requests import remind_due_requests
from compromiso.core.actors import SYSTEM


class Command(BaseCommand):
    help = (
        "Remind whoever answers an audit's information request when it is due within two "
        "business days or late: at most once a day per request. Idempotent: run it daily."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        reminded = remind_due_requests(by=SYSTEM)
        self.stdout.write(f"reminded={reminded}")
