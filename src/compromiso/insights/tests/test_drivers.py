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


def test_shapley_values_sum_to_the_full_r_squared():
    x, y = _data(correlated=True)
    design = np.column_stack([np.ones(len(y)), x])
    fitted = design @ np.linalg.lstsq(design, y, rcond=None)[0]
    r_squared = 1 - ((y - fitted) ** 2).sum() / ((y - y.mean()) ** 2).sum()

    weights = drivers.shapley(x, y)

    assert weights.r_squared == pytest.approx(r_squared, abs=1e-9)
    assert sum(weights.raw) == pytest.approx(weights.r_squared, abs=1e-12)
    assert sum(weights.shares) == pytest.approx(100)
    assert all(w >= 0 for w in weights.raw)


def test_shapley_with_two_drivers_by_hand():
    # φ_1 = ½·R²(1) + ½·[R²(1,2) − R²(2)], R²(1,2) = (r1² + r2² − 2·r1·r2·r12)/(1 − r12²).
    x, y = _data(correlated=True)
    x = x[:, :2]
    r1, r2, r12 = (np.corrcoef(a, b)[0, 1] for a, b in ((x[:, 0], y), (x[:, 1], y), x.T))
    both = (r1**2 + r2**2 - 2 * r1 * r2 * r12) / (1 - r12**2)

    weights = drivers.shapley(x, y)

    assert weights.raw == pytest.approx(
        [(r1**2 + both - r2**2) / 2, (r2**2 + both - r1**2) / 2], abs=1e-12
    )


def test_shapley_ranks_the_drivers_like_relative_weights():
    for correlated in (False, True):
        x, y = _data(correlated=correlated)

        shapley = drivers.shapley(x, y)
        johnson = drivers.relative_weights(x, y)

        assert shapley.shares[0] > shapley.shares[1] > shapley.shares[2]
        assert shapley.shares[2] < 1
        assert shapley.raw == pytest.approx(johnson.raw, abs=0.02)
        assert shapley.r_squared == pytest.approx(johnson.r_squared)
    # Independent drivers: the Shapley values are the squared correlations.
    x, y = _data()
    expected = [np.corrcoef(x[:, j], y)[0, 1] ** 2 for j in range(3)]
    assert drivers.shapley(x, y).raw == pytest.approx(expected, abs=0.01)


def test_a_duplicated_driver_shares_its_credit_equally():
    x, y = _data()
    x = np.column_stack([x, x[:, 0]])  # perfectly collinear: the pseudo-inverse copes

    weights = drivers.shapley(x, y)

    assert weights.raw[0] == pytest.approx(weights.raw[3])
    assert weights.raw[0] + weights.raw[3] > weights.raw[1]
    assert sum(weights.raw) == pytest.approx(drivers.shapley(x[:, :3], y).r_squared)


def test_shapley_shares_the_rules_of_relative_weights():
    x, y = _data(n=20)
    assert drivers.shapley(x, y) is None
    x, y = _data()
    x[:, 2] = 0.1
    assert drivers.shapley(x, y) is None
    x, y = _data(n=100)
    x[:10, 0] = np.nan
    y[95] = np.nan
    assert drivers.shapley(x, y).n == 89


def test_shapley_stops_beyond_twelve_drivers():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(200, drivers.MAX_SHAPLEY_DRIVERS + 1))

    with pytest.raises(ValueError, match="at most 12 drivers"):
        drivers.shapley(x, x.sum(axis=1))
    assert drivers.shapley(x[:, :12], x.sum(axis=1)) is not None


def test_the_weights_from_correlations_alone_match_those_from_the_rows():
    x, y = _data(correlated=True)
    r = np.corrcoef(np.column_stack([x, y]), rowvar=False)

    johnson = drivers.relative_weights_from(r[:3, :3], r[:3, 3], len(y))
    shapley = drivers.shapley_from(r[:3, :3], r[:3, 3], len(y))

    assert johnson.raw == pytest.approx(drivers.relative_weights(x, y).raw, abs=1e-12)
    assert shapley.raw == pytest.approx(drivers.shapley(x, y).raw, abs=1e-12)
    assert shapley.n == johnson.n == 3000
    with pytest.raises(ValueError, match="at most 12 drivers"):
        drivers.shapley_from(np.eye(13), np.full(13, 0.1), 100)
