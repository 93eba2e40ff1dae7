from typing import Any

from django.core.management.base import BaseCommand

from compromiso.charters import services
from compromiso.organizations.models import Organization


class Command(BaseCommand):
    help = (
        "Expire charters past their validity, remind the ones due for review, and compute every "
        "indicator for the closed periods (notifying breaches once). Idempotent: run it daily."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        result = services.expire_and_remind()
        written = breaches = 0
        for organization in Organization.objects.filter(is_active=True):
            figures = services.compute_measurements(organization)
            written += figures["written"]
            breaches += figures["breaches"]
        self.stdout.write(
            f"expired={result['expired']} reminded={result['reminded']} "
            f"measurements={written} breaches={breaches}"
        )
