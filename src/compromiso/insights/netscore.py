"""Satisfaction scores from counts of answers per scale value: the net score (Chile's ISN,
NPS), the top-box share (MESU's "% grade 6–7") and the mean, each with its standard error and
95 % interval, with the finite-population correction when the population is known; sample
sizes; the comparison of two waves, independent or paired (a panel); the responses needed to
detect a change; the same scores for many cells at once, vectorised with NumPy.
Plain values in and out, no database (research/satisfaction.md §B.1–B.3)."""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

Z95 = 1.959963984540054


@dataclass(frozen=True)
class Bands:
    """Cut-points on a scale: values ≥ satisfied_min are satisfied, ≤ dissatisfied_max are
    dissatisfied, the rest neutral."""

    scale_min: int
    scale_max: int
    satisfied_min: int
    dissatisfied_max: int

    def __post_init__(self) -> None:
        if not (self.scale_min <= self.dissatisfied_max < self.satisfied_min <= self.scale_max):
            raise ValueError("bands must satisfy min ≤ dissatisfied < satisfied ≤ max")


# Chile's 1–7 school scale (ISN: 6–7 minus 1–4), NPS on 0–10, and the 1–5 convention.
CHILE_1_7 = Bands(1, 7, 6, 4)
NPS_0_10 = Bands(0, 10, 9, 6)
FIVE_POINT = Bands(1, 5, 4, 2)


@dataclass(frozen=True)
class Estimate:
    """A score with its standard error and 95 % interval, in points (×100) for shares."""

    value: float
    se: float
    low: float
    high: float


@dataclass(frozen=True)
class Summary:
    n: int
    satisfied: int
    dissatisfied: int
    net: Estimate | None
    top_box: Estimate | None
    mean: Estimate | None

    @property
    def margin(self) -> float | None:
        """Half the width of the net score's 95 % interval, in points."""
        return None if self.net is None else (self.net.high - self.net.low) / 2

    @property
    def satisfied_percent(self) -> float | None:
        """The share of satisfied answers in %, the net score's first half."""
        return None if self.n == 0 else 100 * self.satisfied / self.n

    @property
    def dissatisfied_percent(self) -> float | None:
        """The share of dissatisfied answers in %, the half the net score subtracts."""
        return None if self.n == 0 else 100 * self.dissatisfied / self.n


def net_variance[T: (float, NDArray[np.float64])](p_plus: T, p_minus: T) -> T:
    """The variance of one answer's net-score class (+1 satisfied, −1 dissatisfied, 0 neutral)
    from the shares p₊ and p₋: p₊ + p₋ − (p₊ − p₋)²; divided by n, the net share's variance.
    Works on a float or element-wise on arrays."""
    return p_plus + p_minus - (p_plus - p_minus) ** 2


def fpc(n: int, population: int | None) -> float:
    """The finite-population correction factor for the standard error, √((N−n)/(N−1))."""
    if population is None or population <= 1:
        return 1.0
    if n >= population:
        return 0.0
    return math.sqrt((population - n) / (population - 1))


def interval(value: float, se: float, low: float, high: float) -> Estimate:
    """The estimate with its 95 % interval value ± 1.96·SE, clamped to the range [low, high]."""
    return Estimate(
        value=value,
        se=se,
        low=max(low, value - Z95 * se),
        high=min(high, value + Z95 * se),
    )


def summarise(counts: Mapping[int, int], bands: Bands, population: int | None = None) -> Summary:
    """All three scores from {scale value: count}. Values outside the scale are ignored. With
    no answers every estimate is None: no figure is made up."""
    valid = {v: c for v, c in counts.items() if bands.scale_min <= v <= bands.scale_max and c > 0}
    n = sum(valid.values())
    satisfied = sum(c for v, c in valid.items() if v >= bands.satisfied_min)
    dissatisfied = sum(c for v, c in valid.items() if v <= bands.dissatisfied_max)
    if n == 0:
        return Summary(0, 0, 0, None, None, None)
    correction = fpc(n, population)
    p_plus, p_minus = satisfied / n, dissatisfied / n
    net = p_plus - p_minus
    variance = net_variance(p_plus, p_minus)
    net_se = math.sqrt(max(variance, 0.0) / n) * correction
    top_se = math.sqrt(p_plus * (1 - p_plus) / n) * correction
    mean = sum(v * c for v, c in valid.items()) / n
    squares = sum(c * (v - mean) ** 2 for v, c in valid.items())
    mean_se = (math.sqrt(squares / (n - 1)) / math.sqrt(n) if n > 1 else 0.0) * correction
    return Summary(
        n=n,
        satisfied=satisfied,
        dissatisfied=dissatisfied,
        net=interval(100 * net, 100 * net_se, -100.0, 100.0),
        top_box=interval(100 * p_plus, 100 * top_se, 0.0, 100.0),
        mean=interval(mean, mean_se, float(bands.scale_min), float(bands.scale_max)),
    )


def sample_size(
    population: int | None,
    *,
    margin: float = 0.05,
    confidence_z: float = Z95,
    variance: float = 0.25,
) -> int:
    """Minimum responses for a share within ±margin (variance p(1−p), 0.25 at worst), with the
    finite-population correction n = n₀ / (1 + (n₀ − 1)/N). For a net score use variance 1."""
    if not 0 < margin < 1:
        raise ValueError("margin must be between 0 and 1")
    n0 = confidence_z**2 * variance / margin**2
    if population is None or population <= 0:
        return math.ceil(n0)
    return min(population, math.ceil(n0 / (1 + (n0 - 1) / population)))


@dataclass(frozen=True)
class Change:
    difference: float
    se: float
    z: float
    p_value: float

    @property
    def significant(self) -> bool:
        return self.p_value < 0.05


def compare(before: Summary, after: Summary) -> Change | None:
    """Net-score change between two independent waves: z test on the difference."""
    if before.net is None or after.net is None:
        return None
    se = math.hypot(before.net.se, after.net.se)
    return _z_test(after.net.value - before.net.value, se)


def _z_test(difference: float, se: float) -> Change:
    """The two-sided z test of a difference against its standard error; with no sampling error
    any difference is certain and none is no change."""
    if se == 0:
        return Change(difference, 0.0, math.inf if difference else 0.0, 0.0 if difference else 1.0)
    z = difference / se
    return Change(difference, se, z, math.erfc(abs(z) / math.sqrt(2)))


def net_codes(values: NDArray[np.float64], bands: Bands) -> NDArray[np.float64]:
    """Each answer coded for the net score: +1 satisfied, 0 neutral, −1 dissatisfied."""
    satisfied = (values >= bands.satisfied_min).astype(float)
    return satisfied - (values <= bands.dissatisfied_max)


def compare_paired(pairs: Sequence[tuple[int, int]] | NDArray[Any], bands: Bands) -> Change | None:
    """Net-score change for the same respondents scored in two waves (a panel, §B.2): with each
    answer coded +1/0/−1 and d_i = x_i2 − x_i1, the change is 100·mean(d) points with
    SE = 100·sd(d)/√n, tested like `compare`. Pairs with a value missing (NaN) or off the
    scale are dropped; None with fewer than 2 pairs left."""
    data = np.asarray(pairs, dtype=float)
    if data.size == 0:
        return None
    if data.ndim != 2 or data.shape[1] != 2:
        raise ValueError("pairs must be (first wave, second wave) values: an n × 2 array")
    on_scale = ((data >= bands.scale_min) & (data <= bands.scale_max)).all(axis=1)
    codes = net_codes(data[on_scale], bands)
    n = len(codes)
    if n < 2:
        return None
    differences = codes[:, 1] - codes[:, 0]
    se = 100 * float(differences.std(ddof=1)) / math.sqrt(n)
    return _z_test(100 * float(differences.mean()), se)


def responses_to_detect(
    delta_points: float, *, variance: float, power_z: float = 0.8416212335729143
) -> int:
    """Responses per wave for a two-sided 5 % test to detect a net-score change of
    `delta_points` with 80 % power: n = 2 (z_α/2 + z_β)² V / Δ²."""
    if delta_points <= 0:
        raise ValueError("the change to detect must be positive")
    delta = delta_points / 100
    return math.ceil(2 * (Z95 + power_z) ** 2 * variance / delta**2)


@dataclass(frozen=True, eq=False)
class Estimates:
    """`Estimate`s for many cells at once, one array element per cell; NaN where a cell has no
    answers. Not comparable with ==: compare the arrays."""

    value: NDArray[np.float64]
    se: NDArray[np.float64]
    low: NDArray[np.float64]
    high: NDArray[np.float64]

    def at(self, i: int) -> Estimate:
        """Cell i's estimate."""
        return Estimate(
            float(self.value[i]), float(self.se[i]), float(self.low[i]), float(self.high[i])
        )


@dataclass(frozen=True, eq=False)
class Summaries:
    """`Summary` figures for many cells at once, one array element per cell."""

    n: NDArray[np.int64]
    satisfied: NDArray[np.int64]
    dissatisfied: NDArray[np.int64]
    net: Estimates
    top_box: Estimates
    mean: Estimates

    def __len__(self) -> int:
        return len(self.n)

    def at(self, i: int) -> Summary:
        """Cell i as the Summary that `summarise` gives for it."""
        if self.n[i] == 0:
            return Summary(0, 0, 0, None, None, None)
        return Summary(
            n=int(self.n[i]),
            satisfied=int(self.satisfied[i]),
            dissatisfied=int(self.dissatisfied[i]),
            net=self.net.at(i),
            top_box=self.top_box.at(i),
            mean=self.mean.at(i),
        )


def fpc_many(n: NDArray[np.int64], population: NDArray[Any] | None) -> NDArray[np.float64]:
    """`fpc` per cell: 1 where the population is unknown (None, NaN or ≤ 1), 0 where everyone
    answered, else √((N−n)/(N−1))."""
    if population is None:
        return np.ones(n.shape)
    size = np.broadcast_to(np.asarray(population, dtype=float), n.shape)
    known = np.isfinite(size) & (size > 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.sqrt((size - n) / (size - 1))
    return np.where(known, np.where(n >= size, 0.0, ratio), 1.0)


def _estimates(
    value: NDArray[np.float64], se: NDArray[np.float64], low: float, high: float
) -> Estimates:
    """`interval` on arrays: the 95 % interval, clamped to [low, high]; NaN stays NaN."""
    return Estimates(
        value=value,
        se=se,
        low=np.maximum(low, value - Z95 * se),
        high=np.minimum(high, value + Z95 * se),
    )


def summarise_many(
    counts: NDArray[np.integer[Any]], bands: Bands, population: NDArray[Any] | None = None
) -> Summaries:
    """`summarise` for every row of a cells × scale-values table of counts (column j counts the
    answers scale_min + j) at once, with no loop over cells: the same figures, NaN estimates
    where a cell has no answers. `population` holds each cell's population (NaN or ≤ 1 for
    unknown). Counts below 1 count as none, as in `summarise`."""
    table = np.asarray(counts)
    width = bands.scale_max - bands.scale_min + 1
    if table.ndim != 2 or table.shape[1] != width:
        raise ValueError(
            f"counts must be a cells × {width} table: one column per scale value "
            f"{bands.scale_min}–{bands.scale_max}"
        )
    table = np.where(table > 0, table, 0).astype(np.int64)
    values = np.arange(bands.scale_min, bands.scale_max + 1)
    n = table.sum(axis=1)
    satisfied = table[:, values >= bands.satisfied_min].sum(axis=1)
    dissatisfied = table[:, values <= bands.dissatisfied_max].sum(axis=1)
    correction = fpc_many(n, population)
    answered = n > 0
    size = np.where(answered, n, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        p_plus, p_minus = satisfied / size, dissatisfied / size
        net = p_plus - p_minus
        variance = net_variance(p_plus, p_minus)
        net_se = np.sqrt(np.maximum(variance, 0.0) / size) * correction
        top_se = np.sqrt(p_plus * (1 - p_plus) / size) * correction
        weighted = table.astype(float)
        mean = (weighted @ values.astype(float)) / size
        squares = (weighted * (values - mean[:, None]) ** 2).sum(axis=1)
        spread = np.sqrt(squares / (size - 1)) / np.sqrt(size)
    mean_se = np.where(n > 1, spread, np.where(answered, 0.0, np.nan)) * correction
    return Summaries(
        n=n,
        satisfied=satisfied,
        dissatisfied=dissatisfied,
        net=_estimates(100 * net, 100 * net_se, -100.0, 100.0),
        top_box=_estimates(100 * p_plus, 100 * top_se, 0.0, 100.0),
        mean=_estimates(mean, mean_se, float(bands.scale_min), float(bands.scale_max)),
    )
