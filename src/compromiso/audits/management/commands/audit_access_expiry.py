from typing import Any

from django.core.management.base import BaseCommand

from compromiso.audits.services import expire_accesses


class Command(BaseCommand):
    help = (
        "Record as revoked ('expired') every audit access grant whose window has ended, each "
        "in the audit log. A grant stops opening its audit at its end anyway. Idempotent: run "
        "it daily."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"expired={expire_accesses()}")
