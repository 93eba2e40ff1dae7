"""The quality project's timeline, as geometry for a server-side SVG (drawn by
`servicemodel/project/_timeline.html`, beside a table with the same dates): one row per
milestone (its planned day, the day it was done, the slip between them, late ones marked), one
row of dots for the communication plan, month ticks and a line for today (the organisation's
date). x is a percentage of the chart's width, y pixels from the top. Plain values in and out:
no database."""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

PLOT_LEFT, PLOT_WIDTH = 30.0, 68.0  # labels take the left 30 % of the width
TOP = 22  # room for the month ticks
ROW = 22
BOTTOM = 8


@dataclass(frozen=True)
class MilestoneIn:
    label: str
    planned_on: dt.date
    done_on: dt.date | None


@dataclass(frozen=True)
class MessageIn:
    label: str
    on: dt.date
    status: str  # planned, sent, cancelled


@dataclass(frozen=True)
class MilestoneRow:
    label: str
    y: int
    planned_x: float
    done_x: float | None
    slip_left: float | None  # the bar from the planned day to the day done (or today, if late)
    slip_width: float | None
    late: bool
    done: bool


@dataclass(frozen=True)
class MessageDot:
    label: str
    x: float
    status: str
    late: bool


@dataclass(frozen=True)
class Timeline:
    first: dt.date
    last: dt.date
    rows: list[MilestoneRow]
    messages_y: int
    messages: list[MessageDot]
    ticks: list[tuple[float, dt.date]]
    today_x: float | None
    height: int
    start_x: float
    end_x: float


def _months(first: dt.date, last: dt.date) -> list[dt.date]:
    day = dt.date(first.year, first.month, 1)
    if day < first:
        day = dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
    months = []
    while day <= last:
        months.append(day)
        day = dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return months


def timeline(
    *,
    starts_on: dt.date,
    ends_on: dt.date,
    today: dt.date,
    milestones: Sequence[MilestoneIn],
    messages: Sequence[MessageIn],
) -> Timeline:
    """Place the project from its first to its last day (widened to any milestone or message
    outside them); today's line only when today falls inside."""
    dates = [starts_on, ends_on]
    dates += [m.planned_on for m in milestones] + [m.done_on for m in milestones if m.done_on]
    dates += [m.on for m in messages]
    first, last = min(dates), max(dates)
    span = max((last - first).days, 1)

    def x(day: dt.date) -> float:
        return round(PLOT_LEFT + PLOT_WIDTH * (day - first).days / span, 2)

    rows = []
    for n, milestone in enumerate(milestones):
        late = milestone.done_on is None and milestone.planned_on < today
        end = milestone.done_on if milestone.done_on else (today if late else None)
        slip_left = slip_width = None
        if end is not None and end != milestone.planned_on:
            left, right = sorted((x(milestone.planned_on), x(end)))
            slip_left, slip_width = left, round(right - left, 2)
        rows.append(
            MilestoneRow(
                label=milestone.label,
                y=TOP + n * ROW + ROW // 2,
                planned_x=x(milestone.planned_on),
                done_x=x(milestone.done_on) if milestone.done_on else None,
                slip_left=slip_left,
                slip_width=slip_width,
                late=late,
                done=milestone.done_on is not None,
            )
        )
    messages_y = TOP + len(milestones) * ROW + ROW // 2
    dots = [
        MessageDot(
            label=m.label,
            x=x(m.on),
            status=m.status,
            late=m.status == "planned" and m.on < today,
        )
        for m in messages
    ]
    months = _months(first, last)
    step = 1 if len(months) <= 12 else 3 if len(months) <= 36 else 12
    ticks = [(x(month), month) for month in months if (month.month - 1) % step == 0]
    return Timeline(
        first=first,
        last=last,
        rows=rows,
        messages_y=messages_y,
        messages=dots,
        ticks=ticks,
        today_x=x(today) if first <= today <= last else None,
        height=TOP + (len(milestones) + 1) * ROW + BOTTOM,
        start_x=x(starts_on),
        end_x=x(ends_on),
    )
