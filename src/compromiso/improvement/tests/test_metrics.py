"""The effect check's arithmetic against values computed by hand (published tables of the exact
Poisson interval, closed forms of Clopper–Pearson at the edges) and against SciPy's own
independent routines (Poisson distribution, binomial test)."""

import datetime as dt
import math

import pytest
from scipy.stats import binomtest, poisson

from compromiso.improvement import metrics


@pytest.mark.parametrize(
    ("count", "low", "high"),
    [
        (0, 0.0, 3.6889),  # the old approximation said 0.96: about a quarter
        (1, 0.0253, 5.5716),
        (2, 0.2422, 7.2247),
        (10, 4.7954, 18.3904),
    ],
)
def test_the_rate_interval_is_garwoods_exact_interval(count, low, high):
    assert metrics.garwood(count) == pytest.approx((low, high), abs=1e-4)


@pytest.mark.parametrize("count", [0, 1, 2, 5, 10, 50, 1000, 100_000])
def test_the_rate_interval_leaves_two_and_a_half_percent_in_each_tail(count):
    low, high = metrics.garwood(count)

    # At the upper end, seeing `count` or fewer has probability 2.5 %; at the lower end, seeing
    # `count` or more has probability 2.5 %.
    assert poisson.cdf(count, high) == pytest.approx(0.025, rel=1e-6)
    if count:
        assert poisson.sf(count - 1, low) == pytest.approx(0.025, rel=1e-6)
    else:
        assert low == 0


def test_a_monthly_rate_interval_divides_by_the_months():
    assert metrics.poisson_interval(0, 2) == pytest.approx((0, 3.6889 / 2), abs=1e-4)
    assert metrics.poisson_interval(9, 1)[0] < 9 < metrics.poisson_interval(9, 1)[1]
    assert metrics.poisson_interval(3, 0) == (0.0, 0.0)


@pytest.mark.parametrize(
    ("successes", "trials"),
    [(0, 1), (1, 1), (0, 10), (1, 10), (5, 10), (10, 10), (3, 250), (3000, 9000)],
)
def test_the_proportion_interval_is_scipys_exact_binomial_interval(successes, trials):
    expected = binomtest(successes, trials).proportion_ci(confidence_level=0.95, method="exact")

    low, high = metrics.clopper_pearson(successes, trials)

    assert low == pytest.approx(expected.low, abs=1e-12)
    assert high == pytest.approx(expected.high, abs=1e-12)


def test_no_case_after_an_action_bounds_the_ratio_below_one_by_hand():
    # 10 cases before, none after, one month each: the upper end of p is 1 − 0.025^(1/10).
    change = metrics.rate_change(before=10, before_months=1, after=0, after_months=1)

    p = 1 - 0.025 ** (1 / 10)
    assert change.ratio == 0
    assert change.low == 0
    assert change.high == pytest.approx(p / (1 - p))  # 0.4461
    assert change.significant_decrease


def test_no_case_before_leaves_the_ratio_unbounded_above_without_adding_half_a_case():
    # 0 cases before, 5 after: the lower end of p is 0.025^(1/5); no half case is invented.
    change = metrics.rate_change(before=0, before_months=1, after=5, after_months=1)

    p = 0.025 ** (1 / 5)
    assert change.ratio is None
    assert change.low == pytest.approx(p / (1 - p))  # 0.9164
    assert change.high is None
    assert not change.significant_increase
    assert not change.significant_decrease


def test_one_case_each_side_says_nothing():
    change = metrics.rate_change(before=1, before_months=1, after=1, after_months=1)

    # Clopper–Pearson for 1 of 2: [0.0126, 0.9874], mapped to p / (1 − p).
    assert change.ratio == 1
    assert change.low == pytest.approx(0.012579 / (1 - 0.012579), rel=1e-3)
    assert change.high == pytest.approx((1 - 0.012579) / 0.012579, rel=1e-3)


def test_the_ratio_interval_maps_scipys_binomial_interval_with_the_exposures():
    change = metrics.rate_change(before=12, before_months=6, after=2, after_months=3)
    ci = binomtest(2, 14).proportion_ci(method="exact")

    assert change.ratio == pytest.approx((2 / 3) / (12 / 6))
    assert change.low == pytest.approx(ci.low / (1 - ci.low) * 6 / 3)
    assert change.high == pytest.approx(ci.high / (1 - ci.high) * 6 / 3)


def test_large_counts_agree_with_the_log_normal_approximation():
    change = metrics.rate_change(before=6000, before_months=3, after=3000, after_months=3)

    spread = 1.959964 * math.sqrt(1 / 3000 + 1 / 6000)
    assert change.ratio == pytest.approx(0.5)
    assert change.low == pytest.approx(0.5 * math.exp(-spread), rel=2e-3)
    assert change.high == pytest.approx(0.5 * math.exp(spread), rel=2e-3)
    assert change.significant_decrease


def test_a_halved_rate_with_enough_cases_is_a_real_decrease():
    change = metrics.rate_change(before=60, before_months=3, after=30, after_months=3)

    assert change.ratio == pytest.approx(0.5)
    assert change.significant_decrease
    assert not change.significant_increase


def test_few_cases_are_not_enough_to_tell():
    change = metrics.rate_change(before=4, before_months=3, after=2, after_months=3)

    assert change.ratio == pytest.approx(0.5)
    assert not change.significant_decrease


def test_rates_are_per_month_of_exposure():
    change = metrics.rate_change(before=30, before_months=3, after=10, after_months=1)

    assert change.before_per_month == 10
    assert change.after_per_month == 10
    assert change.ratio == pytest.approx(1)
    assert change.after_interval == pytest.approx(metrics.garwood(10))


def test_no_case_at_all_or_an_empty_period_gives_no_ratio():
    both_zero = metrics.rate_change(0, 3, 0, 3)

    assert (both_zero.ratio, both_zero.low, both_zero.high) == (None, None, None)
    assert both_zero.after_interval == pytest.approx((0, 3.6889 / 3), abs=1e-4)
    assert metrics.rate_change(5, 0, 1, 3).ratio is None
    assert both_zero.rate_method == "garwood"
    assert both_zero.ratio_method == "conditional-binomial"


def test_months_between_counts_both_ends():
    assert metrics.months_between(dt.date(2026, 1, 1), dt.date(2026, 3, 31)) == pytest.approx(
        90 / 30.4375
    )


@pytest.mark.parametrize(
    ("part", "whole"), [(0, 1), (0, 10), (3, 10), (10, 10), (56, 70), (1, 1000)]
)
def test_the_share_interval_is_scipys_wilson_interval(part, whole):
    expected = binomtest(part, whole).proportion_ci(confidence_level=0.95, method="wilson")
    low, high = metrics.wilson(part, whole)
    assert low == pytest.approx(expected.low, abs=1e-9)
    assert high == pytest.approx(expected.high, abs=1e-9)


def test_the_change_of_a_share_matches_newcombes_published_example():
    # Newcombe (1998), Statistics in Medicine 17:873–890, table II, example (a): 56/70 − 48/80,
    # method 10 gives 0.0524 to 0.3339. Here after = 56/70 and before = 48/80.
    change = metrics.proportion_change(48, 80, 56, 70)
    assert (change.before, change.after) == (60.0, 80.0)
    assert change.difference == pytest.approx(20.0)
    assert change.low == pytest.approx(5.24, abs=0.005)
    assert change.high == pytest.approx(33.39, abs=0.005)
    assert change.significant_increase
    assert not change.significant_decrease


def test_the_change_of_a_share_at_the_extremes_stays_within_a_hundred_points():
    change = metrics.proportion_change(0, 5, 5, 5)
    assert change.difference == pytest.approx(100.0)
    assert change.low is not None
    assert 0 < change.low < 100
    assert change.high == pytest.approx(100.0)


def test_the_change_of_a_share_says_nothing_when_a_period_has_no_observation():
    change = metrics.proportion_change(0, 0, 4, 5)
    assert change.before is None
    assert change.after == 80.0
    assert change.difference is None
    assert change.low is None
    assert change.high is None
    assert not change.significant_increase
    assert not change.significant_decrease
