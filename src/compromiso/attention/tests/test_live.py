"""What the display and the board show, checked against a day of visits worked out by hand
(Santiago time): last calls newest first, who waits, estimated waits, staff at desks, and the
service level so far, including a visit issued before midnight and called after it."""

import datetime as dt
import zoneinfo

import pytest

from compromiso.attention import live, services
from compromiso.attention.models import Outcome
from compromiso.core.actors import PUBLIC

SANTIAGO = zoneinfo.ZoneInfo("America/Santiago")
DAY = dt.date(2026, 3, 10)
NOON = dt.datetime.combine(DAY, dt.time(12, 0), tzinfo=SANTIAGO)


def at(hour, minute, *, day=DAY):
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SANTIAGO)


def served(queue, desk, by, issued, called, ended):
    visit = services.issue_ticket(queue, by=PUBLIC, at=issued)
    services.call(visit, desk=desk, by=by, at=called)
    services.start(visit, by=by, at=called)
    services.finish(visit, outcome=Outcome.RESOLVED, by=by, at=ended)
    return visit


@pytest.fixture
def day(office, general_queue, quick_queue, desk_one, desk_two, officer, quality_manager):
    """The day of the module's docstring: every time below is Santiago time."""
    quick_queue.target_wait_minutes = 5
    quick_queue.save()
    yesterday = DAY - dt.timedelta(days=1)
    one, two = desk_one, desk_two
    v = {}
    v["Y"] = served(
        general_queue,
        one,
        officer,
        at(23, 30, day=yesterday),
        at(23, 40, day=yesterday),
        at(23, 50, day=yesterday),
    )
    v["M"] = served(general_queue, one, officer, at(23, 55, day=yesterday), at(0, 5), at(0, 15))
    services.sit_at(one, by=officer, at=at(8, 0))
    services.sit_at(two, by=quality_manager, at=at(8, 0))
    t = services.issue_ticket(general_queue, by=PUBLIC, at=at(9, 0))
    services.call(t, desk=two, by=quality_manager, at=at(9, 5))
    services.start(t, by=quality_manager, at=at(9, 5))
    services.transfer(t, to_queue=quick_queue, by=quality_manager, at=at(9, 10))
    services.call(t, desk=one, by=officer, at=at(9, 30))
    services.start(t, by=officer, at=at(9, 30))
    services.finish(t, outcome=Outcome.RESOLVED, by=officer, at=at(9, 36))
    v["T"] = t
    v["A1"] = served(general_queue, one, officer, at(10, 0), at(10, 10), at(10, 20))
    v["A3"] = services.issue_ticket(general_queue, by=PUBLIC, at=at(10, 20))
    v["A2"] = served(general_queue, two, quality_manager, at(10, 5), at(10, 40), at(10, 52))
    b = services.issue_ticket(quick_queue, by=PUBLIC, at=at(10, 50))
    services.call(b, desk=one, by=officer, at=at(11, 0))
    services.recall(b, by=officer, at=at(11, 2))
    v["B"] = b
    n = services.issue_ticket(quick_queue, by=PUBLIC, at=at(11, 10))
    services.call(n, desk=two, by=quality_manager, at=at(11, 20))
    services.no_show(n, by=quality_manager, at=at(11, 25))
    v["N"] = n
    v["A4"] = services.issue_ticket(general_queue, by=PUBLIC, at=at(11, 30))
    gone = services.issue_ticket(general_queue, by=PUBLIC, at=at(11, 40))
    services.left(gone, by=officer, at=at(11, 45))
    office.refresh_from_db()
    return v


def test_the_display_shows_the_last_calls_newest_first_and_the_waits(
    day, office, general_queue, quick_queue, django_capture_on_commit_callbacks
):
    assert office.version == 0  # bumped after each step's commit; the test never commits
    with django_capture_on_commit_callbacks(execute=True):
        services.bump(office.pk)
    branch = live.load_branch(pk=office.pk)
    state = live.branch_state(branch, now=NOON)

    assert state["branch"] == "Oficina Arica"
    assert state["clock"] == "12:00"
    assert state["version"] == branch.version > 0
    calls = [(c["number"], c["desk"], c["clock"], c["again"]) for c in state["calls"]]
    assert calls == [
        (day["N"].number, "Módulo 2", "11:20", False),
        (day["B"].number, "Módulo 1", "11:02", True),
        (day["B"].number, "Módulo 1", "11:00", False),
        (day["A2"].number, "Módulo 2", "10:40", False),
        (day["A1"].number, "Módulo 1", "10:10", False),
        (day["T"].number, "Módulo 1", "09:30", False),
        (day["T"].number, "Módulo 2", "09:05", False),
        (day["M"].number, "Módulo 1", "00:05", False),  # called today, issued yesterday
    ]  # yesterday's 23:40 call is not shown
    # A: waiting A3 and A4; the last two hours hold only two services, so the 30 days count:
    # 10 (Y), 10 (M), 5 (T before its transfer), 10 (A1), 12 (A2) → 9.4 min; desks 1 and 2
    # are open for A: ceil((2 + 1) × 9.4 / 2) = 15. B: nobody waits; T's 6 min, desk 1 only.
    assert state["queues"] == [
        {
            "id": general_queue.pk,
            "letter": "A",
            "name": "Atención general",
            "waiting": 2,
            "minutes": 15,
        },
        {
            "id": quick_queue.pk,
            "letter": "B",
            "name": "Trámites rápidos",
            "waiting": 0,
            "minutes": 6,
        },
    ]
    assert "desks" not in state  # staff names stay off the display
    assert "today" not in state


def test_the_board_adds_holds_longest_waits_desks_and_the_service_level(
    day, office, officer, quality_manager
):
    state = live.branch_state(live.load_branch(pk=office.pk), staff=True, now=NOON)

    general, quick = state["queues"]
    assert (general["on_hold"], general["longest"], general["desks_open"]) == (0, 100, 2)
    assert (quick["on_hold"], quick["longest"], quick["desks_open"]) == (0, None, 1)
    assert state["desks"] == [
        {
            "desk": "Módulo 1",
            "user": officer.get_full_name() or officer.username,
            "since": "08:00",
            "serving": {"number": day["B"].number, "state": "called", "minutes": 60},
        },
        {
            "desk": "Módulo 2",
            "user": quality_manager.get_full_name() or quality_manager.username,
            "since": "08:00",
            "serving": None,
        },
    ]
    # First calls today and their waits: M 10 (issued 23:55 yesterday) ✓, T 5 ✓ (its second
    # transaction does not count), A1 10 ✓, A2 35 ✗, B 10 ✗ (quick queue: 5 min), N 10 ✗.
    assert state["today"] == {
        "called": 6,
        "within": 3,
        "percent": 50.0,
        "left": 1,
        "no_shows": 1,
    }


def test_a_hold_counts_on_the_board(day, office, general_queue, desk_two, quality_manager):
    visit = day["A3"]
    services.call(visit, desk=desk_two, by=quality_manager, at=at(11, 50))
    services.start(visit, by=quality_manager, at=at(11, 51))
    services.hold(visit, by=quality_manager, at=at(11, 55))
    state = live.branch_state(live.load_branch(pk=office.pk), staff=True, now=NOON)
    general = state["queues"][0]
    assert (general["waiting"], general["on_hold"], general["longest"]) == (1, 1, 30)  # A4 11:30


def test_an_empty_day_has_no_service_level(office, general_queue):
    state = live.branch_state(live.load_branch(pk=office.pk), staff=True, now=NOON)
    assert state["calls"] == []
    assert state["today"] == {"called": 0, "within": 0, "percent": None, "left": 0, "no_shows": 0}


def test_the_state_costs_a_fixed_number_of_queries(
    day, office, general_queue, desk_one, officer, django_assert_max_num_queries
):
    for hour in range(8):
        services.issue_ticket(general_queue, by=PUBLIC, at=at(11, 50 + hour))
    branch = live.load_branch(pk=office.pk)
    with django_assert_max_num_queries(8):
        live.branch_state(branch, now=NOON)
    with django_assert_max_num_queries(13):
        live.branch_state(branch, staff=True, now=NOON)
