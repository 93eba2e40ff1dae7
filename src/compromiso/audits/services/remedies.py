"""Remedies with the audited organisation (ISO 19011 §6.7; seed 000): each nonconformity becomes
an improvement action, the lead auditor verifies it, and follow-ups confirm the remedies.

- The audited side (ANSWER_AUDITS in the audited unit, or MANAGE_AUDITS) proposes and owns the
  action: `propose_remedy` creates it through the improvement app, with the origin "audit
  finding", the root cause, the owner, a due date (by default the grade's days for a corrective
  plan after the report) and the figure its effect is checked on; the finding is then being
  remedied. A finding has at most one open action; another is proposed only once the last one
  ended (rejected, closed, or found effective and reopened by a follow-up).
- The lead verifies (`verify_finding`) only a finding whose action is completed and whose
  effect was checked and found effective (`report.plan.is_remedied`), then closes it.
- Follow-ups (`plan_follow_up`, `record_follow_up`): a review of documents or the next audit,
  planned and then recorded with its result; "not effective" sends the verified and closed
  nonconformities back to being remedied. `plan_follow_up_audit` creates the follow-up
  audit itself (kind follow-up, reference with a suffix, linked to this one)."""

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from compromiso.audits.access import can
from compromiso.audits.models import (
    Audit,
    AuditKind,
    AuditStatus,
    Finding,
    FindingStatus,
    FollowUp,
    FollowUpKind,
    FollowUpResult,
    Report,
)
from compromiso.audits.report.plan import is_remedied
from compromiso.audits.services.reports import require_lead
from compromiso.catalog.models import TouchPoint
from compromiso.core.actors import Actor, user_of
from compromiso.core.audit import log_action
from compromiso.core.errors import DomainError
from compromiso.improvement import services as improvement
from compromiso.improvement.models import SHARE_METRICS, ImprovementAction
from compromiso.organizations.models import Unit, User

DEFAULT_ACTION_DAYS = 60  # when the grade says nothing
REMEDY_STATUSES = (AuditStatus.REPORTING, AuditStatus.FOLLOW_UP)
OPEN_FINDING_STATUSES = (
    FindingStatus.OPEN,
    FindingStatus.ACCEPTED,
    FindingStatus.DISPUTED,
    FindingStatus.IN_ACTION,
)
CHECK_ON_VALUES = tuple(str(kind) for kind in SHARE_METRICS)  # protocol compliance, training


class RemedyError(DomainError):
    pass


def can_propose(user: Actor, audit: Audit) -> bool:
    """The audited side (its unit's ANSWER_AUDITS) or whoever manages audits."""
    return can(user, audit, "answer") or can(user, audit, "manage")


def _require_auditee(audit: Audit, by: Actor) -> None:
    if not can_propose(by, audit):
        raise PermissionDenied(_("Only the audited side may propose its remedies."))


def default_due_date(finding: Finding, report: Report | None = None) -> dt.date:
    """The grade's days for a corrective plan (or 60) after the report was issued, never
    before today."""
    organization = finding.audit.organization
    today = organization.today()
    if report is None:
        report = Report.objects.filter(audit_id=finding.audit_id).first()
    issued = organization.local(report.issued_at).date() if report and report.issued_at else today
    days = finding.grade.action_within_days or DEFAULT_ACTION_DAYS
    return max(issued + dt.timedelta(days=days), today)


def open_action(finding: Finding) -> ImprovementAction | None:
    """The finding's action while it is still running."""
    action = finding.action
    return action if action is not None and action.is_open else None


@transaction.atomic
def propose_remedy(
    finding: Finding,
    *,
    by: Actor,
    title: str,
    description: str,
    root_cause: str,
    owner_unit: Unit,
    due_date: dt.date | None = None,
    responsible: User | None = None,
    check_on: str = "",
    touch_points: Iterable[TouchPoint] | None = None,
) -> ImprovementAction:
    """Turn a nonconformity into an improvement action (the audited side)."""
    finding = (
        Finding.objects.select_for_update(of=("self",))
        .select_related("audit__organization", "grade", "commitment__service", "touch_point")
        .get(pk=finding.pk)
    )
    audit = finding.audit
    _require_auditee(audit, by)
    if audit.status not in REMEDY_STATUSES:
        raise RemedyError(
            _("Remedies are proposed once the audit reports its findings."), code="state"
        )
    if not finding.grade.is_nonconformity:
        raise RemedyError(_("Only a nonconformity needs a corrective action."), code="grade")
    if finding.status not in OPEN_FINDING_STATUSES:
        raise RemedyError(_("This finding is already verified or closed."), code="finding_state")
    if open_action(finding) is not None:
        raise RemedyError(
            _("This finding already has an action under way; follow it up there."),
            code="has_action",
        )
    errors: dict[str, str] = {}
    if not root_cause.strip():
        errors["root_cause"] = _("Say what caused the nonconformity.")
    elif len(root_cause.strip()) > 2000:
        errors["root_cause"] = _("At most 2,000 characters.")
    if check_on and check_on not in CHECK_ON_VALUES:
        errors["check_on"] = _("Choose a figure to check the effect on.")
    if finding.commitment is None and not check_on:
        errors["check_on"] = _(
            "Choose the figure its effect will be checked on: this finding names no commitment."
        )
    if errors:
        raise ValidationError(errors)
    points = list(touch_points) if touch_points is not None else []
    if not points and finding.touch_point is not None:
        points = [finding.touch_point]
    services = [finding.commitment.service] if finding.commitment is not None else []
    previous = finding.action_id
    action = improvement.create_action(
        audit.organization,
        by=by,
        title=title,
        description=description,
        owner_unit=owner_unit,
        due_date=due_date or default_due_date(finding),
        origins=[{"audit_finding": True, "commitment": finding.commitment}],
        responsible=responsible,
        services=services,
        touch_points=points,
        check_on=check_on,
    )
    finding.action = action
    finding.root_cause = root_cause.strip()
    before = finding.status
    finding.status = FindingStatus.IN_ACTION
    finding.save(update_fields=["action", "root_cause", "status", "updated_at"])
    log_action(
        audit,
        "audits.finding.remedy_proposed",
        by=by,
        data={
            "finding": finding.number,
            "action": action.pk,
            "replaces": previous,
            "status": [before, finding.status],
        },
    )
    return action


def _finding_for_lead(finding: Finding, by: Actor) -> Finding:
    finding = (
        Finding.objects.select_for_update(of=("self",))
        .select_related("audit__organization", "grade", "action")
        .get(pk=finding.pk)
    )
    require_lead(finding.audit, by)
    return finding


def _set_status(finding: Finding, to: str, *, by: Actor, verb: str, note: str = "") -> Finding:
    before = finding.status
    finding.status = to
    finding.save(update_fields=["status", "updated_at"])
    data: dict[str, object] = {"finding": finding.number, "status": [before, to]}
    if note:
        data["note"] = note[:500]
    log_action(finding.audit, f"audits.finding.{verb}", by=by, data=data)
    return finding


@transaction.atomic
def verify_finding(finding: Finding, *, by: Actor, note: str = "") -> Finding:
    """The lead confirms the remedy: its action completed and its effect checked and found
    effective."""
    finding = _finding_for_lead(finding, by)
    if finding.status != FindingStatus.IN_ACTION:
        raise RemedyError(_("Only a finding being remedied can be verified."), code="state")
    if not is_remedied(finding.action):
        raise RemedyError(
            _(
                "The remedy is verified only when its action is completed and its effect was "
                "checked and found effective."
            ),
            code="not_effective",
        )
    return _set_status(finding, FindingStatus.VERIFIED, by=by, verb="verified", note=note)


@transaction.atomic
def close_finding(finding: Finding, *, by: Actor) -> Finding:
    """Close a finding (the lead): a nonconformity once its remedy is verified; any other
    grade (an observation, an opportunity, a good practice) at any time."""
    finding = _finding_for_lead(finding, by)
    if finding.status == FindingStatus.CLOSED:
        raise RemedyError(_("This finding is already closed."), code="state")
    if finding.grade.is_nonconformity and finding.status != FindingStatus.VERIFIED:
        raise RemedyError(
            _("A nonconformity is closed only after its remedy is verified."), code="unverified"
        )
    return _set_status(finding, FindingStatus.CLOSED, by=by, verb="closed")


def _require_follow_up_stage(audit: Audit) -> None:
    if audit.status != AuditStatus.FOLLOW_UP:
        raise RemedyError(
            _("Follow-ups are planned once the report is issued and until the audit closes."),
            code="state",
        )


def _require_lead_or_manager(audit: Audit, by: Actor) -> None:
    if not can(by, audit, "manage"):
        require_lead(audit, by)


@transaction.atomic
def plan_follow_up(
    audit: Audit, *, by: Actor, kind: str, scheduled_on: dt.date, notes: str = ""
) -> FollowUp:
    """Plan how the remedies will be checked: a review of documents or within the next audit
    (a follow-up audit is scheduled with `plan_follow_up_audit`)."""
    _require_lead_or_manager(audit, by)
    _require_follow_up_stage(audit)
    errors: dict[str, str] = {}
    if kind not in (FollowUpKind.DESK_REVIEW, FollowUpKind.NEXT_AUDIT):
        errors["kind"] = _("Choose a review of documents or the next audit.")
    if scheduled_on < audit.organization.today():
        errors["scheduled_on"] = _("The date cannot be in the past.")
    if errors:
        raise ValidationError(errors)
    follow_up = FollowUp(audit=audit, kind=kind, scheduled_on=scheduled_on, notes=notes.strip())
    follow_up.full_clean(exclude=["audit", "performed_by", "follow_up_audit"])
    follow_up.save()
    log_action(
        audit,
        "audits.follow_up.planned",
        by=by,
        data={"follow_up": follow_up.pk, "kind": kind, "on": scheduled_on.isoformat()},
    )
    return follow_up


@transaction.atomic
def record_follow_up(
    follow_up: FollowUp, *, by: Actor, performed_on: dt.date, result: str, notes: str = ""
) -> FollowUp:
    """Record a follow-up done, with its result. "Not effective" sends the audit's verified or
    closed nonconformities back to being remedied."""
    follow_up = (
        FollowUp.objects.select_for_update(of=("self",))
        .select_related("audit__organization")
        .get(pk=follow_up.pk)
    )
    audit = follow_up.audit
    require_lead(audit, by)
    _require_follow_up_stage(audit)
    if follow_up.performed_on is not None:
        raise RemedyError(_("This follow-up is already recorded."), code="done")
    errors: dict[str, str] = {}
    if result not in FollowUpResult.values:
        errors["result"] = _("Choose the result.")
    if performed_on > audit.organization.today():
        errors["performed_on"] = _("The date cannot be in the future.")
    if result and result != FollowUpResult.EFFECTIVE and not notes.strip():
        errors["notes"] = _("Say what was found.")
    if errors:
        raise ValidationError(errors)
    follow_up.performed_on = performed_on
    follow_up.result = result
    follow_up.notes = notes.strip() or follow_up.notes
    follow_up.performed_by = user_of(by)
    follow_up.full_clean(exclude=["audit", "performed_by", "follow_up_audit"])
    follow_up.save()
    reopened: list[int] = []
    if result == FollowUpResult.NOT_EFFECTIVE:
        for finding in Finding.objects.select_for_update().filter(
            audit=audit,
            grade__kind="nonconformity",
            status__in=[FindingStatus.VERIFIED, FindingStatus.CLOSED],
        ):
            finding.status = FindingStatus.IN_ACTION
            finding.save(update_fields=["status", "updated_at"])
            reopened.append(finding.number)
    log_action(
        audit,
        "audits.follow_up.recorded",
        by=by,
        data={"follow_up": follow_up.pk, "result": result, "reopened": reopened},
    )
    return follow_up


def _follow_up_reference(audit: Audit) -> str:
    """The audit's reference with a suffix (-S1, -S2…), unique in the organisation."""
    taken = set(
        Audit.objects.filter(organization_id=audit.organization_id).values_list(
            "reference", flat=True
        )
    )
    number = 1
    while True:
        suffix = f"-S{number}"
        reference = audit.reference[: 30 - len(suffix)] + suffix
        if reference not in taken:
            return reference
        number += 1


@transaction.atomic
def plan_follow_up_audit(
    audit: Audit, *, by: Actor, planned_start: dt.date, planned_end: dt.date
) -> Audit:
    """Create the follow-up audit (whoever manages audits): same organisation, unit, scope and
    criteria, auditing the period since the report, and plan it as this audit's follow-up."""
    audit = (
        Audit.objects.select_for_update(of=("self",))
        .select_related("organization")
        .get(pk=audit.pk)
    )
    if not can(by, audit, "manage"):
        raise PermissionDenied(_("Only whoever manages audits may schedule one."))
    _require_follow_up_stage(audit)
    organization = audit.organization
    errors: dict[str, str] = {}
    if planned_start < organization.today():
        errors["planned_start"] = _("The date cannot be in the past.")
    if planned_end < planned_start:
        errors["planned_end"] = _("An end date is before its start date.")
    if errors:
        raise ValidationError(errors)
    report = Report.objects.filter(audit=audit).first()
    since = (
        organization.local(report.issued_at).date()
        if report and report.issued_at
        else audit.period_end
    )
    with translation.override(organization.language):
        title = _("Follow-up: %(title)s") % {"title": audit.title}
        objectives = _(
            "Verify the corrections and the effect of the corrective actions of audit "
            "%(reference)s."
        ) % {"reference": audit.reference}
    follow = Audit(
        organization=organization,
        programme=audit.programme,
        follow_up_of=audit,
        reference=_follow_up_reference(audit),
        title=title[:200],
        kind=AuditKind.FOLLOW_UP,
        auditor_kind=audit.auditor_kind,
        objectives=objectives,
        scope=audit.scope,
        criteria=audit.criteria,
        methods=audit.methods,
        unit=audit.unit,
        framework=audit.framework,
        period_start=min(since, planned_start),
        period_end=planned_start,
        planned_start=planned_start,
        planned_end=planned_end,
        lead=audit.lead,
        status=AuditStatus.PLANNED,
    )
    follow.full_clean(
        exclude=["organization", "programme", "follow_up_of", "unit", "framework", "lead"]
    )
    follow.save()
    follow.services.set(audit.services.all())
    follow.charters.set(audit.charters.all())
    follow.touch_points.set(audit.touch_points.all())
    FollowUp.objects.create(
        audit=audit,
        kind=FollowUpKind.FOLLOW_UP_AUDIT,
        scheduled_on=planned_start,
        follow_up_audit=follow,
    )
    log_action(
        audit, "audits.follow_up.audit_scheduled", by=by, data={"follow_up_audit": follow.pk}
    )
    log_action(follow, "audits.audit.created", by=by, data={"follow_up_of": audit.pk})
    return follow
