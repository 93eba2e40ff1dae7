"""Every change to an improvement action: creation with its origins and baseline, the PDCA
lifecycle, the effect check and publication. Each step writes an ActionEvent and an audit entry."""

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from compromiso.cases.models import Case, Category, RootCause
from compromiso.catalog.models import Service, TouchPoint
from compromiso.charters.models import Commitment, Compliance
from compromiso.core.actors import Actor, user_of
from compromiso.core.audit import changes, log_action, snapshot
from compromiso.core.permissions import Perm, require
from compromiso.improvement.models import (
    ACTION_TRANSITIONS,
    ENDED_ACTION_STATUSES,
    SHARE_METRICS,
    ActionEvent,
    ActionOrigin,
    ActionStatus,
    ImprovementAction,
    MetricKind,
    OriginKind,
    RemedyKind,
)
from compromiso.improvement.services.errors import ActionError
from compromiso.improvement.services.measures import (
    BASELINE_DAYS,
    attribute_effect,
    attribute_summary,
    indicator_results,
    indicator_series,
    metric_count,
    share_of,
    share_percent,
)
from compromiso.organizations.models import Organization, Unit, User
from compromiso.servicemodel.models import Protocol, TrainingProgramme
from compromiso.surveys.figures import driver_table
from compromiso.surveys.models import Question, Wave

# A nonconformity found by an audit weighs as two single cases: the audit found it on a sample.
AUDIT_FINDING_WEIGHT = 10


def _require(action_or_unit: ImprovementAction | Unit, by: Actor) -> None:
    unit = (
        action_or_unit.owner_unit
        if isinstance(action_or_unit, ImprovementAction)
        else action_or_unit
    )
    require(by, Perm.MANAGE_IMPROVEMENT, organization_id=unit.organization_id, unit_path=unit.path)


def _origin_weight(organization: Organization, origin: ActionOrigin, today: dt.date) -> int:
    """How much an origin weighs in the priority: cases in the last 90 days, times their trend
    against the 90 days before (capped), or a fixed weight for a single case."""
    if origin.kind == OriginKind.CASE:
        return 5
    if origin.kind == OriginKind.AUDIT_FINDING:
        return AUDIT_FINDING_WEIGHT
    if origin.kind == OriginKind.SURVEY_DRIVER:
        # Importance × shortfall: the attribute's share of explained satisfaction times the
        # share of users not satisfied with it.
        assert origin.wave is not None
        table = driver_table(origin.wave, Service.objects.filter(organization=organization))
        driver = next(
            (d for d in (table.drivers if table else []) if d.question.pk == origin.question_id),
            None,
        )
        if driver is None:
            return 0
        origin.cases_count = round(driver.share)
        return round(driver.share * (100 - driver.performance) / 10)
    if origin.kind == OriginKind.COMMITMENT:
        # The size of the breach: periods not met in the last twelve, and how far the last
        # measured value falls short of the target (in % of the target).
        assert origin.commitment is not None
        results = [m for m in indicator_results(origin.commitment) if m.value is not None]
        origin.cases_count = sum(m.compliance == Compliance.NOT_MET for m in results)
        gap = 0.0
        if results and results[-1].compliance == Compliance.NOT_MET:
            achievement = results[-1].achievement
            gap = 100.0 - float(achievement) if achievement is not None else 0.0
        return 5 * origin.cases_count + round(max(gap, 0.0))
    kind = (
        MetricKind.CASE_CAUSE if origin.kind == OriginKind.CASE_CAUSE else MetricKind.CASE_CATEGORY
    )

    def count(start: dt.date, end: dt.date) -> int:
        return metric_count(
            organization,
            kind=kind,
            root_cause=origin.root_cause,
            category=origin.category,
            start=start,
            end=end,
        )

    recent = count(today - dt.timedelta(days=BASELINE_DAYS), today)
    earlier = count(
        today - dt.timedelta(days=2 * BASELINE_DAYS),
        today - dt.timedelta(days=BASELINE_DAYS + 1),
    )
    origin.cases_count = recent
    trend = min(max(recent / earlier, 0.5), 3.0) if earlier else (2.0 if recent else 1.0)
    return round(recent * trend)


@transaction.atomic
def create_action(
    organization: Organization,
    *,
    by: Actor,
    title: str,
    description: str,
    owner_unit: Unit,
    due_date: dt.date,
    origins: list[dict[str, Any]],
    responsible: User | None = None,
    services: Iterable[Service] = (),
    touch_points: Iterable[TouchPoint] = (),
    effort: str = "medium",
    remedy: str = RemedyKind.OTHER,
    remedy_protocol: Protocol | None = None,
    remedy_programme: TrainingProgramme | None = None,
    check_on: str = "",
) -> ImprovementAction:
    """Propose an action. It needs at least one origin (what caused it) and a future due date;
    the metric its effect will be checked on and its baseline are captured now. The action can
    be a change to an attention protocol or training (`remedy`), and its effect can be checked
    on the service model's own figures (`check_on`: protocol compliance or training coverage)
    instead of the metric its origin brings."""
    touch_points = list(touch_points)
    if owner_unit.organization_id != organization.pk:
        raise ValidationError({"owner_unit": _("This belongs to another organisation.")})
    _require(owner_unit, by)
    today = organization.today()
    if not origins:
        raise ValidationError(_("Link the action to what caused it (at least one origin)."))
    if due_date < today:
        raise ValidationError({"due_date": _("The due date cannot be in the past.")})
    action = ImprovementAction(
        organization=organization,
        title=title.strip(),
        description=description.strip(),
        owner_unit=owner_unit,
        responsible=responsible,
        due_date=due_date,
        effort=effort,
    )
    _set_remedy(action, remedy, remedy_protocol, remedy_programme)
    action.full_clean(
        exclude=["organization", "owner_unit", "responsible", "remedy_protocol", "remedy_programme"]
    )
    action.save()
    action.services.set(services)
    action.touch_points.set(touch_points)
    built = [_origin(action, **origin) for origin in origins]
    priority = sum(_origin_weight(organization, origin, today) for origin in built)
    ActionOrigin.objects.bulk_create(built)
    action.computed_priority = action.priority = priority
    first_cause = next((o.root_cause for o in built if o.root_cause), None)
    first_category = next((o.category for o in built if o.category), None)
    case_origin = next((o.case for o in built if o.case), None)
    if first_cause is None and first_category is None and case_origin is not None:
        first_cause, first_category = case_origin.root_cause, case_origin.category
    commitment = next((o.commitment for o in built if o.commitment), None)
    if first_cause is not None:
        action.metric, action.metric_root_cause = MetricKind.CASE_CAUSE, first_cause
    elif first_category is not None:
        action.metric, action.metric_category = MetricKind.CASE_CATEGORY, first_category
    elif (
        driver := next((o for o in built if o.kind == OriginKind.SURVEY_DRIVER), None)
    ) is not None:
        assert driver.wave is not None
        assert driver.question is not None
        action.metric, action.metric_question = MetricKind.ATTRIBUTE, driver.question
        before = attribute_summary(driver.question, wave=driver.wave)
        if before.net is not None:
            action.baseline_value = Decimal(str(round(before.net.value, 2)))
        action.baseline_start, action.baseline_end = driver.wave.opens_on, driver.wave.closes_on
    elif commitment is not None:
        action.metric, action.metric_commitment = MetricKind.INDICATOR, commitment
        measured = [m for m in indicator_results(commitment) if m.value is not None]
        if measured:
            action.baseline_value = measured[-1].value
            action.baseline_start = measured[-1].period_start
            action.baseline_end = measured[-1].period_end
    if check_on:
        _check_on_share(action, check_on, touch_points, today)
    if action.metric in (MetricKind.CASE_CAUSE, MetricKind.CASE_CATEGORY):
        action.baseline_start = today - dt.timedelta(days=BASELINE_DAYS)
        action.baseline_end = today - dt.timedelta(days=1)
        action.baseline_count = metric_count(
            organization,
            kind=action.metric,
            root_cause=action.metric_root_cause,
            category=action.metric_category,
            start=action.baseline_start,
            end=action.baseline_end,
        )
    action.save()
    ActionEvent.objects.create(action=action, actor=user_of(by), to_status=ActionStatus.PROPOSED)
    log_action(
        action,
        "improvement.action.created",
        by=by,
        data={"origins": [str(o) for o in built], "priority": priority},
    )
    return action


def _set_remedy(
    action: ImprovementAction,
    remedy: str,
    protocol: Protocol | None,
    programme: TrainingProgramme | None,
) -> None:
    """A protocol change names its protocol, training its programme, both of this organisation."""
    if remedy not in RemedyKind.values:
        raise ValidationError({"remedy": _("Choose what kind of change the action is.")})
    errors: dict[str, str] = {}
    if remedy == RemedyKind.PROTOCOL and protocol is None:
        errors["remedy_protocol"] = _("Say which protocol will change.")
    elif protocol is not None and remedy != RemedyKind.PROTOCOL:
        errors["remedy_protocol"] = _("Only a change to a protocol names the protocol.")
    elif protocol is not None and protocol.organization_id != action.organization_id:
        errors["remedy_protocol"] = _("Choose a protocol of this organisation.")
    if remedy == RemedyKind.TRAINING and programme is None:
        errors["remedy_programme"] = _("Say which training programme the staff will follow.")
    elif programme is not None and remedy != RemedyKind.TRAINING:
        errors["remedy_programme"] = _("Only training names a training programme.")
    elif programme is not None and programme.organization_id != action.organization_id:
        errors["remedy_programme"] = _("Choose a programme of this organisation.")
    if errors:
        raise ValidationError(errors)
    action.remedy = remedy
    action.remedy_protocol, action.remedy_programme = protocol, programme


def _check_on_share(
    action: ImprovementAction, kind: str, touch_points: list[TouchPoint], today: dt.date
) -> None:
    """Check the effect on protocol compliance or training coverage; the baseline is the
    compliance observed in the last 90 days, or the coverage today."""
    if kind not in SHARE_METRICS:
        raise ValidationError({"check_on": _("Choose a figure to check the effect on.")})
    protocol = action.remedy_protocol if kind == MetricKind.PROTOCOL else None
    action.metric = kind
    action.metric_root_cause = action.metric_category = None
    action.metric_commitment = action.metric_question = None
    action.metric_protocol = protocol
    action.baseline_start = today - dt.timedelta(days=BASELINE_DAYS)
    action.baseline_end = today - dt.timedelta(days=1) if kind == MetricKind.PROTOCOL else today
    part, whole = share_of(
        action.organization,
        kind=kind,
        protocol=protocol,
        touch_points=touch_points,
        start=action.baseline_start,
        end=action.baseline_end,
    )
    action.baseline_count, action.baseline_whole = part, whole
    action.baseline_value = share_percent(part, whole)


def _origin(
    action: ImprovementAction,
    *,
    root_cause: RootCause | None = None,
    category: Category | None = None,
    case: Case | None = None,
    commitment: Commitment | None = None,
    question: Question | None = None,
    wave: Wave | None = None,
    audit_finding: bool = False,
) -> ActionOrigin:
    if audit_finding:
        # The audits app, above this one, holds the link (its finding names the action); the
        # finding's commitment, if any, gives the metric the effect is checked on.
        if commitment is not None and commitment.charter.organization_id != action.organization_id:
            raise ValidationError(_("An origin belongs to another organisation."))
        return ActionOrigin(action=action, kind=OriginKind.AUDIT_FINDING, commitment=commitment)
    if question is not None or wave is not None:
        if question is None or wave is None or question.questionnaire_id != wave.questionnaire_id:
            raise ValidationError(
                _("A survey driver needs a question of the wave's questionnaire.")
            )
        if wave.organization_id != action.organization_id:
            raise ValidationError(_("An origin belongs to another organisation."))
        return ActionOrigin(
            action=action, kind=OriginKind.SURVEY_DRIVER, question=question, wave=wave
        )
    target = root_cause or category or case or commitment
    if target is None:
        raise ValidationError(
            _("Each origin must point to a root cause, a category, a case or a commitment.")
        )
    owner = (
        target.charter.organization_id if isinstance(target, Commitment) else target.organization_id
    )
    if owner != action.organization_id:
        raise ValidationError(_("An origin belongs to another organisation."))
    if commitment is not None:
        return ActionOrigin(action=action, kind=OriginKind.COMMITMENT, commitment=commitment)
    if root_cause is not None:
        return ActionOrigin(action=action, kind=OriginKind.CASE_CAUSE, root_cause=root_cause)
    if category is not None:
        return ActionOrigin(action=action, kind=OriginKind.CASE_CATEGORY, category=category)
    return ActionOrigin(action=action, kind=OriginKind.CASE, case=case, cases_count=1)


def _editable(action: ImprovementAction) -> None:
    if action.status in ENDED_ACTION_STATUSES:
        raise ActionError(
            _("This action is closed or rejected and can no longer be changed."), code="ended"
        )


EDITABLE = ("title", "description", "responsible", "due_date", "effort")


@transaction.atomic
def update_action(action: ImprovementAction, *, by: Actor, **fields: Any) -> ImprovementAction:
    _require(action, by)
    _editable(action)
    names = [name for name in fields if name in EDITABLE]
    before = snapshot(action, names)
    for name in names:
        setattr(action, name, fields[name])
    if "due_date" in names and action.due_date < action.organization.today():
        raise ValidationError({"due_date": _("The due date cannot be in the past.")})
    action.full_clean(exclude=["organization", "owner_unit", "responsible"])
    action.save()
    diff = changes(before, snapshot(action, names))
    if diff:
        log_action(action, "improvement.action.updated", by=by, data=diff)
    return action


@transaction.atomic
def adjust_priority(
    action: ImprovementAction, *, priority: int, reason: str, by: Actor
) -> ImprovementAction:
    """Override the computed priority, saying why."""
    _require(action, by)
    _editable(action)
    if not reason.strip():
        raise ValidationError({"priority_reason": _("Say why the priority changes.")})
    if not 0 <= priority <= 100000:
        raise ValidationError({"priority": _("The priority goes from 0 to 100,000.")})
    old = action.priority
    action.priority, action.priority_reason = priority, reason.strip()
    action.save(update_fields=["priority", "priority_reason", "updated_at"])
    ActionEvent.objects.create(
        action=action, actor=user_of(by), comment=f"{old} → {priority}: {reason.strip()}"
    )
    log_action(action, "improvement.action.prioritised", by=by, data={"priority": [old, priority]})
    return action


@transaction.atomic
def move_action(
    action: ImprovementAction, to: str, *, by: Actor, comment: str = ""
) -> ImprovementAction:
    """Take one step of the lifecycle. The effect check has its own step (record_check)."""
    _require(action, by)
    _editable(action)
    if to in (ActionStatus.EFFECTIVE, ActionStatus.NOT_EFFECTIVE):
        raise ActionError(_("Record the effect check to finish checking."), code="check")
    if to == ActionStatus.CLOSED and action.status not in (
        ActionStatus.EFFECTIVE,
        ActionStatus.NOT_EFFECTIVE,
    ):
        raise ActionError(
            _("An action is closed only after its effect has been checked."), code="unchecked"
        )
    if to not in ACTION_TRANSITIONS[action.status]:
        raise ActionError(
            _("An action that is “%(current)s” cannot become “%(next)s”.")
            % {"current": action.get_status_display(), "next": ActionStatus(to).label},
            code="invalid_transition",
        )
    if to == ActionStatus.REJECTED:
        if not comment.strip():
            raise ValidationError({"comment": _("Give the reason for rejecting the action.")})
        action.rejection_reason = comment.strip()[:500]
    if to == ActionStatus.IN_PROGRESS:
        action.after_start = action.organization.today()  # the effect is measured from here on
    if to in (ActionStatus.CLOSED, ActionStatus.REJECTED):
        action.completed_at = timezone.now()
    ActionEvent.objects.create(
        action=action, actor=user_of(by), from_status=action.status, to_status=to, comment=comment
    )
    action.status = to
    action.save()
    log_action(action, f"improvement.action.{to}", by=by)
    return action


@transaction.atomic
def record_check(
    action: ImprovementAction, *, effective: bool, evidence: str, by: Actor
) -> ImprovementAction:
    """Whoever checks records whether the action worked, with evidence, after seeing the metric
    before and after."""
    _require(action, by)
    _editable(action)
    if action.status != ActionStatus.CHECKING:
        raise ActionError(_("Move the action to checking first."), code="not_checking")
    if not action.metric:
        raise ActionError(_("This action has no metric to check its effect on."), code="no_metric")
    if not evidence.strip():
        raise ValidationError({"evidence": _("Give the evidence of the check.")})
    today = action.organization.today()
    assert action.after_start is not None
    action.after_end = today
    if action.metric == MetricKind.ATTRIBUTE:
        found = attribute_effect(action)
        after_net = found[1].net if found else None
        action.after_value = None if after_net is None else Decimal(str(round(after_net.value, 2)))
    elif action.metric in SHARE_METRICS:
        part, whole = share_of(
            action.organization,
            kind=action.metric,
            protocol=action.metric_protocol,
            touch_points=list(action.touch_points.all()),
            start=action.after_start,
            end=today,
        )
        action.after_count, action.after_whole = part, whole
        action.after_value = share_percent(part, whole)
    elif action.metric == MetricKind.INDICATOR:
        after = [
            row for row in indicator_series(action) if row["after"] and row["value"] is not None
        ]
        action.after_value = after[-1]["value"] if after else None
    else:
        action.after_count = metric_count(
            action.organization,
            kind=action.metric,
            root_cause=action.metric_root_cause,
            category=action.metric_category,
            start=action.after_start,
            end=today,
        )
    action.evidence = evidence.strip()
    to = ActionStatus.EFFECTIVE if effective else ActionStatus.NOT_EFFECTIVE
    ActionEvent.objects.create(
        action=action, actor=user_of(by), from_status=action.status, to_status=to, comment=evidence
    )
    action.status = to
    action.save()
    log_action(
        action,
        "improvement.action.checked",
        by=by,
        data={
            "effective": effective,
            "after_count": action.after_count,
            "after_value": None if action.after_value is None else str(action.after_value),
        },
    )
    return action


@transaction.atomic
def publish(
    action: ImprovementAction, *, is_public: bool, summary: str, by: Actor
) -> ImprovementAction:
    """Choose whether the action appears on the public "you said, we did" page once effective."""
    _require(action, by)
    if is_public and not summary.strip():
        raise ValidationError({"public_summary": _("Say in plain words what changed.")})
    action.is_public, action.public_summary = is_public, summary.strip()
    action.full_clean(exclude=["organization", "owner_unit", "responsible"])
    action.save(update_fields=["is_public", "public_summary", "updated_at"])
    log_action(action, "improvement.action.published", by=by, data={"public": is_public})
    return action
