"""Weights that make a sample look like its population — post-stratification and raking (rim
weighting, iterative proportional fitting) with trimming — Kish's effective sample size, and the
net score, top box and mean estimated from weighted or stratified counts with the variance the
weighting costs (research/satisfaction.md §B.2, §B.8). Plain values in and out, NumPy only, no
database."""

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from compromiso.insights.netscore import Bands, Estimate, fpc, interval

DEFAULT_CAP = 5.0


@dataclass(frozen=True)
class Weighting[K]:
    """A weight per stratum or cell (every respondent in it gets that weight), normalised so the
    weighted count equals the number of respondents n; Kish's effective sample size and the
    efficiency n_eff/n; and the population strata with no respondents, which no weight can
    represent."""

    weights: dict[K, float]
    effective_n: float
    efficiency: float
    missing: tuple[K, ...] = ()


def _names(keys: Iterable[Any]) -> str:
    return ", ".join(repr(key) for key in keys)


def _check_counts(counts: Mapping[Any, int], what: str) -> None:
    """Counts must be whole numbers ≥ 0."""
    bad = [key for key, count in counts.items() if not count >= 0 or count != int(count)]
    if bad:
        raise ValueError(f"{what} counts must be whole numbers ≥ 0; not so for {_names(bad)}")


def _kish(counts: NDArray[np.float64], weights: NDArray[np.float64]) -> float:
    """(Σw)²/Σw² over respondents, each cell's weight counted once per respondent in it."""
    total = float(counts @ weights)
    squares = float(counts @ weights**2)
    return total * total / squares if squares > 0 else 0.0


def effective_sample_size[K](counts: Mapping[K, int], weights: Mapping[K, float]) -> float:
    """Kish's effective sample size n_eff = (Σw)²/Σw², with the cell counts as multiplicities:
    the n that goes into a margin of error once the answers are weighted (§B.2). Every cell with
    respondents needs a weight."""
    present = [key for key, count in counts.items() if count > 0]
    unweighted = [key for key in present if key not in weights]
    if unweighted:
        raise ValueError(f"cells with respondents but no weight: {_names(unweighted)}")
    n = np.array([counts[key] for key in present], dtype=float)
    return _kish(n, np.array([weights[key] for key in present], dtype=float))


def poststratify[K](sample: Mapping[K, int], population: Mapping[K, int]) -> Weighting[K]:
    """Post-stratification (§B.8): w_h = (N_h/N)/(n_h/n), so every stratum weighs in the sample
    what it weighs in the population. N counts only the strata that have respondents, so the
    weighted count stays n; population strata without respondents are listed in `missing` (their
    share cannot be represented: merge them with a neighbour or report the coverage). A stratum
    with respondents but no population is an error."""
    _check_counts(sample, "sample")
    _check_counts(population, "population")
    present = {key: count for key, count in sample.items() if count > 0}
    if not present:
        raise ValueError("the sample has no respondents to weight")
    unknown = [key for key in present if population.get(key, 0) <= 0]
    if unknown:
        raise ValueError(f"strata with respondents but no population: {_names(unknown)}")
    missing = tuple(key for key, size in population.items() if size > 0 and key not in present)
    n = sum(present.values())
    covered = sum(population[key] for key in present)
    weights = {key: (population[key] / covered) / (count / n) for key, count in present.items()}
    effective_n = effective_sample_size(present, weights)
    return Weighting(weights, effective_n, effective_n / n, missing)


def _targets(margin: Mapping[Any, float], position: int) -> dict[Any, float]:
    """A margin's target shares, normalised to sum to 1."""
    bad = [category for category, share in margin.items() if not share >= 0 or share == math.inf]
    if bad:
        raise ValueError(f"margin {position}: target shares must be finite and ≥ 0 ({_names(bad)})")
    total = sum(margin.values())
    if total <= 0:
        raise ValueError(f"margin {position}: the target shares add up to nothing")
    return {category: share / total for category, share in margin.items()}


def _codes(
    keys: Sequence[tuple[Any, ...]], counts: NDArray[np.float64], targets: dict[Any, float], k: int
) -> NDArray[np.intp]:
    """Each cell's category index in margin k, after checking that every category with
    respondents has a positive target and every positive target has respondents."""
    index = {category: i for i, category in enumerate(targets)}
    untargeted = sorted({key[k] for key in keys if key[k] not in index}, key=repr)
    if untargeted:
        raise ValueError(
            f"margin {k}: categories with respondents but no target: {_names(untargeted)}"
        )
    codes = np.array([index[key[k]] for key in keys], dtype=np.intp)
    present = np.bincount(codes, weights=counts, minlength=len(index))
    shares = list(targets.values())
    empty = [
        c for c, share in zip(targets, shares, strict=True) if share > 0 and not present[index[c]]
    ]
    if empty:
        raise ValueError(f"margin {k}: target categories with no respondents: {_names(empty)}")
    zero = [c for c, share in zip(targets, shares, strict=True) if share == 0 and present[index[c]]]
    if zero:
        raise ValueError(
            f"margin {k}: categories with respondents but a target share of 0: {_names(zero)}; "
            "leave those respondents out before weighting"
        )
    return codes


def _misfit(
    counts: NDArray[np.float64],
    weights: NDArray[np.float64],
    codes: NDArray[np.intp],
    targets: NDArray[np.float64],
) -> float:
    """The largest relative gap between a margin's weighted totals and its targets: the relative
    change its next raking step would make."""
    totals = np.bincount(codes, weights=counts * weights, minlength=len(targets))
    aimed = targets > 0
    return float(np.max(np.abs(totals[aimed] / targets[aimed] - 1)))


def _median(counts: NDArray[np.float64], weights: NDArray[np.float64]) -> float:
    """The median weight over respondents (each cell's weight once per respondent in it)."""
    order = np.argsort(weights, kind="stable")
    cumulative = np.cumsum(counts[order])
    n = int(cumulative[-1])
    middle = np.searchsorted(cumulative, [(n - 1) // 2, n // 2], side="right")
    return float(weights[order][middle].mean())


def _trim(
    counts: NDArray[np.float64], weights: NDArray[np.float64], cap: float
) -> NDArray[np.float64]:
    """Weights trimmed at cap × the median weight. Re-normalising afterwards scales the median
    too, so no weight ends above the cap."""
    return np.minimum(weights, cap * _median(counts, weights))


def _rank(misfit: float) -> float:
    """A misfit to sort by, NaN (weights that collapsed to 0 or overflowed) as the worst."""
    return math.inf if math.isnan(misfit) else misfit


def rake[C: tuple[Any, ...]](
    cells: Mapping[C, int],
    margins: Sequence[Mapping[Any, float]],
    *,
    tolerance: float = 1e-6,
    max_iterations: int = 100,
    cap: float | None = DEFAULT_CAP,
) -> Weighting[C]:
    """Raking (rim weighting, iterative proportional fitting, §B.8). A cell key is a tuple with
    one category per margin; margins[k] maps the categories of position k to their target
    shares (normalised to sum 1). Each step sets w ← w·T_kc/Σ_{cells in c} n·w for every
    category c of margin k, sweeping the margins until no margin is off its targets by a
    relative `tolerance` or more; then the weights are trimmed at `cap` × the median weight
    (None: no trimming, the margins are then reproduced exactly) and normalised so Σ n·w = n.
    ValueError when a target category has no respondents, a category with respondents has no
    target, or the margins cannot be met (the message names the margin furthest off)."""
    if not tolerance > 0:
        raise ValueError("the tolerance must be positive")
    if max_iterations < 1:
        raise ValueError("at least one iteration is needed")
    if cap is not None and not cap >= 1:
        raise ValueError("the cap is a multiple of the median weight and must be at least 1")
    if not margins:
        raise ValueError("raking needs at least one margin")
    _check_counts(cells, "cell")
    keys = [key for key, count in cells.items() if count > 0]
    if not keys:
        raise ValueError("there are no respondents to weight")
    wrong = [key for key in keys if not isinstance(key, tuple) or len(key) != len(margins)]
    if wrong:
        raise ValueError(
            f"every cell key needs one category per margin ({len(margins)}): {_names(wrong)}"
        )
    counts = np.array([cells[key] for key in keys], dtype=float)
    n = float(counts.sum())
    shares = [_targets(margin, k) for k, margin in enumerate(margins)]
    codes = [_codes(keys, counts, targets, k) for k, targets in enumerate(shares)]
    totals = [n * np.array(list(targets.values())) for targets in shares]
    weights = np.ones(len(keys))
    misfit = [math.inf]
    with np.errstate(divide="ignore", invalid="ignore"):
        for _ in range(max_iterations):
            for code, target in zip(codes, totals, strict=True):
                current = np.bincount(code, weights=counts * weights, minlength=len(target))
                weights = weights * (target / current)[code]
            misfit = [_misfit(counts, weights, c, t) for c, t in zip(codes, totals, strict=True)]
            if all(m < tolerance for m in misfit):  # NaN (weights collapsed to 0) never does
                break
        else:
            worst = max(range(len(margins)), key=lambda k: _rank(misfit[k]))
            raise ValueError(
                f"raking did not converge in {max_iterations} iterations: margin {worst} is still "
                f"off its targets by {misfit[worst]:.2%}; the margins may contradict each other "
                "or the cells be too sparse to meet them"
            )
    if cap is not None:
        weights = _trim(counts, weights, cap)
    weights = weights * (n / float(counts @ weights))
    effective_n = _kish(counts, weights)
    return Weighting(
        {key: float(w) for key, w in zip(keys, weights, strict=True)},
        effective_n,
        effective_n / n,
    )


@dataclass(frozen=True)
class WeightedSummary:
    """The scores of `netscore.Summary` from weighted or stratified answers: n respondents, and
    the effective sample size that the weighting leaves for the margins of error."""

    n: int
    effective_n: float
    net: Estimate | None
    top_box: Estimate | None
    mean: Estimate | None

    @property
    def margin(self) -> float | None:
        """Half the width of the net score's 95 % interval, in points."""
        return None if self.net is None else (self.net.high - self.net.low) / 2


EMPTY = WeightedSummary(0, 0.0, None, None, None)


@dataclass(frozen=True)
class _Totals:
    """Answers per scale value: count, Σw and Σw² (in order of first appearance)."""

    counts: dict[int, int]
    weights: dict[int, float]
    squares: dict[int, float]


def _weighted_totals[K](
    cells: Mapping[K, Mapping[int, int]], weights: Mapping[K, float], bands: Bands
) -> _Totals:
    totals = _Totals({}, {}, {})
    for key, answers in cells.items():
        valid = {v: c for v, c in answers.items() if bands.scale_min <= v <= bands.scale_max}
        valid = {v: c for v, c in valid.items() if c > 0}
        if not valid:
            continue
        if key not in weights:
            raise ValueError(f"cell {key!r} has answers but no weight")
        w = weights[key]
        if not 0 < w < math.inf:
            raise ValueError(f"weights must be positive and finite; cell {key!r} has {w!r}")
        for v, c in valid.items():
            totals.counts[v] = totals.counts.get(v, 0) + c
            totals.weights[v] = totals.weights.get(v, 0.0) + c * w
            totals.squares[v] = totals.squares.get(v, 0.0) + c * (w * w)
    return totals


def _banded(totals: Mapping[int, float], bands: Bands) -> tuple[float, float]:
    """The totals over the satisfied values and over the dissatisfied ones."""
    return (
        sum(w for v, w in totals.items() if v >= bands.satisfied_min),
        sum(w for v, w in totals.items() if v <= bands.dissatisfied_max),
    )


def weighted_summary[K](
    cells: Mapping[K, Mapping[int, int]],
    weights: Mapping[K, float],
    bands: Bands,
    population: int | None = None,
) -> WeightedSummary:
    """The net score, top box and mean from {cell: {scale value: count}} and a weight per cell
    (§B.2): N̂_w = Σw_i x_i/Σw_i, with the linearised variance Σw_i²(x_i − N̂_w)²/(Σw_i)² (the
    mean's with the n/(n−1) of `netscore.summarise`), × the finite-population correction when
    the population is known. The variance equals V'/n_eff, V' being the spread of the answers
    with squared-weight shares. With every weight 1 the figures are those of `summarise`.
    Values off the scale are ignored; with no answers every estimate is None."""
    totals = _weighted_totals(cells, weights, bands)
    n = sum(totals.counts.values())
    if n == 0:
        return EMPTY
    total, total_sq = sum(totals.weights.values()), sum(totals.squares.values())
    effective_n = total * total / total_sq
    correction = fpc(n, population)

    satisfied, dissatisfied = _banded(totals.weights, bands)
    satisfied_sq, dissatisfied_sq = _banded(totals.squares, bands)
    p_plus, p_minus = satisfied / total, dissatisfied / total
    a_plus, a_minus = satisfied_sq / total_sq, dissatisfied_sq / total_sq
    net = p_plus - p_minus
    # Σw²(x − N̂)²/Σw² written so that the correction term vanishes exactly when weights are equal.
    variance = p_plus + p_minus - net**2 - 2 * net * (a_plus - a_minus - net)
    net_se = math.sqrt(max(variance, 0.0) / effective_n) * correction
    top_variance = p_plus * (1 - p_plus) + (a_plus - p_plus) * (1 - 2 * p_plus)
    top_se = math.sqrt(max(top_variance, 0.0) / effective_n) * correction
    mean = sum(v * w for v, w in totals.weights.items()) / total
    squares = sum(w2 * (v - mean) ** 2 for v, w2 in totals.squares.items()) * (n / total_sq)
    mean_se = (math.sqrt(squares / (n - 1)) / math.sqrt(effective_n) if n > 1 else 0.0) * correction
    return WeightedSummary(
        n=n,
        effective_n=effective_n,
        net=interval(100 * net, 100 * net_se, -100.0, 100.0),
        top_box=interval(100 * p_plus, 100 * top_se, 0.0, 100.0),
        mean=interval(mean, mean_se, float(bands.scale_min), float(bands.scale_max)),
    )


@dataclass(frozen=True)
class _Stratum:
    """One stratum's sample figures: n, the shares satisfied and dissatisfied, the mean and the
    sample variance of the answers (n − 1 in the denominator; 0 for a single answer)."""

    n: int
    p_plus: float
    p_minus: float
    mean: float
    variance: float


def _stratum(counts: Mapping[int, int], bands: Bands) -> _Stratum:
    valid = {v: c for v, c in counts.items() if bands.scale_min <= v <= bands.scale_max and c > 0}
    n = sum(valid.values())
    if n == 0:
        return _Stratum(0, 0.0, 0.0, 0.0, 0.0)
    satisfied = sum(c for v, c in valid.items() if v >= bands.satisfied_min)
    dissatisfied = sum(c for v, c in valid.items() if v <= bands.dissatisfied_max)
    mean = sum(v * c for v, c in valid.items()) / n
    squares = sum(c * (v - mean) ** 2 for v, c in valid.items())
    return _Stratum(n, satisfied / n, dissatisfied / n, mean, squares / (n - 1) if n > 1 else 0.0)


def stratified_summary[K](
    strata: Mapping[K, Mapping[int, int]], population: Mapping[K, int], bands: Bands
) -> WeightedSummary:
    """The stratified estimator (§B.2), for strata (office, channel…) whose populations N_h are
    all known and all of which have respondents: N̂ = Σ W_h N̂_h with W_h = N_h/N and
    Var = Σ W_h² (1 − f_h) V_h/n_h, f_h = n_h/N_h (no correction below 0 when a stratum has more
    answers than its population); likewise for the top box and the mean. effective_n is the
    Kish size of the implied weights, 1/Σ W_h²/n_h. ValueError when a stratum with answers has
    no population or a population stratum has no answers; with no answers at all every estimate
    is None."""
    _check_counts(population, "population")
    figures = {key: _stratum(counts, bands) for key, counts in strata.items()}
    figures = {key: stratum for key, stratum in figures.items() if stratum.n > 0}
    if not figures:
        return EMPTY
    unknown = [key for key in figures if population.get(key, 0) <= 0]
    if unknown:
        raise ValueError(f"strata with answers but no population: {_names(unknown)}")
    empty = [key for key, size in population.items() if size > 0 and key not in figures]
    if empty:
        raise ValueError(
            f"strata with a population but no answers: {_names(empty)}; merge them with a "
            "neighbour or use poststratify, which reports them as missing"
        )
    big_n = sum(population[key] for key in figures)
    net = top = mean = 0.0
    net_var = top_var = mean_var = inverse_n_eff = 0.0
    for key, s in figures.items():
        share = population[key] / big_n
        kept = max(0.0, 1 - s.n / population[key])
        factor = share * share * kept / s.n
        net_h = s.p_plus - s.p_minus
        net += share * net_h
        top += share * s.p_plus
        mean += share * s.mean
        net_var += factor * max(s.p_plus + s.p_minus - net_h**2, 0.0)
        top_var += factor * s.p_plus * (1 - s.p_plus)
        mean_var += factor * s.variance
        inverse_n_eff += share * share / s.n
    return WeightedSummary(
        n=sum(s.n for s in figures.values()),
        effective_n=1 / inverse_n_eff,
        net=interval(100 * net, 100 * math.sqrt(net_var), -100.0, 100.0),
        top_box=interval(100 * top, 100 * math.sqrt(top_var), 0.0, 100.0),
        mean=interval(mean, math.sqrt(mean_var), float(bands.scale_min), float(bands.scale_max)),
    )
