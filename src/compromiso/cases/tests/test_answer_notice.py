"""The answer e-mail leaves once per answer: a task run again after a worker crash, or twice
at once, sends nothing more; a case reopened and answered again gets a second e-mail."""

import threading

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from compromiso.cases import services
from compromiso.cases.models import Case, EventKind, PendingAnswerNotice
from compromiso.cases.tasks import send_answer_notice
from compromiso.catalog.tests.factories import ChannelFactory, ServiceFactory
from compromiso.core.actors import PUBLIC, SYSTEM

pytestmark = pytest.mark.django_db

DATABASE_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def case(organization, branch):
    web = ChannelFactory(organization=organization, kind="web", name="Sitio web")
    service = ServiceFactory(organization=organization, provider_unit=branch)
    case, _secret = services.receive_case(
        organization=organization,
        kind="complaint",
        channel=web,
        service=service,
        subject="Cobro duplicado",
        description="Me cobraron dos veces.",
        requester_name="Ana Pérez",
        requester_email="ana@example.org",
        by=PUBLIC,
    )
    return case


def _answer(case, officer, text):
    """Answer the case with the task queued, not run: returns the answer's event and the task's
    arguments as its row holds them."""
    with override_settings(TASKS=DATABASE_BACKEND):
        services.answer_case(case, answer=text, by=officer)
    row = DBTaskResult.objects.get(status="READY", task_path=send_answer_notice.module_path)
    row.delete()
    event = case.events.filter(kind=EventKind.REPLY).latest("pk")
    return event, row.args_kwargs["kwargs"]


def _message_id(message):
    return message.extra_headers["Message-ID"]


def test_the_answer_task_run_again_after_a_crash_sends_no_second_email(case, officer):
    services.assign_case(case, assignee=officer, by=officer)
    event, kwargs = _answer(case, officer, "Le devolvemos el importe.")
    mail.outbox.clear()

    assert kwargs == {"case_id": case.pk, "event_id": event.pk}  # ids only, as every task row
    assert PendingAnswerNotice.objects.filter(event=event).exists()
    send_answer_notice.call(**kwargs)
    send_answer_notice.call(**kwargs)  # the worker died before recording the task as done

    (message,) = mail.outbox
    assert message.to == ["ana@example.org"]
    assert "Le devolvemos el importe." in message.body
    assert _message_id(message).startswith(f"<answer.{case.pk}.{event.pk}.")
    assert not PendingAnswerNotice.objects.exists()


def test_a_repeat_from_a_crash_before_the_commit_carries_the_same_message_id(
    case, officer, monkeypatch
):
    """The SMTP server took the e-mail, then the sent-marker's delete never committed (the
    database went away): the rerun sends again, under the same Message-ID."""
    services.assign_case(case, assignee=officer, by=officer)
    _event, kwargs = _answer(case, officer, "Le devolvemos el importe.")
    mail.outbox.clear()
    delete = PendingAnswerNotice.delete

    def database_gone(self, *args, **kwargs):
        raise ConnectionError("the database went away")

    monkeypatch.setattr(PendingAnswerNotice, "delete", database_gone)
    with pytest.raises(ConnectionError):
        send_answer_notice.call(**kwargs)
    monkeypatch.setattr(PendingAnswerNotice, "delete", delete)
    send_answer_notice.call(**kwargs)
    send_answer_notice.call(**kwargs)

    first, second = mail.outbox
    assert _message_id(first) == _message_id(second)
    assert not PendingAnswerNotice.objects.exists()


def test_each_answer_of_a_reopened_case_gets_its_own_email(case, officer):
    services.assign_case(case, assignee=officer, by=officer)
    first_event, first = _answer(case, officer, "Le devolvemos el importe.")
    services.reopen_case(case, reason="No me devolvieron nada.", by=SYSTEM)
    second_event, second = _answer(case, officer, "Ahora sí: transferencia hecha.")
    mail.outbox.clear()

    for kwargs in (first, second, first, second):
        send_answer_notice.call(**kwargs)

    assert first["event_id"] == first_event.pk != second["event_id"] == second_event.pk
    one, two = mail.outbox
    assert "Le devolvemos el importe." in one.body
    assert "transferencia hecha" not in one.body
    assert "Ahora sí: transferencia hecha." in two.body
    assert _message_id(one).startswith(f"<answer.{case.pk}.{first_event.pk}.")
    assert _message_id(two).startswith(f"<answer.{case.pk}.{second_event.pk}.")
    assert _message_id(one) != _message_id(two)


def test_an_answer_sent_on_commit_is_not_sent_again(
    case, officer, django_capture_on_commit_callbacks
):
    """The ordinary path: the task runs once the answer commits; run again, it sends nothing."""
    services.assign_case(case, assignee=officer, by=officer)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.answer_case(case, answer="Le devolvemos el importe.", by=officer)
    event = case.events.filter(kind=EventKind.REPLY).get()

    send_answer_notice.call(case_id=case.pk, event_id=event.pk)

    assert len(mail.outbox) == 1
    assert not PendingAnswerNotice.objects.exists()


def test_an_address_erased_before_the_task_runs_gets_no_email_and_drops_the_marker(case, officer):
    services.assign_case(case, assignee=officer, by=officer)
    _event, kwargs = _answer(case, officer, "Le devolvemos el importe.")
    Case.objects.filter(pk=case.pk).update(requester_email="")
    mail.outbox.clear()

    send_answer_notice.call(**kwargs)

    assert mail.outbox == []
    assert not PendingAnswerNotice.objects.exists()


def test_a_task_queued_before_the_marker_existed_still_sends_the_answer(case, officer):
    """A row left in the queue by the release before (its arguments: the case's id only)."""
    services.assign_case(case, assignee=officer, by=officer)
    event, _kwargs = _answer(case, officer, "Le devolvemos el importe.")
    mail.outbox.clear()

    send_answer_notice.call(case_id=case.pk)

    (message,) = mail.outbox
    assert "Le devolvemos el importe." in message.body
    assert _message_id(message).startswith(f"<answer.{case.pk}.{event.pk}.")


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_send_one_email(case, officer, monkeypatch):
    """The second run finds the first's sent-marker locked and skips it: one e-mail."""
    if connection.vendor != "postgresql":
        # SQLite has no row locks (select_for_update does nothing): both runs would send.
        pytest.skip("SQLite has no row locks: the race is PostgreSQL's")
    services.assign_case(case, assignee=officer, by=officer)
    _event, kwargs = _answer(case, officer, "Le devolvemos el importe.")
    mail.outbox.clear()
    sending, release = threading.Event(), threading.Event()
    send_messages = EmailBackend.send_messages

    def slow_send(self, messages):
        sending.set()
        release.wait(10)  # the first run holds its lock while the second one tries
        return send_messages(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", slow_send)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            send_answer_notice.call(**kwargs)
        except BaseException as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    first = threading.Thread(target=run)
    first.start()
    assert sending.wait(10)
    second = threading.Thread(target=run)
    second.start()
    second.join(10)
    finished_while_first_sent = not second.is_alive()
    release.set()
    first.join(10)

    assert errors == []
    assert finished_while_first_sent  # skipped the locked row rather than waiting on it
    assert len(mail.outbox) == 1
    assert not PendingAnswerNotice.objects.exists()
