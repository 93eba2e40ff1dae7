"""The effect check's arithmetic: monthly counts before and after an action, and whether the
change is more than chance. Counts of cases are modelled as Poisson over an exposure in months.
Both intervals are exact, so they hold for small and empty counts (an approximation gave a
quarter of the right upper bound at 0 cases):

- a monthly rate: Garwood's interval, from chi-square quantiles: for k cases,
  [χ²(α/2; 2k)/2, χ²(1−α/2; 2k+2)/2] divided by the months (the lower end is 0 when k = 0);
- the rate ratio after/before: the conditional binomial interval. Given n = k_after + k_before
  cases, k_after is binomial with p = R·t_after / (R·t_after + t_before); the Clopper–Pearson
  interval of p is mapped to R = p / (1 − p) · t_before / t_after. No case before leaves the
  upper end unbounded; no case at all says nothing.
"""

import datetime as dt
from dataclasses import dataclass
from math import sqrt

from scipy.stats import beta, chi2, norm

ALPHA = 0.05
# Names of the methods, shown beside the figures (page and API).
RATE_METHOD = "garwood"
RATIO_METHOD = "conditional-binomial"


@dataclass(frozen=True)
class RateChange:
    before_count: int
    before_months: float
    after_count: int
    after_months: float
    before_per_month: float
    after_per_month: float
    # Exact 95 % intervals of each monthly rate (Garwood).
    before_interval: tuple[float, float]
    after_interval: tuple[float, float]
    # The rate ratio after/before and its exact 95 % interval (conditional binomial). The ratio
    # is None without cases before; `high` is None when unbounded; all three are None when
    # there is no case at all or a period is empty.
    ratio: float | None
    low: float | None
    high: float | None
    rate_method: str = RATE_METHOD
    ratio_method: str = RATIO_METHOD

    @property
    def significant_decrease(self) -> bool:
        return self.high is not None and self.high < 1

    @property
    def significant_increase(self) -> bool:
        return self.low is not None and self.low > 1


def months_between(start: dt.date, end: dt.date) -> float:
    """Length of [start, end] in average months (30.44 days)."""
    return max((end - start).days + 1, 1) / 30.4375


def garwood(count: int) -> tuple[float, float]:
    """Exact 95 % interval of a Poisson mean from one observed count."""
    if count < 0:
        raise ValueError(count)
    low = float(chi2.ppf(ALPHA / 2, 2 * count)) / 2 if count else 0.0
    high = float(chi2.ppf(1 - ALPHA / 2, 2 * count + 2)) / 2
    return (low, high)


def clopper_pearson(successes: int, trials: int) -> tuple[float, float]:
    """Exact 95 % interval of a binomial proportion."""
    if not 0 <= successes <= trials or trials == 0:
        raise ValueError((successes, trials))
    low = float(beta.ppf(ALPHA / 2, successes, trials - successes + 1)) if successes else 0.0
    high = (
        float(beta.ppf(1 - ALPHA / 2, successes + 1, trials - successes))
        if successes < trials
        else 1.0
    )
    return (low, high)


def poisson_interval(count: int, months: float) -> tuple[float, float]:
    """Exact 95 % interval (Garwood) of a monthly rate from a count over `months`."""
    if months <= 0:
        return (0.0, 0.0)
    low, high = garwood(count)
    return (low / months, high / months)


def rate_change(before: int, before_months: float, after: int, after_months: float) -> RateChange:
    """Compare two Poisson counts over exposures in months."""
    before_rate = before / before_months if before_months > 0 else 0.0
    after_rate = after / after_months if after_months > 0 else 0.0
    ratio = low = high = None
    if before_months > 0 and after_months > 0 and before + after > 0:
        scale = before_months / after_months
        p_low, p_high = clopper_pearson(after, after + before)
        low = p_low / (1 - p_low) * scale
        high = p_high / (1 - p_high) * scale if p_high < 1 else None
        ratio = after_rate / before_rate if before else None
    return RateChange(
        before_count=before,
        before_months=before_months,
        after_count=after,
        after_months=after_months,
        before_per_month=before_rate,
        after_per_month=after_rate,
        before_interval=poisson_interval(before, before_months),
        after_interval=poisson_interval(after, after_months),
        ratio=ratio,
        low=low,
        high=high,
    )


@dataclass(frozen=True)
class ProportionChange:
    """A share before and after an action (protocol steps met, staff trained), and the 95 %
    interval of the difference after − before, in percentage points (Newcombe's hybrid score
    interval, method 10: from the two Wilson intervals; it holds for small counts and for
    shares of 0 % or 100 %). Everything is None when a period has no observation."""

    before_part: int
    before_whole: int
    after_part: int
    after_whole: int
    before: float | None
    after: float | None
    difference: float | None
    low: float | None
    high: float | None
    method: str = "newcombe-wilson"

    @property
    def significant_increase(self) -> bool:
        return self.low is not None and self.low > 0

    @property
    def significant_decrease(self) -> bool:
        return self.high is not None and self.high < 0


def wilson(part: int, whole: int) -> tuple[float, float]:
    """Wilson's 95 % score interval of a proportion."""
    if not 0 <= part <= whole or whole == 0:
        raise ValueError((part, whole))
    z = float(norm.ppf(1 - ALPHA / 2))
    p = part / whole
    centre = (p + z * z / (2 * whole)) / (1 + z * z / whole)
    half = z * sqrt(p * (1 - p) / whole + z * z / (4 * whole * whole)) / (1 + z * z / whole)
    return (max(0.0, centre - half), min(1.0, centre + half))


def proportion_change(
    before_part: int, before_whole: int, after_part: int, after_whole: int
) -> ProportionChange:
    """Compare two shares; figures in percent and percentage points, unrounded (pages round
    them), so whether the change is beyond chance is decided on the exact bounds."""
    before = after = difference = low = high = None
    if before_whole:
        before = 100 * before_part / before_whole
    if after_whole:
        after = 100 * after_part / after_whole
    if before_whole and after_whole:
        p1, p2 = before_part / before_whole, after_part / after_whole
        l1, u1 = wilson(before_part, before_whole)
        l2, u2 = wilson(after_part, after_whole)
        d = p2 - p1
        difference = 100 * d
        low = 100 * (d - sqrt((p2 - l2) ** 2 + (u1 - p1) ** 2))
        high = 100 * (d + sqrt((u2 - p2) ** 2 + (p1 - l1) ** 2))
    return ProportionChange(
        before_part=before_part,
        before_whole=before_whole,
        after_part=after_part,
        after_whole=after_whole,
        before=before,
        after=after,
        difference=difference,
        low=low,
        high=high,
    )
