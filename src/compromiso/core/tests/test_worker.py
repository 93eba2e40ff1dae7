"""The task worker tells only what matters: no line per task, one line per failed task."""

import logging

import pytest
from django.core import mail
from django.core.management import call_command
from django.tasks import task
from django.test import override_settings

from compromiso.core.tests.test_tasks import send_email

pytestmark = pytest.mark.django_db(transaction=True)  # the worker closes its connection

DATABASE_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


class PrinterOnFireError(Exception):
    pass


@task()
def explode() -> None:
    raise PrinterOnFireError("the printer is on fire\nsecond line of the message")


def test_the_worker_logs_one_line_per_failed_task_and_nothing_per_successful_one(caplog):
    caplog.set_level(logging.DEBUG, logger="root")  # what reaches the handlers is the worker's
    with override_settings(TASKS=DATABASE_BACKEND):
        for number in range(3):
            send_email.enqueue(subject=f"Aviso {number}", body="Hola.", to=["ana@example.org"])
        explode.enqueue()

        call_command("worker", "--batch", "--no-startup-delay", "--interval", "0")

    assert len(mail.outbox) == 3
    task_records = [
        r for r in caplog.records if r.name.startswith(("django.tasks", "django_tasks"))
    ]
    assert [(r.levelno, r.exc_info) for r in task_records] == [(logging.ERROR, None)]
    line = task_records[0].getMessage()
    assert "explode" in line
    assert "PrinterOnFireError: the printer is on fire" in line
    assert "\n" not in line
