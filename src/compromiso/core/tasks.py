"""Infrastructure tasks shared by every app, and how a change enqueues its follow-up work."""

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import DEFAULT_DB_ALIAS, router, transaction
from django.tasks import Task, task
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode


def enqueue_with_transaction(work: Task[..., Any], **kwargs: Any) -> None:
    """Enqueue `work` so that it runs only if the current transaction commits.

    With the database backend storing its tasks in the database being written, the task row is
    inserted inside the transaction (the outbox pattern): it commits or rolls back with the
    change it belongs to, a crash between the commit and the enqueue cannot lose it, and it
    costs no transaction of its own. Any other backend (the immediate one of the test suite, a
    broker) is given the task once the transaction has committed.
    """
    if _stores_in_default_database(work.get_backend()):
        work.enqueue(**kwargs)
    else:
        transaction.on_commit(lambda: work.enqueue(**kwargs))


def prune_finished(older_than_days: int) -> int:
    """Delete the rows of tasks that finished (done or failed) more than `older_than_days` ago:
    their arguments and results are not kept past their use. Run by `case_maintenance`."""
    from django_tasks_db.models import DBTaskResult

    limit = timezone.now() - dt.timedelta(days=older_than_days)
    deleted, _types = DBTaskResult.objects.finished().filter(finished_at__lt=limit).delete()
    return deleted


def _stores_in_default_database(backend: Any) -> bool:
    from django_tasks_db import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    return isinstance(backend, DatabaseBackend) and (
        router.db_for_write(DBTaskResult) == DEFAULT_DB_ALIAS
    )


@task()
def send_password_reset(*, user_id: int, language: str) -> None:
    """E-mail an active user the link to choose a new password. The link's token is made here,
    by the worker: no token or address is stored in the task's row."""
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    address = getattr(user, "email", "") if user is not None else ""
    if user is None or not address:
        return
    site = settings.SITE_URL.rstrip("/")
    protocol, _sep, domain = site.partition("://")
    context = {
        "user": user,
        "protocol": protocol,
        "domain": domain,
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
    }
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = render_to_string("core/email/password_reset_subject.txt", context)
        body = render_to_string("core/email/password_reset_email.txt", context)
    send_mail(" ".join(subject.split()), body, None, [address])


@task()
def run_scheduled_job(*, run_id: int) -> None:
    """Run one claimed periodic job (`core/schedule.py`) and record how it ended."""
    import io
    import logging

    from django.core.management import call_command

    from compromiso.core.models import ScheduledRun
    from compromiso.core.schedule import SCHEDULE

    logger = logging.getLogger("compromiso.scheduler")
    run = ScheduledRun.objects.filter(pk=run_id).first()
    job = next((job for job in SCHEDULE if run is not None and job.name == run.job), None)
    if run is None or job is None or run.outcome != ScheduledRun.Outcome.ENQUEUED:
        return
    try:
        output = io.StringIO()
        call_command(job.command, *job.args, stdout=output)
    except BaseException:
        run.outcome, run.finished_at = ScheduledRun.Outcome.FAILED, timezone.now()
        run.save(update_fields=["outcome", "finished_at"])
        logger.exception("%s (run %s) failed", run.job, run.pk)
        raise
    run.outcome, run.finished_at = ScheduledRun.Outcome.DONE, timezone.now()
    run.save(update_fields=["outcome", "finished_at"])
    logger.info("%s (run %s) done: %s", run.job, run.pk, " ".join(output.getvalue().split()))
