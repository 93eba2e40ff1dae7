"""`compromiso backup [PATH]`: the database and the stored files in one archive with a manifest
(core/backup.py). On PostgreSQL pg_dump's custom format, on SQLite the online backup API; the
site keeps serving meanwhile. Without PATH the archive goes to $BACKUP_DIR (var/backups) under a
name with the UTC time."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from compromiso.core.backup import BackupError, create_backup, default_archive_name


class Command(BaseCommand):
    help = "Back up the database and the stored files into one archive with a manifest."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?", help="the archive to write (a .tar file)")
        parser.add_argument("--database", default="default", help="the database alias")
        parser.add_argument(
            "--no-media", action="store_true", help="leave the stored files out (database only)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"]) if options["path"] else default_archive_name()
        try:
            result = create_backup(path, alias=options["database"], media=not options["no_media"])
        except BackupError as error:
            raise CommandError(str(error)) from error
        manifest = result.manifest
        rows = sum(manifest["row_counts"].values())
        files = sum(1 for name in manifest["files"] if name.startswith("media/"))
        self.stdout.write(
            f"Backup written to {result.path}: {result.size / 1e6:.1f} MB, "
            f"{manifest['database']['vendor']} {manifest['database']['server_version']}, "
            f"{len(manifest['row_counts'])} tables, {rows} rows, {files} files, "
            f"{result.seconds:.1f} s."
        )
