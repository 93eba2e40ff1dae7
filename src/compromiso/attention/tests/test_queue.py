"""Every step of a ticket's life, and the times the events leave behind."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied

from compromiso.attention import services
from compromiso.attention.models import (
    EventKind,
    Outcome,
    PriorityGroup,
    Rank,
    Transaction,
    VisitEvent,
    VisitSource,
    VisitState,
)
from compromiso.core.actors import PUBLIC
from compromiso.core.errors import DomainError

SANTIAGO = ZoneInfo("America/Santiago")
MONDAY = dt.datetime(2026, 11, 2, 9, 0, tzinfo=SANTIAGO)


def minutes(n):
    return MONDAY + dt.timedelta(minutes=n)


def test_tickets_are_numbered_per_queue_and_day(general_queue, quick_queue):
    first = services.issue_ticket(general_queue, by=PUBLIC, at=minutes(0))
    second = services.issue_ticket(general_queue, by=PUBLIC, at=minutes(1))
    quick = services.issue_ticket(quick_queue, by=PUBLIC, at=minutes(2))
    tomorrow = services.issue_ticket(general_queue, by=PUBLIC, at=minutes(24 * 60))

    assert [first.number, second.number, quick.number] == ["A001", "A002", "B001"]
    assert tomorrow.number == "A001"
    assert first.day == dt.date(2026, 11, 2)
    assert first.state == VisitState.WAITING
    assert first.events.get().kind == EventKind.ISSUED


def test_the_day_is_the_branch_s_local_day(general_queue):
    """23:30 in Santiago is already the next day in UTC: the ticket belongs to the local day."""
    late = dt.datetime(2026, 11, 2, 23, 30, tzinfo=SANTIAGO)
    visit = services.issue_ticket(general_queue, by=PUBLIC, at=late)
    assert visit.day == dt.date(2026, 11, 2)


def test_call_next_takes_appointments_then_priority_then_arrival(general_queue, desk_one, officer):
    regular = services.issue_ticket(general_queue, by=PUBLIC, at=minutes(0))
    older = services.issue_ticket(
        general_queue, by=PUBLIC, priority_group=PriorityGroup.OLDER, at=minutes(5)
    )
    booked = services.issue_ticket(
        general_queue,
        by=officer,
        source=VisitSource.APPOINTMENT,
        rank=Rank.APPOINTMENT,
        at=minutes(10),
    )

    order = [services.call_next(desk_one, by=officer, at=minutes(20)) for _ in range(3)]
    assert [v.pk for v in order] == [booked.pk, older.pk, regular.pk]
    assert services.call_next(desk_one, by=officer) is None


def test_a_full_visit_leaves_its_times_in_the_transaction(general_queue, desk_one, officer):
    visit = services.issue_ticket(general_queue, by=PUBLIC, at=minutes(0))
    services.call(visit, desk=desk_one, by=officer, at=minutes(12))
    services.recall(visit, by=officer, at=minutes(13))
    services.start(visit, by=officer, at=minutes(14))
    services.hold(visit, by=officer, at=minutes(16))
    services.resume(visit, by=officer, at=minutes(20))
    visit = services.finish(visit, outcome=Outcome.RESOLVED, by=officer, at=minutes(25))

    step = Transaction.objects.get(visit=visit)
    assert step.called_at == minutes(12)
    assert step.started_at == minutes(14)
    assert step.ended_at == minutes(25)
    assert step.hold_seconds == 4 * 60
    assert step.calls == 2
    assert step.served_by == officer
    assert step.outcome == Outcome.RESOLVED
    assert visit.state == VisitState.FINISHED
    assert visit.finished_at == minutes(25)
    kinds = list(VisitEvent.objects.filter(visit=visit).values_list("kind", flat=True))
    assert kinds == ["issued", "called", "recalled", "started", "held", "resumed", "finished"]


def test_transfer_opens_a_second_transaction_and_keeps_the_place(
    general_queue, quick_queue, desk_one, desk_two, officer
):
    early = services.issue_ticket(general_queue, by=PUBLIC, at=minutes(0))
    services.issue_ticket(quick_queue, by=PUBLIC, at=minutes(3))
    services.call(early, desk=desk_two, by=officer, at=minutes(5))
    services.start(early, by=officer, at=minutes(6))
    services.transfer(early, to_queue=quick_queue, by=officer, at=minutes(10))

    steps = list(Transaction.objects.filter(visit=early).order_by("pk"))
    assert [s.outcome for s in steps] == [Outcome.TRANSFERRED, ""]
    assert steps[1].queued_at == minutes(10)
    # It arrived before B001, so it is called first in B.
    assert services.call_next(desk_one, by=officer, at=minutes(11)).pk == early.pk


def test_a_second_service_keeps_the_visit_open(general_queue, quick_queue, desk_one, officer):
    visit = services.issue_ticket(general_queue, by=PUBLIC, at=minutes(0))
    services.call(visit, desk=desk_one, by=officer, at=minutes(1))
    services.start(visit, by=officer, at=minutes(2))
    visit = services.finish(
        visit, outcome=Outcome.RESOLVED, next_queue=quick_queue, by=officer, at=minutes(8)
    )
    assert visit.state == VisitState.WAITING
    assert visit.queue == quick_queue
    assert visit.transactions.count() == 2


def test_no_show_after_the_branch_s_number_of_calls(general_queue, desk_one, officer, office):
    visit = services.issue_ticket(general_queue, by=PUBLIC, at=minutes(0))
    services.call(visit, desk=desk_one, by=officer, at=minutes(1))
    for n in range(office.no_show_after_calls - 1):
        services.recall(visit, by=officer, at=minutes(2 + n))
    with pytest.raises(DomainError) as refused:
        services.recall(visit, by=officer, at=minutes(9))
    assert refused.value.code == "call_limit"
    visit = services.no_show(visit, by=officer, at=minutes(10))
    assert visit.state == VisitState.NO_SHOW
    assert visit.transactions.get().outcome == Outcome.NO_SHOW


def test_a_visitor_may_leave_while_waiting(general_queue):
    visit = services.issue_ticket(general_queue, by=PUBLIC, at=minutes(0))
    visit = services.left(visit, by=PUBLIC, at=minutes(30))
    assert visit.state == VisitState.LEFT
    assert visit.transactions.get().outcome == Outcome.LEFT


@pytest.mark.parametrize(
    "step",
    [
        lambda v, d, u: services.start(v, by=u),
        lambda v, d, u: services.hold(v, by=u),
        lambda v, d, u: services.no_show(v, by=u),
        lambda v, d, u: services.finish(v, outcome=Outcome.RESOLVED, by=u),
    ],
)
def test_steps_out_of_order_are_refused(general_queue, desk_one, officer, step):
    visit = services.issue_ticket(general_queue, by=PUBLIC)
    with pytest.raises(DomainError):
        step(visit, desk_one, officer)


def test_desk_steps_need_the_permission_at_the_branch(general_queue, desk_one, viewer, outsider):
    visit = services.issue_ticket(general_queue, by=PUBLIC)
    for person in (viewer, outsider):
        with pytest.raises(PermissionDenied):
            services.call(visit, desk=desk_one, by=person)
        with pytest.raises(PermissionDenied):
            services.issue_ticket(general_queue, by=person, source=VisitSource.RECEPTION)


def test_each_step_moves_the_branch_version_once_committed(
    general_queue, desk_one, officer, office, django_capture_on_commit_callbacks
):
    before = office.version
    with django_capture_on_commit_callbacks() as bumps:
        visit = services.issue_ticket(general_queue, by=PUBLIC)
        services.call(visit, desk=desk_one, by=officer)
    office.refresh_from_db()
    assert office.version == before  # nothing yet: a display must not look before the commit
    for bump in bumps:
        bump()
    office.refresh_from_db()
    assert office.version == before + 2


def test_one_person_one_desk(desk_one, desk_two, officer, quality_manager):
    services.sit_at(desk_one, by=officer)
    with pytest.raises(DomainError):
        services.sit_at(desk_one, by=quality_manager)
    services.sit_at(desk_two, by=officer)  # moving leaves the first desk
    services.sit_at(desk_one, by=quality_manager)


def test_numbers_continue_after_tickets_made_without_the_counter(general_queue):
    """An import (or the demo) writes visits without moving the counter: the next ticket
    notices the number is taken and continues after the day's highest."""
    first = services.issue_ticket(general_queue, by=PUBLIC, at=minutes(0))
    general_queue.refresh_from_db()
    type(general_queue).objects.filter(pk=general_queue.pk).update(last_number=0)
    second = services.issue_ticket(general_queue, by=PUBLIC, at=minutes(1))
    third = services.issue_ticket(general_queue, by=PUBLIC, at=minutes(2))
    assert [first.number, second.number, third.number] == ["A001", "A002", "A003"]
