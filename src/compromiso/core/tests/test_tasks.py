"""Follow-up work runs only if its change commits, whatever the task backend."""

import pytest
from django.core import mail
from django.core.mail import send_mail
from django.db import transaction
from django.tasks import task
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from compromiso.core.tasks import enqueue_with_transaction

pytestmark = pytest.mark.django_db

DATABASE_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
MESSAGE = {"subject": "Acuse", "body": "Recibimos su caso.", "to": ["ana@example.org"]}


@task()
def send_email(*, subject: str, body: str, to: list[str]) -> None:
    """A task as the apps write theirs: it sends one e-mail."""
    send_mail(subject, body, None, to)


class UndoneError(Exception):
    pass


def _enqueue_and_roll_back() -> None:
    with transaction.atomic():
        enqueue_with_transaction(send_email, **MESSAGE)
        raise UndoneError


@pytest.fixture
def database_tasks():
    with override_settings(TASKS=DATABASE_BACKEND):  # django.tasks re-reads TASKS on the change
        yield


def test_with_the_database_backend_the_task_row_is_written_in_the_transaction(database_tasks):
    with transaction.atomic():
        enqueue_with_transaction(send_email, **MESSAGE)
        assert DBTaskResult.objects.count() == 1  # already there, before the commit

    with pytest.raises(UndoneError):
        _enqueue_and_roll_back()

    assert DBTaskResult.objects.count() == 1  # the rolled-back change took its task with it
    assert mail.outbox == []  # nothing ran: the worker sends it


def test_with_another_backend_the_task_is_handed_over_after_the_commit(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        enqueue_with_transaction(send_email, **MESSAGE)
        assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(UndoneError):
        _enqueue_and_roll_back()

    assert [m.subject for m in mail.outbox] == ["Acuse"]
    assert DBTaskResult.objects.count() == 0
