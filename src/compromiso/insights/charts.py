"""Geometry for every chart of the product, drawn as SVG by the templates (no script, allowed by
the strict content security policy; the same drawing goes into PDFs): net scores with their
95 % intervals, the monthly trend inside its control limits, the importance–performance map, and
horizontal bars with one or two series (two bar series, or bars and a percentage line such as a
Pareto's cumulative %). Positions are percentages of the chart's width (x) and pixels of its
height (y); every chart sits next to the table with its figures, one column per series. Plain
values in and out: no import of ours, so any app may use it."""

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

# Net-score bars: labels take the left 35 % of the width, the scale −100…100 the rest.
PLOT_LEFT, PLOT_WIDTH = 36.0, 58.0
ROW = 26
TREND_HEIGHT, TREND_TOP, TREND_PLOT = 190, 12, 150
IPA_HEIGHT, IPA_TOP, IPA_PLOT = 260, 12, 220


def _x(value: float) -> float:
    """A net score (−100…100) as a percentage of the chart's width."""
    clamped = max(-100.0, min(100.0, value))
    return round(PLOT_LEFT + PLOT_WIDTH * (clamped + 100) / 200, 2)


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    low: float
    high: float
    n: int
    y: int
    left: float
    width: float
    whisker_left: float
    whisker_right: float
    negative: bool


@dataclass(frozen=True)
class NetChart:
    bars: list[Bar]
    height: int
    zero: float
    ticks: list[tuple[float, int]]


def net_chart(cells: Sequence[Any]) -> NetChart | None:
    """One bar per shown cell (figures.Cell), from 0 to its net score, with its interval."""
    bars: list[Bar] = []
    for cell in cells:
        net = cell.summary.net
        if not cell.shown or net is None:
            continue
        zero, value = _x(0), _x(net.value)
        bars.append(
            Bar(
                label=cell.label,
                value=net.value,
                low=net.low,
                high=net.high,
                n=cell.summary.n,
                y=len(bars) * ROW,
                left=min(zero, value),
                width=round(abs(value - zero), 2),
                whisker_left=_x(net.low),
                whisker_right=_x(net.high),
                negative=net.value < 0,
            )
        )
    if not bars:
        return None
    return NetChart(
        bars=bars,
        height=len(bars) * ROW + 22,
        zero=_x(0),
        ticks=[(_x(t), t) for t in (-100, -50, 0, 50, 100)],
    )


def _y(value: float, top: int, plot: int, low: float = -100.0, high: float = 100.0) -> float:
    clamped = max(low, min(high, value))
    return round(top + plot * (high - clamped) / (high - low), 1)


@dataclass(frozen=True)
class Point:
    label: str
    value: float
    x: float
    y: float
    limit_top: float | None
    limit_bottom: float | None
    out_of_control: bool


@dataclass(frozen=True)
class TrendChart:
    points: list[Point]
    segments: list[tuple[Point, Point]]
    height: int
    grid: list[tuple[float, int]]


def trend_chart(months: Sequence[Any]) -> TrendChart | None:
    """The monthly net scores (shown months only) joined by a line, each with its 3-sigma
    control limits as a vertical band; months outside them are marked."""
    shown = [m for m in months if m.shown and m.summary.net is not None]
    if len(shown) < 2:
        return None
    step = 88.0 / (len(shown) - 1)
    points = []
    for i, month in enumerate(shown):
        control = month.control
        points.append(
            Point(
                label=month.label,
                value=month.summary.net.value,
                x=round(8 + i * step, 2),
                y=_y(month.summary.net.value, TREND_TOP, TREND_PLOT),
                limit_top=_y(control[1], TREND_TOP, TREND_PLOT) if control else None,
                limit_bottom=_y(control[0], TREND_TOP, TREND_PLOT) if control else None,
                out_of_control=month.out_of_control,
            )
        )
    return TrendChart(
        points=points,
        segments=list(itertools.pairwise(points)),
        height=TREND_HEIGHT,
        grid=[(_y(v, TREND_TOP, TREND_PLOT), v) for v in (100, 50, 0, -50, -100)],
    )


@dataclass(frozen=True)
class Dot:
    label: str
    importance: float
    performance: float
    x: float
    y: float
    improve_first: bool

    @property
    def label_right(self) -> bool:
        """Labels of dots near the right edge go on their left, inside the chart."""
        return self.x > 70


@dataclass(frozen=True)
class ImportanceMap:
    dots: list[Dot]
    height: int
    cross_x: float
    cross_y: float
    top: int
    bottom: int

    @property
    def focus_width(self) -> float:
        """The improve-first quarter: right of the mean importance…"""
        return round(96 - self.cross_x, 2)

    @property
    def focus_height(self) -> float:
        """…and below the mean satisfaction."""
        return round(self.bottom - self.cross_y, 1)


def importance_map(table: Any) -> ImportanceMap | None:
    """Importance (share of explained variance) across, % satisfied up, cross-hairs at the
    means: the bottom-right quarter (important, below-average satisfaction) is where to improve
    first (figures.DriverTable)."""
    if table is None or not table.drivers:
        return None
    most: float = max(max(float(d.share) for d in table.drivers), 1.0) * 1.1

    def x(share: float) -> float:
        return round(8 + 86 * share / most, 2)

    mean_share = sum(d.share for d in table.drivers) / len(table.drivers)
    mean_performance = sum(d.performance for d in table.drivers) / len(table.drivers)
    return ImportanceMap(
        dots=[
            Dot(
                label=d.question.text,
                importance=d.share,
                performance=d.performance,
                x=x(d.share),
                y=_y(d.performance, IPA_TOP, IPA_PLOT, 0.0, 100.0),
                improve_first=d.quadrant == "improve_first",
            )
            for d in table.drivers
        ],
        height=IPA_HEIGHT,
        cross_x=x(mean_share),
        cross_y=_y(mean_performance, IPA_TOP, IPA_PLOT, 0.0, 100.0),
        top=IPA_TOP,
        bottom=IPA_TOP + IPA_PLOT,
    )


# Series charts: labels take the left 39 %, the plot 40–85 %, the bars' values follow at 87 %.
SERIES_LEFT, SERIES_WIDTH, SERIES_VALUE = 40.0, 45.0, 87.0
SERIES_BAR, SERIES_GAP = 14, 8


@dataclass(frozen=True)
class Series:
    """One series of a chart: a name for the legend and the table's column, a value per row,
    drawn as bars or as a line on a 0–100 % scale."""

    name: str
    values: Sequence[float]
    kind: str = "bar"  # "bar" or "line"


@dataclass(frozen=True)
class SeriesBar:
    css: str
    value: float
    y: int
    width: float
    value_x: float = SERIES_VALUE


@dataclass(frozen=True)
class SeriesPoint:
    value: float
    x: float
    y: int


@dataclass(frozen=True)
class SeriesRow:
    label: str
    y: int
    label_y: int
    values: list[float]
    bars: list[SeriesBar]


BAR_CSS = ("chart-bar", "chart-bar-second")


@dataclass(frozen=True)
class Key:
    """A legend entry: the series' name and how it is drawn."""

    name: str
    css: str
    line: bool


@dataclass(frozen=True)
class SeriesChart:
    series: list[Series]
    keys: list[Key]
    rows: list[SeriesRow]
    points: list[SeriesPoint]
    segments: list[tuple[SeriesPoint, SeriesPoint]]
    height: int
    left: float = SERIES_LEFT

    @property
    def legend(self) -> bool:
        return len(self.series) > 1

    @property
    def line(self) -> Series | None:
        return next((s for s in self.series if s.kind == "line"), None)


def series_chart(labels: Sequence[str], series: Sequence[Series]) -> SeriesChart | None:
    """Horizontal bars, one row per label: each bar series gets its own bar in the row (on a
    common scale from 0 to the largest bar), a line series is drawn across the rows on a
    0–100 % scale."""
    if not labels or not series:
        return None
    bars = [(i, s) for i, s in enumerate(series) if s.kind == "bar"]
    line = next((s for s in series if s.kind == "line"), None)
    top = max((float(v) for _i, s in bars for v in s.values), default=0.0) or 1.0
    row_height = max(len(bars), 1) * SERIES_BAR + SERIES_GAP
    rows: list[SeriesRow] = []
    points: list[SeriesPoint] = []
    for r, label in enumerate(labels):
        y = r * row_height
        rows.append(
            SeriesRow(
                label=label,
                y=y,
                label_y=y + row_height // 2 + 2,
                values=[s.values[r] for s in series],
                bars=[
                    SeriesBar(
                        css=BAR_CSS[b % len(BAR_CSS)],
                        value=s.values[r],
                        y=y + SERIES_GAP // 2 + b * SERIES_BAR,
                        width=round(SERIES_WIDTH * max(float(s.values[r]), 0.0) / top, 2),
                    )
                    for b, (_i, s) in enumerate(bars)
                ],
            )
        )
        if line is not None:
            share = max(0.0, min(100.0, float(line.values[r])))
            points.append(
                SeriesPoint(
                    value=line.values[r],
                    x=round(SERIES_LEFT + SERIES_WIDTH * share / 100, 2),
                    y=y + row_height // 2,
                )
            )
    keys, drawn = [], 0
    for s in series:
        if s.kind == "line":
            keys.append(Key(s.name, "chart-line", True))
        else:
            keys.append(Key(s.name, BAR_CSS[drawn % len(BAR_CSS)], False))
            drawn += 1
    return SeriesChart(
        series=list(series),
        keys=keys,
        rows=rows,
        points=points,
        segments=list(itertools.pairwise(points)),
        height=len(labels) * row_height,
    )
