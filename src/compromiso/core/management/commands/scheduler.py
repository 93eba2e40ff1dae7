"""`compromiso scheduler`: enqueue the periodic jobs at their times (`core/schedule.py`).

Runs until SIGTERM or Ctrl-C, ticking once a minute; `--once` ticks once and exits (for a cron
line or a systemd timer instead of the long-running process). Several schedulers may run (one per
node): each due time is claimed by one of them. The worker (`compromiso worker`) runs the jobs.
`--list` prints the table with each job's time and latest due time.
"""

import logging
import signal
import sys
import threading
from types import FrameType
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from compromiso.core import schedule


class Command(BaseCommand):
    help = "Enqueue the periodic jobs at their times (once per due time across every node)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Tick once and exit.")
        parser.add_argument("--list", action="store_true", help="Print the schedule and exit.")

    def handle(self, *args: Any, **options: Any) -> None:
        problems = schedule.check()
        if problems:
            raise CommandError("; ".join(problems))
        if options["list"]:
            self._list()
            return
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s scheduler %(message)s"))
        logger = logging.getLogger("compromiso.scheduler")
        logger.addHandler(handler)
        logger.setLevel(logging.INFO if options["verbosity"] >= 1 else logging.WARNING)
        logger.propagate = False
        if options["once"]:
            schedule.run_due()
            return
        stop = threading.Event()

        def on_signal(signum: int, frame: FrameType | None) -> None:
            stop.set()

        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
        logger.info("started (%s jobs, time zone %s)", len(schedule.SCHEDULE), settings.TIME_ZONE)
        while not stop.is_set():
            try:
                schedule.run_due()
            except Exception:  # the database away for a moment: try again next minute
                logger.exception("tick failed")
            stop.wait(schedule.seconds_to_next_minute(timezone.now()))
        logger.info("stopped")

    def _list(self) -> None:
        zone = ZoneInfo(settings.TIME_ZONE)
        now = timezone.now()
        for job in schedule.SCHEDULE:
            spec = job.spec()
            due = schedule.latest_due(spec, now, zone)
            self.stdout.write(
                f"{job.name:<24} {spec:<6} last due {due:%Y-%m-%d %H:%M %Z}  {job.purpose}"
                if due
                else f"{job.name:<24} off"
            )
