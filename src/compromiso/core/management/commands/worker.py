"""`compromiso worker`: django-tasks-db's worker, telling only what matters.

At the default verbosity the worker logs warnings and one line per failed task (its traceback
stays on the task's stored result), not a line for every task started and finished: the demo's
console stays readable. `-v 2` logs every task with full tracebacks, `-v 3` the debug lines too.

Crashes and outages lose no task:

- a worker killed in the middle of a task (SIGKILL, out of memory, the machine reset) leaves the
  task marked running; the next worker started on the same machine puts it back in the queue
  when the process that claimed it is gone (worker ids are `<host>:<pid>:<random>`);
- while the database is unreachable (a restart, a fail-over) the worker waits and tries again
  instead of exiting, and a task cut off by the outage goes back to the queue instead of being
  recorded as failed.

A task may therefore run again after a crash: each task is written to be repeated safely (the
e-mails check a sent-marker, see `cases.tasks`).

With `TASKS_BACKEND=rq` the queue is in Redis and this command runs RQ's worker on it instead
(django-rq's `rqworker` with django-tasks-rq's job class); `--batch` becomes RQ's `--burst`.
"""

import logging
import os
import socket
import time
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connections
from django.db.utils import InterfaceError, OperationalError
from django.utils.crypto import get_random_string
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.management.commands import db_worker
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorker
from django_tasks_db.models import DBTaskResult

DATABASE_DOWN = (OperationalError, InterfaceError)
RETRY_SECONDS = 1.0
MAX_ATTEMPTS = 5  # a task that keeps killing its worker is left failed-looking, not retried forever
logger = logging.getLogger("django_tasks_db")


def worker_id() -> str:
    """`<host>:<pid>:<random>`, at most 64 characters: says which process holds a task."""
    host = socket.gethostname()[:40]
    return f"{host}:{os.getpid()}:{get_random_string(8)}"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def requeue_abandoned() -> int:
    """Put back in the queue the tasks left running by dead worker processes of this machine."""
    host = socket.gethostname()[:40]
    abandoned = []
    for task_id, ids in DBTaskResult.objects.running().values_list("id", "worker_ids"):
        holder = str(ids[-1]) if ids else ""
        name, _sep, rest = holder.partition(":")
        pid = rest.partition(":")[0]
        if name == host and pid.isdigit() and not _alive(int(pid)) and len(ids) < MAX_ATTEMPTS:
            abandoned.append(task_id)
    if abandoned:
        DBTaskResult.objects.filter(id__in=abandoned, status=TaskResultStatus.RUNNING).update(
            status=TaskResultStatus.READY, started_at=None
        )
        logger.warning("Requeued %d task(s) left running by a stopped worker.", len(abandoned))
    return len(abandoned)


def _reset_connections() -> None:
    for connection in connections.all(initialized_only=True):
        try:
            connection.close()
        except DATABASE_DOWN:
            connection.connection = None


class ResilientWorker(db_worker.Worker):
    """django-tasks-db's worker that outlives database outages and recovers crashed tasks."""

    def run(self) -> None:
        recovered = False
        while self.running:
            try:
                if not recovered:
                    requeue_abandoned()
                    recovered = True
                super().run()
                return
            except DATABASE_DOWN as error:
                logger.warning("Database unreachable (%s); trying again.", str(error).strip())
                _reset_connections()
                time.sleep(RETRY_SECONDS)
                self.startup_delay = False

    def run_task(self, db_task_result: DBTaskResult[Any, Any]) -> None:
        task_result_id = db_task_result.id
        self.running_task = True
        try:
            super().run_task(db_task_result)
        except DATABASE_DOWN:
            # Recording the outcome failed: the database went away under the task.
            _reset_connections()
            self._requeue(task_result_id)
            return
        close_old_connections()
        stored = DBTaskResult.objects.filter(id=task_result_id).first()
        if (
            stored is not None
            and stored.status == TaskResultStatus.FAILED
            and _cut_by_outage(stored)
            and len(stored.worker_ids) < MAX_ATTEMPTS
        ):
            self._requeue(task_result_id)

    def _requeue(self, task_result_id: Any) -> None:
        """Back to the queue, once the database answers again."""
        while True:
            try:
                DBTaskResult.objects.filter(id=task_result_id).update(
                    status=TaskResultStatus.READY, started_at=None, finished_at=None
                )
                logger.warning(
                    "Task %s cut off by a database outage: queued again.", task_result_id
                )
                return
            except DATABASE_DOWN:
                _reset_connections()
                time.sleep(RETRY_SECONDS)


def _cut_by_outage(result: DBTaskResult[Any, Any]) -> bool:
    path = result.exception_class_path
    return path.endswith((".OperationalError", ".InterfaceError")) and (
        "psycopg" in path or path.startswith("django.db")
    )


LOGGERS = ("django.tasks", "django_tasks", "django_tasks_db")
LEVELS = {0: logging.CRITICAL, 1: logging.WARNING, 2: logging.INFO}


class OneLine(logging.Filter):
    """A failure's exception named at the end of its line instead of a traceback below it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            summary = f"{type(error).__name__}: {error}".splitlines()[0] if str(error) else ""
            summary = summary or type(error).__name__
            record.msg = f"{record.msg} — {summary.replace('%', '%%')}"
            record.exc_info = None
            record.exc_text = None
        return True


class Command(DatabaseWorker):
    help = "Run background tasks (e-mail, recomputations); logs warnings and failures only."

    def add_arguments(self, parser: Any) -> None:
        if settings.TASKS_BACKEND == "rq":  # django-tasks-db's options would refuse the backend
            parser.add_argument(
                "--batch", action="store_true", help="Leave when the queue is empty."
            )
            return
        super().add_arguments(parser)
        parser.set_defaults(worker_id=worker_id())

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.TASKS_BACKEND == "rq":
            self.run_rq_worker(burst=options["batch"], verbosity=options["verbosity"])
            return
        # django-tasks-db builds its Worker inside handle(): ours takes its place there.
        original = db_worker.Worker
        db_worker.Worker = ResilientWorker  # type: ignore[misc]
        try:
            super().handle(*args, **options)
        finally:
            db_worker.Worker = original  # type: ignore[misc]

    def run_rq_worker(self, *, burst: bool, verbosity: int) -> None:
        """The tasks are in Redis: RQ's worker runs them (each in a forked child, so a task that
        kills its process leaves the worker alive, and RQ marks the job failed)."""
        from django.core.management import call_command

        queues = settings.TASKS["default"].get("QUEUES", ["default"])
        extra = {"burst": True} if burst else {}
        call_command(
            "rqworker", *queues, job_class="django_tasks_rq.Job", verbosity=verbosity, **extra
        )

    def configure_logging(self, verbosity: int) -> None:
        super().configure_logging(verbosity)
        level = LEVELS.get(verbosity, logging.DEBUG)
        for name in LOGGERS:
            task_logger = logging.getLogger(name)
            task_logger.setLevel(level)
            if verbosity < 2 and not any(isinstance(f, OneLine) for f in task_logger.filters):
                task_logger.addFilter(OneLine())
