"""A case's states: acknowledged, started, paused, answered, closed, reopened, withdrawn,
merged, derived; notes. Each move writes a CaseEvent (the timeline) and an audit entry."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from compromiso.cases.models import (
    Case,
    CaseAction,
    CaseEvent,
    CaseKind,
    EventKind,
    PendingAnswerNotice,
    RootCause,
    Status,
)
from compromiso.cases.services.clock import recompute_deadline
from compromiso.cases.services.errors import CaseError
from compromiso.cases.services.figures import refresh_facts_later
from compromiso.cases.services.guards import (
    is_person,
    person,
    require_action,
    require_handler,
    same_organization,
)
from compromiso.cases.signals import case_closed
from compromiso.core.actors import Actor
from compromiso.core.audit import log_action
from compromiso.core.tasks import enqueue_with_transaction


def move_status(
    case: Case,
    to: str,
    *,
    by: Actor,
    comment: str = "",
    is_public: bool = False,
    event_kind: str = EventKind.TRANSITION,
    from_requester: bool = False,
) -> CaseEvent:
    """Change the state, refusing moves the lifecycle does not allow."""
    if not case.can_become(to):
        raise CaseError(
            _("A case that is “%(current)s” cannot become “%(next)s”.")
            % {"current": case.get_status_display(), "next": Status(to).label},
            code="invalid_transition",
        )
    event = CaseEvent.objects.create(
        case=case,
        actor=person(by),
        kind=event_kind,
        from_status=case.status,
        to_status=to,
        comment=comment,
        is_public=is_public,
        from_requester=from_requester,
    )
    case.status = to
    return event


@transaction.atomic
def acknowledge_case(case: Case, *, by: Actor, message: str = "") -> Case:
    """Tell the requester the case was received and is being handled (ISO 10002 §7.4)."""
    require_handler(case, by)
    require_action(case, CaseAction.ACKNOWLEDGE)
    move_status(case, Status.ACKNOWLEDGED, by=by, comment=message, is_public=True)
    case.acknowledged_at = timezone.now()
    case.save(update_fields=["status", "acknowledged_at", "updated_at"])
    refresh_facts_later(case)
    log_action(case, "cases.case.acknowledged", by=by)
    return case


@transaction.atomic
def start_case(case: Case, *, by: Actor) -> Case:
    """The assignee starts working on the case."""
    require_handler(case, by)
    require_action(case, CaseAction.START)
    move_status(case, Status.IN_PROGRESS, by=by)
    case.save(update_fields=["status", "updated_at"])
    log_action(case, "cases.case.started", by=by)
    return case


@transaction.atomic
def request_information(case: Case, *, message: str, by: Actor) -> Case:
    """Ask the requester to complete or correct the request: the legal clock stops."""
    require_handler(case, by)
    require_action(case, CaseAction.REQUEST_INFORMATION)
    if not message.strip():
        raise ValidationError({"message": _("Say what the requester must provide.")})
    move_status(
        case, Status.WAITING, by=by, comment=message, is_public=True, event_kind=EventKind.PAUSED
    )
    case.save(update_fields=["status", "updated_at"])
    recompute_deadline(case)
    log_action(case, "cases.case.paused", by=by)
    return case


@transaction.atomic
def resume_case(case: Case, *, by: Actor, comment: str = "", from_requester: bool = False) -> Case:
    """The requester answered (or the wait ended): the clock runs again. `from_requester`: the
    comment is the requester's own message."""
    if is_person(by):
        require_handler(case, by)
    require_action(case, CaseAction.RESUME)
    move_status(
        case,
        Status.IN_PROGRESS,
        by=by,
        comment=comment,
        is_public=True,
        event_kind=EventKind.RESUMED,
        from_requester=from_requester,
    )
    case.save(update_fields=["status", "updated_at"])
    recompute_deadline(case)
    log_action(case, "cases.case.resumed", by=by)
    return case


@transaction.atomic
def answer_case(case: Case, *, answer: str, by: Actor) -> Case:
    """Send the requester the answer and decision (ISO 10002 §7.7–7.8)."""
    require_handler(case, by)
    require_action(case, CaseAction.ANSWER)
    if not answer.strip():
        raise ValidationError({"answer": _("The answer cannot be empty.")})
    event = move_status(
        case, Status.ANSWERED, by=by, comment=answer, is_public=True, event_kind=EventKind.REPLY
    )
    case.answered_at = timezone.now()
    if case.acknowledged_at is None:
        case.acknowledged_at = case.answered_at  # an answer is also the acknowledgement
    case.verdict, case.verdict_at = "", None
    case.save(
        update_fields=[
            "status",
            "answered_at",
            "acknowledged_at",
            "verdict",
            "verdict_at",
            "updated_at",
        ]
    )
    log_action(case, "cases.case.answered", by=by)
    refresh_facts_later(case)
    if case.requester_email:
        from compromiso.cases.tasks import send_answer_notice

        # The answer's sent-marker, deleted by the task when its e-mail leaves (tasks.py).
        PendingAnswerNotice.objects.create(event=event)
        enqueue_with_transaction(send_answer_notice, case_id=case.pk, event_id=event.pk)
    return case


@transaction.atomic
def correct_answer_date(
    case: Case, *, answered_at: dt.datetime, by: Actor, reason: str = ""
) -> Case:
    """Correct when the answer was given (a letter posted before it was recorded, a typing
    slip). The correction is an internal event with both dates, and the figures of the days
    involved (and the charter indicators read from them) are rebuilt."""
    require_handler(case, by)
    if case.answered_at is None:
        raise CaseError(_("This case has not been answered yet."))
    if answered_at < case.received_at:
        raise ValidationError({"answered_at": _("The answer cannot precede the case.")})
    if answered_at > timezone.now():
        raise ValidationError({"answered_at": _("The answer date cannot be in the future.")})
    before = case.answered_at
    case.answered_at = answered_at
    case.save(update_fields=["answered_at", "updated_at"])
    comment = _("Answer date corrected from %(before)s to %(after)s.") % {
        "before": case.organization.local(before).strftime("%Y-%m-%d %H:%M"),
        "after": case.organization.local(answered_at).strftime("%Y-%m-%d %H:%M"),
    }
    if reason.strip():
        comment = f"{comment} {reason.strip()[:1000]}"
    CaseEvent.objects.create(case=case, actor=person(by), kind=EventKind.NOTE, comment=comment)
    log_action(
        case,
        "cases.case.answer_date_corrected",
        by=by,
        data={"from": before.isoformat(), "to": answered_at.isoformat()},
    )
    from compromiso.cases import facts

    facts.mark_dirty(case.organization, [case.received_at, before, answered_at])
    return case


@transaction.atomic
def close_case(
    case: Case, *, by: Actor, comment: str = "", root_cause: RootCause | None = None
) -> Case:
    """Close an answered case. Staff code the root cause of a complaint as they close it (ISO
    10002 §8.2); a case closed by the requester's acceptance keeps any cause already coded."""
    if is_person(by):
        require_handler(case, by)
    require_action(case, CaseAction.CLOSE)
    if root_cause is not None:
        same_organization(case.organization, root_cause=root_cause)
        case.root_cause = root_cause
    if (
        is_person(by)
        and case.kind == CaseKind.COMPLAINT
        and case.root_cause_id is None
        and RootCause.objects.filter(organization_id=case.organization_id, is_active=True).exists()
    ):
        raise ValidationError(
            {"root_cause": _("Code the root cause of the complaint to close it.")}
        )
    move_status(case, Status.CLOSED, by=by, comment=comment, is_public=True)
    case.closed_at = timezone.now()
    case.save(update_fields=["status", "closed_at", "root_cause", "updated_at"])
    log_action(
        case,
        "cases.case.closed",
        by=by,
        data={"root_cause": case.root_cause_id} if case.root_cause_id else None,
    )
    refresh_facts_later(case)
    # Inside the transaction: what listeners write (the post-contact survey's invitation)
    # commits or rolls back with the closure.
    case_closed.send(sender=Case, case=case)
    return case


@transaction.atomic
def reopen_case(case: Case, *, reason: str, by: Actor) -> Case:
    """Reopen an answered or closed case within the window (e.g. the answer was rejected)."""
    if is_person(by):
        require_handler(case, by)
    if case.status in (Status.ANSWERED, Status.CLOSED) and not case.can_reopen():
        raise CaseError(
            _("This case can no longer be reopened: the reopening window has passed."),
            code="reopen_window",
        )
    require_action(case, CaseAction.REOPEN)
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for reopening.")})
    move_status(case, Status.IN_PROGRESS, by=by, comment=reason, is_public=True)
    case.closed_at = None
    case.save(update_fields=["status", "closed_at", "updated_at"])
    log_action(case, "cases.case.reopened", by=by)
    refresh_facts_later(case)
    return case


@transaction.atomic
def withdraw_case(case: Case, *, reason: str, by: Actor) -> Case:
    """The requester withdrew the request; the case ends without an answer."""
    if is_person(by):
        require_handler(case, by)
    require_action(case, CaseAction.WITHDRAW)
    move_status(case, Status.WITHDRAWN, by=by, comment=reason, is_public=True)
    case.closed_at = timezone.now()
    case.save(update_fields=["status", "closed_at", "updated_at"])
    log_action(case, "cases.case.withdrawn", by=by)
    return case


@transaction.atomic
def merge_case(case: Case, *, into: Case, by: Actor) -> Case:
    """Mark a duplicate: it ends and points to the case that goes on."""
    require_handler(case, by)
    require_action(case, CaseAction.MERGE)
    if into.pk == case.pk or into.organization_id != case.organization_id or not into.is_open:
        raise CaseError(_("Merge into another open case of the same organisation."), code="merge")
    move_status(case, Status.MERGED, by=by, comment=into.tracking_code, is_public=True)
    case.merged_into = into
    case.closed_at = timezone.now()
    case.save(update_fields=["status", "merged_into", "closed_at", "updated_at"])
    log_action(case, "cases.case.merged", by=by, data={"into": into.pk})
    return case


@transaction.atomic
def derive_case(case: Case, *, body: str, message: str, by: Actor) -> Case:
    """Hand the case to the competent body, telling the requester where it went."""
    require_handler(case, by)
    require_action(case, CaseAction.DERIVE)
    if not body.strip() or not message.strip():
        raise ValidationError(
            {"body": _("Say which body the case goes to and tell the requester.")}
        )
    move_status(case, Status.DERIVED, by=by, comment=message, is_public=True)
    case.derived_to = body.strip()
    case.closed_at = timezone.now()
    case.save(update_fields=["status", "derived_to", "closed_at", "updated_at"])
    log_action(case, "cases.case.derived", by=by, data={"to": case.derived_to})
    return case


@transaction.atomic
def add_note(case: Case, *, text: str, by: Actor, public: bool = False) -> CaseEvent:
    """An internal note, or a public reply that does not change the state."""
    require_handler(case, by)
    require_action(case, CaseAction.REPLY if public else CaseAction.NOTE)
    if not text.strip():
        raise ValidationError({"text": _("The note cannot be empty.")})
    event = CaseEvent.objects.create(
        case=case,
        actor=person(by),
        kind=EventKind.REPLY if public else EventKind.NOTE,
        comment=text,
        is_public=public,
    )
    log_action(case, "cases.case.noted", by=by, data={"public": public})
    return event
