"""Satisfaction scores from counts of answers per scale value: the net score (Chile's ISN,
NPS), the top-box share (MESU's "% grade 6–7") and the mean, each with its standard error and
95 % interval, with the finite-population correction when the population is known; sample
sizes; the comparison of two waves; the responses needed to detect a change.
Plain values in and out, no database (research/satisfaction.md §B.1–B.3)."""

import math
from collections.abc import Mapping
from dataclasses import dataclass

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


def fpc(n: int, population: int | None) -> float:
    """The finite-population correction factor for the standard error, √((N−n)/(N−1))."""
    if population is None or population <= 1:
        return 1.0
    if n >= population:
        return 0.0
    return math.sqrt((population - n) / (population - 1))


def _interval(value: float, se: float, low: float, high: float) -> Estimate:
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
    variance = p_plus + p_minus - net**2
    net_se = math.sqrt(max(variance, 0.0) / n) * correction
    top_se = math.sqrt(p_plus * (1 - p_plus) / n) * correction
    mean = sum(v * c for v, c in valid.items()) / n
    squares = sum(c * (v - mean) ** 2 for v, c in valid.items())
    mean_se = (math.sqrt(squares / (n - 1)) / math.sqrt(n) if n > 1 else 0.0) * correction
    return Summary(
        n=n,
        satisfied=satisfied,
        dissatisfied=dissatisfied,
        net=_interval(100 * net, 100 * net_se, -100.0, 100.0),
        top_box=_interval(100 * p_plus, 100 * top_se, 0.0, 100.0),
        mean=_interval(mean, mean_se, float(bands.scale_min), float(bands.scale_max)),
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
    difference = after.net.value - before.net.value
    if se == 0:
        return Change(difference, 0.0, math.inf if difference else 0.0, 0.0 if difference else 1.0)
    z = difference / se
    return Change(difference, se, z, math.erfc(abs(z) / math.sqrt(2)))


def responses_to_detect(
    delta_points: float, *, variance: float, power_z: float = 0.8416212335729143
) -> int:
    """Responses per wave for a two-sided 5 % test to detect a net-score change of
    `delta_points` with 80 % power: n = 2 (z_α/2 + z_β)² V / Δ²."""
    if delta_points <= 0:
        raise ValueError("the change to detect must be positive")
    delta = delta_points / 100
    return math.ceil(2 * (Z95 + power_z) ** 2 * variance / delta**2)
