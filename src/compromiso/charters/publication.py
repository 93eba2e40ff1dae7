"""What the public sees of a charter: each commitment's latest result, compliance and
12-period trend (per commitment: indicator, target, last result, degree of achievement,
periodicity and a note, as Catalan municipalities publish them), and the open data of every
measurement. Manual results count once approved; no data is shown as no data."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from compromiso.charters import periods
from compromiso.charters.models import (
    MEASURED_STATUSES,
    Charter,
    Commitment,
    Compliance,
    Measurement,
)

TREND_PERIODS = 12


@dataclass
class PublicResult:
    commitment: Commitment
    latest: Measurement | None
    trend: list[Measurement] = field(default_factory=list)

    @property
    def chart(self) -> list[dict[str, Any]]:
        """The trend as bars scaled to the largest value and the target (for inline SVG)."""
        values = [m.value for m in self.trend if m.value is not None]
        top = max([*values, self.commitment.target, Decimal(1)])
        bars = []
        for index, m in enumerate(self.trend):
            height = round(float(m.value / top) * 70, 1) if m.value is not None else 0.0
            bars.append(
                {
                    "label": periods.period_label(self.commitment.periodicity, m.period_start),
                    "value": m.value,
                    "x": index * 20 + 2,
                    "y": round(75 - height, 1),
                    "height": height,
                    "compliance": m.compliance,
                }
            )
        return bars

    @property
    def target_y(self) -> float:
        """The target line's height in the same 240 × 80 drawing."""
        values = [m.value for m in self.trend if m.value is not None]
        top = max([*values, self.commitment.target, Decimal(1)])
        return round(75 - float(self.commitment.target / top) * 70, 1)


def published_measurements(commitments: Iterable[Commitment]) -> QuerySet[Measurement]:
    """Measurements the public may see: computed ones, and manual ones once approved."""
    return Measurement.objects.filter(
        commitment__lineage__in=[c.lineage for c in commitments],
        commitment__charter__status__in=MEASURED_STATUSES,
    ).exclude(compliance=Compliance.PENDING)


def results(charter: Charter) -> list[PublicResult]:
    commitments = list(charter.commitments.select_related("service", "channel", "touch_point"))
    by_lineage: dict[Any, list[Measurement]] = {}
    rows = published_measurements(commitments).select_related("commitment").order_by("period_start")
    for row in rows:
        by_lineage.setdefault(row.commitment.lineage, []).append(row)
    output = []
    for commitment in commitments:
        history = by_lineage.get(commitment.lineage, [])
        # Since versions may change the periodicity, keep only this version's periodicity.
        history = [m for m in history if m.commitment.periodicity == commitment.periodicity]
        output.append(
            PublicResult(
                commitment=commitment,
                latest=history[-1] if history else None,
                trend=history[-TREND_PERIODS:],
            )
        )
    return output


def open_data_rows(charter: Charter) -> list[dict[str, Any]]:
    """Every published measurement of the charter's commitments, across its versions."""
    commitments = list(charter.commitments.select_related("service"))
    rows = (
        published_measurements(commitments)
        .select_related("commitment__charter", "commitment__service")
        .order_by("commitment__order", "commitment__lineage", "period_start")
    )
    output = []
    for m in rows:
        c = m.commitment
        output.append(
            {
                "charter": c.charter.title,
                "charter_version": c.charter.version,
                "commitment_id": str(c.lineage),
                "commitment": c.text,
                "service_code": c.service.code,
                "service": c.service.name,
                "indicator": c.indicator,
                "source": c.source,
                "comparator": c.comparator,
                "target": _number(c.target),
                "periodicity": c.periodicity,
                "period": periods.period_label(c.periodicity, m.period_start),
                "period_start": m.period_start.isoformat(),
                "period_end": m.period_end.isoformat(),
                "value": _number(m.value),
                "numerator": _number(m.numerator),
                "denominator": _number(m.denominator),
                "n": m.n,
                "compliance": m.compliance,
                "achievement_percent": _number(m.achievement),
            }
        )
    return output


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def annual_rows(charter: Charter, year: int) -> list[dict[str, Any]]:
    """Each commitment against its results in one calendar year: periods measured, met, not
    met, without data, and the year's last result."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    output = []
    for result in results(charter):
        rows = (
            published_measurements([result.commitment])
            .select_related("commitment")
            .filter(period_start__gte=start, period_start__lte=end)
            .order_by("period_start")
        )
        in_year = [m for m in rows if m.commitment.periodicity == result.commitment.periodicity]
        counts = dict.fromkeys(Compliance.values, 0)
        for m in in_year:
            counts[m.compliance] += 1
        output.append(
            {
                "commitment": result.commitment,
                "measured": len(in_year),
                "met": counts[Compliance.MET],
                "not_met": counts[Compliance.NOT_MET],
                "no_data": counts[Compliance.NO_DATA],
                "last": in_year[-1] if in_year else None,
            }
        )
    return output
