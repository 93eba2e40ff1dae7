"""Network-level satisfaction: each organisation's overall score over a period against the
network, with institutional weights (every institution counts the same, as Chile's MESU reports
its institutions) and the pooled figure. Aggregates only: never another organisation's rows."""

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Sum

from compromiso.insights import netscore
from compromiso.organizations.models import Organization
from compromiso.surveys.figures.cells import bands_of
from compromiso.surveys.models import Question, ScoreCount

MIN_RESPONSES = 30


@dataclass(frozen=True)
class Institution:
    organization: Organization
    summary: netscore.Summary
    shown: bool
    difference: float | None  # top-box points against the institutional-weighted network
    significant: bool


@dataclass(frozen=True)
class NetworkFigures:
    start: dt.date
    end: dt.date
    institutions: list[Institution]
    weighted_top_box: netscore.Estimate | None
    pooled: netscore.Summary | None


def network_figures(start: dt.date, end: dt.date) -> NetworkFigures:
    """The overall question of every external wave, months [start, end], per organisation.
    Only organisations on the same scale bands are pooled; each is compared on its % satisfied
    (top box), which every scale has."""
    rows = (
        ScoreCount.objects.filter(
            question__is_overall=True,
            wave__audience="external",
            month__gte=start.replace(day=1),
            month__lte=end,
            wave__organization__is_active=True,
        )
        .values("wave__organization_id", "question_id", "score")
        .annotate(total=Sum("count"))
    )
    questions = {q.pk: q for q in Question.objects.filter(pk__in={r["question_id"] for r in rows})}
    per_org: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    bands_by_org: dict[int, netscore.Bands] = {}
    for row in rows:
        question = questions[row["question_id"]]
        bands_by_org.setdefault(row["wave__organization_id"], bands_of(question))
        per_org[row["wave__organization_id"]][row["score"]] += row["total"]
    organizations = {o.pk: o for o in Organization.objects.filter(pk__in=per_org).order_by("name")}
    summaries = {
        pk: netscore.summarise(dict(counts), bands_by_org[pk]) for pk, counts in per_org.items()
    }
    shown = {pk: s for pk, s in summaries.items() if s.n >= MIN_RESPONSES and s.top_box}
    weighted = None
    if shown:
        values = [s.top_box.value for s in shown.values() if s.top_box]
        ses = [s.top_box.se for s in shown.values() if s.top_box]
        mean = sum(values) / len(values)
        se = math.sqrt(sum(x * x for x in ses)) / len(ses)
        weighted = netscore.Estimate(
            mean, se, max(0.0, mean - netscore.Z95 * se), min(100.0, mean + netscore.Z95 * se)
        )
    institutions = []
    for pk, organization in organizations.items():
        summary = summaries[pk]
        difference = None
        significant = False
        if weighted is not None and pk in shown and summary.top_box is not None:
            difference = summary.top_box.value - weighted.value
            spread = math.hypot(summary.top_box.se, weighted.se)
            significant = spread > 0 and abs(difference) > netscore.Z95 * spread
        institutions.append(
            Institution(organization, summary, pk in shown, difference, significant)
        )
    pooled = None
    if len(set(bands_by_org.values())) == 1 and per_org:
        merged: dict[int, int] = defaultdict(int)
        for counts in per_org.values():
            for score, count in counts.items():
                merged[score] += count
        pooled = netscore.summarise(dict(merged), next(iter(bands_by_org.values())))
    return NetworkFigures(start, end, institutions, weighted, pooled)
