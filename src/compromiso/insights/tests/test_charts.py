"""Chart geometry: where each bar, point and dot of the wave page's SVG charts goes."""

from types import SimpleNamespace

import pytest

from compromiso.insights import charts, netscore


def _cell(label, counts, shown=True, control=None):
    summary = netscore.summarise(counts, netscore.CHILE_1_7)
    return SimpleNamespace(
        label=label,
        summary=summary,
        shown=shown,
        control=control,
        out_of_control=bool(
            control and summary.net and not control[0] <= summary.net.value <= control[1]
        ),
    )


def test_bars_start_at_zero_and_carry_their_intervals():
    chart = charts.net_chart(
        [_cell("Web", {7: 3, 6: 1}), _cell("Mesón", {1: 3, 7: 1}), _cell("Tel", {7: 1}, False)]
    )

    assert chart is not None
    web, counter = chart.bars  # the hidden cell is not drawn
    assert chart.zero == pytest.approx(65.0)  # 36 % + 58 % × (0 + 100) / 200
    assert (web.left, web.width) == (pytest.approx(65.0), pytest.approx(29.0))  # +100 points
    assert counter.negative
    assert counter.left + counter.width == pytest.approx(chart.zero)  # −50 ends at zero
    assert counter.whisker_left < counter.left + 0.01 < counter.whisker_right
    assert (web.y, counter.y) == (0, charts.ROW)
    assert charts.net_chart([_cell("Tel", {7: 1}, False)]) is None


def test_the_trend_marks_months_outside_their_control_limits():
    months = [
        _cell("2026-01", {7: 5, 1: 5}, control=(-40.0, 40.0)),
        _cell("2026-02", {7: 10}, control=(-40.0, 40.0)),
        _cell("2026-03", {6: 5, 4: 5}, control=(-40.0, 40.0)),
    ]

    chart = charts.trend_chart(months)

    assert chart is not None
    assert [p.out_of_control for p in chart.points] == [False, True, False]
    assert [p.x for p in chart.points] == [8.0, 52.0, 96.0]
    assert chart.points[1].y == charts.TREND_TOP  # +100 at the top
    assert len(chart.segments) == 2
    assert charts.trend_chart(months[:1]) is None  # one month is not a trend


def test_the_importance_map_shades_the_improve_first_quarter():
    table = SimpleNamespace(
        drivers=[
            SimpleNamespace(
                question=SimpleNamespace(text="Espera"),
                share=60.0,
                performance=40.0,
                quadrant="improve_first",
            ),
            SimpleNamespace(
                question=SimpleNamespace(text="Trato"),
                share=40.0,
                performance=80.0,
                quadrant="possible_overkill",
            ),
        ]
    )

    chart = charts.importance_map(table)

    assert chart is not None
    waiting, courtesy = chart.dots
    assert waiting.improve_first
    assert waiting.x > chart.cross_x  # more important than average
    assert waiting.y > chart.cross_y  # lower on the chart: less satisfied than average
    assert courtesy.x < chart.cross_x
    assert chart.cross_x + chart.focus_width == pytest.approx(96.0)
    assert charts.importance_map(None) is None
