"""A month of visits at every demo branch, and a live morning today at Arica.

Each business day of the 30 days before today (the organisation's own calendar: no visits on
weekends, holidays or closures) is simulated (`simulation`): Mondays bring 1.6 times the
visitors, about 8 % are priority groups, 4 % go away before being called, 3 % do not come when
called, 5 % are transferred to another queue, 3 % are put on hold; quick transactions take about
4 minutes, general ones about 12. Maipú has too few desks for its visitors, so its 15-minute
service level is breached; the others keep it. Visits, transactions and events are written in
bulk with times consistent with one another, as the queue services would have written them.

Today, if it is a business day, Arica is live up to now: people waiting, one called, one being
served, cl-oficial and cl-jefe signed in at two desks. Loading twice adds nothing: a branch that
already has visits keeps them."""

import datetime as dt
import random
from collections import defaultdict
from typing import Any

from django.utils import timezone

from compromiso.attention.demo import branches as branch_specs
from compromiso.attention.demo.rows import Place, Writer
from compromiso.attention.demo.simulation import (
    Arrival,
    Result,
    arrival_minutes,
    lognormal,
    simulate,
)
from compromiso.attention.demo.timeline import (
    is_business_day,
    local,
    minutes_of,
    month_days,
    seeded,
)
from compromiso.attention.models import (
    Appointment,
    AppointmentStatus,
    Branch,
    BranchProcedure,
    Desk,
    DeskSession,
    Outcome,
    PriorityGroup,
    Procedure,
    Queue,
    Rank,
    Visit,
    VisitSource,
)
from compromiso.organizations.models import Organization, User

WEEKDAY_FACTOR = (1.6, 1.05, 1.0, 0.95, 0.85, 0.5, 0.5)
MIX = {"sntc": {"A": 0.45, "B": 0.35, "C": 0.20}, "sant-pere-de-riu": {"P": 0.6, "R": 0.4}}
SERVICE_TIME = {  # median minutes and spread of a lognormal
    "A": (10.5, 0.5),
    "B": (3.5, 0.45),
    "C": (13.0, 0.5),
    "P": (8.0, 0.5),
    "R": (5.0, 0.45),
}
TRANSFER_TO = {"A": "C", "B": "A", "C": "A", "P": "R", "R": "P"}
PRIORITY = [
    (PriorityGroup.OLDER, 60),
    (PriorityGroup.DISABILITY, 20),
    (PriorityGroup.PREGNANT, 15),
    (PriorityGroup.OTHER, 5),
]
OUTCOMES = [
    (Outcome.RESOLVED, 82),
    (Outcome.PENDING, 10),
    (Outcome.REFERRED, 5),
    (Outcome.NOT_RESOLVED, 3),
]
SOURCES = [(VisitSource.KIOSK, 72), (VisitSource.RECEPTION, 23), (VisitSource.WEB, 5)]
# Who serves at each branch's desks (demo log-ins of the organisation), desk by desk.
STAFF = {
    "arica": ("cl-oficial", "cl-jefe"),
    "oac": ("ct-gestor", "ct-qualitat", "ct-admin"),
}
OTHER_STAFF = ("cl-calidad", "cl-admin")


def load(context: dict[str, Any]) -> None:
    for slug, by_code in context["attention_branches"].items():
        organization: Organization = context["organizations"][slug]
        days = month_days(organization)
        today = organization.today()
        for code, branch in by_code.items():
            place = _place(slug, organization, branch)
            if not Visit.objects.filter(branch=branch).exclude(day=today).exists():
                _month(place, days)
            if (slug, code) == branch_specs.LIVE:
                _live(place, today)


def live_morning(slug: str, organization: Organization, branch: Branch, today: dt.date) -> None:
    """The live morning of `branch` on `today` (the demo does it at Arica, for today)."""
    _live(_place(slug, organization, branch), today)


def _place(slug: str, organization: Organization, branch: Branch) -> Place:
    queues = {q.letter: q for q in Queue.objects.filter(branch=branch).prefetch_related("services")}
    desks = list(Desk.objects.filter(branch=branch).order_by("name").prefetch_related("queues"))
    names = STAFF.get(branch.code, OTHER_STAFF)
    users = {u.username: u for u in User.objects.filter(username__in=names)}
    procedures: dict[str, list[Procedure]] = defaultdict(list)
    for row in (
        BranchProcedure.objects.filter(branch=branch)
        .select_related("procedure", "queue")
        .order_by("procedure__code")
    ):
        procedures[row.queue.letter].append(row.procedure)
    hours: dict[int, list[tuple[float, float]]] = defaultdict(list)
    for period in branch.hours.order_by("weekday", "opens_at"):
        hours[period.weekday].append((minutes_of(period.opens_at), minutes_of(period.closes_at)))
    return Place(
        slug=slug,
        organization=organization,
        branch=branch,
        spec=branch_specs.spec_of(slug, branch.code),
        queues=queues,
        desks=desks,
        letters=[{q.letter for q in d.queues.all()} for d in desks],
        staff=[users[n] for n in names if n in users],
        procedures=procedures,
        hours=hours,
    )


def _arrival(place: Place, rng: random.Random, minute: float, letters: dict[str, float]) -> Arrival:
    letter = rng.choices(list(letters), list(letters.values()))[0]
    median, sigma = SERVICE_TIME[letter]
    roll = rng.random()
    fate = "served"
    for name, upper in (("left", 0.04), ("no_show", 0.07), ("transfer", 0.12), ("hold", 0.15)):
        if roll < upper:
            fate = name
            break
    to = TRANSFER_TO[letter]
    if fate == "transfer" and to not in letters:
        fate = "served"
    priority = ""
    if rng.random() < 0.08:
        priority = rng.choices([p for p, _w in PRIORITY], [w for _p, w in PRIORITY])[0]
    choices = place.procedures.get(letter, [])
    procedure = rng.choice(choices) if choices and rng.random() < 0.92 else None
    second_median, second_sigma = SERVICE_TIME[to]
    return Arrival(
        minute=minute,
        queue=letter,
        rank=Rank.PRIORITY if priority else Rank.REGULAR,
        service_minutes=lognormal(rng, median, sigma),
        fate=fate,
        patience=rng.uniform(4, 30),
        transfer_to=to,
        second_minutes=lognormal(rng, second_median, second_sigma),
        hold_minutes=rng.uniform(3, 10),
        extra={
            "priority": priority,
            "procedure": procedure,
            "source": rng.choices([s for s, _w in SOURCES], [w for _s, w in SOURCES])[0],
            "outcome": rng.choices([o for o, _w in OUTCOMES], [w for _o, w in OUTCOMES])[0],
        },
    )


def _appointment_arrival(place: Place, appointment: Appointment, rng: random.Random) -> Arrival:
    arrival = _arrival(place, rng, 0, {appointment.queue.letter: 1.0})
    starts = timezone.localtime(appointment.starts_at, place.organization.zone)
    arrival.minute = starts.hour * 60 + starts.minute - rng.uniform(2, 10)
    arrival.rank, arrival.fate = Rank.APPOINTMENT, "served"
    arrival.extra.update(
        priority="",
        procedure=appointment.procedure,
        source=VisitSource.APPOINTMENT,
        appointment=appointment,
    )
    return arrival


def _month(place: Place, days: list[dt.date]) -> None:
    booked: dict[dt.date, list[Appointment]] = defaultdict(list)
    zone = place.organization.zone
    for appointment in Appointment.objects.filter(
        branch=place.branch, status=AppointmentStatus.CHECKED_IN, visit__isnull=True
    ).select_related("queue", "procedure"):
        booked[timezone.localtime(appointment.starts_at, zone).date()].append(appointment)
    writer = Writer(place)
    for day in days:
        periods = place.hours.get(day.weekday())
        if not periods:
            continue
        rng = seeded("visits", place.slug, place.branch.code, day.isoformat())
        volume = place.spec.volume * WEEKDAY_FACTOR[day.weekday()] * rng.uniform(0.9, 1.1)
        mix = MIX[place.slug]
        arrivals = [_arrival(place, rng, m, mix) for m in arrival_minutes(rng, periods, volume)]
        arrivals += [_appointment_arrival(place, a, rng) for a in booked.get(day, [])]
        arrivals.sort(key=lambda a: a.minute)
        results = simulate(arrivals, place.letters, periods[0][0], rng)
        writer.add_day(day, results, rng)
    writer.save()


def _live(place: Place, today: dt.date) -> None:
    """Arica this morning, up to now: two desks staffed, a queue, one called, one served."""
    organization = place.organization
    if not is_business_day(organization, today):
        return
    if Visit.objects.filter(branch=place.branch, day=today).exists():
        return
    now = timezone.localtime(timezone.now(), organization.zone)
    stop = now.hour * 60 + now.minute + now.second / 60
    if stop < 45:
        return  # just after midnight: nothing sensible to show yet
    opens = place.hours[today.weekday()][0][0] if place.hours.get(today.weekday()) else 510.0
    start = opens if opens + 45 <= stop <= 14 * 60 else max(stop - 150, 5.0)
    rng = seeded("live", place.branch.code, today.isoformat())
    volume = place.spec.volume * WEEKDAY_FACTOR[today.weekday()] * (stop - start) / 240
    mix = {"A": 0.6, "B": 0.4}
    arrivals = [
        _arrival(place, rng, m, mix) for m in arrival_minutes(rng, [(start, stop - 1)], volume)
    ]
    for arrival in arrivals:
        if arrival.fate == "transfer":
            arrival.fate = "served"
    letters = [place.letters[0], place.letters[1]]
    results = simulate(arrivals, letters, start, rng, stop=stop)
    _staff_the_desks(results, letters, stop)
    writer = Writer(place)
    writer.add_day(today, results, rng)
    writer.save()
    _sessions(place, today, local(organization, today, start))


def _staff_the_desks(results: list[Result], letters: list[set[str]], stop: float) -> None:
    """Desk 1 is serving someone and desk 2 has just called someone, whatever the simulation
    left there, so the display and the board always have both to show."""
    last_end = {0: 0.0, 1: 0.0}
    for result in results:
        for step in result.steps:
            if step.desk in last_end and step.ended is not None:
                last_end[step.desk] = max(last_end[step.desk], step.ended)
    current = {r.steps[-1].desk: r for r in results if r.state in ("called", "serving", "on_hold")}
    waiting = sorted(
        (r for r in results if r.state == "waiting" and r.steps[-1].queued <= stop - 1),
        key=lambda r: (r.arrival.rank, r.arrival.minute),
    )
    for desk, wanted in ((0, "serving"), (1, "called")):
        found = current.get(desk)
        if found is None:
            found = next((r for r in waiting if r.steps[-1].queue in letters[desk]), None)
            if found is None:
                continue
            waiting.remove(found)
            step = found.steps[-1]
            step.desk = desk
            step.called = max(step.queued + 0.2, last_end[desk] + 0.1, stop - 4)
        step = found.steps[-1]
        step.held, step.hold_minutes, step.calls = None, 0.0, 1
        assert step.called is not None
        if wanted == "serving":
            step.started = step.started or step.called + min(0.5, (stop - step.called) / 2)
        else:
            step.called = max(step.called, stop - 0.5)
            step.started = None
        found.state = wanted


def _sessions(place: Place, today: dt.date, since: dt.datetime) -> None:
    """cl-oficial at the first desk and cl-jefe at the second, signed in since the morning;
    sessions a previous day's demo left open are closed first."""
    earlier = local(place.organization, today, 0)
    for session in DeskSession.objects.filter(
        desk__branch=place.branch, ended_at__isnull=True, started_at__lt=earlier
    ):
        session.ended_at = session.started_at + dt.timedelta(hours=6)
        session.save(update_fields=["ended_at"])
    for desk, user in zip(place.desks[:2], place.staff[:2], strict=False):
        busy = DeskSession.objects.filter(ended_at__isnull=True)
        if busy.filter(desk=desk).exists() or busy.filter(user=user).exists():
            continue
        DeskSession.objects.create(desk=desk, user=user, started_at=since)
