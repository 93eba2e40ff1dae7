"""`compromiso worker`: django-tasks-db's worker, telling only what matters.

At the default verbosity the worker logs warnings and one line per failed task (its traceback
stays on the task's stored result), not a line for every task started and finished: the demo's
console stays readable. `-v 2` logs every task with full tracebacks, `-v 3` the debug lines too.
"""

import logging

from django_tasks_db.management.commands.db_worker import Command as DatabaseWorker

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

    def configure_logging(self, verbosity: int) -> None:
        super().configure_logging(verbosity)
        level = LEVELS.get(verbosity, logging.DEBUG)
        for name in LOGGERS:
            task_logger = logging.getLogger(name)
            task_logger.setLevel(level)
            if verbosity < 2 and not any(isinstance(f, OneLine) for f in task_logger.filters):
                task_logger.addFilter(OneLine())
