"""A case arrives: from the public form, e-mail, the API or staff at the counter. Tracking code,
secret, legal deadline, idempotency key, first event, attachments and routing."""

import contextlib
import datetime as dt
import hashlib
import hmac
import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from compromiso.cases.models import (
    AssignmentRule,
    Case,
    CaseEvent,
    CaseKind,
    Category,
    DeadlinePolicy,
    EventKind,
    IntakeKey,
    Priority,
    Status,
)
from compromiso.cases.national_id import VALIDATORS
from compromiso.cases.reference import IntakeReference
from compromiso.cases.search import search_config_for
from compromiso.cases.services.attachments import add_attachment
from compromiso.cases.services.clock import due_with_calendar
from compromiso.cases.services.errors import AlreadyReceived, IdempotencyConflict
from compromiso.cases.services.figures import refresh_facts_later
from compromiso.cases.services.guards import is_person, person, same_organization
from compromiso.cases.services.policies import install_deadline_presets
from compromiso.cases.services.routing import apply_assignment_rules
from compromiso.catalog.models import Channel, Service, TouchPoint
from compromiso.core.actors import SYSTEM, Actor
from compromiso.core.audit import log_action
from compromiso.core.permissions import Perm, scope_for
from compromiso.core.tasks import enqueue_with_transaction
from compromiso.organizations.models import Organization, Unit

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


def receive_case(
    *,
    organization: Organization,
    kind: str,
    channel: Channel,
    subject: str,
    description: str,
    by: Actor,
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

    Staff intake (by a user) needs the permission to handle cases; public intake passes
    `by=PUBLIC` (the public form, e-mail).
    With an `intake_key` (and the submission's `body_hash`) the key is claimed in the case's own
    transaction: a submission whose key an earlier one holds raises AlreadyReceived with that
    case (or IdempotencyConflict when the body differs) and leaves nothing written. A caller
    holding the organisation as read in this request may pass its `reference` (cases/reference.py)
    to spare the look-ups of the policy, the closure days and the routing rules. Everything is
    checked before the transaction starts; the case, its first event, the audit entry, the
    attachments and the routing are written in one atomic block. The acknowledgement is enqueued
    so that it goes out only once the case is committed.
    """
    same_organization(
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
    if is_person(by) and not scope_for(by, Perm.HANDLE_CASES).touches(organization.pk):
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
        # A concurrent first intake may have installed them a moment before: the install is its
        # own savepoint, so its failure leaves this intake's transaction usable.
        with contextlib.suppress(IntegrityError):
            install_deadline_presets(organization, by=SYSTEM)
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
    case.due_at = due_with_calendar(case, calendar, pauses=())
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
    by: Actor,
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
        actor=person(by),
        kind=EventKind.TRANSITION,
        to_status=Status.RECEIVED,
        is_public=True,
        # The public form or an e-mail: the requester's own words, no person of the staff.
        from_requester=not is_person(by),
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
    refresh_facts_later(case)
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
