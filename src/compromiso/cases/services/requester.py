"""What the requester does: writes again, accepts or rejects the answer, rates the handling."""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from compromiso.cases.models import (
    Case,
    CaseEvent,
    EventKind,
    HandlingRating,
    Status,
    Verdict,
)
from compromiso.cases.services.attachments import add_attachment
from compromiso.cases.services.errors import CaseError
from compromiso.cases.services.figures import refresh_facts_later
from compromiso.cases.services.lifecycle import close_case, move_status, resume_case
from compromiso.core.actors import PUBLIC
from compromiso.core.audit import log_action


@transaction.atomic
def add_requester_message(
    case: Case, *, text: str, uploads: Any = (), source: str = "web"
) -> CaseEvent:
    """The requester wrote again (a reply by e-mail or from the tracking page). If the case was
    waiting for them, the clock restarts; a closed case is not reopened by a message alone."""
    if not text.strip() and not uploads:
        raise ValidationError({"text": _("Write a message or attach a file.")})
    if case.status == Status.WAITING:
        resume_case(case, by=PUBLIC, comment=text, from_requester=True)
        event = case.events.order_by("-at", "-pk")[0]
    else:
        event = CaseEvent.objects.create(
            case=case, kind=EventKind.REPLY, comment=text, is_public=True, from_requester=True
        )
    log_action(case, "cases.case.requester_message", by=PUBLIC, data={"source": source})
    for upload in uploads:
        add_attachment(case, upload, by=PUBLIC, event=event, check_permission=False)
    return event


@transaction.atomic
def record_verdict(case: Case, *, accepted: bool, comment: str = "") -> Case:
    """The requester accepts the answer (the case closes) or rejects it (the case reopens for
    review and they are told where else they can turn)."""
    if case.status != Status.ANSWERED or case.verdict:
        raise CaseError(_("This answer can no longer be accepted or rejected."), code="verdict")
    if not accepted and not comment.strip():
        raise ValidationError({"comment": _("Tell us why you do not accept the answer.")})
    case.verdict = Verdict.ACCEPTED if accepted else Verdict.REJECTED
    case.verdict_at = timezone.now()
    case.save(update_fields=["verdict", "verdict_at", "updated_at"])
    CaseEvent.objects.create(
        case=case,
        kind=EventKind.ACCEPTED if accepted else EventKind.REJECTED,
        comment=comment.strip(),
        is_public=True,
        from_requester=True,
    )
    log_action(case, "cases.case.verdict", by=PUBLIC, data={"verdict": case.verdict})
    if accepted:
        close_case(case, by=PUBLIC)
    else:
        move_status(
            case,
            Status.IN_PROGRESS,
            by=PUBLIC,
            comment=comment,
            is_public=True,
            from_requester=True,
        )
        case.closed_at = None
        case.save(update_fields=["status", "closed_at", "updated_at"])
    refresh_facts_later(case)
    return case


RATING_SALT = "compromiso.cases.rating"


def rating_token(case: Case) -> str:
    """The link token of the handling survey: signed, so it needs no login and no storage."""
    from django.core import signing

    return signing.dumps(case.pk, salt=RATING_SALT, compress=True)


def case_for_rating_token(token: str) -> Case | None:
    from django.core import signing

    try:
        pk = signing.loads(token, salt=RATING_SALT, max_age=dt.timedelta(days=90))
    except signing.BadSignature:
        return None
    return Case.objects.select_related("organization").filter(pk=pk).first()


@transaction.atomic
def rate_handling(
    case: Case,
    *,
    outcome: int,
    courtesy: int,
    clarity: int,
    timeliness: int,
    comment: str = "",
) -> HandlingRating:
    """Record the requester's satisfaction with the outcome and the handling, once."""
    if case.status not in (Status.ANSWERED, Status.CLOSED) or case.answered_at is None:
        raise CaseError(_("You can rate the handling once you have the answer."), code="rating")
    if HandlingRating.objects.filter(case=case).exists():
        raise CaseError(_("This case has already been rated. Thank you."), code="rated")
    rating = HandlingRating(
        case=case,
        outcome=outcome,
        courtesy=courtesy,
        clarity=clarity,
        timeliness=timeliness,
        comment=comment.strip(),
    )
    rating.full_clean()
    rating.save()
    log_action(case, "cases.case.rated", by=PUBLIC, data={"outcome": outcome})
    refresh_facts_later(case)
    return rating
