"""`compromiso check_consistency [--manifest PATH]`: verify an installation (a restored one, or
any): every case's timeline agrees with its state and dates, the daily facts of cases and of
the branches agree with the rows they count, every stored file exists with its recorded size and
SHA-256, and (given a backup or its manifest) the row count of every table matches it. Exits
with status 1 and a list of the problems found, 0 when there are none."""

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from compromiso.core.backup import BackupError, compare_counts, read_manifest
from compromiso.core.consistency import discover, run_checks


class Command(BaseCommand):
    help = "Check that cases, facts, files and row counts agree; exit 1 with a list if not."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--manifest", help="a backup archive or manifest.json whose row counts must match"
        )
        parser.add_argument("--database", default="default", help="the database alias")
        parser.add_argument(
            "--limit", type=int, default=50, help="problems listed per check (default 50)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        found: dict[str, list[str]] = {}
        if options["manifest"]:
            try:
                manifest = read_manifest(Path(options["manifest"]))
            except BackupError as error:
                raise CommandError(str(error)) from error
            counts = compare_counts(manifest["row_counts"], options["database"])
            if counts:
                found["backup.row_counts"] = counts
        for name, problem in run_checks():
            found.setdefault(name, []).append(problem)
        checks = ["backup.row_counts"] if options["manifest"] else []
        checks += list(discover())
        if not found:
            self.stdout.write(f"Consistent: {len(checks)} checks ({', '.join(checks)}).")
            return
        total = sum(len(problems) for problems in found.values())
        self.stderr.write(f"{total} problem(s) found:")
        for name, problems in found.items():
            self.stderr.write(f"{name}: {len(problems)}")
            for problem in problems[: options["limit"]]:
                self.stderr.write(f"  - {problem}")
            if len(problems) > options["limit"]:
                self.stderr.write(f"  … and {len(problems) - options['limit']} more")
        sys.exit(1)
