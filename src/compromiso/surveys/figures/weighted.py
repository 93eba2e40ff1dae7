"""How representative a wave is: the progress of each stratum of its sample design, the overall
score post-stratified by the strata's populations, and raked to the users' shares by channel
and touch point."""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import QuerySet

from compromiso.catalog.models import Channel, Service, TouchPoint
from compromiso.insights import netscore, weighting
from compromiso.surveys.figures.cells import Counts, bands_of, overall_counts_by
from compromiso.surveys.models import Wave
from compromiso.surveys.segments import overall_question


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


def sample_progress(wave: Wave, services: QuerySet[Service]) -> list[StratumProgress]:
    """Every stratum of the wave with its minimum responses for the wave's margin of error
    (finite-population correction) and the responses so far, from the score counts."""
    overall = overall_question(wave)
    strata = list(wave.strata.filter(service__in=services).select_related("service", "touch_point"))
    if overall is None or not strata:
        return []
    answered: dict[tuple[int, int], int] = defaultdict(int)
    for (service, point), counts in overall_counts_by(
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


def weighted_total(wave: Wave, services: QuerySet[Service]) -> WeightedTotal | None:
    """Post-stratified overall score from the score counts; None without strata or answers."""
    overall = overall_question(wave)
    strata = list(wave.strata.filter(service__in=services).select_related("service", "touch_point"))
    if overall is None or not strata:
        return None
    population = {(s.service_id, s.touch_point_id or 0): s.population for s in strata}
    labels = {(s.service_id, s.touch_point_id or 0): s.label for s in strata}
    sample: dict[tuple[int, int], Counts] = defaultdict(dict)
    for (service, point), counts in overall_counts_by(
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


def raked_total(wave: Wave, services: QuerySet[Service]) -> RakedTotal | None:
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
    for key, counts in overall_counts_by(
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
