"""The timeline's geometry, against positions worked out by hand.

The plot runs from 30 % to 98 % of the width (68 points). A project from 1 January to 31
December 2026 spans 364 days, so a day d days after the start sits at 30 + 68·d/364."""

import datetime as dt

from compromiso.servicemodel.timeline import MessageIn, MilestoneIn, timeline

JAN1, DEC31 = dt.date(2026, 1, 1), dt.date(2026, 12, 31)


def _chart(milestones=(), messages=(), today=dt.date(2026, 7, 2), **dates):
    return timeline(
        starts_on=dates.get("starts_on", JAN1),
        ends_on=dates.get("ends_on", DEC31),
        today=today,
        milestones=list(milestones),
        messages=list(messages),
    )


def test_an_empty_project_spans_its_dates_with_todays_line_in_the_middle():
    chart = _chart()

    assert (chart.start_x, chart.end_x) == (30.0, 98.0)
    assert chart.today_x == 64.0  # 2 July is day 182: 30 + 68 · 182/364
    assert chart.rows == []
    assert chart.messages == []
    assert chart.height == 22 + 22 + 8  # ticks, the messages' row, bottom margin
    assert [month for _x, month in chart.ticks][:2] == [JAN1, dt.date(2026, 2, 1)]
    assert len(chart.ticks) == 12
    assert chart.ticks[1][0] == round(30 + 68 * 31 / 364, 2)  # 1 February, day 31


def test_a_milestone_done_late_has_a_slip_bar_from_planned_to_done():
    done = MilestoneIn("Diseño", planned_on=dt.date(2026, 4, 2), done_on=dt.date(2026, 7, 2))

    row = _chart([done]).rows[0]

    assert row.planned_x == round(30 + 68 * 91 / 364, 2) == 47.0
    assert row.done_x == 64.0
    assert (row.slip_left, row.slip_width) == (47.0, 17.0)
    assert row.done
    assert not row.late
    assert row.y == 22 + 11


def test_a_pending_milestone_in_the_past_is_late_and_slips_up_to_today():
    late = MilestoneIn("Norte", planned_on=dt.date(2026, 4, 2), done_on=None)
    ahead = MilestoneIn("Sur", planned_on=dt.date(2026, 10, 1), done_on=None)
    on_time = MilestoneIn("Centro", planned_on=dt.date(2026, 7, 2), done_on=None)

    rows = _chart([late, ahead, on_time]).rows

    assert rows[0].late
    assert (rows[0].slip_left, rows[0].slip_width) == (47.0, 17.0)
    assert not rows[1].late
    assert rows[1].slip_width is None
    assert not rows[2].late  # planned for today: not late yet
    assert [r.y for r in rows] == [33, 55, 77]


def test_messages_are_dots_on_their_dates_late_ones_marked():
    sent = MessageIn("Lanzamiento", dt.date(2026, 1, 1), "sent")
    overdue = MessageIn("Afiches", dt.date(2026, 4, 2), "planned")
    coming = MessageIn("Web", dt.date(2026, 12, 31), "planned")

    chart = _chart(messages=[sent, overdue, coming])

    assert [(d.x, d.late) for d in chart.messages] == [(30.0, False), (47.0, True), (98.0, False)]
    assert chart.messages_y == 22 + 11


def test_dates_outside_the_project_widen_the_span_and_today_outside_hides_its_line():
    early = MessageIn("Aviso previo", dt.date(2025, 12, 1), "sent")

    chart = _chart(messages=[early], today=dt.date(2027, 3, 1))

    assert chart.first == dt.date(2025, 12, 1)
    assert chart.messages[0].x == 30.0
    assert chart.start_x == round(30 + 68 * 31 / 395, 2)
    assert chart.end_x == 98.0
    assert chart.today_x is None


def test_a_one_day_project_does_not_divide_by_zero():
    chart = _chart(starts_on=JAN1, ends_on=JAN1, today=JAN1)

    assert chart.start_x == chart.end_x == 30.0
    assert chart.today_x == 30.0


def test_a_long_project_ticks_every_quarter():
    chart = _chart(ends_on=dt.date(2027, 6, 30))

    assert [month.month for _x, month in chart.ticks] == [1, 4, 7, 10, 1, 4]
