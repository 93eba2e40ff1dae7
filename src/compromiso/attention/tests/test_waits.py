"""Estimated waits, checked by hand: people ahead + 1, times the average service, over the
desks open."""

import datetime as dt

from django.utils import timezone

from compromiso.attention import services, waits
from compromiso.attention.models import Outcome
from compromiso.core.actors import PUBLIC


def _served(queue, desk, officer, start, minutes):
    visit = services.issue_ticket(queue, by=PUBLIC, at=start)
    services.call(visit, desk=desk, by=officer, at=start)
    services.start(visit, by=officer, at=start)
    services.finish(
        visit, outcome=Outcome.RESOLVED, by=officer, at=start + dt.timedelta(minutes=minutes)
    )


def test_no_history_or_no_desk_means_no_estimate(office, general_queue, desk_one, officer):
    services.issue_ticket(general_queue, by=PUBLIC)
    estimate = waits.branch_estimates(office)[general_queue.pk]
    assert estimate.waiting == 1
    assert estimate.minutes is None


def test_the_estimate_is_position_times_average_over_open_desks(
    office, general_queue, desk_one, desk_two, officer, quality_manager
):
    now = timezone.now()
    for n, length in enumerate([4, 6, 8, 10, 12]):  # average 8 minutes, within two hours
        _served(general_queue, desk_one, officer, now - dt.timedelta(minutes=90 - 15 * n), length)
    services.sit_at(desk_one, by=officer)
    services.sit_at(desk_two, by=quality_manager)
    first = services.issue_ticket(general_queue, by=PUBLIC)
    second = services.issue_ticket(general_queue, by=PUBLIC)
    third = services.issue_ticket(general_queue, by=PUBLIC)

    estimate = waits.branch_estimates(office, now=now)[general_queue.pk]
    assert estimate.waiting == 3
    assert estimate.desks_open == 2
    assert estimate.service_minutes == 8
    assert estimate.minutes == 16  # (3 + 1) × 8 / 2
    assert waits.visit_estimate(first, now=now).minutes == 4  # (0 + 1) × 8 / 2
    assert waits.visit_estimate(third, now=now).minutes == 12  # (2 + 1) × 8 / 2
    assert waits.ahead_of(second) == 1
