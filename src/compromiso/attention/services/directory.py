"""Every change to the procedure directory: procedures (kept by their owning institution), the
branches and queues that serve each one, and the front-office agreements under which another
organisation serves an institution's procedures.

Procedures and agreements are organisation-wide settings: they need the permission to manage
attention on the whole organisation. Which of its own branches serve a procedure is decided by
the organisation that runs the branches (the owner, or a front office under an agreement in
force)."""

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from compromiso.attention.models import (
    Branch,
    BranchProcedure,
    FrontOfficeAgreement,
    Procedure,
    Queue,
)
from compromiso.catalog.models import Channel, Service
from compromiso.core.actors import Actor
from compromiso.core.audit import changes, log_action, snapshot
from compromiso.core.errors import DomainError
from compromiso.core.permissions import Perm, require
from compromiso.organizations.models import Organization

PROCEDURE_FIELDS = (
    "code",
    "name",
    "summary",
    "who_may",
    "requirements",
    "cost",
    "how_and_where",
    "online_url",
    "keywords",
    "service",
    "is_published",
)
AGREEMENT_FIELDS = (
    "reference",
    "valid_from",
    "valid_until",
    "target_within_minutes",
    "target_share",
    "notes",
)


def _require_manager(by: Actor, organization_id: int) -> None:
    require(by, Perm.MANAGE_ATTENTION, organization_id=organization_id)


def _check_references(
    organization_id: int, service: Service | None, channels: Iterable[Channel]
) -> None:
    errors: dict[str, str] = {}
    if service is not None and service.organization_id != organization_id:
        errors["service"] = _("This belongs to another organisation.")
    if any(c.organization_id != organization_id for c in channels):
        errors["channels"] = _("This belongs to another organisation.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_procedure(
    *,
    organization: Organization,
    code: str,
    name: str,
    by: Actor,
    channels: Iterable[Channel] = (),
    **fields: Any,
) -> Procedure:
    """Add a procedure to the institution's directory (unpublished unless said otherwise)."""
    _require_manager(by, organization.pk)
    channels = list(channels)
    _check_references(organization.pk, fields.get("service"), channels)
    procedure = Procedure(organization=organization, code=code, name=name)
    for key in PROCEDURE_FIELDS:
        if key in fields:
            setattr(procedure, key, fields[key])
    procedure.full_clean()
    procedure.save()
    procedure.channels.set(channels)
    log_action(
        procedure,
        "attention.procedure.created",
        by=by,
        data={"code": code, "published": procedure.is_published},
    )
    return procedure


@transaction.atomic
def update_procedure(
    procedure: Procedure,
    *,
    by: Actor,
    channels: Iterable[Channel] | None = None,
    **fields: Any,
) -> Procedure:
    """Change what the directory says about a procedure, or (un)publish it."""
    _require_manager(by, procedure.organization_id)
    names = [k for k in fields if k in PROCEDURE_FIELDS]
    channel_list = list(channels) if channels is not None else None
    _check_references(procedure.organization_id, fields.get("service"), channel_list or [])
    watched = [*names, "channels"] if channel_list is not None else names
    before = snapshot(procedure, watched)
    for key in names:
        setattr(procedure, key, fields[key])
    procedure.full_clean()
    procedure.save()
    if channel_list is not None:
        procedure.channels.set(channel_list)
    diff = changes(before, snapshot(procedure, watched))
    if diff:
        log_action(procedure, "attention.procedure.updated", by=by, data=diff)
    return procedure


def serves_under_agreement(
    organization_id: int, procedure: Procedure, day: dt.date | None = None
) -> bool:
    """Does the organisation serve this procedure as a front office, under an agreement in
    force on `day` (the organisation's today by default)?"""
    if procedure.organization_id == organization_id:
        return False
    front = Organization.objects.filter(pk=organization_id).first()
    if front is None:
        return False
    day = day or front.today()
    return (
        FrontOfficeAgreement.objects.in_force(day)
        .filter(front_office_id=organization_id, procedures=procedure)
        .exists()
    )


@transaction.atomic
def set_branch_procedures(
    procedure: Procedure,
    *,
    organization: Organization,
    queues: Mapping[Branch, Queue | None],
    by: Actor,
) -> list[BranchProcedure]:
    """Which of `organization`'s branches serve the procedure, and in which queue each: a branch
    mapped to a queue serves it, a branch mapped to None no longer does. Branches of other
    organisations are never touched. The organisation is the owner, or a front office serving
    the procedure under an agreement in force."""
    _require_manager(by, organization.pk)
    if procedure.organization_id != organization.pk and not serves_under_agreement(
        organization.pk, procedure
    ):
        raise DomainError(
            _("Your organisation does not serve this procedure under an agreement in force."),
            code="no_agreement",
        )
    for branch, queue in queues.items():
        if branch.organization_id != organization.pk:
            raise ValidationError(_("This belongs to another organisation."))
        if queue is not None and queue.branch_id != branch.pk:
            raise ValidationError(
                _("The queue of %(branch)s must be one of that branch's queues.")
                % {"branch": branch}
            )
    existing = {
        row.branch_id: row
        for row in BranchProcedure.objects.filter(
            procedure=procedure, branch__organization=organization
        )
    }
    added: list[int] = []
    removed: list[int] = []
    moved: list[int] = []
    for branch, queue in queues.items():
        row = existing.get(branch.pk)
        if queue is None:
            if row is not None:
                row.delete()
                removed.append(branch.pk)
        elif row is None:
            BranchProcedure.objects.create(branch=branch, procedure=procedure, queue=queue)
            added.append(branch.pk)
        elif row.queue_id != queue.pk:
            row.queue = queue
            row.save(update_fields=["queue"])
            moved.append(branch.pk)
    if added or removed or moved:
        log_action(
            procedure,
            "attention.procedure.branches_set",
            by=by,
            data={
                "organization": organization.pk,
                "added": added,
                "removed": removed,
                "moved": moved,
            },
        )
    return list(
        BranchProcedure.objects.filter(
            procedure=procedure, branch__organization=organization
        ).select_related("branch", "queue")
    )


def _check_agreement(
    front_office: Organization,
    institution: Organization,
    procedures: Iterable[Procedure],
) -> list[Procedure]:
    if institution.pk == front_office.pk:
        raise ValidationError(
            {"institution": _("An agreement is between two different organisations.")}
        )
    if not institution.is_active:
        raise ValidationError({"institution": _("This organisation is not active.")})
    chosen = list(procedures)
    if any(p.organization_id != institution.pk for p in chosen):
        raise ValidationError({"procedures": _("Choose procedures of the institution only.")})
    return chosen


@transaction.atomic
def create_agreement(
    *,
    front_office: Organization,
    institution: Organization,
    valid_from: dt.date,
    by: Actor,
    procedures: Iterable[Procedure] = (),
    **fields: Any,
) -> FrontOfficeAgreement:
    """Record that the front office serves some of the institution's procedures, from
    `valid_from` (until `valid_until` when given), with a target for their visitors."""
    _require_manager(by, front_office.pk)
    chosen = _check_agreement(front_office, institution, procedures)
    agreement = FrontOfficeAgreement(
        front_office=front_office, institution=institution, valid_from=valid_from
    )
    for key in AGREEMENT_FIELDS:
        if key in fields and key != "valid_from":
            setattr(agreement, key, fields[key])
    _clean_agreement(agreement)
    agreement.save()
    agreement.procedures.set(chosen)
    log_action(
        agreement,
        "attention.agreement.created",
        by=by,
        data={
            "institution": institution.pk,
            "procedures": sorted(p.pk for p in chosen),
            "valid_from": str(valid_from),
        },
    )
    return agreement


def _clean_agreement(agreement: FrontOfficeAgreement) -> None:
    if agreement.valid_until is not None and agreement.valid_until < agreement.valid_from:
        raise ValidationError(
            {"valid_until": _("The agreement cannot end before it comes into force.")}
        )
    agreement.full_clean()


@transaction.atomic
def update_agreement(
    agreement: FrontOfficeAgreement,
    *,
    by: Actor,
    procedures: Iterable[Procedure] | None = None,
    **fields: Any,
) -> FrontOfficeAgreement:
    """Change an agreement's procedures, target or validity (end it by giving an end date).
    The institution of an agreement does not change: make a new agreement instead."""
    _require_manager(by, agreement.front_office_id)
    names = [k for k in fields if k in AGREEMENT_FIELDS]
    chosen = (
        _check_agreement(agreement.front_office, agreement.institution, procedures)
        if procedures is not None
        else None
    )
    watched = [*names, "procedures"] if chosen is not None else names
    before = snapshot(agreement, watched)
    for key in names:
        setattr(agreement, key, fields[key])
    _clean_agreement(agreement)
    agreement.save()
    if chosen is not None:
        agreement.procedures.set(chosen)
    diff = changes(before, snapshot(agreement, watched))
    if diff:
        log_action(agreement, "attention.agreement.updated", by=by, data=diff)
    return agreement
