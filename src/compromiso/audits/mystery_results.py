"""The results of a mystery-shopping round, read from its own visits (and the protocol
observations they stored): visits done of those planned, protocol compliance overall, by touch
point and by step (steps met ÷ steps applicable, not applicable ones left out), the share of
visits whose expected outcome was achieved and whose information was correct, each with
Wilson's 95 % score interval, and the median minutes waited and attended. A share with nothing
applicable has no value ("—"), never 0 %.

The export lists every visit with its figures, one row each."""

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count
from django.utils.translation import gettext as _

from compromiso.audits.models import (
    MysteryAnswer,
    MysteryRound,
    MysteryVisit,
    ScenarioItem,
    VisitStatus,
)
from compromiso.catalog.models import TouchPoint
from compromiso.improvement.metrics import wilson
from compromiso.servicemodel.models import ProtocolStep, StepOutcome, StepResult

TENTH = Decimal("0.1")


@dataclass(frozen=True)
class Rate:
    """`met` of `applicable`, with Wilson's 95 % interval, in percent (one decimal)."""

    met: int = 0
    applicable: int = 0

    @property
    def value(self) -> Decimal | None:
        if not self.applicable:
            return None
        return (Decimal(self.met) * 100 / self.applicable).quantize(TENTH, ROUND_HALF_UP)

    @property
    def interval(self) -> tuple[Decimal, Decimal] | None:
        if not self.applicable:
            return None
        low, high = wilson(self.met, self.applicable)
        return (
            Decimal(str(100 * low)).quantize(TENTH, ROUND_HALF_UP),
            Decimal(str(100 * high)).quantize(TENTH, ROUND_HALF_UP),
        )

    def __add__(self, other: "Rate") -> "Rate":
        return Rate(self.met + other.met, self.applicable + other.applicable)


@dataclass(frozen=True)
class Line:
    subject: Any  # a TouchPoint or a ProtocolStep
    rate: Rate
    visits: int = 0


@dataclass(frozen=True)
class RoundResults:
    statuses: dict[str, int]
    planned: int  # every visit not cancelled
    done: int
    compliance: Rate
    touch_points: list[Line]
    steps: list[Line]  # the steps failing most first
    outcome: Rate
    information: Rate
    median_wait: float | None
    median_service: float | None


def _rate(counts: Counter[str]) -> Rate:
    met = counts[StepOutcome.MET]
    return Rate(met, met + counts[StepOutcome.NOT_MET])


def _median(values: Sequence[int]) -> float | None:
    return float(statistics.median(values)) if values else None


def round_results(round_: MysteryRound) -> RoundResults:
    statuses = dict(round_.visits.values_list("status").annotate(n=Count("pk")).order_by())
    done = round_.visits.filter(status=VisitStatus.DONE)
    results = (
        StepResult.objects.filter(check_of__in=_checks(round_))
        .values("check_of__touch_point_id", "step_id", "outcome")
        .annotate(n=Count("pk"))
        .order_by()
    )
    by_point: dict[int, Counter[str]] = defaultdict(Counter)
    by_step: dict[int, Counter[str]] = defaultdict(Counter)
    for row in results:
        by_point[row["check_of__touch_point_id"]][row["outcome"]] += row["n"]
        by_step[row["step_id"]][row["outcome"]] += row["n"]
    visits_at = Counter(done.values_list("touch_point_id", flat=True))
    points = TouchPoint.objects.filter(pk__in=set(by_point) | set(visits_at)).select_related(
        "unit", "channel"
    )
    point_lines = sorted(
        (Line(p, _rate(by_point.get(p.pk, Counter())), visits_at[p.pk]) for p in points),
        key=lambda line: (line.subject.unit.path, line.subject.name),
    )
    steps = ProtocolStep.objects.filter(pk__in=by_step).select_related("protocol")
    step_lines = sorted(
        (Line(step, _rate(by_step[step.pk])) for step in steps),
        key=lambda line: (
            line.rate.value is None,
            line.rate.value if line.rate.value is not None else 0,
            line.subject.protocol.name,
            line.subject.order,
        ),
    )
    answers: dict[str, Counter[str]] = defaultdict(Counter)
    for item, outcome, n in (
        MysteryAnswer.objects.filter(visit__in=done)
        .values_list("item", "outcome")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        answers[item][outcome] += n
    minutes = list(done.values_list("wait_minutes", "service_minutes"))
    return RoundResults(
        statuses={status: statuses.get(status, 0) for status in VisitStatus.values},
        planned=sum(n for s, n in statuses.items() if s != VisitStatus.CANCELLED),
        done=statuses.get(VisitStatus.DONE, 0),
        compliance=sum((line.rate for line in point_lines), Rate()),
        touch_points=point_lines,
        steps=step_lines,
        outcome=_rate(answers[ScenarioItem.OUTCOME]),
        information=_rate(answers[ScenarioItem.INFORMATION]),
        median_wait=_median([w for w, _s in minutes if w is not None]),
        median_service=_median([s for _w, s in minutes if s is not None]),
    )


def _checks(round_: MysteryRound) -> Any:
    return MysteryVisit.checks.through.objects.filter(
        mysteryvisit__round=round_, mysteryvisit__status=VisitStatus.DONE
    ).values("protocolcheck_id")


def export_table(round_: MysteryRound) -> tuple[list[str], Iterator[list[Any]]]:
    """Every visit of the round: when, where, which scenario, who observed, its state, the
    minutes, the steps met of those applicable and the scenario items."""
    header = [
        _("Number"),
        _("Touch point"),
        _("Channel"),
        _("Scenario"),
        _("Scheduled for"),
        _("Observer"),
        _("State"),
        _("Visited at"),
        _("Minutes waiting"),
        _("Minutes being attended"),
        _("Steps met"),
        _("Steps applicable"),
        str(ScenarioItem.OUTCOME.label),
        str(ScenarioItem.INFORMATION.label),
        _("Notes"),
    ]
    zone = round_.audit.organization.zone
    visits = round_.visits.select_related(
        "touch_point__channel", "scenario", "observer"
    ).prefetch_related("answers")
    visit_of = dict(
        MysteryVisit.checks.through.objects.filter(mysteryvisit__round=round_).values_list(
            "protocolcheck_id", "mysteryvisit_id"
        )
    )
    counts: dict[int, Counter[str]] = defaultdict(Counter)
    for check_id, outcome, n in (
        StepResult.objects.filter(check_of__in=_checks(round_))
        .values_list("check_of_id", "outcome")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        counts[visit_of[check_id]][outcome] += n

    def rows() -> Iterator[list[Any]]:
        for visit in visits:
            rate = _rate(counts[visit.pk])
            answers = {a.item: a.get_outcome_display() for a in visit.answers.all()}
            done = visit.status == VisitStatus.DONE
            yield [
                visit.number,
                visit.touch_point.name,
                visit.touch_point.channel.get_kind_display(),
                visit.scenario.title,
                visit.scheduled_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
                visit.observer.get_full_name() if visit.observer else "",
                visit.get_status_display(),
                visit.visited_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
                if visit.visited_at
                else "",
                visit.wait_minutes if visit.wait_minutes is not None else "",
                visit.service_minutes if visit.service_minutes is not None else "",
                rate.met if done else "",
                rate.applicable if done else "",
                answers.get(ScenarioItem.OUTCOME, ""),
                answers.get(ScenarioItem.INFORMATION, ""),
                visit.notes or visit.reason,
            ]

    return header, rows()
