"""The effect check's arithmetic against hand-computed values."""

import datetime as dt
import math

import pytest

from compromiso.improvement import metrics


def test_a_halved_rate_with_enough_cases_is_a_real_decrease():
    change = metrics.rate_change(before=60, before_months=3, after=30, after_months=3)

    assert change.ratio == pytest.approx(0.5)
    spread = 1.959964 * math.sqrt(1 / 30 + 1 / 60)
    assert change.low == pytest.approx(0.5 * math.exp(-spread))
    assert change.high == pytest.approx(0.5 * math.exp(spread))
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


def test_zero_counts_and_empty_periods_give_no_ratio():
    assert metrics.rate_change(0, 3, 0, 3).ratio is None
    assert metrics.rate_change(5, 0, 1, 3).ratio is None
    assert metrics.rate_change(0, 3, 4, 3).ratio is not None  # Haldane's half case


def test_months_and_poisson_interval():
    assert metrics.months_between(dt.date(2026, 1, 1), dt.date(2026, 3, 31)) == pytest.approx(
        90 / 30.4375
    )
    low, high = metrics.poisson_interval(9, 1)
    assert low < 9 < high
    assert metrics.poisson_interval(0, 1)[0] == 0
