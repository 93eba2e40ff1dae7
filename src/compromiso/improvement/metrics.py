"""The effect check's arithmetic: monthly counts before and after an action, and whether the
change is more than chance. Counts of cases are modelled as Poisson; the comparison is the rate
ratio after/before with its 95 % confidence interval on the log scale (Wald), which needs no
library and is standard for comparing two event rates."""

import datetime as dt
import math
from dataclasses import dataclass

Z95 = 1.959964


@dataclass(frozen=True)
class RateChange:
    before_per_month: float
    after_per_month: float
    ratio: float | None
    low: float | None
    high: float | None

    @property
    def significant_decrease(self) -> bool:
        return self.high is not None and self.high < 1

    @property
    def significant_increase(self) -> bool:
        return self.low is not None and self.low > 1


def months_between(start: dt.date, end: dt.date) -> float:
    """Length of [start, end] in average months (30.44 days)."""
    return max((end - start).days + 1, 1) / 30.4375


def rate_change(before: int, before_months: float, after: int, after_months: float) -> RateChange:
    """Compare two Poisson counts over exposures in months."""
    before_rate = before / before_months if before_months > 0 else 0.0
    after_rate = after / after_months if after_months > 0 else 0.0
    if before_months <= 0 or after_months <= 0 or before + after == 0:
        return RateChange(before_rate, after_rate, None, None, None)
    # Half a case added to an empty count keeps the logarithm finite (Haldane's correction).
    a, b = (after or 0.5), (before or 0.5)
    ratio = (a / after_months) / (b / before_months)
    spread = Z95 * math.sqrt(1 / a + 1 / b)
    return RateChange(
        before_rate,
        after_rate,
        ratio,
        ratio * math.exp(-spread),
        ratio * math.exp(spread),
    )


def poisson_interval(count: int, months: float) -> tuple[float, float]:
    """95 % interval of a monthly rate from a count (normal approximation on the square root,
    which stays sensible for small counts)."""
    if months <= 0:
        return (0.0, 0.0)
    root = math.sqrt(count)
    low = max(root - Z95 / 2, 0) ** 2
    high = (root + Z95 / 2) ** 2
    return (low / months, high / months)
