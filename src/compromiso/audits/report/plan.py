"""The plan to correct every problem found (seed 000: "a report with a corrective plan"): each
nonconformity of the audit with its improvement action — owner, due date, state, effect — read
live, so the report and the remedies page follow the remedies as they happen. A nonconformity
with no action (or whose action was rejected) has "no remedy yet".

The rule of verification lives here too, for every door to ask: a remedy works when its action
is completed and its effect was checked and found effective (the action is "effective", or was
closed after a check that found it effective)."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from compromiso.audits.models import Audit, Finding, FindingStatus, GradeKind
from compromiso.audits.report.content import label
from compromiso.improvement.models import (
    ActionEvent,
    ActionStatus,
    ImprovementAction,
    MetricKind,
)


@dataclass
class PlanLine:
    finding_id: int
    number: int
    grade: str
    statement: str
    touch_point: str
    finding_status: str  # FindingStatus code
    root_cause: str = ""
    action_id: int | None = None
    action_title: str = ""
    owner_unit: str = ""
    responsible: str = ""
    due_date: dt.date | None = None
    action_status: str = ""  # ActionStatus code, "" for no remedy
    overdue: bool = False
    metric: str = ""  # MetricKind code
    baseline: Decimal | None = None
    after: Decimal | None = None
    checked: bool = False  # its effect was checked
    effective: bool = False  # …and found effective
    evidence: str = ""  # of the effect check

    @property
    def has_remedy(self) -> bool:
        return self.action_id is not None and self.action_status != ActionStatus.REJECTED

    @property
    def remedied(self) -> bool:
        """The action is completed and its effect checked and found effective."""
        return self.effective

    @property
    def finding_status_label(self) -> str:
        return label(FindingStatus, self.finding_status)

    @property
    def action_status_label(self) -> str:
        return label(ActionStatus, self.action_status) if self.action_status else ""

    @property
    def metric_label(self) -> str:
        return label(MetricKind, self.metric) if self.metric else ""


def effective_actions(action_ids: Iterable[int]) -> set[int]:
    """Of these actions, those whose effect check ever found them effective (one query)."""
    ids = [pk for pk in action_ids if pk is not None]
    if not ids:
        return set()
    return set(
        ActionEvent.objects.filter(action_id__in=ids, to_status=ActionStatus.EFFECTIVE)
        .values_list("action_id", flat=True)
        .distinct()
    )


def is_remedied(action: ImprovementAction | None, confirmed: set[int] | None = None) -> bool:
    """Completed and found effective by its effect check."""
    if action is None:
        return False
    if action.status == ActionStatus.EFFECTIVE:
        return True
    if action.status != ActionStatus.CLOSED:
        return False
    if confirmed is None:
        confirmed = effective_actions([action.pk])
    return action.pk in confirmed


def _checked(action: ImprovementAction, confirmed: set[int]) -> bool:
    return action.status in (ActionStatus.EFFECTIVE, ActionStatus.NOT_EFFECTIVE) or (
        action.status == ActionStatus.CLOSED and (action.pk in confirmed or bool(action.evidence))
    )


def corrective_plan(audit: Audit, today: dt.date | None = None) -> list[PlanLine]:
    """Every nonconformity of the audit, in finding order, with its remedy (three queries)."""
    findings = list(
        Finding.objects.filter(audit=audit, grade__kind=GradeKind.NONCONFORMITY)
        .select_related("grade", "touch_point", "action__owner_unit", "action__responsible")
        .order_by("number")
    )
    confirmed = effective_actions(f.action_id for f in findings if f.action_id)
    today = today or audit.organization.today()
    lines = []
    for f in findings:
        line = PlanLine(
            finding_id=f.pk,
            number=f.number,
            grade=f.grade.label,
            statement=f.statement,
            touch_point=f.touch_point.name if f.touch_point else "",
            finding_status=f.status,
            root_cause=f.root_cause,
        )
        action = f.action
        if action is not None:
            line.action_id = action.pk
            line.action_title = action.title
            line.owner_unit = action.owner_unit.name
            line.responsible = (
                (action.responsible.get_full_name() or action.responsible.get_username())
                if action.responsible
                else ""
            )
            line.due_date = action.due_date
            line.action_status = action.status
            line.overdue = action.is_open and action.due_date < today
            line.metric = action.metric
            line.baseline = action.baseline_value
            line.after = action.after_value
            line.checked = _checked(action, confirmed)
            line.effective = is_remedied(action, confirmed)
            line.evidence = action.evidence
        lines.append(line)
    return lines
