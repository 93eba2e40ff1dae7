"""Every change to a case: intake, the lifecycle, the legal clock. Each writes a CaseEvent (the
timeline) and an audit entry; nothing is ever deleted."""

import datetime as dt
import hashlib
import hmac
import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from compromiso.cases import deadlines, files
from compromiso.cases.models import (
    AssignmentRule,
    Attachment,
    CannedAnswer,
    Case,
    CaseAction,
    CaseEvent,
    CaseKind,
    Category,
    DeadlinePolicy,
    EventKind,
    HandlingRating,
    IntakeKey,
    Priority,
    Redress,
    RootCause,
    Status,
    Verdict,
)
from compromiso.cases.national_id import VALIDATORS
from compromiso.cases.presets import PRESETS
from compromiso.cases.reference import IntakeReference
from compromiso.cases.search import search_config_for
from compromiso.catalog.models import Channel, Service, TouchPoint
from compromiso.core.audit import changes, log_action, snapshot
from compromiso.core.calendar import BusinessCalendar, DeadlineUnit
from compromiso.core.errors import DomainError
from compromiso.core.permissions import ROLE_PERMISSIONS, Perm, require, scope_for
from compromiso.core.tasks import enqueue_with_transaction
from compromiso.organizations.models import Organization, Unit, User

# Kinds a person may file without giving their name (ISO 10002 allows it; complaints need a
# name to be answered).
ANONYMOUS_KINDS = frozenset({CaseKind.SUGGESTION, CaseKind.COMPLIMENT})
# Unambiguous characters for tracking codes (no 0/O, 1/I/L).
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_PREFIX = {"cl_public": "OIRS", "es_public": "QS", "es_ct_public": "QS"}


RESOLVED_RELATIONS = ("organization", "channel", "touch_point", "service", "unit", "category")
# The case model's only constraint besides the tracking code's unique index, checked in Python
# at intake (`_validate_new_case`).
NAMED_UNLESS_ANONYMOUS = next(
    c for c in Case._meta.constraints if c.name == "case_named_unless_anonymous"
)


class CaseError(DomainError):
    pass


@transaction.atomic
def install_deadline_presets(
    organization: Organization, *, by: User | None
) -> list[DeadlinePolicy]:
    """Give the organisation the legal deadlines of its jurisdiction for every kind it lacks."""
    presets = PRESETS.get(organization.jurisdiction, PRESETS["other"])
    existing = set(organization.deadline_policies.values_list("kind", flat=True))
    created = []
    for kind, preset in presets.items():
        if kind in existing:
            continue
        policy = DeadlinePolicy.objects.create(
            organization=organization,
            kind=kind,
            unit=preset.unit.value,
            amount=preset.amount,
            extension=preset.extension,
            extension_unit=preset.extension_unit.value if preset.extension_unit else "",
            extension_requires_notice=preset.extension_requires_notice,
            legal_basis=preset.legal_basis,
            external_recourse=preset.external_recourse,
        )
        log_action(policy, "cases.deadline_policy.created", by=by, data={"kind": kind})
        created.append(policy)
    return created


POLICY_FIELDS = (
    "unit",
    "amount",
    "extension",
    "extension_unit",
    "extension_requires_notice",
    "legal_basis",
    "external_recourse",
)


@transaction.atomic
def update_deadline_policy(
    policy: DeadlinePolicy, *, by: User | None, **fields: Any
) -> DeadlinePolicy:
    """Adjust a legal deadline. Cases already received keep the terms they were received under."""
    require(by, Perm.MANAGE_ORGANIZATION, organization_id=policy.organization_id)
    names = [k for k in fields if k in POLICY_FIELDS]
    before = snapshot(policy, names)
    for name in names:
        setattr(policy, name, fields[name])
    policy.full_clean()
    policy.save()
    diff = changes(before, snapshot(policy, names))
    if diff:
        log_action(policy, "cases.deadline_policy.updated", by=by, data=diff)
    return policy


def _hash_secret(secret: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, secret.encode(), hashlib.sha256).hexdigest()


def verify_secret(case: Case, secret: str) -> bool:
    """Does the secret from the acknowledgement match this case (constant-time)?"""
    return hmac.compare_digest(case.secret_hash, _hash_secret(secret.strip().upper()))


def _new_tracking_code(organization: Organization, received_at: dt.datetime) -> str:
    """A random code; its uniqueness is the unique index's job (see `receive_case`)."""
    prefix = CODE_PREFIX.get(organization.jurisdiction, "CASO")
    suffix = "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))
    return f"{prefix}-{received_at:%Y}-{suffix}"


def _same_organization(organization: Organization, **objects: Any) -> None:
    errors = {
        name: _("This belongs to another organisation.")
        for name, obj in objects.items()
        if obj is not None and obj.organization_id != organization.pk
    }
    if errors:
        raise ValidationError(errors)


def receive_case(
    *,
    organization: Organization,
    kind: str,
    channel: Channel,
    subject: str,
    description: str,
    by: User | None,
    requester_name: str = "",
    requester_national_id: str = "",
    requester_email: str = "",
    requester_phone: str = "",
    requester_address: str = "",
    reply_channel: str = "email",
    is_anonymous: bool = False,
    service: Service | None = None,
    touch_point: TouchPoint | None = None,
    unit: Unit | None = None,
    priority: str = Priority.NORMAL,
    category: Category | None = None,
    received_at: dt.datetime | None = None,
    uploads: Any = (),
    intake_key: str | None = None,
    body_hash: str = "",
    reference: IntakeReference | None = None,
) -> tuple[Case, str]:
    """Register a case from any channel; returns it and the secret for public tracking.

    Staff intake (by a user) needs the permission to handle cases; public intake passes by=None.
    With an `intake_key` (and the submission's `body_hash`) the key is claimed in the case's own
    transaction: a submission whose key an earlier one holds raises AlreadyReceived with that
    case (or IdempotencyConflict when the body differs) and leaves nothing written. A caller
    holding the organisation as read in this request may pass its `reference` (cases/reference.py)
    to spare the look-ups of the policy, the closure days and the routing rules. Everything is
    checked before the transaction starts; the case, its first event, the audit entry, the
    attachments and the routing are written in one atomic block. The acknowledgement is enqueued
    so that it goes out only once the case is committed.
    """
    _same_organization(
        organization,
        channel=channel,
        service=service,
        touch_point=touch_point,
        unit=unit,
        category=category,
    )
    owner = (
        unit
        or (service.provider_unit if service else None)
        or (touch_point.unit if touch_point else None)
    )
    if by is not None and not scope_for(by, Perm.HANDLE_CASES).touches(organization.pk):
        raise PermissionDenied(_("You do not have permission to do this."))
    if is_anonymous and kind not in ANONYMOUS_KINDS:
        raise ValidationError(
            {"is_anonymous": _("Only suggestions and compliments can be anonymous.")}
        )
    if is_anonymous:
        requester_name = requester_national_id = requester_address = ""
    national_id = requester_national_id.strip()
    check = VALIDATORS.get(organization.country)
    if national_id and check is not None:
        normalized = check(national_id)
        if normalized is None:
            raise ValidationError({"requester_national_id": _("This national ID is not valid.")})
        national_id = normalized
    policy = reference.policies.get(kind) if reference is not None else None
    if policy is None:
        policy = DeadlinePolicy.objects.filter(organization=organization, kind=kind).first()
    if policy is None:
        install_deadline_presets(organization, by=None)
        policy = DeadlinePolicy.objects.filter(organization=organization, kind=kind).first()
    if policy is None:
        raise ValidationError({"kind": _("Unknown kind of request.")})
    received_at = received_at or timezone.now()
    secret = "".join(secrets.choice(CODE_ALPHABET) for _ in range(10))
    case = Case(
        organization=organization,
        secret_hash=_hash_secret(secret),
        kind=kind,
        channel=channel,
        touch_point=touch_point,
        service=service,
        unit=owner,
        priority=priority,
        subject=subject,
        description=description,
        is_anonymous=is_anonymous,
        requester_name=requester_name.strip(),
        requester_national_id=national_id,
        requester_email=requester_email.strip(),
        requester_phone=requester_phone.strip(),
        requester_address=requester_address.strip(),
        reply_channel=reply_channel,
        received_at=received_at,
        deadline_amount=policy.amount,
        deadline_unit=policy.unit,
        extension_allowed=policy.extension,
        extension_unit=policy.extension_unit,
        extension_requires_notice=policy.extension_requires_notice,
        legal_basis=policy.legal_basis,
        external_recourse=policy.external_recourse,
        category=category,
        search_config=search_config_for(organization.language),
    )
    calendar = organization.business_calendar(reference.closed_days if reference else None)
    case.due_at = _due(case, calendar, pauses=())
    _validate_new_case(case)
    while True:
        case.tracking_code = _new_tracking_code(organization, received_at)
        try:
            with transaction.atomic():
                _record_received(
                    case,
                    by=by,
                    uploads=uploads,
                    secret=secret,
                    intake_key=intake_key,
                    body_hash=body_hash,
                    routes=reference.routes if reference is not None else None,
                )
        except _KeyTaken:
            assert intake_key is not None
            earlier = case_for_intake_key(organization, intake_key, body_hash)
            assert earlier is not None  # the key's row is never deleted but with its case
            raise AlreadyReceived(earlier) from None
        except IntegrityError:
            # The unique index refused the code if another case has it: draw another. Checking
            # before inserting would cost a query on every intake and still race with others.
            if not Case.objects.filter(tracking_code=case.tracking_code).exists():
                raise
        else:
            return case, secret


def _record_received(
    case: Case,
    *,
    by: User | None,
    uploads: Any,
    secret: str,
    intake_key: str | None,
    body_hash: str,
    routes: bool | None,
) -> None:
    """Write a validated new case (inserted first, so a taken tracking code fails before any
    other write), its idempotency key (next, so a retry stops before anything else is written),
    its first event, the audit entry, attachments and routing."""
    case.save(force_insert=True)
    if intake_key is not None and not _claim_intake_key(case, intake_key, body_hash):
        raise _KeyTaken
    CaseEvent.objects.create(
        case=case,
        at=case.received_at,
        actor=by,
        kind=EventKind.TRANSITION,
        to_status=Status.RECEIVED,
        is_public=True,
        from_requester=by is None,  # the public form or an e-mail: the requester's own words
    )
    log_action(
        case, "cases.case.received", by=by, data={"kind": case.kind, "channel": case.channel_id}
    )
    for upload in uploads:
        add_attachment(case, upload, by=by, check_permission=False)
    # Most organisations route by hand: a cheap check spares loading the rules and their units.
    if routes is None:
        routes = AssignmentRule.objects.filter(
            organization_id=case.organization_id, is_active=True
        ).exists()
    if routes:
        apply_assignment_rules(case)
    _refresh_facts_later(case)
    if case.requester_email:
        from compromiso.cases.models import PendingAcknowledgement
        from compromiso.cases.tasks import send_acknowledgement

        PendingAcknowledgement.seal(case, secret).save(force_insert=True)
        enqueue_with_transaction(send_acknowledgement, case_id=case.pk)


def _validate_new_case(case: Case) -> None:
    """The model's `full_clean`, with its one check constraint (named unless anonymous) tested in
    Python: Django would ask the database, a query inside a savepoint, three round trips for one
    comparison. The errors are the same, in the same places. Related rows were resolved and
    checked by the caller; validating them again would cost a query each."""
    errors: dict[str, Any] = {}
    try:
        case.full_clean(
            exclude=["secret_hash", "tracking_code", *RESOLVED_RELATIONS],
            validate_constraints=False,
        )
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    # Like Django, the constraint is not checked when one of its fields is already invalid.
    checked = not {"is_anonymous", "requester_name"} & set(errors)
    if checked and not case.is_anonymous and case.requester_name == "":
        violation = ValidationError(
            NAMED_UNLESS_ANONYMOUS.get_violation_error_message(),
            code=NAMED_UNLESS_ANONYMOUS.violation_error_code,
        )
        errors.setdefault(NON_FIELD_ERRORS, []).append(violation)
    if errors:
        raise ValidationError(errors)


class IdempotencyConflict(CaseError):  # noqa: N818 (reads as the domain says it)
    pass


class AlreadyReceived(Exception):  # noqa: N818 (reads as the domain says it)
    """The submission's intake key already made a case: `case`, returned instead of a second."""

    def __init__(self, case: Case) -> None:
        super().__init__(case.tracking_code)
        self.case = case


class _KeyTaken(Exception):  # noqa: N818
    """Raised inside the intake's transaction to roll the new case back."""


def case_for_intake_key(organization: Organization, key: str, body_hash: str) -> Case | None:
    """The case an earlier submission with this key made; a different body under the same key is
    refused rather than silently answered with the wrong case."""
    # The case is read only when the key was used: on a first submission that costs nothing.
    found = IntakeKey.objects.filter(organization=organization, key=key).first()
    if found is None:
        return None
    if found.body_hash != body_hash:
        raise IdempotencyConflict(
            _("This idempotency key was already used with a different request."),
            code="idempotency_conflict",
        )
    return found.case


def remember_intake_key(case: Case, key: str, body_hash: str) -> None:
    IntakeKey.objects.create(
        organization=case.organization, key=key, body_hash=body_hash, case=case
    )


def _claim_intake_key(case: Case, key: str, body_hash: str) -> bool:
    """Record the key for the new case; False when an earlier submission holds it.

    One statement instead of a look-up before the case and an insert after it. `ON CONFLICT DO
    NOTHING` also settles two retries sent at the same moment: the second waits on the unique
    index until the first commits, then inserts nothing, and its case is rolled back (a plain
    insert would fail there with an IntegrityError).
    """
    table = connection.ops.quote_name(IntakeKey._meta.db_table)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO {table} (organization_id, "key", body_hash, case_id, created_at) '
            'VALUES (%s, %s, %s, %s, %s) ON CONFLICT (organization_id, "key") DO NOTHING '
            "RETURNING id",
            [case.organization_id, key, body_hash, case.pk, now],
        )
        return cursor.fetchone() is not None


def _compute_due(case: Case, *, pauses: Any) -> dt.datetime | None:
    return _due(case, case.organization.business_calendar(), pauses=pauses)


def _due(case: Case, calendar: BusinessCalendar, *, pauses: Any) -> dt.datetime | None:
    return deadlines.due_at(
        deadlines.shared_calendar(calendar),
        case.received_at,
        case.deadline_amount,
        DeadlineUnit(case.deadline_unit),
        pauses=pauses,
        extension=case.extension_allowed if case.extended else 0,
        extension_unit=DeadlineUnit(case.extension_unit) if case.extension_unit else None,
    )


def pauses_of(case: Case) -> list[deadlines.Pause]:
    """The periods the clock stood still, read from the case's timeline. A pause ends when the
    clock restarts or the case leaves the waiting state any other way (older timelines recorded
    "start" on a waiting case as a plain state change)."""
    pauses: list[deadlines.Pause] = []
    started: dt.datetime | None = None
    for kind, at in case.events.filter(
        Q(kind__in=[EventKind.PAUSED, EventKind.RESUMED]) | Q(from_status=Status.WAITING)
    ).values_list("kind", "at"):
        if kind == EventKind.PAUSED and started is None:
            started = at
        elif kind != EventKind.PAUSED and started is not None:
            pauses.append(deadlines.Pause(started, at))
            started = None
    if started is not None:
        pauses.append(deadlines.Pause(started, None))
    return pauses


def recompute_deadline(case: Case) -> Case:
    """Derive the due date again from the policy copy, the calendar and the event log."""
    due = _compute_due(case, pauses=pauses_of(case))
    if due != case.due_at:
        case.due_at = due
        case.save(update_fields=["due_at", "updated_at"])
    return case


def recompute_open_deadlines(organization_id: int) -> int:
    """After a calendar change: recompute every open case of the organisation."""
    count = 0
    for case in (
        Case.objects.open().filter(organization_id=organization_id).select_related("organization")
    ):
        before = case.due_at
        recompute_deadline(case)
        count += before != case.due_at
    return count


def _require_handler(case: Case, by: User | None) -> None:
    require(
        by,
        Perm.HANDLE_CASES,
        organization_id=case.organization_id,
        unit_path=case.unit.path if case.unit_id and case.unit else None,
    )


def require_action(case: Case, action: str) -> None:
    """Refuse an action the case does not allow in its state (`Case.allowed_actions`)."""
    if action not in case.allowed_actions():
        raise CaseError(
            _("“%(action)s” is not possible on a case in the state “%(state)s”.")
            % {"action": CaseAction(action).label, "state": case.get_status_display()},
            code="invalid_transition",
        )


def _move(
    case: Case,
    to: str,
    *,
    by: User | None,
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
        actor=by,
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
def acknowledge_case(case: Case, *, by: User | None, message: str = "") -> Case:
    """Tell the requester the case was received and is being handled (ISO 10002 §7.4)."""
    _require_handler(case, by)
    require_action(case, CaseAction.ACKNOWLEDGE)
    _move(case, Status.ACKNOWLEDGED, by=by, comment=message, is_public=True)
    case.acknowledged_at = timezone.now()
    case.save(update_fields=["status", "acknowledged_at", "updated_at"])
    _refresh_facts_later(case)
    log_action(case, "cases.case.acknowledged", by=by)
    return case


def eligible_assignees(case: Case, unit: Unit | None = None) -> QuerySet[User]:
    """Active people who may handle the case at `unit` (by default its own): a role with the
    permission to handle cases held on the whole organisation, or on that unit or one above it.
    The choice offered by every door; `assign_case` refuses anyone else."""
    target = unit or case.unit
    roles = [role for role, perms in ROLE_PERMISSIONS.items() if Perm.HANDLE_CASES in perms]
    where = Q(memberships__unit__isnull=True)
    if target is not None:
        ancestors = [target.path[: i + 1] for i, c in enumerate(target.path) if c == "/" and i]
        where |= Q(memberships__unit__path__in=ancestors)
    return (
        User.objects.filter(
            where,
            is_active=True,
            memberships__organization_id=case.organization_id,
            memberships__organization__is_active=True,
            memberships__role__in=roles,
        )
        .distinct()
        .order_by("username")
    )


@transaction.atomic
def assign_case(
    case: Case,
    *,
    assignee: User,
    by: User | None,
    unit: Unit | None = None,
    check_permission: bool = True,
) -> Case:
    """Give the case to an officer, optionally moving it to another owning unit. Routing rules
    assign with check_permission=False (no person acts)."""
    if check_permission:
        _require_handler(case, by)
    if not case.is_open:
        raise CaseError(_("Closed cases cannot be reassigned."), code="closed")
    target = unit or case.unit
    if target is not None:
        _same_organization(case.organization, unit=target)
    if not scope_for(assignee, Perm.HANDLE_CASES).covers(
        case.organization_id, target.path if target else None
    ):
        raise ValidationError({"assignee": _("This person cannot handle cases of that unit.")})
    if case.status != Status.ASSIGNED or case.assignee_id != assignee.pk:
        to = Status.ASSIGNED if case.can_become(Status.ASSIGNED) else case.status
        if to == case.status:
            CaseEvent.objects.create(
                case=case, actor=by, kind=EventKind.ASSIGNED, comment=assignee.get_username()
            )
        else:
            _move(case, to, by=by, comment=assignee.get_username(), event_kind=EventKind.ASSIGNED)
    case.assignee, case.unit = assignee, target
    case.save(update_fields=["status", "assignee", "unit", "updated_at"])
    log_action(
        case,
        "cases.case.assigned",
        by=by,
        data={"assignee": assignee.pk, "unit": target.pk if target else None},
    )
    return case


@transaction.atomic
def start_case(case: Case, *, by: User | None) -> Case:
    """The assignee starts working on the case."""
    _require_handler(case, by)
    require_action(case, CaseAction.START)
    _move(case, Status.IN_PROGRESS, by=by)
    case.save(update_fields=["status", "updated_at"])
    log_action(case, "cases.case.started", by=by)
    return case


@transaction.atomic
def request_information(case: Case, *, message: str, by: User | None) -> Case:
    """Ask the requester to complete or correct the request: the legal clock stops."""
    _require_handler(case, by)
    require_action(case, CaseAction.REQUEST_INFORMATION)
    if not message.strip():
        raise ValidationError({"message": _("Say what the requester must provide.")})
    _move(case, Status.WAITING, by=by, comment=message, is_public=True, event_kind=EventKind.PAUSED)
    case.save(update_fields=["status", "updated_at"])
    recompute_deadline(case)
    log_action(case, "cases.case.paused", by=by)
    return case


@transaction.atomic
def resume_case(
    case: Case, *, by: User | None, comment: str = "", from_requester: bool = False
) -> Case:
    """The requester answered (or the wait ended): the clock runs again. `from_requester`: the
    comment is the requester's own message."""
    if by is not None:
        _require_handler(case, by)
    require_action(case, CaseAction.RESUME)
    _move(
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
def extend_deadline(case: Case, *, reason: str, by: User | None) -> Case:
    """Use the extension the law allows, once, telling the requester when the law requires it."""
    _require_handler(case, by)
    if not case.is_open:
        raise CaseError(_("Only open cases can be extended."), code="closed")
    if case.extended:
        raise CaseError(_("The deadline was already extended."), code="already_extended")
    if case.extension_allowed == 0:
        raise CaseError(
            _("The legal basis of this kind of request allows no extension."), code="no_extension"
        )
    require_action(case, CaseAction.EXTEND)
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the extension.")})
    case.extended = True
    case.save(update_fields=["extended", "updated_at"])
    _refresh_facts_later(case)
    CaseEvent.objects.create(
        case=case,
        actor=by,
        kind=EventKind.EXTENDED,
        comment=reason,
        is_public=True,  # the requester is always told; some laws make it mandatory
    )
    recompute_deadline(case)
    log_action(case, "cases.case.extended", by=by, data={"due_at": case.due_at})
    return case


@transaction.atomic
def answer_case(case: Case, *, answer: str, by: User | None) -> Case:
    """Send the requester the answer and decision (ISO 10002 §7.7–7.8)."""
    _require_handler(case, by)
    require_action(case, CaseAction.ANSWER)
    if not answer.strip():
        raise ValidationError({"answer": _("The answer cannot be empty.")})
    _move(case, Status.ANSWERED, by=by, comment=answer, is_public=True, event_kind=EventKind.REPLY)
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
    _refresh_facts_later(case)
    if case.requester_email:
        from compromiso.cases.tasks import send_answer_notice

        enqueue_with_transaction(send_answer_notice, case_id=case.pk)
    return case


@transaction.atomic
def correct_answer_date(
    case: Case, *, answered_at: dt.datetime, by: User | None, reason: str = ""
) -> Case:
    """Correct when the answer was given (a letter posted before it was recorded, a typing
    slip). The correction is an internal event with both dates, and the figures of the days
    involved (and the charter indicators read from them) are rebuilt."""
    _require_handler(case, by)
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
    CaseEvent.objects.create(case=case, actor=by, kind=EventKind.NOTE, comment=comment)
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
    case: Case, *, by: User | None, comment: str = "", root_cause: RootCause | None = None
) -> Case:
    """Close an answered case. Staff code the root cause of a complaint as they close it (ISO
    10002 §8.2); a case closed by the requester's acceptance keeps any cause already coded."""
    if by is not None:
        _require_handler(case, by)
    require_action(case, CaseAction.CLOSE)
    if root_cause is not None:
        _same_organization(case.organization, root_cause=root_cause)
        case.root_cause = root_cause
    if (
        by is not None
        and case.kind == CaseKind.COMPLAINT
        and case.root_cause_id is None
        and RootCause.objects.filter(organization_id=case.organization_id, is_active=True).exists()
    ):
        raise ValidationError(
            {"root_cause": _("Code the root cause of the complaint to close it.")}
        )
    _move(case, Status.CLOSED, by=by, comment=comment, is_public=True)
    case.closed_at = timezone.now()
    case.save(update_fields=["status", "closed_at", "root_cause", "updated_at"])
    log_action(
        case,
        "cases.case.closed",
        by=by,
        data={"root_cause": case.root_cause_id} if case.root_cause_id else None,
    )
    _refresh_facts_later(case)
    if case.requester_email and case.service_id:
        # The post-contact satisfaction survey, when an open wave measures the service.
        from compromiso.surveys.services import invite_after_case

        invite_after_case(case)
    return case


@transaction.atomic
def reopen_case(case: Case, *, reason: str, by: User | None) -> Case:
    """Reopen an answered or closed case within the window (e.g. the answer was rejected)."""
    if by is not None:
        _require_handler(case, by)
    if case.status in (Status.ANSWERED, Status.CLOSED) and not case.can_reopen():
        raise CaseError(
            _("This case can no longer be reopened: the reopening window has passed."),
            code="reopen_window",
        )
    require_action(case, CaseAction.REOPEN)
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for reopening.")})
    _move(case, Status.IN_PROGRESS, by=by, comment=reason, is_public=True)
    case.closed_at = None
    case.save(update_fields=["status", "closed_at", "updated_at"])
    log_action(case, "cases.case.reopened", by=by)
    _refresh_facts_later(case)
    return case


@transaction.atomic
def withdraw_case(case: Case, *, reason: str, by: User | None) -> Case:
    """The requester withdrew the request; the case ends without an answer."""
    if by is not None:
        _require_handler(case, by)
    require_action(case, CaseAction.WITHDRAW)
    _move(case, Status.WITHDRAWN, by=by, comment=reason, is_public=True)
    case.closed_at = timezone.now()
    case.save(update_fields=["status", "closed_at", "updated_at"])
    log_action(case, "cases.case.withdrawn", by=by)
    return case


@transaction.atomic
def merge_case(case: Case, *, into: Case, by: User | None) -> Case:
    """Mark a duplicate: it ends and points to the case that goes on."""
    _require_handler(case, by)
    require_action(case, CaseAction.MERGE)
    if into.pk == case.pk or into.organization_id != case.organization_id or not into.is_open:
        raise CaseError(_("Merge into another open case of the same organisation."), code="merge")
    _move(case, Status.MERGED, by=by, comment=into.tracking_code, is_public=True)
    case.merged_into = into
    case.closed_at = timezone.now()
    case.save(update_fields=["status", "merged_into", "closed_at", "updated_at"])
    log_action(case, "cases.case.merged", by=by, data={"into": into.pk})
    return case


@transaction.atomic
def derive_case(case: Case, *, body: str, message: str, by: User | None) -> Case:
    """Hand the case to the competent body, telling the requester where it went."""
    _require_handler(case, by)
    require_action(case, CaseAction.DERIVE)
    if not body.strip() or not message.strip():
        raise ValidationError(
            {"body": _("Say which body the case goes to and tell the requester.")}
        )
    _move(case, Status.DERIVED, by=by, comment=message, is_public=True)
    case.derived_to = body.strip()
    case.closed_at = timezone.now()
    case.save(update_fields=["status", "derived_to", "closed_at", "updated_at"])
    log_action(case, "cases.case.derived", by=by, data={"to": case.derived_to})
    return case


@transaction.atomic
def add_note(case: Case, *, text: str, by: User, public: bool = False) -> CaseEvent:
    """An internal note, or a public reply that does not change the state."""
    _require_handler(case, by)
    require_action(case, CaseAction.REPLY if public else CaseAction.NOTE)
    if not text.strip():
        raise ValidationError({"text": _("The note cannot be empty.")})
    event = CaseEvent.objects.create(
        case=case,
        actor=by,
        kind=EventKind.REPLY if public else EventKind.NOTE,
        comment=text,
        is_public=public,
    )
    log_action(case, "cases.case.noted", by=by, data={"public": public})
    return event


def _refresh_facts_later(case: Case) -> None:
    """Mark the days whose figures this change touches (the day it was received, which carries
    its dimensions, and today) for the facts to be rebuilt before they are next read."""
    from compromiso.cases import facts

    facts.mark_dirty(case.organization, [case.received_at, timezone.now()])


# --- Taxonomies -------------------------------------------------------------------------------

# A root-cause coding in the spirit of AEVAL's "Guía para la gestión de Quejas y Sugerencias"
# (2nd ed., 2013): information, treatment, timeliness, facilities, procedure… The grouping and
# wording are ours (the guide's own cause list was not available to check); organisations edit
# it freely.
ROOT_CAUSES: dict[str, tuple[tuple[str, str], ...]] = {
    "es": (
        ("INF", "Información: insuficiente, errónea o poco clara"),
        ("TRA", "Trato: falta de cortesía, respeto o empatía"),
        ("TIE", "Tiempo: esperas, demoras o plazos incumplidos"),
        ("INS", "Instalaciones, equipamiento y accesibilidad"),
        ("PRO", "Procedimiento: trámites, requisitos o documentación"),
        ("COM", "Competencia profesional y calidad técnica del servicio"),
        ("CAN", "Canales: teléfono, web o sede electrónica"),
        ("NOR", "Normativa o decisión administrativa"),
        ("OTR", "Otras causas"),
    ),
    "ca": (
        ("INF", "Informació: insuficient, errònia o poc clara"),
        ("TRA", "Tracte: manca de cortesia, respecte o empatia"),
        ("TEM", "Temps: esperes, demores o terminis incomplerts"),
        ("INS", "Instal·lacions, equipament i accessibilitat"),
        ("PRO", "Procediment: tràmits, requisits o documentació"),
        ("COM", "Competència professional i qualitat tècnica del servei"),
        ("CAN", "Canals: telèfon, web o seu electrònica"),
        ("NOR", "Normativa o decisió administrativa"),
        ("ALT", "Altres causes"),
    ),
    "en": (
        ("INF", "Information: missing, wrong or unclear"),
        ("TRE", "Treatment: lack of courtesy, respect or empathy"),
        ("TIM", "Time: waits, delays or missed deadlines"),
        ("FAC", "Facilities, equipment and accessibility"),
        ("PRO", "Procedure: steps, requirements or paperwork"),
        ("SKI", "Professional skill and technical quality of the service"),
        ("CHA", "Channels: phone, web or online office"),
        ("RUL", "Rules or administrative decision"),
        ("OTH", "Other causes"),
    ),
}


@transaction.atomic
def install_root_causes(organization: Organization, *, by: User | None) -> int:
    """Seed the standard cause coding, in the organisation's language, when it has none."""
    if RootCause.objects.filter(organization=organization).exists():
        return 0
    coding = ROOT_CAUSES.get(organization.language, ROOT_CAUSES["es"])
    RootCause.objects.bulk_create(
        RootCause(organization=organization, code=code, name=name) for code, name in coding
    )
    log_action(organization, "cases.root_causes.installed", by=by, data={"count": len(coding)})
    return len(coding)


@transaction.atomic
def save_category(
    organization: Organization,
    *,
    name: str,
    by: User | None,
    parent: Category | None = None,
    category: Category | None = None,
    is_active: bool = True,
) -> Category:
    """Create or rename a category or subcategory (subcategories are one level deep)."""
    require(by, Perm.MANAGE_ORGANIZATION, organization_id=organization.pk)
    _same_organization(organization, parent=parent)
    if parent is not None and parent.parent_id is not None:
        raise ValidationError({"parent": _("Subcategories cannot have subcategories.")})
    if category is not None and parent is not None and parent.pk == category.pk:
        raise ValidationError({"parent": _("A category cannot be its own subcategory.")})
    target = category or Category(organization=organization)
    twin = Category.objects.filter(
        organization=organization, parent=parent, name__iexact=name.strip()
    ).exclude(pk=target.pk)
    if twin.exists():
        raise ValidationError({"name": _("A category with this name already exists here.")})
    before = snapshot(target, ["name", "parent", "is_active"]) if category else {}
    target.name, target.parent, target.is_active = name.strip(), parent, is_active
    target.full_clean()
    target.save()
    log_action(
        target,
        "cases.category.updated" if category else "cases.category.created",
        by=by,
        data=changes(before, snapshot(target, ["name", "parent", "is_active"])),
    )
    return target


@transaction.atomic
def save_root_cause(
    organization: Organization,
    *,
    code: str,
    name: str,
    by: User | None,
    cause: RootCause | None = None,
    is_active: bool = True,
) -> RootCause:
    require(by, Perm.MANAGE_ORGANIZATION, organization_id=organization.pk)
    target = cause or RootCause(organization=organization)
    target.code, target.name, target.is_active = code.strip().upper(), name.strip(), is_active
    target.full_clean()
    target.save()
    log_action(target, "cases.root_cause.saved", by=by, data={"code": target.code})
    return target


@transaction.atomic
def classify_case(
    case: Case,
    *,
    by: User | None,
    category: Category | None,
    priority: str | None = None,
    root_cause: RootCause | None = None,
) -> Case:
    """Set what the case is about (category), its priority and, once known, its root cause."""
    _require_handler(case, by)
    _same_organization(case.organization, category=category, root_cause=root_cause)
    fields = ["category", "root_cause", "priority"]
    before = snapshot(case, fields)
    case.category = category
    if root_cause is not None:
        case.root_cause = root_cause
    if priority:
        case.priority = priority
    case.full_clean(exclude=["secret_hash", "tracking_code"])
    case.save(update_fields=[*fields, "updated_at"])
    diff = changes(before, snapshot(case, fields))
    if diff:
        log_action(case, "cases.case.classified", by=by, data=diff)
        _refresh_facts_later(case)
    return case


# --- Attachments ------------------------------------------------------------------------------


def add_attachment(
    case: Case,
    upload: Any,
    *,
    by: User | None,
    event: CaseEvent | None = None,
    public: bool = True,
    check_permission: bool = True,
) -> Attachment:
    """Store a file with the case after checking its real type and size."""
    if check_permission and by is not None:
        _require_handler(case, by)
    if case.attachments.count() >= files.MAX_FILES * 4:
        raise ValidationError({"files": _("This case already has too many attachments.")})
    size = upload.size
    if size is None or size > files.MAX_BYTES:
        raise ValidationError(
            {"files": _("“%(name)s” is larger than 10 MB.") % {"name": upload.name}}
        )
    if size == 0:
        raise ValidationError({"files": _("“%(name)s” is empty.") % {"name": upload.name}})
    try:
        found = files.sniff(upload.file if hasattr(upload, "file") else upload)
    except files.ArchiveTooLargeError as refused:
        raise ValidationError(
            {
                "files": _("“%(name)s” is not accepted: %(reason)s.")
                % {"name": upload.name, "reason": refused}
            }
        ) from None
    if found is None:
        raise ValidationError(
            {
                "files": _(
                    "“%(name)s” is not an accepted type (PDF, images, text, Office or "
                    "OpenDocument files)."
                )
                % {"name": upload.name}
            }
        )
    content_type, extension = found
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    attachment = Attachment(
        case=case,
        event=event,
        filename=files.safe_filename(upload.name or "", extension),
        content_type=content_type,
        size=size,
        sha256=digest.hexdigest(),
        is_public=public,
        uploaded_by=by,
    )
    attachment.file.save(attachment.filename, upload, save=False)
    attachment.save()
    log_action(case, "cases.attachment.added", by=by, data={"attachment": attachment.pk})
    return attachment


@transaction.atomic
def add_requester_message(
    case: Case, *, text: str, uploads: Any = (), source: str = "web"
) -> CaseEvent:
    """The requester wrote again (a reply by e-mail or from the tracking page). If the case was
    waiting for them, the clock restarts; a closed case is not reopened by a message alone."""
    if not text.strip() and not uploads:
        raise ValidationError({"text": _("Write a message or attach a file.")})
    if case.status == Status.WAITING:
        resume_case(case, by=None, comment=text, from_requester=True)
        event = case.events.order_by("-at", "-pk")[0]
    else:
        event = CaseEvent.objects.create(
            case=case, kind=EventKind.REPLY, comment=text, is_public=True, from_requester=True
        )
    log_action(case, "cases.case.requester_message", by=None, data={"source": source})
    for upload in uploads:
        add_attachment(case, upload, by=None, event=event, check_permission=False)
    return event


# --- The requester closes the loop -------------------------------------------------------------


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
    log_action(case, "cases.case.verdict", by=None, data={"verdict": case.verdict})
    if accepted:
        close_case(case, by=None)
    else:
        _move(
            case, Status.IN_PROGRESS, by=None, comment=comment, is_public=True, from_requester=True
        )
        case.closed_at = None
        case.save(update_fields=["status", "closed_at", "updated_at"])
    _refresh_facts_later(case)
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
    log_action(case, "cases.case.rated", by=None, data={"outcome": outcome})
    _refresh_facts_later(case)
    return rating


# --- Redress ----------------------------------------------------------------------------------


@transaction.atomic
def record_redress(
    case: Case,
    *,
    by: User | None,
    kind: str,
    breached: bool = True,
    amount: Any = 0,
    description: str = "",
    commitment: Any = None,
) -> Redress:
    """Record whether a service promise was broken and the redress given for it — linked, when
    a charter guarantee promised it, to that commitment."""
    _require_handler(case, by)
    if commitment is not None:
        charter = commitment.charter
        if (
            charter.organization_id != case.organization_id
            or not commitment.is_guarantee
            or charter.status != "published"
        ):
            raise ValidationError(
                {"commitment": _("Choose a guarantee of a published charter of this organisation.")}
            )
        if case.service_id is not None and commitment.service_id != case.service_id:
            raise ValidationError(
                {"commitment": _("That guarantee is about another service than the case.")}
            )
        breached = True
    redress = Redress(
        case=case,
        service=case.service,
        commitment=commitment,
        breached=breached,
        kind=kind,
        amount=amount or 0,
        description=description.strip(),
        recorded_by=by,
    )
    redress.full_clean()
    redress.save()
    CaseEvent.objects.create(
        case=case,
        actor=by,
        kind=EventKind.REDRESS,
        comment=f"{redress.get_kind_display()} {redress.description}".strip(),
    )
    log_action(
        case,
        "cases.case.redress",
        by=by,
        data={
            "kind": kind,
            "amount": str(redress.amount),
            "breached": breached,
            "commitment": commitment.pk if commitment is not None else None,
        },
    )
    _refresh_facts_later(case)
    return redress


# --- Routing and answers ----------------------------------------------------------------------


def apply_assignment_rules(case: Case) -> AssignmentRule | None:
    """Give a new case to the unit and next officer of the first rule that matches it."""
    rules = AssignmentRule.objects.filter(
        organization_id=case.organization_id, is_active=True
    ).select_related("unit", "target_unit")
    for rule in rules:
        if rule.kind and rule.kind != case.kind:
            continue
        if rule.service_id and rule.service_id != case.service_id:
            continue
        outside = case.unit is None or (
            rule.unit is not None and not case.unit.path.startswith(rule.unit.path)
        )
        if rule.unit_id and outside:
            continue
        target = rule.target_unit or case.unit
        officers = [
            person
            for person in rule.officers.filter(is_active=True).order_by("pk")
            if scope_for(person, Perm.HANDLE_CASES).covers(
                case.organization_id, target.path if target else None
            )
        ]
        locked = AssignmentRule.objects.select_for_update().get(pk=rule.pk)
        if officers:
            officer = officers[locked.next_index % len(officers)]
            locked.next_index = (locked.next_index + 1) % len(officers)
            locked.save(update_fields=["next_index"])
            assign_case(case, assignee=officer, by=None, unit=target, check_permission=False)
        elif target is not None and target != case.unit:
            case.unit = target
            case.save(update_fields=["unit", "updated_at"])
        log_action(case, "cases.case.routed", by=None, data={"rule": rule.pk})
        return rule
    return None


PLACEHOLDERS = ("code", "name", "service", "due", "officer")


def render_canned_answer(canned: CannedAnswer, case: Case, officer: User | None) -> str:
    """Fill the template's placeholders; unknown ones are left as written."""
    from django.utils.formats import date_format

    values = {
        "code": case.tracking_code,
        "name": case.requester_name or _("requester"),
        "service": case.service.name if case.service_id and case.service else "",
        "due": (
            date_format(case.organization.local(case.due_at), "DATE_FORMAT") if case.due_at else ""
        ),
        "officer": (officer.get_full_name() or officer.get_username()) if officer else "",
    }
    text = canned.body
    for name, value in values.items():
        text = text.replace("{" + name + "}", value)
    return text


def bulk_assign(cases: Any, *, assignee: User, by: User | None) -> tuple[int, list[str]]:
    """Assign several cases at once; each is its own change, and refusals are reported."""
    done, refused = 0, []
    for case in cases:
        try:
            assign_case(case, assignee=assignee, by=by)
        except (ValidationError, DomainError, PermissionDenied):
            refused.append(case.tracking_code)
        else:
            done += 1
    return done, refused
