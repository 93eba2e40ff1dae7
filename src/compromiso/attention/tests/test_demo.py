"""The attention demo: a month of visits on business days only, a busy Monday, one branch that
breaches its 15-minute service level and one that keeps it, times in order, a live morning, the
institution's procedures served under the agreement, and loading twice changes nothing."""

import datetime as dt
from collections import Counter, defaultdict

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from compromiso.attention import demo
from compromiso.attention.demo.timeline import month_days
from compromiso.attention.demo.visits import live_morning
from compromiso.attention.models import (
    Appointment,
    AppointmentStatus,
    Branch,
    BranchProcedure,
    Contact,
    ContactInterval,
    Desk,
    DeskSession,
    EventKind,
    FrontOfficeAgreement,
    ImportJob,
    OpeningHours,
    Procedure,
    Queue,
    SlotPlan,
    Transaction,
    Visit,
    VisitEvent,
    VisitState,
)
from compromiso.attention.waits import branch_estimates
from compromiso.catalog import demo as catalog_demo
from compromiso.organizations import demo as organizations_demo
from compromiso.organizations.models import Membership, Organization

pytestmark = pytest.mark.django_db

MODELS = (
    Branch,
    OpeningHours,
    Queue,
    Desk,
    DeskSession,
    Procedure,
    BranchProcedure,
    FrontOfficeAgreement,
    SlotPlan,
    Appointment,
    Visit,
    Transaction,
    VisitEvent,
    ContactInterval,
    Contact,
    ImportJob,
    Organization,
    Membership,
)


def _load() -> dict:
    context = {"logins": [], "password_hash": "!", "case_count": 0}
    for module in (organizations_demo, catalog_demo, demo):
        module.load(context)
    return context


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    """The demo, built once for the module in a transaction rolled back at its end."""
    with django_db_blocker.unblock(), transaction.atomic():
        context = _load()
        yield context
        transaction.set_rollback(True)


def _counts() -> list[int]:
    return [model.objects.count() for model in MODELS]


def test_loading_twice_changes_no_count(loaded):
    before = _counts()

    again = _load()

    assert _counts() == before
    assert again["attention_branches"] == loaded["attention_branches"]


def test_each_chilean_branch_has_visits_on_every_business_day_and_none_on_other_days(loaded):
    chile = loaded["organizations"]["sntc"]
    days = month_days(chile)
    today = chile.today()
    calendar = chile.business_calendar()
    branches = loaded["attention_branches"]["sntc"].values()
    assert 3 <= len(branches) <= 5
    for branch in branches:
        visited = set(
            Visit.objects.filter(branch=branch).exclude(day=today).values_list("day", flat=True)
        )
        assert visited == set(days), branch
        assert all(calendar.is_business_day(day) for day in visited)
    holidays = [d for d in (today - dt.timedelta(days=n) for n in range(1, 31)) if d not in days]
    assert not Visit.objects.filter(organization=chile, day__in=holidays).exists()


def test_monday_is_the_busiest_weekday(loaded):
    chile = loaded["organizations"]["sntc"]
    today = chile.today()
    per_day = Counter(
        Visit.objects.filter(organization=chile).exclude(day=today).values_list("day", flat=True)
    )
    by_weekday: dict[int, list[int]] = defaultdict(list)
    for day, count in per_day.items():
        by_weekday[day.weekday()].append(count)
    averages = {weekday: sum(c) / len(c) for weekday, c in by_weekday.items()}

    assert max(averages, key=averages.__getitem__) == 0


def _share_within(branch: Branch, minutes: int) -> float:
    """Visitors called within `minutes` of their ticket, among those who were called."""
    waits = [
        (called - queued).total_seconds() / 60
        for queued, called in Transaction.objects.filter(
            pk__in=_first_steps(branch), called_at__isnull=False
        ).values_list("queued_at", "called_at")
    ]
    return sum(w <= minutes for w in waits) / len(waits)


def _first_steps(branch: Branch) -> list[int]:
    first: dict[int, tuple[dt.datetime, int]] = {}
    for pk, visit, queued in Transaction.objects.filter(visit__branch=branch).values_list(
        "pk", "visit", "queued_at"
    ):
        if visit not in first or (queued, pk) < first[visit]:
            first[visit] = (queued, pk)
    return [pk for _queued, pk in first.values()]


def test_one_branch_breaches_the_fifteen_minute_level_and_another_keeps_it(loaded):
    branches = loaded["attention_branches"]["sntc"]
    crowded = branches[loaded["attention_crowded_branch"]["sntc"]]

    assert _share_within(crowded, 15) < 0.8
    assert _share_within(branches["arica"], 15) > 0.8


def test_every_transaction_has_its_times_in_order_and_matches_its_visit(loaded):
    for step in Transaction.objects.select_related("visit").iterator():
        times = [step.queued_at, step.called_at, step.started_at, step.ended_at]
        present = [t for t in times if t is not None]
        assert present == sorted(present), step.pk
        visit = step.visit
        assert visit.arrived_at <= step.queued_at
        if visit.state == VisitState.FINISHED:
            assert visit.finished_at is not None
            assert step.ended_at is not None
            assert step.ended_at <= visit.finished_at
        if step.hold_seconds:
            assert step.started_at is not None
            assert step.ended_at is not None
            assert step.hold_seconds < (step.ended_at - step.started_at).total_seconds()


def test_events_agree_with_the_transactions(loaded):
    steps = Transaction.objects.filter(visit__branch__code="temuco").prefetch_related("events")
    for step in steps:
        kinds = {e.kind: e.at for e in step.events.all()}
        if step.called_at:
            assert kinds[EventKind.CALLED] == step.called_at
        if step.started_at:
            assert kinds[EventKind.STARTED] == step.started_at
        if step.outcome in ("resolved", "pending", "referred", "not_resolved"):
            assert kinds[EventKind.FINISHED] == step.ended_at == step.visit.finished_at
        if step.outcome == "no_show":
            assert kinds[EventKind.NO_SHOW] == step.ended_at
        if step.outcome == "left":
            assert kinds[EventKind.LEFT] == step.ended_at
            assert step.called_at is None


def test_the_month_has_priority_left_no_show_transfer_and_hold_in_realistic_shares(loaded):
    chile = loaded["organizations"]["sntc"]
    visits = Visit.objects.filter(organization=chile).exclude(day=chile.today())
    total = visits.count()
    states = Counter(visits.values_list("state", flat=True))
    transferred = visits.filter(transactions__outcome="transferred").distinct().count()
    held = Transaction.objects.filter(visit__in=visits, hold_seconds__gt=0).count()
    priority = visits.exclude(priority_group="").count()

    assert 0.02 < states[VisitState.LEFT] / total < 0.07
    assert 0.015 < states[VisitState.NO_SHOW] / total < 0.05
    assert 0.03 < transferred / total < 0.08
    assert 0.015 < held / total < 0.05
    assert 0.05 < priority / total < 0.11
    assert (
        states[VisitState.FINISHED] + states[VisitState.LEFT] + states[VisitState.NO_SHOW] == total
    )


def test_the_catalan_oac_has_two_queues_three_desks_and_its_month(loaded):
    oac = loaded["attention_branches"]["sant-pere-de-riu"]["oac"]

    assert sorted(oac.queues.values_list("name", flat=True)) == ["Padró", "Registre"]
    assert oac.desks.count() == 3
    assert Visit.objects.filter(branch=oac).exists()
    assert BranchProcedure.objects.filter(branch=oac).count() == 4


def test_the_institution_is_served_under_its_agreement(loaded):
    institution = loaded["attention_institution"]
    agreement = FrontOfficeAgreement.objects.in_force(timezone.localdate()).get(
        institution=institution
    )
    theirs = set(Procedure.objects.filter(organization=institution, is_published=True))
    served = Visit.objects.filter(procedure__organization=institution)

    assert agreement.front_office.slug == "sntc"
    assert (agreement.target_within_minutes, agreement.target_share) == (15, 80)
    assert 4 <= len(theirs) <= 6
    assert set(agreement.procedures.all()) == theirs
    assert served.count() > 100
    assert set(served.values_list("organization__slug", flat=True)) == {"sntc"}
    assert {v.procedure for v in served.select_related("procedure")} <= theirs
    assert Membership.objects.get(organization=institution).user.username == "inp-calidad"
    assert any(row[1] == "inp-calidad" for row in loaded["logins"])
    assert 6 <= Procedure.objects.filter(organization__slug="sntc").count() <= 8


def test_appointments_past_and_future_with_visits_for_the_checked_in(loaded):
    appointments = Appointment.objects.all()
    now = timezone.now()
    past = appointments.filter(starts_at__lt=now)
    checked_in = past.filter(status=AppointmentStatus.CHECKED_IN)

    assert SlotPlan.objects.count() == 2
    assert 30 <= past.count() <= 45
    assert 10 <= appointments.filter(starts_at__gt=now).count() <= 16
    assert past.filter(status=AppointmentStatus.NO_SHOW).exists()
    assert past.filter(status=AppointmentStatus.CANCELLED).exists()
    assert checked_in.count() > past.count() / 2
    for appointment in checked_in.select_related("visit"):
        assert appointment.visit is not None
        assert appointment.visit.rank == 0
        assert appointment.visit.source == "appointment"
        assert appointment.checked_in_at == appointment.visit.arrived_at
        assert appointment.email.endswith("@example.org")


def test_the_call_centre_and_other_channels(loaded):
    chile = loaded["organizations"]["sntc"]
    intervals = ContactInterval.objects.filter(organization=chile)
    offered = sum(i.offered for i in intervals)
    short = sum(i.short_abandoned for i in intervals)
    within = sum(i.answered_within for i in intervals)

    assert intervals.count() == 19 * len(month_days(chile))
    assert 0.75 < within / (offered - short) < 0.88
    for interval in intervals:
        assert interval.answered + interval.abandoned == interval.offered
        assert interval.answered_within <= interval.answered
        assert interval.short_abandoned <= interval.abandoned_within <= interval.abandoned
    kinds = Counter(Contact.objects.filter(organization=chile).values_list("kind", flat=True))
    assert set(kinds) == {"chat", "email", "self_service"}
    assert 180 <= sum(kinds.values()) <= 220
    assert ImportJob.objects.get(organization=chile).status == "done"


def test_today_is_live_at_arica_on_a_business_day(loaded):
    chile = loaded["organizations"]["sntc"]
    arica = loaded["attention_branches"]["sntc"]["arica"]
    today = Visit.objects.filter(branch=arica, day=chile.today())
    if not chile.business_calendar().is_business_day(chile.today()):
        assert not today.exists()
        return
    now = timezone.localtime(timezone.now(), chile.zone)
    if now.hour * 60 + now.minute < 45:
        return
    states = Counter(today.values_list("state", flat=True))
    assert states[VisitState.WAITING] >= 1
    assert states[VisitState.CALLED] == 1
    assert states[VisitState.SERVING] == 1
    sitting = set(
        DeskSession.objects.filter(desk__branch=arica, ended_at__isnull=True).values_list(
            "user__username", flat=True
        )
    )
    assert sitting == {"cl-oficial", "cl-jefe"}
    assert not today.filter(arrived_at__gt=timezone.now()).exists()


def test_a_business_morning_at_arica_has_a_queue_a_call_a_service_and_estimates(loaded):
    chile = loaded["organizations"]["sntc"]
    arica = loaded["attention_branches"]["sntc"]["arica"]
    day = chile.business_calendar().next_business_day(chile.today())
    moment = dt.datetime.combine(day, dt.time(11, 5), tzinfo=chile.zone)
    with time_machine.travel(moment, tick=False):
        live_morning("sntc", chile, arica, day)
        live_morning("sntc", chile, arica, day)  # twice: nothing more
        visits = Visit.objects.filter(branch=arica, day=day)
        states = Counter(visits.values_list("state", flat=True))
        estimates = branch_estimates(arica)

    assert states[VisitState.WAITING] >= 1
    assert states[VisitState.CALLED] == 1
    assert states[VisitState.SERVING] == 1
    assert states[VisitState.FINISHED] > 10
    assert not visits.filter(arrived_at__gt=moment).exists()
    assert not VisitEvent.objects.filter(visit__in=visits, at__gt=moment).exists()
    open_sessions = DeskSession.objects.filter(desk__branch=arica, ended_at__isnull=True)
    assert sorted(open_sessions.values_list("user__username", flat=True)) == [
        "cl-jefe",
        "cl-oficial",
    ]
    general = Queue.objects.get(branch=arica, letter="A")
    assert estimates[general.pk].desks_open == 2
    assert estimates[general.pk].minutes is not None
    called = visits.get(state=VisitState.CALLED)
    serving = visits.get(state=VisitState.SERVING)
    assert called.desk.name == "Módulo 2"
    assert serving.desk.name == "Módulo 1"
    step = serving.transactions.get(ended_at__isnull=True)
    assert step.queued_at <= step.called_at <= step.started_at <= moment
    assert step.served_by.username == "cl-oficial"
