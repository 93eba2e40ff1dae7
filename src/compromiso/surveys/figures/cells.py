"""The cell of a figure (a summary with whether it is shown), the scale bands of a question,
and the score counts read from ScoreCount grouped by a key."""

import math
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet, Sum

from compromiso.catalog.models import Service
from compromiso.insights import netscore
from compromiso.surveys.models import Question, ScoreCount, Wave

Counts = dict[int, int]


@dataclass(frozen=True)
class Cell:
    label: str
    summary: netscore.Summary
    shown: bool
    representative: bool | None = None
    required: int | None = None
    # Months of a trend: the 3-sigma control limits around the wave's net score, in points.
    control: tuple[float, float] | None = None

    @property
    def out_of_control(self) -> bool:
        net = self.summary.net
        if self.control is None or net is None or not self.shown:
            return False
        return not self.control[0] <= net.value <= self.control[1]


def control_limits(total: netscore.Summary, n: int) -> tuple[float, float] | None:
    """A p-chart for the net score: the wave's value ± 3 standard errors of a month of n
    answers (the per-answer variance p₊ + p₋ − N² taken from the whole wave)."""
    if total.net is None or total.n == 0 or n == 0:
        return None
    p_plus, p_minus = total.satisfied / total.n, total.dissatisfied / total.n
    centre = p_plus - p_minus
    spread = 3 * math.sqrt(max(netscore.net_variance(p_plus, p_minus), 0.0) / n)
    return (max(-100.0, 100 * (centre - spread)), min(100.0, 100 * (centre + spread)))


def bands_of(question: Question) -> netscore.Bands:
    low, high = question.scale_min, question.scale_max
    good, bad = question.satisfied_min, question.dissatisfied_max
    if low is None or high is None or good is None or bad is None:
        raise ValueError("not a scale question")
    return netscore.Bands(low, high, good, bad)


def counts_by(rows: QuerySet[Any], key: str) -> dict[Any, Counts]:
    grouped: dict[Any, Counts] = defaultdict(dict)
    for row in rows.values(key, "score").annotate(total=Sum("count")):
        grouped[row[key]][row["score"]] = row["total"]
    return grouped


def overall_counts_by(
    wave: Wave, services: QuerySet[Service], overall: Question, *keys: str
) -> dict[tuple[Any, ...], Counts]:
    """The overall question's counts per score for each combination of the ScoreCount fields
    `keys` (e.g. service_id, touch_point_key), over the services given."""
    grouped: dict[tuple[Any, ...], Counts] = defaultdict(dict)
    rows = (
        ScoreCount.objects.filter(wave=wave, service__in=services, question=overall)
        .values_list(*keys, "score")
        .annotate(total=Sum("count"))
    )
    for *key, score, total in rows:
        grouped[tuple(key)][score] = total
    return grouped
