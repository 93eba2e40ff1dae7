"""Background work for cases: take ids, load, call one function."""

from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.utils import DNS_NAME
from django.db import transaction
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.crypto import salted_hmac

from compromiso.organizations.models import organization_time


@task()
def send_acknowledgement(*, case_id: int) -> None:
    """E-mail the requester the tracking code and secret (ISO 10002 §7.4). The secret waits,
    sealed, in its own row (never in this task's arguments), deleted once the e-mail is sent.

    The row is also the sent-marker: it is locked while the e-mail goes out and deleted in the
    same transaction, so a task run again after a worker crash finds it gone and sends nothing.
    Only a crash in the instant between the SMTP server's acceptance and the commit can repeat
    the e-mail, and then with the same Message-ID, which mail clients show once."""
    from compromiso.cases.models import Case, PendingAcknowledgement

    with transaction.atomic():
        pending = (
            PendingAcknowledgement.objects.select_for_update(skip_locked=True)
            .filter(case_id=case_id)
            .first()
        )
        case = Case.objects.select_related("organization").filter(pk=case_id).first()
        if pending is None or case is None or not case.requester_email:
            return
        with (
            translation.override(case.organization.language or settings.LANGUAGE_CODE),
            organization_time(case.organization),
        ):
            context = {
                "case": case,
                "secret": pending.unseal(),
                "site_url": settings.SITE_URL.rstrip("/"),
            }
            subject = render_to_string("cases/email/acknowledgement_subject.txt", context).strip()
            body = render_to_string("cases/email/acknowledgement_body.txt", context)
        message = EmailMessage(
            subject,
            body,
            None,
            [case.requester_email],
            headers={"Message-ID": acknowledgement_message_id(case, pending.nonce)},
        )
        message.send()
        pending.delete()


def acknowledgement_message_id(case: Any, nonce: str) -> str:
    """The same for every attempt at one case's acknowledgement, different for each case."""
    return f"<ack.{case.pk}.{nonce[:12]}@{DNS_NAME}>"


@task()
def recompute_open_deadlines(*, organization_id: int) -> int:
    """After a calendar change, recompute every open case's legal deadline."""
    from compromiso.cases import services

    return services.recompute_open_deadlines(organization_id)


@task()
def send_answer_notice(*, case_id: int, event_id: int | None = None) -> None:
    """E-mail the requester the answer, the links to accept or reject it and to rate the
    handling, and the external recourse.

    Sent once per answer, as the acknowledgement is: the answer's `PendingAnswerNotice` row is
    locked while the e-mail goes out and deleted in the same transaction, so a task run again
    after a worker crash, or twice at once, sends nothing more. A crash between the SMTP
    server's acceptance and the commit repeats it under the same Message-ID. A case reopened and
    answered again has a new answer, with its own row and Message-ID: a second e-mail."""
    from compromiso.cases import services
    from compromiso.cases.models import Case, CaseEvent, EventKind, PendingAnswerNotice

    with transaction.atomic():
        pending = None
        answers = CaseEvent.objects.filter(case_id=case_id, kind=EventKind.REPLY, is_public=True)
        if event_id is None:
            # Queued before answers had a sent-marker (migration 0010): the case's latest
            # public reply, sent as such tasks always sent it.
            answer = answers.order_by("-at", "-pk").first()
        else:
            pending = (
                PendingAnswerNotice.objects.select_for_update(skip_locked=True)
                .filter(pk=event_id)
                .first()
            )
            if pending is None:  # sent already, or being sent by another run
                return
            answer = answers.filter(pk=event_id).first()
        case = Case.objects.select_related("organization").filter(pk=case_id).first()
        if answer is None or case is None or not case.requester_email:
            if pending is not None:
                pending.delete()  # nothing to send (the address was erased meanwhile)
            return
        with (
            translation.override(case.organization.language or settings.LANGUAGE_CODE),
            organization_time(case.organization),
        ):
            context = {
                "case": case,
                "answer": answer.comment,
                "token": services.rating_token(case),
                "site_url": settings.SITE_URL.rstrip("/"),
            }
            subject = render_to_string("cases/email/answer_subject.txt", context).strip()
            body = render_to_string("cases/email/answer_body.txt", context)
        message = EmailMessage(
            subject,
            body,
            None,
            [case.requester_email],
            headers={"Message-ID": answer_message_id(case, answer.pk)},
        )
        message.send()
        if pending is not None:
            pending.delete()


def answer_message_id(case: Any, event_id: int) -> str:
    """The same for every attempt at one answer's e-mail, different for each answer. The digest
    (keyed by SECRET_KEY) keeps two installations on one host from sharing Message-IDs."""
    digest = salted_hmac(
        "compromiso.cases.answer_notice", str(event_id), algorithm="sha256"
    ).hexdigest()[:12]
    return f"<answer.{case.pk}.{event_id}.{digest}@{DNS_NAME}>"


@task()
def refresh_facts(*, organization_id: int) -> int:
    """Rebuild the analytics facts of the days marked as changed."""
    from compromiso.cases import facts
    from compromiso.organizations.models import Organization

    organization = Organization.objects.filter(pk=organization_id).first()
    return facts.refresh(organization) if organization else 0
