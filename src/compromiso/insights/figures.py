"""Wave figures read from the per-cell score counts (never from raw answers): the net score,
top-box share and mean of every scale question, broken down by service, channel, touch point
and month, with n, margin of error, whether the cell is shown (n at least the wave's minimum)
and whether it is representative (n at least the sample size its stratum needs)."""

import math
from collections import defaultdict
from dataclasses import dataclass, field, replace
from typing import Any

from django.db.models import Sum
from django.utils.translation import gettext as _

from compromiso.catalog.models import Channel, Service, TouchPoint
from compromiso.insights import netscore, weighting
from compromiso.organizations.models import Unit, UnitKind
from compromiso.surveys.models import Question, QuestionKind, ScoreCount, Wave
from compromiso.surveys.segments import overall_question

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


def _counts(rows: Any, key: str) -> dict[Any, Counts]:
    grouped: dict[Any, Counts] = defaultdict(dict)
    for row in rows.values(key, "score").annotate(total=Sum("count")):
        grouped[row[key]][row["score"]] = row["total"]
    return grouped


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


def wave_figures(wave: Wave, services: Any) -> WaveFigures:
    """Figures of a wave over the services given (the ones the viewer may see)."""
    rows = ScoreCount.objects.filter(wave=wave, service__in=services)
    questions = [
        q
        for q in wave.questionnaire.questions.select_related("questionnaire", "attribute")
        if q.kind == QuestionKind.SCALE
    ]
    overall = next((q for q in questions if q.is_overall), questions[0] if questions else None)
    minimum = wave.min_publish
    per_question = _counts(rows, "question_id")

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
            _counts(mine, "service_id").items(), key=lambda i: names.get(i[0], "")
        )
    ]
    channel_names = dict(
        Channel.objects.filter(organization=wave.organization).values_list("pk", "name")
    )
    by_channel = [
        cell(channel_names.get(pk, "?"), counts, bands)
        for pk, counts in _counts(mine, "channel_key").items()
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
        for pk, counts in _counts(mine, "touch_point_key").items()
        if pk
    ]
    by_month = [
        cell(month.strftime("%Y-%m"), counts, bands)
        for month, counts in sorted(_counts(mine, "month").items())
    ]
    total_counts: Counts = defaultdict(int)
    for counts in _counts(mine, "wave_id").values():
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


def _by_region(wave: Wave, mine: Any, overall: Question, cell: Any) -> list[Any]:
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


def _by_segment(wave: Wave, services: Any, overall: Question, cell: Any) -> list[Any]:
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


def _overall_by(
    wave: Wave, services: Any, overall: Question, *keys: str
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


@dataclass(frozen=True)
class StratumProgress:
    """How far a stratum of the sample design is from the responses it needs."""

    label: str
    population: int
    required: int
    n: int

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.n / self.required)) if self.required else 100

    @property
    def representative(self) -> bool:
        return self.n >= self.required


def sample_progress(wave: Wave, services: Any) -> list[StratumProgress]:
    """Every stratum of the wave with its minimum responses for the wave's margin of error
    (finite-population correction) and the responses so far, from the score counts."""
    overall = overall_question(wave)
    strata = list(wave.strata.filter(service__in=services).select_related("service", "touch_point"))
    if overall is None or not strata:
        return []
    answered: dict[tuple[int, int], int] = defaultdict(int)
    for (service, point), counts in _overall_by(
        wave, services, overall, "service_id", "touch_point_key"
    ).items():
        answered[(service, point)] += sum(counts.values())
        if point:  # a service's stratum counts its answers at every touch point
            answered[(service, 0)] += sum(counts.values())
    margin = float(wave.margin)
    return [
        StratumProgress(
            label=s.label,
            population=s.population,
            required=netscore.sample_size(s.population, margin=margin),
            n=answered.get((s.service_id, s.touch_point_id or 0), 0),
        )
        for s in strata
    ]


@dataclass(frozen=True)
class WeightedTotal:
    """The overall score post-stratified by the populations of the wave's strata: each stratum
    (a service, or a service at a touch point) counts by its share of the users, not by its
    share of the answers. None in summary when a stratum has no answers (listed in missing)."""

    summary: weighting.WeightedSummary | None
    strata: int
    missing: list[str]
    problem: str = ""


def weighted_total(wave: Wave, services: Any) -> WeightedTotal | None:
    """Post-stratified overall score from the score counts; None without strata or answers."""
    overall = overall_question(wave)
    strata = list(wave.strata.filter(service__in=services).select_related("service", "touch_point"))
    if overall is None or not strata:
        return None
    population = {(s.service_id, s.touch_point_id or 0): s.population for s in strata}
    labels = {(s.service_id, s.touch_point_id or 0): s.label for s in strata}
    sample: dict[tuple[int, int], Counts] = defaultdict(dict)
    for (service, point), counts in _overall_by(
        wave, services, overall, "service_id", "touch_point_key"
    ).items():
        key = (service, point) if (service, point) in population else (service, 0)
        if key not in population:
            continue  # answers outside every stratum are not weighted
        cell = sample[key]
        for score, count in counts.items():
            cell[score] = cell.get(score, 0) + count
    if not sample:
        return None
    missing = [labels[key] for key, size in population.items() if size and key not in sample]
    if missing:
        return WeightedTotal(summary=None, strata=len(population), missing=missing)
    summary = weighting.stratified_summary(sample, population, bands_of(overall))
    if summary.n < wave.min_publish:
        return WeightedTotal(None, len(population), [], _too_few(wave))
    return WeightedTotal(summary=summary, strata=len(population), missing=[])


def _too_few(wave: Wave) -> str:
    from django.utils.translation import gettext as _

    return _("No weighted figure: fewer than %(minimum)s answers.") % {"minimum": wave.min_publish}


@dataclass(frozen=True)
class RakedTotal:
    """The overall score raked to the users' shares by channel and touch point that the wave
    states (`Wave.weight_targets`), with the effective sample size. Answers with no category in
    a raked dimension, or one with no target, are left out and counted; `problem` says why no
    figure could be made."""

    summary: weighting.WeightedSummary | None
    dimensions: list[str]
    efficiency: float | None
    left_out: int
    problem: str = ""


def raked_total(wave: Wave, services: Any) -> RakedTotal | None:
    """Raking (iterative proportional fitting) on the score counts of the overall question;
    None when the wave states no targets or has no overall question."""
    from django.utils.translation import gettext as _

    targets = wave.weight_targets or {}
    dimensions = [d for d in ("channel", "touch_point") if targets.get(d)]
    overall = overall_question(wave)
    if not dimensions or overall is None:
        return None
    labels = {
        "channel": _("channel"),
        "touch_point": _("touch point"),
    }
    names = {
        "channel": dict(
            Channel.objects.filter(organization=wave.organization).values_list("pk", "name")
        ),
        "touch_point": dict(
            TouchPoint.objects.filter(organization=wave.organization).values_list("pk", "name")
        ),
    }
    margins = [
        {int(k): float(v) for k, v in targets[d].items() if float(v) > 0} for d in dimensions
    ]
    cells: dict[tuple[int, ...], Counts] = {}
    left_out = 0
    for key, counts in _overall_by(
        wave, services, overall, *(f"{d}_key" for d in dimensions)
    ).items():
        if any(k not in margin for k, margin in zip(key, margins, strict=True)):
            left_out += sum(counts.values())
        else:
            cells[key] = counts
    label = ", ".join(str(labels[d]) for d in dimensions)
    empty = [
        names[d].get(k, "?")
        for d, margin, position in zip(dimensions, margins, range(len(dimensions)), strict=True)
        for k in margin
        if not any(key[position] == k for key in cells)
    ]
    if empty:
        return RakedTotal(
            None,
            dimensions,
            None,
            left_out,
            _("No raked figure: no answers from %(names)s, which have a target share.")
            % {"names": ", ".join(empty)},
        )
    sample = {key: sum(counts.values()) for key, counts in cells.items()}
    try:
        found = weighting.rake(sample, margins)
    except ValueError:
        return RakedTotal(
            None,
            dimensions,
            None,
            left_out,
            _("No raked figure: the answers cannot meet all the targets of %(dimensions)s.")
            % {"dimensions": label},
        )
    summary = weighting.weighted_summary(cells, found.weights, bands_of(overall))
    if summary.n < wave.min_publish:
        return RakedTotal(None, dimensions, None, left_out, _too_few(wave))
    return RakedTotal(summary, dimensions, found.efficiency, left_out)


@dataclass(frozen=True)
class PanelChange:
    """The overall score's change among the invited respondents who answered both this panel
    wave and the previous one about the same service: a paired test on each person's change."""

    pairs: int
    change: netscore.Change | None


def panel_change(wave: Wave, services: Any) -> PanelChange | None:
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


def driver_table(wave: Wave, services: Any) -> DriverTable | None:
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
    counts = _counts(
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


# Internal waves: no cell is shown with fewer answers than this, whatever the wave's minimum,
# so colleagues cannot be recognised in a small client unit.
INTERNAL_ANONYMITY = 5


@dataclass(frozen=True)
class Matrix:
    providers: list[tuple[int, str]]
    clients: list[tuple[int, str]]
    cells: dict[tuple[int, int], Cell]  # (client unit id, provider unit id) → cell


def internal_matrix(wave: Wave, services: Any) -> Matrix | None:
    """The internal-customer matrix: each client unit's net score of each provider unit's
    services (overall question), with n; small cells suppressed."""
    from compromiso.organizations.models import Unit

    if wave.audience != "internal":
        return None
    overall = (
        wave.questionnaire.questions.filter(is_overall=True).select_related("questionnaire").first()
    )
    if overall is None:
        return None
    bands = bands_of(overall)
    grouped: dict[tuple[int, int], Counts] = defaultdict(dict)
    rows = (
        ScoreCount.objects.filter(wave=wave, question=overall, service__in=services)
        .exclude(client_unit_key=0)
        .values("client_unit_key", "service__provider_unit_id", "score")
        .annotate(total=Sum("count"))
    )
    for row in rows:
        key = (row["client_unit_key"], row["service__provider_unit_id"])
        grouped[key][row["score"]] = grouped[key].get(row["score"], 0) + row["total"]
    if not grouped:
        return Matrix([], [], {})
    minimum = max(wave.min_publish, INTERNAL_ANONYMITY)
    names = dict(
        Unit.objects.filter(pk__in={k for pair in grouped for k in pair}).values_list("pk", "name")
    )
    cells = {}
    for key, counts in grouped.items():
        summary = netscore.summarise(counts, bands)
        cells[key] = Cell(label=names.get(key[0], "?"), summary=summary, shown=summary.n >= minimum)
    providers = sorted({(p, names.get(p, "?")) for _c, p in grouped}, key=lambda i: i[1])
    clients = sorted({(c, names.get(c, "?")) for c, _p in grouped}, key=lambda i: i[1])
    return Matrix(providers=providers, clients=clients, cells=cells)
