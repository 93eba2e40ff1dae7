"""Key drivers: Johnson's relative weights recover the weights the data was made with, add up to
R², survive correlated attributes; the quadrant names where to improve first."""

import numpy as np
import pytest

from compromiso.insights import drivers


def _data(n=3000, seed=7, correlated=False):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3))
    if correlated:
        x[:, 1] = 0.8 * x[:, 0] + 0.6 * x[:, 1]
    y = 0.6 * x[:, 0] + 0.3 * x[:, 1] + 0.0 * x[:, 2] + rng.normal(scale=0.5, size=n)
    return x, y


def test_weights_rank_the_attributes_and_sum_to_r_squared():
    x, y = _data()

    weights = drivers.relative_weights(x, y)

    assert weights.n == 3000
    assert sum(weights.raw) == pytest.approx(weights.r_squared)
    assert weights.shares[0] > weights.shares[1] > weights.shares[2]
    assert weights.shares[2] < 1
    # Independent predictors: the weights are the squared correlations.
    expected = [np.corrcoef(x[:, j], y)[0, 1] ** 2 for j in range(3)]
    assert weights.raw == pytest.approx(expected, abs=0.01)


def test_correlated_attributes_share_the_credit_without_negative_weights():
    x, y = _data(correlated=True)

    weights = drivers.relative_weights(x, y)

    assert all(w >= 0 for w in weights.raw)
    assert weights.r_squared == pytest.approx(
        np.corrcoef(x @ np.linalg.lstsq(x, y, rcond=None)[0], y)[0, 1] ** 2, abs=0.01
    )


def test_too_few_rows_or_a_constant_column_gives_no_weights():
    x, y = _data(n=20)
    assert drivers.relative_weights(x, y) is None
    x, y = _data()
    x[:, 2] = 4
    assert drivers.relative_weights(x, y) is None


def test_incomplete_rows_are_dropped():
    x, y = _data(n=100)
    x[:10, 0] = np.nan

    assert drivers.relative_weights(x, y).n == 90


def test_the_quadrants():
    assert drivers.quadrant(40, 50, 25, 70) == drivers.IMPROVE_FIRST
    assert drivers.quadrant(40, 90, 25, 70) == drivers.KEEP_UP
    assert drivers.quadrant(10, 50, 25, 70) == drivers.LOW_PRIORITY
    assert drivers.quadrant(10, 90, 25, 70) == drivers.POSSIBLE_OVERKILL
