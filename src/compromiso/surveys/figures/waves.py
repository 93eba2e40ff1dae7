"""Wave figures read from the per-cell score counts (never from raw answers): the net score,
top-box share and mean of every scale question, broken down by service, channel, touch point
and month, with n, margin of error, whether the cell is shown (n at least the wave's minimum)
and whether it is representative (n at least the sample size its stratum needs)."""

from collections import defaultdict
from dataclasses import dataclass, field, replace
from typing import Any

from django.db.models import QuerySet, Sum
from django.utils.translation import gettext as _

from compromiso.catalog.models import Channel, Service, TouchPoint
from compromiso.insights import netscore
from compromiso.organizations.models import Unit, UnitKind
from compromiso.surveys.figures.cells import Cell, Counts, bands_of, control_limits, counts_by
from compromiso.surveys.models import Question, QuestionKind, ScoreCount, Wave
from compromiso.surveys.segments import overall_question


@dataclass
class WaveFigures:
    wave: Wave
    overall: Question | None
    total: Cell | None
    questions: list[tuple[Question, Cell]]
    by_service: list[Cell]
    by_channel: list[Cell]
    by_touch_point: list[Cell]
    by_month: list[Cell]
    responses: int
    # The overall score by segment of the respondents: (title, a cell per value) each.
    by_segment: list[tuple[str, list[Cell]]] = field(default_factory=list)


def wave_figures(wave: Wave, services: QuerySet[Service]) -> WaveFigures:
    """Figures of a wave over the services given (the ones the viewer may see)."""
    rows = ScoreCount.objects.filter(wave=wave, service__in=services)
    questions = [
        q
        for q in wave.questionnaire.questions.select_related("questionnaire", "attribute")
        if q.kind == QuestionKind.SCALE
    ]
    overall = next((q for q in questions if q.is_overall), questions[0] if questions else None)
    minimum = wave.min_publish
    per_question = counts_by(rows, "question_id")

    def cell(
        label: str, counts: Counts, bands: netscore.Bands, population: int | None = None
    ) -> Cell:
        summary = netscore.summarise(counts, bands, population)
        required = (
            netscore.sample_size(population, margin=float(wave.margin))
            if population is not None
            else None
        )
        return Cell(
            label=label,
            summary=summary,
            shown=summary.n >= minimum,
            representative=None if required is None else summary.n >= required,
            required=required,
        )

    question_cells = [(q, cell(q.text, per_question.get(q.pk, {}), bands_of(q))) for q in questions]
    if overall is None:
        return WaveFigures(wave, None, None, question_cells, [], [], [], [], 0)
    bands = bands_of(overall)
    mine = rows.filter(question=overall)
    populations: dict[int, int] = defaultdict(int)
    for service_id, population in wave.strata.filter(touch_point__isnull=True).values_list(
        "service_id", "population"
    ):
        populations[service_id] += population
    names = dict(Service.objects.filter(pk__in=services).values_list("pk", "name"))
    by_service = [
        cell(names.get(pk, "?"), counts, bands, populations.get(pk))
        for pk, counts in sorted(
            counts_by(mine, "service_id").items(), key=lambda i: names.get(i[0], "")
        )
    ]
    channel_names = dict(
        Channel.objects.filter(organization=wave.organization).values_list("pk", "name")
    )
    by_channel = [
        cell(channel_names.get(pk, "?"), counts, bands)
        for pk, counts in counts_by(mine, "channel_key").items()
        if pk
    ]
    point_names = {
        tp.pk: str(tp)
        for tp in TouchPoint.objects.filter(organization=wave.organization).select_related(
            "unit", "channel"
        )
    }
    by_touch_point = [
        cell(point_names.get(pk, "?"), counts, bands)
        for pk, counts in counts_by(mine, "touch_point_key").items()
        if pk
    ]
    by_month = [
        cell(month.strftime("%Y-%m"), counts, bands)
        for month, counts in sorted(counts_by(mine, "month").items())
    ]
    total_counts: Counts = defaultdict(int)
    for counts in counts_by(mine, "wave_id").values():
        for score, count in counts.items():
            total_counts[score] += count
    total = cell(overall.text, dict(total_counts), bands, sum(populations.values()) or None)
    by_month = [
        replace(month, control=control_limits(total.summary, month.summary.n)) for month in by_month
    ]
    return WaveFigures(
        wave=wave,
        overall=overall,
        by_segment=_by_region(wave, mine, overall, cell)
        + _by_segment(wave, services, overall, cell),
        total=total,
        questions=question_cells,
        by_service=by_service,
        by_channel=sorted(by_channel, key=lambda c: c.label),
        by_touch_point=sorted(by_touch_point, key=lambda c: c.label),
        by_month=by_month,
        responses=total.summary.n,
    )


def _by_region(wave: Wave, mine: QuerySet[ScoreCount], overall: Question, cell: Any) -> list[Any]:
    """The overall score by region: the regional directorate (a unit of kind region) above the
    touch point where the user was served or, in an internal wave, above the client unit. Read
    from the score counts, so it needs nothing stored per response; answers from neither, or
    from outside every region, are left out."""
    units = list(
        Unit.objects.filter(organization=wave.organization).values_list(
            "pk", "path", "kind", "name"
        )
    )
    regions = {path: name for _pk, path, kind, name in units if kind == UnitKind.REGION}
    if not regions:
        return []
    paths = {pk: path for pk, path, _kind, _name in units}
    point_paths = dict(
        TouchPoint.objects.filter(organization=wave.organization).values_list("pk", "unit__path")
    )

    def region_of(path: str | None) -> str | None:
        # The nearest region above (or at) the unit: the longest region path it starts with.
        found = [r for r in regions if path and path.startswith(r)]
        return regions[max(found, key=len)] if found else None

    grouped: dict[str, Counts] = defaultdict(dict)
    rows = mine.values_list("touch_point_key", "client_unit_key", "score").annotate(
        total=Sum("count")
    )
    for point, unit, score, total in rows:
        name = region_of(point_paths.get(point) if point else paths.get(unit))
        if name is not None:
            grouped[name][score] = grouped[name].get(score, 0) + total
    bands = bands_of(overall)
    cells = [cell(name, counts, bands) for name, counts in sorted(grouped.items())]
    return [(_("Region"), cells)] if cells else []


def _by_segment(wave: Wave, services: QuerySet[Service], overall: Question, cell: Any) -> list[Any]:
    """The overall score for each value of each segment, from SegmentCount."""
    from compromiso.surveys import segments
    from compromiso.surveys.models import SegmentCount

    grouped: dict[tuple[str, str], Counts] = defaultdict(dict)
    rows = (
        SegmentCount.objects.filter(wave=wave, service__in=services, question=overall)
        .values("segment", "value", "score")
        .annotate(total=Sum("count"))
    )
    for row in rows:
        grouped[(row["segment"], row["value"])][row["score"]] = row["total"]
    bands = bands_of(overall)
    found = []
    for segment, title, labels in segments.titled(wave):
        cells = [
            cell(labels.get(value, value), counts, bands)
            for (name, value), counts in grouped.items()
            if name == segment
        ]
        if cells:
            found.append((title, sorted(cells, key=lambda c: c.label)))
    return found


def service_counts(service: Service, start: Any, end: Any) -> tuple[Counts, netscore.Bands | None]:
    """The overall question's counts for one service over [start, end] (months whose first day
    falls inside), across the waves that measured it — for charter indicators."""
    rows = ScoreCount.objects.filter(
        service=service, month__gte=start, month__lte=end, question__is_overall=True
    )
    question = (
        Question.objects.filter(pk__in=rows.values("question_id"))
        .select_related("questionnaire")
        .first()
    )
    if question is None:
        return {}, None
    counts: Counts = defaultdict(int)
    for row in rows.values("score").annotate(total=Sum("count")):
        counts[row["score"]] += row["total"]
    return dict(counts), bands_of(question)


@dataclass(frozen=True)
class PanelChange:
    """The overall score's change among the invited respondents who answered both this panel
    wave and the previous one about the same service: a paired test on each person's change."""

    pairs: int
    change: netscore.Change | None


def panel_change(wave: Wave, services: QuerySet[Service]) -> PanelChange | None:
    """None unless both the wave and the one it is compared with are panels."""
    from compromiso.surveys.models import Response

    previous = wave.previous
    if previous is None or not (wave.panel and previous.panel):
        return None
    overall = overall_question(wave)
    if overall is None:
        return None

    def scores(of: Wave) -> dict[tuple[str, int], int]:
        question = overall if of == wave else overall_question(of)
        if question is None:
            return {}
        key = str(question.pk)
        rows = (
            Response.objects.filter(wave=of, service__in=services)
            .exclude(panel_key="")
            .order_by("submitted_at")
            .values_list("panel_key", "service_id", "grades")
        )
        # The latest answer of a person about a service counts.
        return {(person, service): int(g[key]) for person, service, g in rows if key in g}

    before, after = scores(previous), scores(wave)
    pairs = [(before[k], after[k]) for k in before.keys() & after.keys()]
    if len(pairs) < wave.min_publish:
        return PanelChange(len(pairs), None)
    return PanelChange(len(pairs), netscore.compare_paired(pairs, bands_of(overall)))
