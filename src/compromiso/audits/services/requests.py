"""The information-request list (ISO 19011 §6.3.1): the audit team asks for documents and
records, naming who answers (a person of the audited organisation, a unit, or both) and by when;
the audited side answers with text and files; the team accepts, partly accepts or refuses each
answer. Reminders go to whoever answers when a request is due within two business days or late,
at most once a day each.

Who answers a request: its owner; anyone holding ANSWER_AUDITS on the owner unit's subtree (on
the audited unit's when the request names no unit); MANAGE_AUDITS in the organisation."""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from compromiso.audits.access import audit_for, can
from compromiso.audits.models import (
    OPEN_AUDIT_STATUSES,
    Audit,
    InformationRequest,
    RequestStatus,
)
from compromiso.audits.services.files import check_uploads, store_file
from compromiso.core.actors import SYSTEM, Actor, SystemActor, user_of
from compromiso.core.audit import log_action, snapshot
from compromiso.core.calendar import BusinessCalendar
from compromiso.core.errors import DomainError
from compromiso.core.permissions import Perm, Role, Viewer, has_perm, roles_with
from compromiso.core.tasks import enqueue_with_transaction
from compromiso.organizations.models import Membership, Unit, User

MAX_REQUESTS = 500
REMIND_WITHIN_BUSINESS_DAYS = 2
REQUEST_FIELDS = ("text", "criterion", "owner", "owner_unit", "due_date")
REVIEW_STATUSES = (
    RequestStatus.PROVIDED,
    RequestStatus.PARTIAL,
    RequestStatus.REJECTED,
    RequestStatus.NOT_APPLICABLE,
)


class RequestError(DomainError):
    pass


def _require_open(audit: Audit) -> None:
    if audit.status not in OPEN_AUDIT_STATUSES:
        raise RequestError(_("This audit is closed."), code="closed")


def _require_conduct(audit: Audit, by: Actor) -> None:
    if not can(by, audit, "conduct"):
        raise PermissionDenied(_("You do not have permission to do this."))


def can_answer_request(user: Viewer, request: InformationRequest) -> bool:
    """The owner, the holders of ANSWER_AUDITS over the owner unit (or the audited unit), and
    those who manage audits."""
    if isinstance(user, SystemActor):
        return True
    if not user.is_authenticated or not user.is_active:
        return False
    audit = request.audit
    org = audit.organization_id
    if has_perm(user, Perm.MANAGE_AUDITS, organization_id=org):
        return True
    if request.owner_id is not None and request.owner_id == user.pk:
        return True
    unit = request.owner_unit if request.owner_unit_id else audit.unit
    path = unit.path if unit is not None else None
    return has_perm(user, Perm.ANSWER_AUDITS, organization_id=org, unit_path=path)


def _check_people(audit: Audit, owner: User | None, owner_unit: Unit | None) -> None:
    if owner is None and owner_unit is None:
        raise ValidationError({"owner": _("Name who answers: a person, a unit or both.")})
    if owner is not None and not (
        owner.is_active
        and Membership.objects.filter(user=owner, organization_id=audit.organization_id).exists()
    ):
        raise ValidationError({"owner": _("Choose a member of the audited organisation.")})
    if owner_unit is not None and owner_unit.organization_id != audit.organization_id:
        raise ValidationError({"owner_unit": _("Choose a unit of the audited organisation.")})


def _clean(request: InformationRequest) -> None:
    request.text = (request.text or "").strip()
    request.criterion = (request.criterion or "").strip()
    _check_people(request.audit, request.owner, request.owner_unit)
    request.full_clean(exclude=["audit", "answered_by"])


@transaction.atomic
def add_request(
    audit: Audit,
    *,
    by: Actor,
    text: str,
    due_date: dt.date,
    criterion: str = "",
    owner: User | None = None,
    owner_unit: Unit | None = None,
) -> InformationRequest:
    """Add a request to the audit's list, numbered after the last one."""
    _require_conduct(audit, by)
    locked = Audit.objects.select_for_update().get(pk=audit.pk)
    _require_open(locked)
    existing = InformationRequest.objects.filter(audit=locked)
    if existing.count() >= MAX_REQUESTS:
        raise RequestError(
            _("An audit has at most %(count)d information requests.") % {"count": MAX_REQUESTS}
        )
    number = (existing.aggregate(last=Max("number"))["last"] or 0) + 1
    request = InformationRequest(
        audit=audit,
        number=number,
        text=text,
        criterion=criterion,
        owner=owner,
        owner_unit=owner_unit,
        due_date=due_date,
    )
    _clean(request)
    request.save()
    log_action(
        request,
        "audits.request.created",
        by=by,
        data={"audit": audit.pk, "number": number, "due": due_date.isoformat()},
    )
    return request


@transaction.atomic
def update_request(request: InformationRequest, *, by: Actor, **fields: Any) -> InformationRequest:
    """Change what is asked, who answers or by when, before the team has accepted it."""
    _require_conduct(request.audit, by)
    _require_open(request.audit)
    if request.status in (RequestStatus.PROVIDED, RequestStatus.NOT_APPLICABLE):
        raise RequestError(_("This request is settled and can no longer be changed."))
    before = snapshot(request, REQUEST_FIELDS)
    for name, value in fields.items():
        if name not in REQUEST_FIELDS:
            raise TypeError(name)
        setattr(request, name, value)
    _clean(request)
    request.save()
    after = snapshot(request, REQUEST_FIELDS)
    changed = [name for name in REQUEST_FIELDS if before[name] != after[name]]
    log_action(request, "audits.request.updated", by=by, data={"fields": changed})
    return request


@transaction.atomic
def answer_request(
    request: InformationRequest,
    *,
    by: Actor,
    text: str,
    uploads: Sequence[Any] = (),
) -> InformationRequest:
    """The audited side answers, with text and files. Answering again after the team found the
    answer incomplete or refused it puts the request back for review."""
    if not can_answer_request(by, request):
        raise PermissionDenied(_("You do not have permission to do this."))
    _require_open(request.audit)
    if request.status in (RequestStatus.PROVIDED, RequestStatus.NOT_APPLICABLE):
        raise RequestError(_("This request is settled and can no longer be answered."))
    text = (text or "").strip()
    uploads = list(uploads)
    if not text and not uploads:
        raise ValidationError({"answer": _("Write an answer or attach a file.")})
    check_uploads(uploads, already=request.files.count())
    request.answer = text
    request.answered_at = timezone.now()
    request.answered_by = user_of(by)
    request.status = RequestStatus.REQUESTED
    request.full_clean(exclude=["audit", "owner", "owner_unit", "answered_by"])
    request.save()
    stored = [store_file(request.audit, upload, by=by, request=request) for upload in uploads]
    log_action(
        request,
        "audits.request.answered",
        by=by,
        data={"files": [f.pk for f in stored], "length": len(text)},
    )
    return request


@transaction.atomic
def review_request(
    request: InformationRequest, *, by: Actor, status: str, note: str = ""
) -> InformationRequest:
    """The team's verdict on what was provided: provided, partly, not accepted, not
    applicable."""
    _require_conduct(request.audit, by)
    _require_open(request.audit)
    if status not in REVIEW_STATUSES:
        raise ValidationError({"status": _("Choose a valid verdict.")})
    note = (note or "").strip()
    if status in (RequestStatus.PARTIAL, RequestStatus.REJECTED) and not note:
        raise ValidationError({"note": _("Say what is missing or why it is not accepted.")})
    before = request.status
    request.status = status
    request.reviewer_note = note
    request.full_clean(exclude=["audit", "owner", "owner_unit", "answered_by"])
    request.save(update_fields=["status", "reviewer_note"])
    log_action(request, "audits.request.reviewed", by=by, data={"status": [before, status]})
    return request


# --- Where a request stands, and reminders ----------------------------------------------------


@dataclass(frozen=True)
class DueState:
    overdue: bool
    days_late: int  # business days after the due date (0 when not late)
    days_left: int  # business days until the due date (0 when due today or late)


def is_waiting(request: InformationRequest) -> bool:
    """Asked and not answered yet."""
    return request.status == RequestStatus.REQUESTED and request.answered_at is None


def due_state(request: InformationRequest, today: dt.date, calendar: BusinessCalendar) -> DueState:
    """Late when still unanswered after its due date; days counted in business days."""
    if not is_waiting(request):
        return DueState(False, 0, 0)
    if request.due_date < today:
        return DueState(True, max(1, calendar.business_days_between(request.due_date, today)), 0)
    return DueState(False, 0, calendar.business_days_between(today, request.due_date))


def visible_requests(audit: Audit) -> QuerySet[InformationRequest]:
    return InformationRequest.objects.filter(audit=audit).select_related(
        "owner", "owner_unit", "answered_by"
    )


def reminder_recipients(request: InformationRequest) -> list[User]:
    """The owner; else the unit heads (and quality managers placed on units) over the owner
    unit; else those who answer audits for the whole organisation, administrators aside."""
    if request.owner is not None and request.owner.is_active:
        return [request.owner]
    audit = request.audit
    unit = request.owner_unit or audit.unit
    roles = roles_with(Perm.ANSWER_AUDITS) - {Role.ADMINISTRATOR}
    memberships = Membership.objects.filter(
        organization_id=audit.organization_id, role__in=roles, user__is_active=True
    ).select_related("user", "unit")
    placed = [
        m.user
        for m in memberships
        if m.unit is not None and unit is not None and unit.path.startswith(m.unit.path)
    ]
    people = placed or [m.user for m in memberships if m.unit is None]
    return list({person.pk: person for person in people}.values())


def remind_due_requests(*, by: Actor = SYSTEM, now: dt.datetime | None = None) -> int:
    """Claim, once per organisation's day, every unanswered request of an open audit due within
    two business days or late, and enqueue its reminder. A re-run the same day sends nothing."""
    from compromiso.audits.tasks import send_request_reminder

    if not isinstance(by, SystemActor):
        raise PermissionDenied(_("You do not have permission to do this."))
    now = now or timezone.now()
    horizon = now.date() + dt.timedelta(days=21)
    candidates = (
        InformationRequest.objects.filter(
            audit__status__in=OPEN_AUDIT_STATUSES,
            status=RequestStatus.REQUESTED,
            answered_at__isnull=True,
            due_date__lte=horizon,
        )
        .select_related("audit__organization")
        .order_by("pk")
    )
    calendars: dict[int, BusinessCalendar] = {}
    claimed = 0
    for request in candidates:
        organization = request.audit.organization
        calendar = calendars.get(organization.pk)
        if calendar is None:
            calendar = calendars[organization.pk] = organization.business_calendar()
        today = organization.local(now).date()
        if request.due_date >= today and (
            calendar.business_days_between(today, request.due_date) > REMIND_WITHIN_BUSINESS_DAYS
        ):
            continue
        start_of_day = dt.datetime.combine(today, dt.time.min, tzinfo=organization.zone)
        with transaction.atomic():
            won = InformationRequest.objects.filter(
                Q(last_reminded_at__isnull=True) | Q(last_reminded_at__lt=start_of_day),
                pk=request.pk,
            ).update(last_reminded_at=now, reminders_sent=F("reminders_sent") + 1)
            if not won:
                continue
            log_action(
                request, "audits.request.reminded", by=by, data={"due": str(request.due_date)}
            )
            enqueue_with_transaction(send_request_reminder, request_id=request.pk)
        claimed += 1
    return claimed


def request_for(user: Viewer, audit_pk: int, request_pk: int) -> InformationRequest:
    """A request of an audit the user may see (404 otherwise)."""
    from django.http import Http404

    audit = audit_for(user, audit_pk, "view")
    request = visible_requests(audit).filter(pk=request_pk).first()
    if request is None:
        raise Http404("No request")
    request.audit = audit
    return request
