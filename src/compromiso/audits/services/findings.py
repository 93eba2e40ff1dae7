"""Every change of an audit's findings: recorded by the team (numbered per audit, graded on the
organisation's scale, with its criterion, evidence, touch point and commitment), answered by
the audited side (accepted, or disputed with a diverging opinion), the divergence resolved by
the team or left unresolved for the report, and the root cause.

A nonconformity rests on objective evidence: it cannot be recorded without at least one piece
of evidence or the checklist item it answers."""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Max, Model, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from compromiso.audits import snapshots
from compromiso.audits.access import Need, can
from compromiso.audits.models import (
    Audit,
    ChecklistItem,
    Evidence,
    Finding,
    FindingStatus,
    Grade,
    GradeKind,
)
from compromiso.audits.services.grades import ensure_grades
from compromiso.catalog.models import TouchPoint
from compromiso.core.actors import Actor, user_of
from compromiso.core.audit import changes, log_action, snapshot
from compromiso.core.errors import DomainError
from compromiso.core.ids import parse_id, parse_ids

FINDING_FIELDS = (
    "grade",
    "statement",
    "criterion",
    "checklist_item",
    "touch_point",
    "commitment",
    "root_cause",
)
EDITABLE_STATUSES = (FindingStatus.OPEN, FindingStatus.DISPUTED)
ANSWERABLE_STATUSES = (FindingStatus.OPEN, FindingStatus.ACCEPTED, FindingStatus.DISPUTED)
CLOSED_STATUSES = (FindingStatus.VERIFIED, FindingStatus.CLOSED)


class FindingError(DomainError):
    pass


def _require(audit: Audit, by: Actor, need: Need) -> None:
    if not can(by, audit, need):
        raise PermissionDenied(_("You do not have permission to do this."))
    if not audit.is_open:
        raise FindingError(_("This audit is closed: its findings can no longer change."))


def _one[M: Model](rows: QuerySet[M], value: Any, field: str, message: str) -> M | None:
    if value in (None, ""):
        return None
    pk = value.pk if isinstance(value, Model) else parse_id(value)
    found = rows.filter(pk=pk).first() if pk is not None else None
    if found is None:
        raise ValidationError({field: message})
    return found


def _resolve(audit: Audit, fields: Mapping[str, Any]) -> dict[str, Any]:
    """The finding's references, each checked to belong to this audit (or its organisation and
    scope)."""
    found: dict[str, Any] = {}
    for name, value in fields.items():
        if name not in FINDING_FIELDS:
            raise TypeError(name)
        if name == "grade":
            value = _one(
                Grade.objects.filter(organization_id=audit.organization_id),
                value,
                name,
                _("Choose a level of the organisation's scale."),
            )
        elif name == "checklist_item":
            value = _one(
                audit.checklist.all(), value, name, _("Choose an item of this audit's checklist.")
            )
        elif name == "touch_point":
            value = _one(
                snapshots.touch_points_in_scope(audit),
                value,
                name,
                _("Choose a touch point in the audit's scope."),
            )
        elif name == "commitment":
            value = _one(
                snapshots.commitments_in_scope(audit),
                value,
                name,
                _("Choose a commitment of the charters this audit covers."),
            )
        elif isinstance(value, str):
            value = value.strip()
        found[name] = value
    return found


def _evidence(audit: Audit, values: Iterable[Any]) -> list[Evidence]:
    given = [v.pk if isinstance(v, Evidence) else v for v in values]
    ids = parse_ids(given)
    rows = list(audit.evidence.filter(pk__in=ids))
    if len(rows) != len(ids) or len(ids) != len(given):
        raise ValidationError({"evidence": _("Choose evidence of this audit only.")})
    return rows


def _check(finding: Finding, evidence: list[Evidence]) -> None:
    item: ChecklistItem | None = finding.checklist_item
    if item is not None:
        finding.commitment = finding.commitment or item.commitment
        finding.touch_point = finding.touch_point or item.touch_point
    grade = finding.grade
    if grade.kind == GradeKind.NONCONFORMITY and not evidence and item is None:
        raise ValidationError(
            {
                "evidence": _(
                    "A nonconformity must rest on objective evidence: choose at least one piece "
                    "of evidence or the checklist item it answers."
                )
            }
        )
    finding.full_clean(exclude=["audit", "number"])


@transaction.atomic
def record_finding(
    audit: Audit, *, by: Actor, evidence: Iterable[Any] = (), **fields: Any
) -> Finding:
    """Record a finding, numbered next in the audit. The checklist item, when given, fills the
    commitment and touch point left empty."""
    _require(audit, by, "conduct")
    ensure_grades(audit.organization)
    evidence = list(evidence)
    values = _resolve(audit, fields)
    if values.get("grade") is None:
        raise ValidationError({"grade": _("Choose a level of the organisation's scale.")})
    finding = Finding(audit=audit, recorded_by=user_of(by), number=0, **values)
    chosen = _evidence(audit, evidence)
    _check(finding, chosen)
    Audit.objects.select_for_update().filter(pk=audit.pk).first()  # numbers taken one at a time
    last = Finding.objects.filter(audit=audit).aggregate(last=Max("number"))["last"]
    finding.number = (last or 0) + 1
    finding.save()
    finding.evidence.set(chosen)
    log_action(
        audit,
        "audits.finding.recorded",
        by=by,
        data={
            "finding": finding.pk,
            "number": finding.number,
            "grade": finding.grade.code,
            "evidence": [e.pk for e in chosen],
        },
    )
    return finding


@transaction.atomic
def update_finding(
    finding: Finding, *, by: Actor, evidence: Iterable[Any] | None = None, **fields: Any
) -> Finding:
    """Correct a finding the audited side has not accepted (open or disputed)."""
    audit = finding.audit
    _require(audit, by, "conduct")
    if finding.status not in EDITABLE_STATUSES:
        raise FindingError(
            _("Only an open or disputed finding can be corrected."), code="not_editable"
        )
    names = list(FINDING_FIELDS)
    before = snapshot(finding, names)
    values = _resolve(audit, fields)
    if "grade" in values and values["grade"] is None:
        raise ValidationError({"grade": _("Choose a level of the organisation's scale.")})
    for name, value in values.items():
        setattr(finding, name, value)
    chosen = _evidence(audit, evidence) if evidence is not None else list(finding.evidence.all())
    _check(finding, chosen)
    finding.save()
    if evidence is not None:
        finding.evidence.set(chosen)
    data: dict[str, Any] = {
        "finding": finding.pk,
        "changed": changes(before, snapshot(finding, names)),
    }
    if evidence is not None:
        data["evidence"] = [e.pk for e in chosen]
    log_action(audit, "audits.finding.updated", by=by, data=data)
    return finding


@transaction.atomic
def answer_finding(
    finding: Finding,
    *,
    by: Actor,
    accepts: bool,
    response: str = "",
    diverging_opinion: str = "",
    root_cause: str = "",
) -> Finding:
    """The audited side's answer: it accepts the finding, or disputes it with its diverging
    opinion (the team then resolves the divergence or leaves it for the report)."""
    audit = finding.audit
    _require(audit, by, "answer")
    if finding.status not in ANSWERABLE_STATUSES:
        raise FindingError(_("This finding is already being remedied."), code="not_answerable")
    opinion = diverging_opinion.strip()
    if not accepts and not opinion:
        raise ValidationError(
            {"diverging_opinion": _("Say where and why the audited side disagrees.")}
        )
    finding.status = FindingStatus.ACCEPTED if accepts else FindingStatus.DISPUTED
    finding.response = response.strip()
    finding.diverging_opinion = "" if accepts else opinion
    finding.divergence_resolved = False
    finding.divergence_note = ""
    finding.divergence_resolved_by = None
    finding.divergence_resolved_at = None
    if root_cause.strip():
        finding.root_cause = root_cause.strip()
    finding.responded_by = user_of(by)
    finding.responded_at = timezone.now()
    finding.full_clean(exclude=["audit", "number"])
    finding.save()
    log_action(
        audit,
        "audits.finding.answered",
        by=by,
        data={"finding": finding.pk, "status": finding.status},
    )
    return finding


@transaction.atomic
def resolve_divergence(finding: Finding, *, by: Actor, note: str) -> Finding:
    """The team settles a disputed finding with the audited side: how it was resolved (the
    finding kept, regraded or reworded) goes in the note. Left unresolved, the report lists it
    among the diverging opinions."""
    audit = finding.audit
    _require(audit, by, "conduct")
    if finding.status != FindingStatus.DISPUTED or finding.divergence_resolved:
        raise FindingError(_("Only an unresolved dispute can be resolved."), code="not_disputed")
    note = note.strip()
    if not note:
        raise ValidationError({"note": _("Say how the divergence was resolved.")})
    finding.divergence_resolved = True
    finding.divergence_note = note
    finding.divergence_resolved_by = user_of(by)
    finding.divergence_resolved_at = timezone.now()
    finding.full_clean(exclude=["audit", "number"])
    finding.save()
    log_action(audit, "audits.finding.divergence_resolved", by=by, data={"finding": finding.pk})
    return finding


@transaction.atomic
def set_root_cause(finding: Finding, *, by: Actor, root_cause: str) -> Finding:
    """The root cause, written by the team or by the audited side."""
    audit = finding.audit
    if not (can(by, audit, "conduct") or can(by, audit, "answer")):
        raise PermissionDenied(_("You do not have permission to do this."))
    if not audit.is_open:
        raise FindingError(_("This audit is closed: its findings can no longer change."))
    finding.root_cause = root_cause.strip()
    finding.full_clean(exclude=["audit", "number"])
    finding.save(update_fields=["root_cause", "updated_at"])
    log_action(audit, "audits.finding.root_cause", by=by, data={"finding": finding.pk})
    return finding


# --- Read models for the report and the network ----------------------------------------------


def nonconformity_counts(audit: Audit, *, open_only: bool = False) -> dict[str, int]:
    """How many nonconformities the audit found, by grade code, every nonconformity level of
    the scale listed (most severe first), zero included. `open_only`: not yet verified or
    closed."""
    grades = Grade.objects.filter(
        organization_id=audit.organization_id, kind=GradeKind.NONCONFORMITY
    ).order_by("-severity", "order", "pk")
    condition = Q(finding__audit=audit)
    if open_only:
        condition &= ~Q(finding__status__in=CLOSED_STATUSES)
    counted = grades.annotate(total=Count("finding", filter=condition))
    return {grade.code: grade.total for grade in counted}


def findings_by_touch_point(audit: Audit) -> list[tuple[TouchPoint | None, list[Finding]]]:
    """The audit's findings grouped by touch point (by name; those without one last)."""
    grouped: dict[int | None, list[Finding]] = defaultdict(list)
    points: dict[int, TouchPoint] = {}
    for finding in audit.findings.select_related("grade", "touch_point__unit").order_by("number"):
        grouped[finding.touch_point_id].append(finding)
        if finding.touch_point is not None:
            points[finding.touch_point.pk] = finding.touch_point
    ordered: list[tuple[TouchPoint | None, list[Finding]]] = [
        (points[pk], grouped[pk]) for pk in sorted(points, key=lambda pk: (points[pk].name, pk))
    ]
    if None in grouped:
        ordered.append((None, grouped[None]))
    return ordered


def unresolved_divergences(audit: Audit) -> QuerySet[Finding]:
    """Disputed findings whose divergence the team has not resolved (for the report)."""
    return audit.findings.filter(status=FindingStatus.DISPUTED, divergence_resolved=False)
