from importlib import import_module
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from compromiso.cases import facts, privacy
from compromiso.core import ratelimit, tasks
from compromiso.organizations import sign_ins
from compromiso.organizations.models import Organization


class Command(BaseCommand):
    help = (
        "Nightly upkeep of cases: anonymise closed cases past each organisation's retention "
        "period and rebuild the analytics facts of changed days (--rebuild: every day); drop "
        "old rate counters, expired sessions, unsent acknowledgement secrets, finished task "
        "rows and sign-ins older than a year."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--rebuild", action="store_true", help="Rebuild all facts.")

    def handle(self, *args: Any, **options: Any) -> None:
        for organization in Organization.objects.filter(is_active=True):
            anonymised = privacy.anonymise_expired(organization)
            if options["rebuild"]:
                days = facts.rebuild(organization)
            else:
                days = facts.refresh(organization)
            self.stdout.write(f"{organization.slug}: anonymised={anonymised} fact_days={days}")
        self.stdout.write(f"rate counters purged={ratelimit.purge()}")
        # Expired sessions (a receipt's secret, unlocked cases, staff log-ins) leave the table.
        import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
        self.stdout.write(
            f"pending acknowledgements purged={privacy.purge_pending_acknowledgements()} "
            f"task rows pruned={tasks.prune_finished(settings.TASKS_KEEP_DAYS)} "
            f"sign-ins purged={sign_ins.purge()}"
        )
