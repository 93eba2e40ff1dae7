"""Every change of the audit programme (ISO 19011 §5) and of the proposals that show the need
for an audit (seed 000).

The programme: drafted and edited by MANAGE_AUDITS, approved (who, when), put in execution,
reviewed (§5.6–5.7: notes, with the figures seen then in the log) and closed once reviewed.
A proposal: written by anyone who manages, conducts or answers audits in the organisation,
with its reasons, its evidence, the services and their kind, supporters, budget and signs of
need (each freezing the figures seen when linked); submitted, then accepted into a programme —
which creates its audit — or rejected with a note, by MANAGE_AUDITS."""

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from compromiso.audits import needs
from compromiso.audits.access import is_member
from compromiso.audits.cycle import review_figures
from compromiso.audits.models import (
    Audit,
    AuditProgramme,
    AuditProposal,
    NeedReason,
    NeedSignal,
    ProgrammeStatus,
    ProposalStatus,
    SignalKind,
)
from compromiso.catalog.models import Service
from compromiso.core.actors import Actor, SystemActor, user_of
from compromiso.core.audit import changes, log_action, snapshot
from compromiso.core.calendar import add_months
from compromiso.core.errors import DomainError
from compromiso.core.permissions import Perm, has_perm, require, scope_for
from compromiso.organizations.models import Organization

PROGRAMME_FIELDS = (
    "title",
    "period_start",
    "period_end",
    "objectives",
    "extent",
    "risks",
    "resources",
    "budget_amount",
    "person_days",
    "cycle_months",
    "manager",
)
PROPOSAL_FIELDS = (
    "title",
    "programme",
    "reasons",
    "need",
    "service_kind",
    "supporters",
    "budget_amount",
    "person_days",
)
MAX_CYCLE_MONTHS = 120


class ProgrammeError(DomainError):
    pass


def _manage(organization_id: int, by: Actor) -> None:
    require(by, Perm.MANAGE_AUDITS, organization_id=organization_id)


# The programme ----------------------------------------------------------------------------


def _set_programme(programme: AuditProgramme, fields: Mapping[str, Any]) -> None:
    for name, value in fields.items():
        if name not in PROGRAMME_FIELDS:
            raise TypeError(name)
        setattr(programme, name, value)
    manager = programme.manager
    if manager is not None and not is_member(manager, programme.organization_id):
        raise ValidationError({"manager": _("Choose a member of the organisation.")})
    if programme.cycle_months is not None and not 1 <= programme.cycle_months <= MAX_CYCLE_MONTHS:
        raise ValidationError(
            {"cycle_months": _("Between 1 and %(max)d months.") % {"max": MAX_CYCLE_MONTHS}}
        )
    programme.full_clean()


@transaction.atomic
def create_programme(organization: Organization, *, by: Actor, **fields: Any) -> AuditProgramme:
    """A new programme, as a draft."""
    _manage(organization.pk, by)
    programme = AuditProgramme(organization=organization)
    _set_programme(programme, fields)
    programme.save()
    log_action(programme, "audits.programme.created", by=by, data={"title": programme.title})
    return programme


@transaction.atomic
def update_programme(programme: AuditProgramme, *, by: Actor, **fields: Any) -> AuditProgramme:
    _manage(programme.organization_id, by)
    if programme.status == ProgrammeStatus.CLOSED:
        raise ProgrammeError(_("A closed programme is no longer edited."), code="closed")
    before = snapshot(programme, PROGRAMME_FIELDS)
    _set_programme(programme, fields)
    programme.save()
    changed = changes(before, snapshot(programme, PROGRAMME_FIELDS))
    log_action(programme, "audits.programme.updated", by=by, data={"fields": sorted(changed)})
    return programme


def _move(programme: AuditProgramme, to: str, *, by: Actor, data: dict[str, Any]) -> None:
    data = {"from": programme.status, "to": to, **data}
    programme.status = to
    programme.save()
    log_action(programme, f"audits.programme.{to}", by=by, data=data)


@transaction.atomic
def approve_programme(programme: AuditProgramme, *, by: Actor) -> AuditProgramme:
    _manage(programme.organization_id, by)
    if programme.status != ProgrammeStatus.DRAFT:
        raise ProgrammeError(_("Only a draft programme can be approved."), code="not_draft")
    if not programme.objectives.strip():
        raise ValidationError({"objectives": _("A programme needs its objectives to be approved.")})
    programme.approved_by = user_of(by)
    programme.approved_at = timezone.now()
    _move(programme, ProgrammeStatus.APPROVED, by=by, data={})
    return programme


@transaction.atomic
def start_programme(programme: AuditProgramme, *, by: Actor) -> AuditProgramme:
    _manage(programme.organization_id, by)
    if programme.status != ProgrammeStatus.APPROVED:
        raise ProgrammeError(
            _("Only an approved programme can be put in execution."), code="not_approved"
        )
    _move(programme, ProgrammeStatus.IN_EXECUTION, by=by, data={})
    return programme


@transaction.atomic
def review_programme(programme: AuditProgramme, *, by: Actor, notes: str) -> AuditProgramme:
    """Record the review of the programme itself (ISO 19011 §5.6–5.7); the figures seen then
    go into the audit log."""
    _manage(programme.organization_id, by)
    if programme.status not in (ProgrammeStatus.APPROVED, ProgrammeStatus.IN_EXECUTION):
        raise ProgrammeError(
            _("Only an approved programme or one in execution is reviewed."), code="state"
        )
    if not notes.strip():
        raise ValidationError({"notes": _("Write what the review found.")})
    programme.review_notes = notes.strip()
    programme.reviewed_at = timezone.now()
    programme.full_clean()
    programme.save()
    figures = review_figures(programme, programme.organization.today())
    log_action(programme, "audits.programme.reviewed", by=by, data=figures.as_dict())
    return programme


@transaction.atomic
def close_programme(programme: AuditProgramme, *, by: Actor) -> AuditProgramme:
    _manage(programme.organization_id, by)
    if programme.status != ProgrammeStatus.IN_EXECUTION:
        raise ProgrammeError(
            _("Only a programme in execution can be closed."), code="not_in_execution"
        )
    if programme.reviewed_at is None:
        raise ProgrammeError(_("Review the programme before closing it."), code="not_reviewed")
    _move(programme, ProgrammeStatus.CLOSED, by=by, data={})
    return programme


# Proposals --------------------------------------------------------------------------------


def may_propose(by: Actor, organization_id: int) -> bool:
    if isinstance(by, SystemActor):
        return True
    return any(
        scope_for(by, perm).touches(organization_id)
        for perm in (Perm.MANAGE_AUDITS, Perm.CONDUCT_AUDITS, Perm.ANSWER_AUDITS)
    )


def may_edit_proposal(by: Actor, proposal: AuditProposal) -> bool:
    if isinstance(by, SystemActor):
        return True
    if has_perm(by, Perm.MANAGE_AUDITS, organization_id=proposal.organization_id):
        return True
    return proposal.proposed_by_id == by.pk and may_propose(by, proposal.organization_id)


def _require_edit(proposal: AuditProposal, by: Actor) -> None:
    if not may_edit_proposal(by, proposal):
        raise PermissionDenied(_("You do not have permission to do this."))
    if proposal.status not in (ProposalStatus.DRAFT, ProposalStatus.SUBMITTED):
        raise ProgrammeError(_("A proposal already decided is no longer edited."), code="decided")


def _set_proposal(
    proposal: AuditProposal, fields: Mapping[str, Any], services: Iterable[Service] | None
) -> list[Service] | None:
    for name, value in fields.items():
        if name not in PROPOSAL_FIELDS:
            raise TypeError(name)
        setattr(proposal, name, value)
    reasons = list(dict.fromkeys(proposal.reasons or []))
    if any(reason not in NeedReason.values for reason in reasons):
        raise ValidationError({"reasons": _("Unknown reason.")})
    proposal.reasons = reasons
    programme = proposal.programme
    if programme is not None and (
        programme.organization_id != proposal.organization_id
        or programme.status == ProgrammeStatus.CLOSED
    ):
        raise ValidationError({"programme": _("Choose an open programme of the organisation.")})
    proposal.full_clean()
    if services is None:
        return None
    chosen = list(services)
    if any(s.organization_id != proposal.organization_id for s in chosen):
        raise ValidationError({"services": _("Unknown service.")})
    return chosen


@transaction.atomic
def create_proposal(
    organization: Organization,
    *,
    by: Actor,
    services: Iterable[Service] = (),
    **fields: Any,
) -> AuditProposal:
    """A new proposal, as a draft."""
    if not may_propose(by, organization.pk):
        raise PermissionDenied(_("You do not have permission to do this."))
    proposal = AuditProposal(organization=organization, proposed_by=user_of(by))
    chosen = _set_proposal(proposal, fields, services)
    proposal.save()
    proposal.services.set(chosen or [])
    log_action(proposal, "audits.proposal.created", by=by, data={"title": proposal.title})
    return proposal


@transaction.atomic
def update_proposal(
    proposal: AuditProposal,
    *,
    by: Actor,
    services: Iterable[Service] | None = None,
    **fields: Any,
) -> AuditProposal:
    _require_edit(proposal, by)
    before = snapshot(proposal, PROPOSAL_FIELDS)
    chosen = _set_proposal(proposal, fields, services)
    proposal.save()
    if chosen is not None:
        proposal.services.set(chosen)
    changed = changes(before, snapshot(proposal, PROPOSAL_FIELDS))
    log_action(proposal, "audits.proposal.updated", by=by, data={"fields": sorted(changed)})
    return proposal


def _signal_figures(signal: NeedSignal, today: dt.date) -> dict[str, Any]:
    organization = signal.proposal.organization
    if signal.kind == SignalKind.BREACHED_COMMITMENT and signal.commitment is not None:
        return needs.commitment_figures(signal.commitment)
    if signal.kind == SignalKind.COMPLAINT_CAUSE and signal.root_cause is not None:
        return needs.root_cause_figures(signal.root_cause, today)
    if signal.kind == SignalKind.SURVEY_SEGMENT and signal.wave is not None:
        return needs.survey_figures(signal.wave, signal.question, signal.segment)
    if signal.kind == SignalKind.EQUITY_GAP:
        return needs.equity_figures(organization, signal.unit, signal.touch_point, today)
    return {}


def _check_links(signal: NeedSignal, organization_id: int) -> None:
    """Every object a sign links to belongs to the proposal's organisation, and the sign links
    what its kind needs."""
    owners = {
        "commitment": signal.commitment.charter.organization_id if signal.commitment else None,
        "root_cause": signal.root_cause.organization_id if signal.root_cause else None,
        "wave": signal.wave.organization_id if signal.wave else None,
        "question": signal.question.questionnaire.organization_id if signal.question else None,
        "unit": signal.unit.organization_id if signal.unit else None,
        "touch_point": signal.touch_point.organization_id if signal.touch_point else None,
    }
    for field, owner in owners.items():
        if owner is not None and owner != organization_id:
            raise ValidationError({field: _("Unknown choice.")})
    needed = {
        SignalKind.BREACHED_COMMITMENT: ("commitment", signal.commitment),
        SignalKind.COMPLAINT_CAUSE: ("root_cause", signal.root_cause),
        SignalKind.SURVEY_SEGMENT: ("wave", signal.wave),
    }
    if signal.kind in needed:
        field, value = needed[SignalKind(signal.kind)]
        if value is None:
            raise ValidationError({field: _("Choose what shows the need.")})
    if signal.kind == SignalKind.EQUITY_GAP and signal.unit is None and signal.touch_point is None:
        raise ValidationError({"unit": _("Choose a unit or a touch point.")})
    if (
        signal.question is not None
        and signal.wave is not None
        and signal.question.questionnaire_id != signal.wave.questionnaire_id
    ):
        raise ValidationError({"question": _("The question is not in the wave's questionnaire.")})


@transaction.atomic
def add_need_signal(proposal: AuditProposal, *, by: Actor, kind: str, **links: Any) -> NeedSignal:
    """Link what shows the need (a breached commitment, a complaint cause, a survey segment, an
    equity gap), freezing the figures seen now."""
    _require_edit(proposal, by)
    allowed = {"commitment", "root_cause", "wave", "question", "segment", "unit", "touch_point"}
    if set(links) - (allowed | {"note"}):
        raise TypeError(sorted(set(links) - allowed))
    if kind not in SignalKind.values:
        raise ValidationError({"kind": _("Unknown choice.")})
    signal = NeedSignal(proposal=proposal, kind=kind, **links)
    _check_links(signal, proposal.organization_id)
    signal.figures = _signal_figures(signal, proposal.organization.today())
    signal.seen_at = timezone.now()
    signal.full_clean()
    signal.save()
    log_action(
        proposal, "audits.proposal.signal_added", by=by, data={"signal": signal.pk, "kind": kind}
    )
    return signal


@transaction.atomic
def remove_need_signal(signal: NeedSignal, *, by: Actor) -> None:
    proposal = signal.proposal
    _require_edit(proposal, by)
    data = {"signal": signal.pk, "kind": signal.kind}
    signal.delete()
    log_action(proposal, "audits.proposal.signal_removed", by=by, data=data)


@transaction.atomic
def submit_proposal(proposal: AuditProposal, *, by: Actor) -> AuditProposal:
    _require_edit(proposal, by)
    if proposal.status != ProposalStatus.DRAFT:
        raise ProgrammeError(_("Only a draft proposal can be submitted."), code="not_draft")
    missing: dict[str, str] = {}
    if not proposal.reasons:
        missing["reasons"] = _("Give at least one reason.")
    if not proposal.need.strip():
        missing["need"] = _("Describe the evidence of the need.")
    if not proposal.services.exists():
        missing["services"] = _("Choose the services to audit.")
    if missing:
        raise ValidationError(missing)
    proposal.status = ProposalStatus.SUBMITTED
    proposal.save()
    log_action(proposal, "audits.proposal.submitted", by=by)
    return proposal


def _decide(proposal: AuditProposal, to: str, *, by: Actor, note: str) -> None:
    _manage(proposal.organization_id, by)
    if proposal.status != ProposalStatus.SUBMITTED:
        raise ProgrammeError(
            _("Only a submitted proposal can be accepted or rejected."), code="not_submitted"
        )
    proposal.status = to
    proposal.decided_by = user_of(by)
    proposal.decided_at = timezone.now()
    proposal.decision_note = note.strip()
    proposal.full_clean()
    proposal.save()


@transaction.atomic
def accept_proposal(
    proposal: AuditProposal,
    *,
    by: Actor,
    programme: AuditProgramme,
    planned_start: dt.date,
    planned_end: dt.date,
    note: str = "",
    **audit_fields: Any,
) -> Audit:
    """Accept the proposal into an approved programme: its audit is created, planned on the
    given dates, covering the proposal's services."""
    from compromiso.audits.services.engagement import create_audit

    if programme.organization_id != proposal.organization_id:
        raise ValidationError({"programme": _("Choose an open programme of the organisation.")})
    if programme.status not in (ProgrammeStatus.APPROVED, ProgrammeStatus.IN_EXECUTION):
        raise ValidationError(
            {"programme": _("Audits join an approved programme or one in execution.")}
        )
    _decide(proposal, ProposalStatus.ACCEPTED, by=by, note=note)
    proposal.programme = programme
    proposal.save(update_fields=["programme", "updated_at"])
    # Unless said otherwise, the audit looks at the twelve months before its fieldwork.
    period_end = planned_start - dt.timedelta(days=1)
    audit_fields.setdefault("period_start", add_months(planned_start, -12))
    audit_fields.setdefault("period_end", period_end)
    audit_fields.setdefault("objectives", proposal.need)
    audit_fields.setdefault("budget_amount", proposal.budget_amount)
    audit_fields.setdefault("person_days_planned", proposal.person_days)
    audit = create_audit(
        proposal.organization,
        by=by,
        title=proposal.title,
        programme=programme,
        proposal=proposal,
        planned_start=planned_start,
        planned_end=planned_end,
        services=list(proposal.services.all()),
        **audit_fields,
    )
    log_action(proposal, "audits.proposal.accepted", by=by, data={"audit": audit.pk})
    return audit


@transaction.atomic
def reject_proposal(proposal: AuditProposal, *, by: Actor, note: str) -> AuditProposal:
    if not note.strip():
        raise ValidationError({"note": _("Say why the proposal is rejected.")})
    _decide(proposal, ProposalStatus.REJECTED, by=by, note=note)
    log_action(proposal, "audits.proposal.rejected", by=by)
    return proposal


@transaction.atomic
def propose_for_services(
    programme: AuditProgramme, services: Sequence[Service], *, by: Actor
) -> AuditProposal:
    """The cycle's one-click proposal: a draft in the programme for services falling due."""
    _manage(programme.organization_id, by)
    names = ", ".join(s.name for s in services)
    return create_proposal(
        programme.organization,
        by=by,
        services=services,
        title=(_("Cyclical audit: %(services)s") % {"services": names})[:200],
        programme=programme,
        reasons=[NeedReason.NEEDED_SERVICES],
        need=_(
            "The programme's audit cycle (every %(months)d months) proposes auditing these "
            "services again."
        )
        % {"months": programme.cycle_months},
    )
