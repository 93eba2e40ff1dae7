"""What an action is checked on: the metric's counts and values before and after it, the
before/after series drawn on its page, the effect with its intervals, and the figures of a set
of actions. Reading only: nothing here changes a row."""

import datetime as dt
from collections import Counter
from decimal import Decimal
from typing import Any

from django.db.models import Sum

from compromiso.cases import facts
from compromiso.cases.models import CaseDailyFact, Category, RootCause
from compromiso.catalog.models import TouchPoint
from compromiso.charters.models import Commitment, Compliance, Measurement
from compromiso.improvement import metrics
from compromiso.improvement.models import (
    SHARE_METRICS,
    ActionStatus,
    ImprovementAction,
    MetricKind,
    OriginKind,
)
from compromiso.insights import netscore
from compromiso.organizations.models import Organization
from compromiso.servicemodel.compliance import protocol_compliance
from compromiso.servicemodel.models import Protocol
from compromiso.servicemodel.training_coverage import TrainingData, trained_share
from compromiso.surveys.figures import bands_of
from compromiso.surveys.models import Question, ScoreCount, Wave

BASELINE_DAYS = 90


def share_of(
    organization: Organization,
    *,
    kind: str,
    protocol: Protocol | None,
    touch_points: list[TouchPoint],
    start: dt.date,
    end: dt.date,
) -> tuple[int, int]:
    """A share metric as (part, whole), over the action's touch points, or the whole
    organisation when it names none. Protocol compliance: steps observed as met of those
    observed from `start` to `end`. Training: contact staff trained in the protocols of their
    touch points on `end` (a person at two of the touch points counts at each)."""
    if kind == MetricKind.PROTOCOL:
        # Each observation is of one touch point: one query over all of them.
        share = protocol_compliance(
            organization, start, end, protocol=protocol, touch_points=touch_points or None
        )
        return share.numerator, share.denominator
    if kind == MetricKind.TRAINING:
        data = TrainingData.load(organization)  # read once for every touch point
        shares = (
            [trained_share(data, end, touch_point=tp.pk) for tp in touch_points]
            if touch_points
            else [trained_share(data, end)]
        )
        return sum(s.numerator for s in shares), sum(s.denominator for s in shares)
    raise ValueError(kind)


def share_percent(part: int, whole: int) -> Decimal | None:
    """A share in percent with two decimals, None without a whole."""
    return (Decimal(part) * 100 / whole).quantize(Decimal("0.01")) if whole else None


def share_effect(action: ImprovementAction) -> metrics.ProportionChange | None:
    """A share metric before the action and at its check (or today, while it runs)."""
    if action.metric not in SHARE_METRICS or action.baseline_whole is None:
        return None
    if action.after_whole is not None and action.after_count is not None:
        after = (action.after_count, action.after_whole)
    elif action.after_start is not None:
        after = share_of(
            action.organization,
            kind=action.metric,
            protocol=action.metric_protocol,
            touch_points=list(action.touch_points.all()),
            start=action.after_start,
            end=action.organization.today(),
        )
    else:
        return None
    return metrics.proportion_change(action.baseline_count or 0, action.baseline_whole, *after)


def metric_count(
    organization: Organization,
    *,
    kind: str,
    root_cause: RootCause | None,
    category: Category | None,
    start: dt.date,
    end: dt.date,
) -> int:
    """Cases received in [start, end] that the metric counts, read from the daily facts."""
    facts.refresh(organization)
    rows = CaseDailyFact.objects.filter(organization=organization, day__gte=start, day__lte=end)
    if kind == MetricKind.CASE_CAUSE:
        rows = rows.filter(root_cause=root_cause)
    elif kind == MetricKind.CASE_CATEGORY:
        rows = rows.filter(category=category)
    else:
        return 0
    return int(rows.aggregate(total=Sum("received"))["total"] or 0)


def attribute_summary(
    question: Question, *, wave: Wave | None = None, since: dt.date | None = None
) -> netscore.Summary:
    """A surveyed attribute's scores, in one wave or in every month from `since` on, read from
    the score counts."""
    rows = ScoreCount.objects.filter(question=question)
    if wave is not None:
        rows = rows.filter(wave=wave)
    if since is not None:
        rows = rows.filter(month__gte=since.replace(day=1))
    counts: Counter[int] = Counter()
    for score, count in rows.values_list("score", "count"):
        counts[score] += count
    return netscore.summarise(counts, bands_of(question))


def attribute_effect(
    action: ImprovementAction,
) -> tuple[netscore.Summary, netscore.Summary, netscore.Change | None] | None:
    """The attribute's net score in the wave that found it against the months since the
    action started, with the significance of the change."""
    if action.metric != MetricKind.ATTRIBUTE or action.metric_question is None:
        return None
    origin = action.origins.filter(kind=OriginKind.SURVEY_DRIVER).select_related("wave").first()
    if origin is None or origin.wave is None or action.after_start is None:
        return None
    before = attribute_summary(action.metric_question, wave=origin.wave)
    after = attribute_summary(action.metric_question, since=action.after_start)
    return before, after, netscore.compare(before, after)


def indicator_results(commitment: Commitment, periods: int = 12) -> list[Measurement]:
    """A commitment's last measured periods across its charter's versions, oldest first."""
    rows = (
        Measurement.objects.filter(commitment__lineage=commitment.lineage)
        .exclude(compliance=Compliance.PENDING)
        .order_by("-period_start")[:periods]
    )
    return list(reversed(rows))


def indicator_series(action: ImprovementAction) -> list[dict[str, Any]]:
    """An indicator metric period by period, marking the periods since the action started."""
    if action.metric != MetricKind.INDICATOR or action.metric_commitment is None:
        return []
    return [
        {
            "start": m.period_start,
            "end": m.period_end,
            "value": m.value,
            "compliance": m.get_compliance_display(),
            "after": action.after_start is not None and m.period_start >= action.after_start,
        }
        for m in indicator_results(action.metric_commitment)
    ]


def monthly_series(action: ImprovementAction, months: int = 12) -> list[tuple[str, int]]:
    """The metric month by month, for the before/after chart."""
    if action.metric not in (MetricKind.CASE_CAUSE, MetricKind.CASE_CATEGORY):
        return []
    facts.refresh(action.organization)
    end = action.organization.today()
    start = (end.replace(day=1) - dt.timedelta(days=31 * (months - 1))).replace(day=1)
    rows = CaseDailyFact.objects.filter(
        organization=action.organization, day__gte=start, day__lte=end
    )
    if action.metric == MetricKind.CASE_CAUSE:
        rows = rows.filter(root_cause=action.metric_root_cause)
    else:
        rows = rows.filter(category=action.metric_category)
    counts: Counter[str] = Counter()
    for day, received in rows.values_list("day", "received"):
        counts[day.strftime("%Y-%m")] += received
    series = []
    month = start
    while month <= end:
        key = month.strftime("%Y-%m")
        series.append((key, counts.get(key, 0)))
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return series


def effect(action: ImprovementAction, until: dt.date | None = None) -> metrics.RateChange | None:
    """The metric's rate before the action and since it started, with the rate ratio's 95 % CI.
    Case counts only: an indicator's periods are shown as they were measured."""
    if action.metric not in (MetricKind.CASE_CAUSE, MetricKind.CASE_CATEGORY):
        return None
    if action.baseline_start is None or action.baseline_end is None:
        return None
    start = action.after_start
    if start is None:
        return None
    end = until or action.after_end or action.organization.today()
    after = (
        action.after_count or 0
        if action.after_end is not None and until is None
        else metric_count(
            action.organization,
            kind=action.metric,
            root_cause=action.metric_root_cause,
            category=action.metric_category,
            start=start,
            end=end,
        )
    )
    return metrics.rate_change(
        action.baseline_count or 0,
        metrics.months_between(action.baseline_start, action.baseline_end),
        after,
        metrics.months_between(start, end),
    )


def figures(actions: Any, today: dt.date | None = None) -> dict[str, Any]:
    """Open, overdue, closed on time, share effective, and the same by unit."""
    rows = list(actions.select_related("owner_unit", "organization"))  # each its own today

    def summary(items: list[ImprovementAction]) -> dict[str, Any]:
        ended = [a for a in items if a.status == ActionStatus.CLOSED and a.completed_at]
        checked = [
            a
            for a in items
            if a.evidence
            and a.status
            in (ActionStatus.EFFECTIVE, ActionStatus.NOT_EFFECTIVE, ActionStatus.CLOSED)
        ]
        on_time = [
            a
            for a in ended
            if a.completed_at and a.organization.local(a.completed_at).date() <= a.due_date
        ]
        effective = [a for a in checked if a.status == ActionStatus.EFFECTIVE or _was_effective(a)]
        return {
            "total": len(items),
            "open": sum(1 for a in items if a.is_open),
            "overdue": sum(1 for a in items if a.is_overdue(today)),
            "closed": len(ended),
            "closed_on_time": round(100 * len(on_time) / len(ended), 1) if ended else None,
            "effective": round(100 * len(effective) / len(checked), 1) if checked else None,
        }

    by_unit: dict[str, list[ImprovementAction]] = {}
    for action in rows:
        by_unit.setdefault(action.owner_unit.name, []).append(action)
    return {
        "all": summary(rows),
        "by_unit": [(name, summary(items)) for name, items in sorted(by_unit.items())],
    }


def _was_effective(action: ImprovementAction) -> bool:
    """A closed action counts as effective if its check said so."""
    return (
        action.status == ActionStatus.CLOSED
        and action.events.filter(to_status=ActionStatus.EFFECTIVE).exists()
    )
