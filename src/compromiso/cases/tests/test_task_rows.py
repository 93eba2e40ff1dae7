"""The task queue's rows hold ids, never a secret or a person's data, and finished rows go."""

import datetime as dt
import io
import json

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from compromiso.cases import services
from compromiso.cases.models import PendingAcknowledgement
from compromiso.catalog.tests.factories import ChannelFactory
from compromiso.core.actors import PUBLIC

pytestmark = pytest.mark.django_db

DATABASE_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _run_queued_tasks():
    """What the worker does with each row: call the task with the row's arguments."""
    for row in DBTaskResult.objects.filter(status="READY"):
        row.task.call(*row.args_kwargs["args"], **row.args_kwargs["kwargs"])
        row.delete()


def test_no_task_row_holds_the_tracking_secret_or_the_requesters_address(organization):
    web = ChannelFactory(organization=organization, kind="web", name="Sitio web")
    with override_settings(TASKS=DATABASE_BACKEND):
        case, secret = services.receive_case(
            organization=organization,
            kind="complaint",
            channel=web,
            subject="Demora",
            description="Esperé dos horas.",
            requester_name="Ana Pérez",
            requester_email="ana@example.org",
            by=PUBLIC,
        )
        rows = json.dumps(list(DBTaskResult.objects.values("args_kwargs", "task_path")))
        stored = PendingAcknowledgement.objects.get(case=case)

        assert "send_acknowledgement" in rows
        assert secret not in rows
        assert "ana@example.org" not in rows
        assert secret not in stored.sealed  # sealed, not merely kept aside

        _run_queued_tasks()

    assert len(mail.outbox) == 1
    assert secret in mail.outbox[0].body
    assert not PendingAcknowledgement.objects.exists()  # gone once the e-mail left


def test_the_password_reset_task_row_holds_no_token_nor_address(client, viewer):
    with override_settings(TASKS=DATABASE_BACKEND):
        client.post(reverse("password_reset"), {"email": viewer.email})
        rows = json.dumps(list(DBTaskResult.objects.values("args_kwargs")))

        assert viewer.email not in rows
        assert "token" not in rows
        _run_queued_tasks()

    assert "/accounts/reset/" in mail.outbox[0].body


def _finished_row(days_ago):
    finished = timezone.now() - dt.timedelta(days=days_ago)
    return DBTaskResult.objects.create(
        status="SUCCESSFUL",
        args_kwargs={"args": [], "kwargs": {"organization_id": 1}},
        task_path="compromiso.cases.tasks.refresh_facts",
        backend_name="default",
        run_after=finished,
        started_at=finished,
        finished_at=finished,
    )


def test_maintenance_prunes_finished_task_rows_and_unsent_secrets_past_their_days(
    organization, settings, django_capture_on_commit_callbacks
):
    settings.TASKS_KEEP_DAYS = 7
    old, recent = _finished_row(days_ago=8), _finished_row(days_ago=6)
    web = ChannelFactory(organization=organization, kind="web", name="Sitio web")
    with override_settings(TASKS=DATABASE_BACKEND):
        case, _secret = services.receive_case(
            organization=organization,
            kind="complaint",
            channel=web,
            subject="Demora",
            description="Esperé dos horas.",
            requester_name="Ana Pérez",
            requester_email="ana@example.org",
            by=PUBLIC,
        )
    queued = DBTaskResult.objects.filter(status="READY").get()
    PendingAcknowledgement.objects.filter(case=case).update(
        created_at=timezone.now() - dt.timedelta(days=3)
    )

    expired = Session.objects.create(
        session_key="x" * 32, session_data="", expire_date=timezone.now() - dt.timedelta(days=1)
    )

    call_command("case_maintenance", stdout=io.StringIO())

    remaining = set(DBTaskResult.objects.values_list("pk", flat=True))
    assert old.pk not in remaining
    assert {recent.pk, queued.pk} <= remaining  # recent and unfinished rows stay
    assert not PendingAcknowledgement.objects.exists()
    assert not Session.objects.filter(pk=expired.pk).exists()
