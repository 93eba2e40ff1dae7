"""The periodic jobs and when they are due: the table `compromiso scheduler` runs from.

Each job is a management command with its arguments and a time: `*/N` (every N minutes, N
dividing 60, on the installation's clock: :00, :15, :30, :45 for `*/15`) or `HH:MM` (once a
day at that time of the installation's TIME_ZONE). `SCHEDULE_<JOB>` in the environment (the job's
name in capitals, e.g. `SCHEDULE_CASE_MAINTENANCE=04:10`) moves a job, and `off` stops it.

`run_due(now)` is one tick: for each job the latest due time at or before `now` is claimed by
inserting a `ScheduledRun` row with a unique (job, due_at); the node whose INSERT succeeds
enqueues the job as a task, any other node's INSERT fails on the index and it does nothing. So a
due time runs at most once however many schedulers tick, and after downtime the job runs once for
its latest missed time (not once per missed time). A job that has never run starts from its next
due time: the first start of an installation runs nothing at once.
"""

import datetime as dt
import logging
import os
import socket
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

logger = logging.getLogger("compromiso.scheduler")

KEEP_DAYS = 30  # rows of past runs kept, then deleted by the scheduler


@dataclass(frozen=True)
class Job:
    name: str
    command: str
    default: str  # "*/N" or "HH:MM"
    purpose: str
    args: tuple[str, ...] = ()

    @property
    def setting(self) -> str:
        return "SCHEDULE_" + self.name.upper()

    def spec(self) -> str:
        return (os.environ.get(self.setting) or self.default).strip().lower()


SCHEDULE: tuple[Job, ...] = (
    Job(
        "case_reminders",
        "case_reminders",
        "*/15",
        "remind assignees, escalate overdue cases to unit heads (once each)",
    ),
    Job(
        "appointment_reminders",
        "appointment_reminders",
        "*/15",
        "e-mail each booking starting within 24 h a reminder, once",
    ),
    Job(
        "appointment_no_shows",
        "appointment_no_shows",
        "*/15",
        "mark bookings whose slot ended over 30 min ago without a check-in as no-shows",
    ),
    Job(
        "audit_access_expiry",
        "audit_access_expiry",
        "00:15",
        "record ended audit access grants as revoked",
    ),
    Job(
        "case_maintenance",
        "case_maintenance",
        "02:30",
        "retention, changed days' facts, old counters, sessions, secrets and task rows",
    ),
    Job(
        "attention_facts",
        "attention_facts",
        "02:45",
        "rebuild the branches' daily facts of the days whose visits changed",
    ),
    Job(
        "charter_maintenance",
        "charter_maintenance",
        "03:00",
        "expire charters, remind reviews, compute indicators for closed periods",
    ),
    Job(
        "audit_reminders",
        "audit_reminders",
        "07:30",
        "e-mail owners of information requests due within 2 business days or late",
    ),
    Job(
        "improvement_reminders",
        "improvement_reminders",
        "08:00",
        "a week before an improvement action is due; escalate overdue ones",
    ),
    Job(
        "survey_reminders",
        "survey_reminders",
        "10:00",
        "one reminder to survey invitations unanswered after five days",
    ),
)


class ScheduleError(ValueError):
    pass


def parse(spec: str) -> tuple[str, int, int]:
    """("every", N, 0), ("daily", hour, minute) or ("off", 0, 0); ScheduleError if unreadable."""
    spec = spec.strip().lower()
    if spec == "off":
        return ("off", 0, 0)
    if spec.startswith("*/") and spec[2:].isdigit():
        every = int(spec[2:])
        if every < 1 or 60 % every:
            raise ScheduleError(f"{spec!r}: the minutes must divide 60 (1, 2, 5, 15, 30…)")
        return ("every", every, 0)
    hour, sep, minute = spec.partition(":")
    readable = sep and hour.isdigit() and minute.isdigit() and len(minute) == 2
    if readable and int(hour) < 24 and int(minute) < 60:
        return ("daily", int(hour), int(minute))
    raise ScheduleError(f"{spec!r}: expected */N, HH:MM or off")


def latest_due(spec: str, now: dt.datetime, zone: ZoneInfo) -> dt.datetime | None:
    """The latest due time at or before `now` (aware, in `zone`), or None for a job that is off."""
    kind, first, second = parse(spec)
    local = now.astimezone(zone)
    if kind == "off":
        return None
    if kind == "every":
        return local.replace(minute=local.minute - local.minute % first, second=0, microsecond=0)
    due = dt.datetime.combine(local.date(), dt.time(first, second), tzinfo=zone)
    if due > local:
        due = dt.datetime.combine(local.date() - dt.timedelta(days=1), dt.time(first, second))
        due = due.replace(tzinfo=zone)
    return due


def check() -> list[str]:
    """Every job's setting that cannot be read, as messages (the scheduler refuses to start)."""
    problems = []
    for job in SCHEDULE:
        try:
            parse(job.spec())
        except ScheduleError as error:
            problems.append(f"{job.setting}: {error}")
    return problems


def node_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:120]


def run_due(now: dt.datetime | None = None) -> list[str]:
    """One tick: claim and enqueue every job due at `now` that no node has claimed yet.
    Returns the names of the jobs enqueued."""
    from compromiso.core.models import ScheduledRun
    from compromiso.core.tasks import enqueue_with_transaction, run_scheduled_job

    now = now or timezone.now()
    zone = ZoneInfo(settings.TIME_ZONE)
    started: list[str] = []
    for job in SCHEDULE:
        due = latest_due(job.spec(), now, zone)
        if due is None:
            continue
        due_utc = due.astimezone(dt.UTC)
        if ScheduledRun.objects.filter(job=job.name, due_at=due_utc).exists():
            continue
        first = not ScheduledRun.objects.filter(job=job.name).exists()
        outcome = ScheduledRun.Outcome.BASELINE if first else ScheduledRun.Outcome.ENQUEUED
        try:
            with transaction.atomic():
                run = ScheduledRun.objects.create(
                    job=job.name, due_at=due_utc, claimed_at=now, claimed_by=node_name(),
                    outcome=outcome,
                )  # fmt: skip
                if not first:
                    enqueue_with_transaction(run_scheduled_job, run_id=run.pk)
        except IntegrityError:
            continue  # another node claimed this due time first
        if first:
            logger.info("%s: first start, next run after %s", job.name, due.isoformat())
            continue
        logger.info("%s: due %s, enqueued (run %s)", job.name, due.isoformat(), run.pk)
        started.append(job.name)
    if started:
        ScheduledRun.objects.filter(due_at__lt=now - dt.timedelta(days=KEEP_DAYS)).delete()
    return started


def seconds_to_next_minute(now: dt.datetime) -> float:
    """Ticks fall a second after each minute starts: every due time is a whole minute."""
    return 61 - now.second - now.microsecond / 1_000_000
