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


def _running_task(worker_ids: list[str]) -> str:
    from django_tasks_db.models import DBTaskResult

    with override_settings(TASKS=DATABASE_BACKEND):
        result = send_email.enqueue(subject="Aviso", body="Hola.", to=["ana@example.org"])
    DBTaskResult.objects.filter(id=result.id).update(status="RUNNING", worker_ids=worker_ids)
    return str(result.id)


def _dead_pid() -> int:
    import subprocess
    import sys

    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_task_left_running_by_a_killed_worker_runs_again_and_only_that_one():
    import os
    import socket

    from django_tasks_db.models import DBTaskResult

    from compromiso.core.management.commands.worker import requeue_abandoned

    host = socket.gethostname()[:40]
    crashed = _running_task([f"{host}:{_dead_pid()}:abc"])
    alive = _running_task([f"{host}:{os.getpid()}:abc"])  # a worker still at it
    elsewhere = _running_task([f"another-host:{_dead_pid()}:abc"])  # not ours to judge

    assert requeue_abandoned() == 1

    status = dict(DBTaskResult.objects.values_list("id", "status"))
    assert {str(k): v for k, v in status.items()} == {
        crashed: "READY",
        alive: "RUNNING",
        elsewhere: "RUNNING",
    }
    with override_settings(TASKS=DATABASE_BACKEND):
        call_command("worker", "--batch", "--no-startup-delay", "--interval", "0")
    assert len(mail.outbox) == 1  # the crashed task's e-mail went out, once


def test_the_worker_names_itself_by_host_and_process():
    import os
    import socket

    from compromiso.core.management.commands.worker import worker_id

    host, pid, _random = worker_id().split(":")
    assert (host, pid) == (socket.gethostname()[:40], str(os.getpid()))
