"""Every change of an audit itself: creating it (from a proposal or directly, with its reference
AUD-<year>-NN numbered per organisation), its scope, its lifecycle planned → agreed → fieldwork
→ reporting → follow-up → closed (or cancelled), the decision on its results, and scheduling a
follow-up audit from it.

Guards: agreeing needs the agreement signed by both sides; closing needs every nonconformity's
remedy verified (or the finding closed) and, when there were nonconformities, a follow-up that
found the remedies effective, and the decision on the results. Closing or cancelling revokes
every access grant still in force ("audit closed"), each revocation logged."""

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from compromiso.audits.access import Need, can, is_member
from compromiso.audits.models import (
    OPEN_AUDIT_STATUSES,
    Audit,
    AuditAccess,
    AuditKind,
    AuditorKind,
    AuditStatus,
    Finding,
    FindingStatus,
    FollowUp,
    FollowUpKind,
    FollowUpResult,
    GradeKind,
    ProgrammeStatus,
    ResultsDecision,
)
from compromiso.catalog.models import Service, TouchPoint
from compromiso.charters.models import Charter
from compromiso.core.actors import Actor, user_of
from compromiso.core.audit import changes, log_action, snapshot
from compromiso.core.errors import DomainError
from compromiso.core.permissions import Perm, require
from compromiso.organizations.models import Organization

AUDIT_FIELDS = (
    "title",
    "kind",
    "auditor_kind",
    "objectives",
    "scope",
    "criteria",
    "methods",
    "unit",
    "framework",
    "period_start",
    "period_end",
    "planned_start",
    "planned_end",
    "actual_start",
    "actual_end",
    "places",
    "budget_amount",
    "person_days_planned",
    "person_days_actual",
    "lead",
)
SCOPE_SETS = ("services", "charters", "touch_points")
REFERENCE = re.compile(r"^AUD-(\d{4})-(\d+)$")
CLOSED_FINDING = (FindingStatus.VERIFIED, FindingStatus.CLOSED)
CLOSED_REASON = "audit closed"
CANCELLED_REASON = "audit cancelled"


class AuditError(DomainError):
    pass


def _require(audit: Audit, by: Actor, need: Need) -> None:
    if not can(by, audit, need):
        raise PermissionDenied(_("You do not have permission to do this."))


def next_reference(organization: Organization, year: int) -> str:
    """AUD-<year>-NN: one more than the highest number of that year in the organisation (the
    organisation's row is locked, so two audits created at once never share a number)."""
    Organization.objects.select_for_update().filter(pk=organization.pk).first()
    highest = 0
    for reference in Audit.objects.filter(
        organization=organization, reference__startswith=f"AUD-{year}-"
    ).values_list("reference", flat=True):
        match = REFERENCE.match(reference)
        if match:
            highest = max(highest, int(match.group(2)))
    return f"AUD-{year}-{highest + 1:02d}"


def _lead_allowed(audit: Audit) -> bool:
    lead = audit.lead
    if lead is None or is_member(lead, audit.organization_id):
        return True
    granted = AuditAccess.objects.active().filter(audit=audit, user=lead)
    return audit.pk is not None and granted.exists()


def _set_fields(audit: Audit, fields: Mapping[str, Any]) -> None:
    for name, value in fields.items():
        if name not in AUDIT_FIELDS:
            raise TypeError(name)
        setattr(audit, name, value)
    organization_id = audit.organization_id
    if audit.unit is not None and audit.unit.organization_id != organization_id:
        raise ValidationError({"unit": _("Unknown unit.")})
    if audit.framework is not None and audit.framework.organization_id != organization_id:
        raise ValidationError({"framework": _("Unknown criteria framework.")})
    if not _lead_allowed(audit):
        raise ValidationError(
            {"lead": _("The lead is a member of the organisation or holds an access to it.")}
        )
    if audit.kind not in AuditKind.values:
        raise ValidationError({"kind": _("Unknown choice.")})
    if audit.actual_start and audit.actual_end and audit.actual_end < audit.actual_start:
        raise ValidationError({"actual_end": _("An end date is before its start date.")})
    if audit.auditor_kind not in AuditorKind.values:
        raise ValidationError({"auditor_kind": _("Unknown choice.")})
    audit.full_clean(exclude=["reference"])


def _scope_sets(audit: Audit, sets: Mapping[str, Iterable[Any] | None]) -> dict[str, list[Any]]:
    """The services, charters and touch points given, checked: the organisation's own, and the
    touch points inside the audited unit when there is one."""
    chosen: dict[str, list[Any]] = {}
    models: dict[str, Any] = {"services": Service, "charters": Charter, "touch_points": TouchPoint}
    for name, rows in sets.items():
        if rows is None:
            continue
        items = list(rows)
        if any(
            not isinstance(row, models[name]) or row.organization_id != audit.organization_id
            for row in items
        ):
            raise ValidationError({name: _("Unknown choice.")})
        chosen[name] = items
    points = chosen.get("touch_points")
    if points is None and audit.pk is not None:
        points = list(audit.touch_points.select_related("unit"))
    if audit.unit is not None and points:
        outside = [p for p in points if not p.unit.path.startswith(audit.unit.path)]
        if outside:
            raise ValidationError(
                {
                    "touch_points": _("“%(name)s” is not in the audited unit.")
                    % {"name": outside[0].name}
                }
            )
    return chosen


@transaction.atomic
def create_audit(
    organization: Organization,
    *,
    by: Actor,
    programme: Any = None,
    proposal: Any = None,
    follow_up_of: Audit | None = None,
    services: Iterable[Service] = (),
    charters: Iterable[Charter] = (),
    touch_points: Iterable[TouchPoint] = (),
    **fields: Any,
) -> Audit:
    """A planned audit, numbered AUD-<year of its fieldwork>-NN."""
    require(by, Perm.MANAGE_AUDITS, organization_id=organization.pk)
    links: dict[str, Any] = {
        "programme": programme,
        "proposal": proposal,
        "follow_up_of": follow_up_of,
    }
    for name, row in links.items():
        if row is not None and row.organization_id != organization.pk:
            raise ValidationError({name: _("Unknown choice.")})
    if programme is not None and programme.status == ProgrammeStatus.CLOSED:
        raise ValidationError({"programme": _("Choose an open programme of the organisation.")})
    audit = Audit(
        organization=organization,
        programme=programme,
        proposal=proposal,
        follow_up_of=follow_up_of,
    )
    _set_fields(audit, fields)
    chosen = _scope_sets(
        audit, {"services": services, "charters": charters, "touch_points": touch_points}
    )
    audit.reference = next_reference(organization, audit.planned_start.year)
    audit.save()
    for name, rows in chosen.items():
        getattr(audit, name).set(rows)
    log_action(
        audit,
        "audits.audit.created",
        by=by,
        data={
            "reference": audit.reference,
            "proposal": proposal.pk if proposal else None,
            "follow_up_of": follow_up_of.pk if follow_up_of else None,
        },
    )
    return audit


@transaction.atomic
def update_audit(
    audit: Audit,
    *,
    by: Actor,
    services: Iterable[Service] | None = None,
    charters: Iterable[Charter] | None = None,
    touch_points: Iterable[TouchPoint] | None = None,
    **fields: Any,
) -> Audit:
    """Change the audit's scope and plan while it is open."""
    _require(audit, by, "manage")
    if not audit.is_open:
        raise AuditError(_("A closed or cancelled audit is no longer edited."), code="not_open")
    before = snapshot(audit, AUDIT_FIELDS + SCOPE_SETS)
    _set_fields(audit, fields)
    chosen = _scope_sets(
        audit, {"services": services, "charters": charters, "touch_points": touch_points}
    )
    audit.save()
    for name, rows in chosen.items():
        getattr(audit, name).set(rows)
    changed = changes(before, snapshot(audit, AUDIT_FIELDS + SCOPE_SETS))
    log_action(audit, "audits.audit.updated", by=by, data={"fields": sorted(changed)})
    return audit


# The lifecycle ----------------------------------------------------------------------------

# step: (from states, to state, what the actor needs)
STEPS: dict[str, tuple[tuple[str, ...], str, Need]] = {
    "agree": ((AuditStatus.PLANNED,), AuditStatus.AGREED, "manage"),
    "start": ((AuditStatus.AGREED,), AuditStatus.FIELDWORK, "conduct"),
    "report": ((AuditStatus.FIELDWORK,), AuditStatus.REPORTING, "conduct"),
    "follow_up": ((AuditStatus.REPORTING,), AuditStatus.FOLLOW_UP, "conduct"),
    "close": ((AuditStatus.REPORTING, AuditStatus.FOLLOW_UP), AuditStatus.CLOSED, "manage"),
    "cancel": (tuple(OPEN_AUDIT_STATUSES), AuditStatus.CANCELLED, "manage"),
}


def allowed_steps(audit: Audit, user: Actor) -> list[str]:
    """The steps this person may take now (the page offers these; the guards still apply)."""
    return [
        step
        for step, (sources, _to, need) in STEPS.items()
        if audit.status in sources and can(user, audit, need)
    ]


def closing_problems(audit: Audit) -> list[str]:
    """Why the audit cannot close yet (empty when it can)."""
    problems = []
    nonconformities = Finding.objects.filter(audit=audit, grade__kind=GradeKind.NONCONFORMITY)
    open_ones = nonconformities.exclude(status__in=CLOSED_FINDING).count()
    if open_ones:
        problems.append(
            _("%(count)d nonconformities have no verified remedy yet.") % {"count": open_ones}
        )
    if (
        nonconformities.exists()
        and not audit.follow_ups.filter(result=FollowUpResult.EFFECTIVE).exists()
    ):
        problems.append(_("No follow-up has found the remedies effective yet."))
    if not audit.results_decision:
        problems.append(_("Decide what is done with the results."))
    return problems


def _agreement_signed(audit: Audit) -> bool:
    agreement = getattr(audit, "agreement", None)
    return agreement is not None and agreement.is_signed


def revoke_all_access(audit: Audit, *, by: Actor, reason: str) -> int:
    """Revoke every grant of this audit not yet revoked that has not ended, each logged."""
    now = timezone.now()
    revoked = 0
    for access in AuditAccess.objects.filter(
        audit=audit, revoked_at__isnull=True, valid_until__gt=now
    ):
        access.revoked_at = now
        access.revoked_by = user_of(by)
        access.revoke_reason = reason
        access.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
        log_action(
            audit,
            "audits.access.revoked",
            by=by,
            data={"access": access.pk, "user": access.user_id, "reason": reason},
        )
        revoked += 1
    return revoked


@transaction.atomic
def move_audit(audit: Audit, step: str, *, by: Actor, reason: str = "") -> Audit:
    """Take one step of the lifecycle (see STEPS), with its guards."""
    if step not in STEPS:
        raise AuditError(_("Unknown step."), code="unknown_step")
    sources, to, need = STEPS[step]
    _require(audit, by, need)
    audit = Audit.objects.select_for_update().get(pk=audit.pk)
    if audit.status not in sources:
        raise AuditError(
            _("This step is not possible in the audit's state (%(state)s).")
            % {"state": audit.get_status_display()},
            code="state",
        )
    today = audit.organization.today()
    data: dict[str, Any] = {"from": audit.status, "to": to}
    if step == "agree" and not _agreement_signed(audit):
        raise AuditError(
            _("The agreement must be signed by both sides first."), code="agreement_unsigned"
        )
    if step == "start" and audit.actual_start is None:
        audit.actual_start = today
    if step == "close":
        problems = closing_problems(audit)
        if problems:
            raise AuditError(" ".join(problems), code="cannot_close")
        audit.actual_end = audit.actual_end or today
        audit.closed_at = timezone.now()
    if step == "cancel":
        if not reason.strip():
            raise ValidationError({"reason": _("Say why the audit is cancelled.")})
        data["reason"] = reason.strip()[:500]
    audit.status = to
    audit.save()
    log_action(audit, f"audits.audit.{step}", by=by, data=data)
    if step in ("close", "cancel"):
        revoke_all_access(
            audit, by=by, reason=CLOSED_REASON if step == "close" else CANCELLED_REASON
        )
    return audit


@transaction.atomic
def record_results_decision(audit: Audit, *, by: Actor, decision: str, note: str = "") -> Audit:
    """What is done with the results: published, shared with sponsors or kept internal."""
    _require(audit, by, "manage")
    if audit.status not in (AuditStatus.REPORTING, AuditStatus.FOLLOW_UP):
        raise AuditError(
            _("The results are decided once the audit reports and before it closes."),
            code="state",
        )
    if decision not in ResultsDecision.values:
        raise ValidationError({"decision": _("Unknown choice.")})
    audit.results_decision = decision
    audit.results_note = note.strip()
    audit.results_decided_at = timezone.now()
    audit.full_clean(exclude=["reference"])
    audit.save()
    log_action(audit, "audits.audit.results_decided", by=by, data={"decision": decision})
    return audit


@transaction.atomic
def schedule_follow_up_audit(
    audit: Audit, *, by: Actor, planned_start: dt.date, planned_end: dt.date
) -> Audit:
    """A follow-up audit of the same scope, planned on these dates, auditing the period since
    this audit's fieldwork; recorded as a follow-up of this audit."""
    _require(audit, by, "manage")
    if audit.status not in (AuditStatus.REPORTING, AuditStatus.FOLLOW_UP, AuditStatus.CLOSED):
        raise AuditError(
            _("A follow-up audit is scheduled once the audit has reported."), code="state"
        )
    ended = audit.actual_end or audit.planned_end
    if planned_start <= ended:
        raise ValidationError(
            {"planned_start": _("The follow-up starts after this audit's fieldwork.")}
        )
    period_start = ended + dt.timedelta(days=1)
    programme = audit.programme
    if programme is not None and programme.status == ProgrammeStatus.CLOSED:
        programme = None
    # The new audit's texts are stored in the organisation's language, whoever schedules it.
    with translation.override(audit.organization.language):
        title = _("Follow-up: %(title)s") % {"title": audit.title}
        objectives = _("Verify that the remedies of %(reference)s are in place and effective.") % {
            "reference": audit.reference
        }
    follow_up = create_audit(
        audit.organization,
        by=by,
        programme=programme,
        follow_up_of=audit,
        services=list(audit.services.all()),
        charters=list(audit.charters.all()),
        touch_points=list(audit.touch_points.all()),
        title=title[:200],
        kind=AuditKind.FOLLOW_UP,
        auditor_kind=audit.auditor_kind,
        objectives=objectives,
        scope=audit.scope,
        criteria=audit.criteria,
        methods=audit.methods,
        unit=audit.unit,
        framework=audit.framework,
        period_start=period_start,
        period_end=max(period_start, planned_start - dt.timedelta(days=1)),
        planned_start=planned_start,
        planned_end=planned_end,
        places=audit.places,
        lead=audit.lead if _lead_is_member(audit) else None,
    )
    FollowUp.objects.create(
        audit=audit,
        kind=FollowUpKind.FOLLOW_UP_AUDIT,
        scheduled_on=planned_start,
        follow_up_audit=follow_up,
    )
    log_action(audit, "audits.audit.follow_up_scheduled", by=by, data={"audit": follow_up.pk})
    return follow_up


def _lead_is_member(audit: Audit) -> bool:
    return audit.lead is not None and is_member(audit.lead, audit.organization_id)
