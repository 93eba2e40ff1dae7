import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from compromiso.cases.mail import CaseMailHandler
from compromiso.organizations.models import Organization


class Command(BaseCommand):
    help = (
        "Receive e-mail for an organisation's cases: an LMTP listener (the mail server hands it "
        "each message, e.g. Postfix's lmtp transport), or plain SMTP with --smtp."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--organization", required=True)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8025)
        parser.add_argument("--smtp", action="store_true", help="Speak SMTP instead of LMTP")

    def handle(self, *args: Any, **options: Any) -> None:
        from aiosmtpd.controller import Controller
        from aiosmtpd.lmtp import LMTP

        slug = options["organization"]
        if not Organization.objects.filter(slug=slug, is_active=True).exists():
            raise CommandError(f"Unknown organisation: {slug}")
        handler = CaseMailHandler(slug)
        if options["smtp"]:
            controller = Controller(handler, hostname=options["host"], port=options["port"])
        else:

            class LMTPController(Controller):
                def factory(self) -> Any:
                    return LMTP(self.handler)

            controller = LMTPController(handler, hostname=options["host"], port=options["port"])
        controller.start()
        protocol = "SMTP" if options["smtp"] else "LMTP"
        self.stdout.write(f"{protocol} for {slug} on {options['host']}:{options['port']}")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
        finally:
            controller.stop()
