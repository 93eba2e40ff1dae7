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


def test_a_series_chart_puts_two_bar_series_on_one_scale_and_names_them():
    chart = charts.series_chart(
        ["2026-03", "2026-04"],
        [charts.Series("Received", [10, 4]), charts.Series("Answered", [5, 4])],
    )

    assert chart is not None
    assert chart.legend
    assert [(k.name, k.css, k.line) for k in chart.keys] == [
        ("Received", "chart-bar", False),
        ("Answered", "chart-bar-second", False),
    ]
    first, second = chart.rows
    assert [bar.width for bar in first.bars] == [45.0, 22.5]  # the largest bar fills the plot
    assert [bar.width for bar in second.bars] == [18.0, 18.0]
    assert first.values == [10, 5]
    assert first.bars[0].y < first.bars[1].y < second.bars[0].y  # side by side within a row
    assert chart.height == 2 * (2 * charts.SERIES_BAR + charts.SERIES_GAP)


def test_a_pareto_draws_its_cumulative_percent_as_a_line_on_a_percent_scale():
    chart = charts.series_chart(
        ["Waiting", "Rudeness", "Other"],
        [
            charts.Series("Complaints", [6, 3, 1]),
            charts.Series("Cumulative %", [60.0, 90.0, 100.0], "line"),
        ],
    )

    assert chart is not None
    assert chart.line is not None
    assert [k.line for k in chart.keys] == [False, True]
    assert [p.x for p in chart.points] == [
        charts.SERIES_LEFT + charts.SERIES_WIDTH * share for share in (0.6, 0.9, 1.0)
    ]
    assert len(chart.segments) == 2
    assert [len(row.bars) for row in chart.rows] == [1, 1, 1]
    assert next(row.values for row in chart.rows) == [6, 60.0]


def test_a_single_series_chart_has_no_legend_and_no_rows_gives_no_chart():
    single = charts.series_chart(["a"], [charts.Series("Open cases", [0])])

    assert single is not None
    assert not single.legend
    assert single.rows[0].bars[0].width == 0
    assert charts.series_chart([], [charts.Series("Open cases", [])]) is None
