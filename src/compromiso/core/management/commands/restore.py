"""`compromiso restore PATH`: restore a backup archive (`compromiso backup`) into this
installation's database and file storage, which must be empty (a fresh database: no
`migrate` first) unless --force. Every file's hash is verified before anything is written; the
row counts are compared with the manifest afterwards. Then run `compromiso check_consistency
--manifest PATH`."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from compromiso.core.backup import BackupError, compare_counts, restore_backup


class Command(BaseCommand):
    help = "Restore a backup archive into an empty database and file storage."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="the archive written by `compromiso backup`")
        parser.add_argument("--database", default="default", help="the database alias")
        parser.add_argument(
            "--force",
            action="store_true",
            help="replace what the target holds (drops every table first): destructive",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = restore_backup(
                Path(options["path"]), alias=options["database"], force=options["force"]
            )
        except BackupError as error:
            raise CommandError(str(error)) from error
        problems = compare_counts(result.manifest["row_counts"], options["database"])
        if problems:
            raise CommandError(
                "Restored, but the row counts differ from the backup's:\n- " + "\n- ".join(problems)
            )
        rows = sum(result.manifest["row_counts"].values())
        self.stdout.write(
            f"Restored the backup of {result.manifest['created_at']}: {rows} rows in "
            f"{len(result.manifest['row_counts'])} tables and {result.files} files, "
            f"{result.seconds:.1f} s. Now run: compromiso check_consistency --manifest "
            f"{options['path']}"
        )
