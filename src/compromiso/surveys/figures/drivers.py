"""The key-driver table of a wave: which attributes drive overall satisfaction, and where to
improve first."""

from dataclasses import dataclass

from django.db.models import QuerySet

from compromiso.catalog.models import Service
from compromiso.surveys.figures.cells import counts_by
from compromiso.surveys.models import Question, QuestionKind, ScoreCount, Wave


@dataclass(frozen=True)
class Driver:
    question: Question
    share: float  # % of the explained variance of the overall score (relative weights)
    performance: float  # % satisfied with the attribute
    quadrant: str
    shapley: float | None = None  # the same share by Shapley regression (up to 12 drivers)


@dataclass(frozen=True)
class DriverTable:
    drivers: list[Driver]
    r_squared: float
    n: int


def driver_table(wave: Wave, services: QuerySet[Service]) -> DriverTable | None:
    """Which attributes drive overall satisfaction in this wave, and where to improve first.
    The correlations come from the key-driver sums kept with the responses and the performance
    from the score counts, so the cost does not grow with the number of responses."""
    import numpy as np

    from compromiso.insights import drivers
    from compromiso.surveys import moments

    questions = [
        q
        for q in wave.questionnaire.questions.select_related("questionnaire", "attribute")
        if q.kind == QuestionKind.SCALE
    ]
    overall = next((q for q in questions if q.is_overall), None)
    attributes = [q for q in questions if not q.is_overall]
    if overall is None or len(attributes) < 2:
        return None
    found = moments.load(wave, services)
    if found is None or found.n < drivers.MIN_RESPONSES:
        return None
    correlation = found.correlation()
    if correlation is None:
        return None
    axis = {q: i for i, q in enumerate(found.questions)}
    columns = [axis[q.pk] for q in attributes]
    r_xx = correlation[np.ix_(columns, columns)]
    r_xy = correlation[columns, axis[overall.pk]]
    weights = drivers.relative_weights_from(r_xx, r_xy, found.n)
    shapley = (
        drivers.shapley_from(r_xx, r_xy, found.n)
        if len(attributes) <= drivers.MAX_SHAPLEY_DRIVERS
        else None
    )
    counts = counts_by(
        ScoreCount.objects.filter(wave=wave, service__in=services, question__in=attributes),
        "question",
    )
    performance = []
    for question in attributes:
        assert question.satisfied_min is not None
        cell = counts.get(question.pk, {})
        total = sum(cell.values())
        good = sum(c for v, c in cell.items() if v >= question.satisfied_min)
        performance.append(100 * good / total if total else 0.0)
    shares = weights.shares
    mean_share = sum(shares) / len(shares)
    mean_performance = sum(performance) / len(performance)
    table = [
        Driver(
            question=q,
            share=share,
            performance=perf,
            quadrant=drivers.quadrant(share, perf, mean_share, mean_performance),
            shapley=shapley.shares[i] if shapley is not None else None,
        )
        for i, (q, share, perf) in enumerate(zip(attributes, shares, performance, strict=True))
    ]
    table.sort(key=lambda d: (d.quadrant != drivers.IMPROVE_FIRST, -d.share))
    return DriverTable(drivers=table, r_squared=weights.r_squared, n=weights.n)
