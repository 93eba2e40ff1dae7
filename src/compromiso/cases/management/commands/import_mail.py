import mailbox
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from compromiso.cases.mail import MailRejected, ingest_message
from compromiso.organizations.models import Organization


class Command(BaseCommand):
    help = (
        "Import e-mail into cases: each PATH is an .eml file or an mbox. A message becomes a "
        "case, or a reply when its subject carries the tracking code of a case of its sender. "
        "Messages imported before are skipped."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--organization", required=True, help="The organisation's short name")
        parser.add_argument("paths", nargs="+")

    def handle(self, *args: Any, **options: Any) -> None:
        organization = Organization.objects.filter(slug=options["organization"]).first()
        if organization is None:
            raise CommandError(f"Unknown organisation: {options['organization']}")
        rejected = 0
        for path in map(Path, options["paths"]):
            if not path.is_file():
                raise CommandError(f"Not a file: {path}")
            for label, raw in _messages(path):
                try:
                    result = ingest_message(raw, organization=organization)
                except (MailRejected, ValidationError) as error:
                    rejected += 1
                    reason = error.message if isinstance(error, MailRejected) else error.messages
                    self.stderr.write(f"{label}: rejected: {reason}")
                    continue
                outcome = "duplicate" if result.duplicate else "reply" if result.reply else "case"
                self.stdout.write(f"{label}: {outcome} {result.case.tracking_code}")
        if rejected:
            raise CommandError(f"{rejected} message(s) rejected")


def _messages(path: Path) -> list[tuple[str, bytes]]:
    with path.open("rb") as handle:
        start = handle.read(5)
    if start == b"From ":
        box = mailbox.mbox(str(path), create=False)
        return [(f"{path}#{n + 1}", box.get_bytes(key)) for n, key in enumerate(box.keys())]
    return [(str(path), path.read_bytes())]
