"""The cells of the survey figures: control limits of a month against its wave."""

import pytest

from compromiso.insights import netscore
from compromiso.insights.netscore import CHILE_1_7
from compromiso.surveys.figures import Cell, control_limits


def test_control_limits_flag_a_month_that_differs_beyond_chance():
    wave = netscore.summarise({7: 500, 5: 300, 2: 200}, CHILE_1_7)  # net 30 points
    calm = netscore.summarise({7: 52, 5: 28, 2: 20}, CHILE_1_7)  # 32, within the limits
    bad = netscore.summarise({7: 20, 5: 30, 2: 50}, CHILE_1_7)  # −30, far below

    low, high = control_limits(wave, 100)

    assert low < 30 < high
    assert high - 30 == pytest.approx(3 * (0.7 - 0.09) ** 0.5 / 10 * 100, rel=0.01)
    assert not Cell("2026-03", calm, True, control=(low, high)).out_of_control
    assert Cell("2026-04", bad, True, control=(low, high)).out_of_control
    assert control_limits(netscore.summarise({}, CHILE_1_7), 10) is None
