"""Protocol compliance: the share of applicable checklist items met, met / (met + not met), over
the observations made in a period (the organisation's dates, both ends included). Items marked
not applicable count in no figure; a period without applicable items has no value (None, shown
"—"), never 0 %.

`protocol_compliance` is the door a charter commitment's indicator calls; `compliance_table`
gives the staff page its rows per touch point, unit (its whole subtree), protocol and step."""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, QuerySet

from compromiso.catalog.models import TouchPoint
from compromiso.organizations.models import Organization, Unit
from compromiso.servicemodel.models import (
    Protocol,
    ProtocolCheck,
    ProtocolStep,
    StepOutcome,
    StepResult,
)

HUNDREDTH = Decimal("0.01")


@dataclass(frozen=True)
class Share:
    """`numerator` items met of `denominator` applicable items, over `observations`
    observations; `value` is the percentage (two decimals), None with no applicable item."""

    numerator: int = 0
    denominator: int = 0
    observations: int = 0

    @property
    def value(self) -> Decimal | None:
        if not self.denominator:
            return None
        share = Decimal(self.numerator) * 100 / Decimal(self.denominator)
        return share.quantize(HUNDREDTH, rounding=ROUND_HALF_UP)

    @property
    def percent(self) -> int | None:
        """Rounded to a whole number, for bars and tables."""
        value = self.value
        return None if value is None else int(value.quantize(Decimal(1), ROUND_HALF_UP))

    def __add__(self, other: "Share") -> "Share":
        return Share(
            self.numerator + other.numerator,
            self.denominator + other.denominator,
            self.observations + other.observations,
        )


def _checks(
    organization: Organization,
    start: dt.date,
    end: dt.date,
    *,
    unit: Unit | None = None,
    touch_point: TouchPoint | None = None,
    protocol: Protocol | None = None,
    touch_points: Iterable[TouchPoint] | None = None,
    method: str | None = None,
) -> QuerySet[ProtocolCheck]:
    checks = ProtocolCheck.objects.filter(
        organization=organization, observed_on__gte=start, observed_on__lte=end
    )
    if unit is not None:
        checks = checks.filter(touch_point__unit__path__startswith=unit.path)
    if touch_point is not None:
        checks = checks.filter(touch_point=touch_point)
    if protocol is not None:
        checks = checks.filter(protocol=protocol)
    if touch_points is not None:
        checks = checks.filter(touch_point__in=touch_points)
    if method:
        checks = checks.filter(method=method)
    return checks


def _items(checks: QuerySet[ProtocolCheck], *group: str) -> list[dict[str, Any]]:
    """Counts of results met and not met (n.a. left out), grouped."""
    return list(
        StepResult.objects.filter(check_of__in=checks)
        .values(*group, "outcome")
        .annotate(n=Count("pk"))
        .order_by()
    )


def _share(met: int, not_met: int, observations: int) -> Share:
    return Share(met, met + not_met, observations)


def protocol_compliance(
    organization: Organization,
    start: dt.date,
    end: dt.date,
    *,
    unit: Unit | None = None,
    touch_point: TouchPoint | None = None,
    protocol: Protocol | None = None,
    method: str | None = None,
    touch_points: Iterable[TouchPoint] | None = None,
) -> Share:
    """The compliance of the observations made from `start` to `end`, optionally only at one
    touch point or a set of them, in one unit's subtree, of one protocol or by one method. For
    charter indicators and improvement actions."""
    checks = _checks(
        organization,
        start,
        end,
        unit=unit,
        touch_point=touch_point,
        protocol=protocol,
        method=method,
        touch_points=touch_points,
    )
    counts = {row["outcome"]: row["n"] for row in _items(checks)}
    return _share(
        counts.get(StepOutcome.MET, 0), counts.get(StepOutcome.NOT_MET, 0), checks.count()
    )


@dataclass(frozen=True)
class Row:
    subject: Any  # a TouchPoint, Unit, Protocol or ProtocolStep
    share: Share
    items: int = 0  # every result recorded, not applicable ones included


@dataclass(frozen=True)
class ComplianceTable:
    total: Share
    touch_points: list[Row]
    units: list[Row]
    protocols: list[Row]
    steps: list[Row]  # the steps failing most first


def compliance_table(
    organization: Organization,
    start: dt.date,
    end: dt.date,
    *,
    touch_points: QuerySet[TouchPoint],
    units: Iterable[Unit],
    protocol: Protocol | None = None,
    unit: Unit | None = None,
    method: str | None = None,
) -> ComplianceTable:
    """Compliance per touch point, unit subtree, protocol and step, over the observations at
    `touch_points` (the ones the reader may see), optionally only in `unit`'s subtree, of one
    `protocol` or made by one `method`. Only rows with observations are listed, except that
    with one protocol chosen every step of it is listed, in the protocol's order."""
    checks = _checks(
        organization,
        start,
        end,
        protocol=protocol,
        touch_points=touch_points,
        unit=unit,
        method=method,
    )
    # [met, not met, observations, items] per subject
    by_point: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    by_step: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    by_protocol: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for group in checks.values("touch_point_id", "protocol_id").annotate(n=Count("pk")).order_by():
        by_point[group["touch_point_id"]][2] += group["n"]
        by_protocol[group["protocol_id"]][2] += group["n"]
    for entry in _items(checks, "check_of__touch_point_id", "step_id"):
        slot = {StepOutcome.MET: 0, StepOutcome.NOT_MET: 1}.get(entry["outcome"])
        point, step = by_point[entry["check_of__touch_point_id"]], by_step[entry["step_id"]]
        n = entry["n"]
        step[2] += n  # each observation has one result per step
        point[3] += n
        step[3] += n
        if slot is not None:
            point[slot] += n
            step[slot] += n
    steps = {
        s.pk: s for s in ProtocolStep.objects.filter(pk__in=by_step).select_related("protocol")
    }
    for pk, counts in by_step.items():
        target = by_protocol[steps[pk].protocol_id]
        target[0] += counts[0]
        target[1] += counts[1]
        target[3] += counts[3]
    points = {
        tp.pk: tp
        for tp in TouchPoint.objects.filter(pk__in=by_point).select_related("unit", "channel")
    }
    protocols = {p.pk: p for p in Protocol.objects.filter(pk__in=by_protocol)}

    def row(subject: Any, counts: list[int]) -> Row:
        return Row(subject, _share(counts[0], counts[1], counts[2]), counts[3])

    unit_rows = []
    for each in units:
        if unit is not None and not each.path.startswith(unit.path):
            continue
        inside = [
            counts for pk, counts in by_point.items() if points[pk].unit.path.startswith(each.path)
        ]
        if inside:
            unit_rows.append(row(each, [sum(c[i] for c in inside) for i in range(4)]))
    if protocol is not None and by_point:
        step_rows = [
            row(step, by_step.get(step.pk, [0, 0, 0, 0]))
            for step in ProtocolStep.objects.filter(protocol=protocol)
            .select_related("protocol")
            .order_by("order", "pk")
        ]
    else:
        step_rows = [row(steps[pk], counts) for pk, counts in by_step.items()]
        step_rows.sort(
            key=lambda r: (
                r.share.value is None,
                r.share.value if r.share.value is not None else 0,
                r.subject.protocol.name,
                r.subject.order,
            )
        )
    return ComplianceTable(
        total=_share(
            sum(c[0] for c in by_point.values()),
            sum(c[1] for c in by_point.values()),
            sum(c[2] for c in by_point.values()),
        ),
        touch_points=sorted(
            (row(points[pk], c) for pk, c in by_point.items()),
            key=lambda r: (r.subject.unit.path, r.subject.name),
        ),
        units=unit_rows,
        protocols=sorted(
            (row(protocols[pk], c) for pk, c in by_protocol.items()),
            key=lambda r: r.subject.name,
        ),
        steps=step_rows,
    )
