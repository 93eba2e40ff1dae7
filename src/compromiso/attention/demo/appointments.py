"""Demo appointments: two appointment plans of the Chilean service (Arica's general queue in
20-minute slots, Santiago Centro's pensions queue in 30-minute slots of two people), about forty
bookings of the past month (most checked in — their visits are generated with the month's, at
the front of their queue —, some no-shows, some cancelled) and about fifteen to come. Names and
e-mail addresses are made up (`@example.org`); codes and secrets come from seeded generators."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from compromiso.attention.demo.timeline import (
    is_business_day,
    local,
    minutes_of,
    month_days,
    seeded,
)
from compromiso.attention.models import (
    CODE_ALPHABET,
    Appointment,
    AppointmentStatus,
    Branch,
    Procedure,
    Queue,
    SlotPlan,
)
from compromiso.organizations.models import Organization, hash_token


@dataclass(frozen=True)
class PlanSpec:
    branch: str
    letter: str
    slot_minutes: int
    capacity: int
    procedures: tuple[str, ...]  # what people book it for (codes; sntc's or the institution's)
    past: int
    future: int


PLANS = (
    PlanSpec("arica", "A", 20, 1, ("CLAVE", "INSC-REG", "MOD-DOM"), past=18, future=7),
    PlanSpec("santiago-centro", "C", 30, 2, ("PGU", "INV", "BONO-HIJO", "ASIG-FAM"), 22, 8),
)
FIRST = ["Ana", "Luis", "Carmen", "José", "María", "Pedro", "Camila", "Diego", "Rosa", "Jorge"]
LAST = ["Ejemplo", "Prueba", "Demo", "Ficticio", "Modelo"]
OPENS, LAST_SLOT = dt.time(8, 30), dt.time(13, 30)


def load(context: dict[str, Any]) -> None:
    chile: Organization = context["organizations"]["sntc"]
    branches: dict[str, Branch] = context["attention_branches"]["sntc"]
    procedures: dict[str, Procedure] = {
        code: p for group in context["attention_procedures"].values() for code, p in group.items()
    }
    plans = []
    for spec in PLANS:
        branch = branches[spec.branch]
        queue = Queue.objects.get(branch=branch, letter=spec.letter)
        plan = SlotPlan.objects.filter(branch=branch, queue=queue).first()
        if plan is None:
            plan = SlotPlan.objects.create(
                branch=branch,
                queue=queue,
                slot_minutes=spec.slot_minutes,
                capacity=spec.capacity,
                horizon_days=30,
                valid_from=chile.today() - dt.timedelta(days=90),
            )
        plans.append((spec, plan))
    context["attention_slot_plans"] = [plan for _spec, plan in plans]
    if Appointment.objects.filter(organization=chile).exists():
        return
    past_days = month_days(chile)
    future_days = _next_business_days(chile, 10)
    rows: list[Appointment] = []
    for spec, plan in plans:
        rng = seeded("appointments", spec.branch, spec.letter)
        for number in range(spec.past + spec.future):
            is_past = number < spec.past
            day = rng.choice(past_days if is_past else future_days)
            rows.append(_appointment(chile, spec, plan, procedures, day, is_past, number, rng))
    Appointment.objects.bulk_create(_one_per_slot(rows))


def _next_business_days(organization: Organization, count: int) -> list[dt.date]:
    days: list[dt.date] = []
    day = organization.today()
    while len(days) < count:
        day += dt.timedelta(days=1)
        if is_business_day(organization, day):
            days.append(day)
    return days


def _appointment(
    organization: Organization,
    spec: PlanSpec,
    plan: SlotPlan,
    procedures: dict[str, Procedure],
    day: dt.date,
    is_past: bool,
    number: int,
    rng: Any,
) -> Appointment:
    slots = int((minutes_of(LAST_SLOT) - minutes_of(OPENS)) // spec.slot_minutes) + 1
    start = minutes_of(OPENS) + rng.randrange(slots) * spec.slot_minutes
    starts_at = local(organization, day, start)
    code = "".join(rng.choice(CODE_ALPHABET) for _ in range(8))
    first, last = rng.choice(FIRST), rng.choice(LAST)
    status = AppointmentStatus.BOOKED
    cancelled_at = None
    if is_past:
        roll = rng.random()
        if roll < 0.12:
            status = AppointmentStatus.NO_SHOW
        elif roll < 0.22:
            status = AppointmentStatus.CANCELLED
            cancelled_at = starts_at - dt.timedelta(days=rng.randint(1, 4), hours=rng.randint(1, 8))
        else:
            status = AppointmentStatus.CHECKED_IN  # the visit and check-in time come later
    procedure = procedures[rng.choice(spec.procedures)]
    booked = starts_at - dt.timedelta(days=rng.randint(5, 20), minutes=rng.randint(0, 600))
    return Appointment(
        organization=organization,
        branch=plan.branch,
        queue=plan.queue,
        service=plan.queue.services.first(),
        procedure=procedure,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(minutes=spec.slot_minutes),
        code=code,
        secret_hash=hash_token(f"demo-appointment-{code}"),
        name=f"{first} {last} {number + 1}",
        email=f"{first.lower().replace('é', 'e').replace('í', 'i')}.{last.lower()}{number + 1}"
        "@example.org",
        phone=f"+56 9 0000 {1000 + number}",
        language="es",
        status=status,
        cancelled_at=cancelled_at,
        created_at=booked,
    )


def _one_per_slot(rows: list[Appointment]) -> list[Appointment]:
    """Drop a booking that would overfill its slot (the plan's capacity), or repeat a code."""
    capacity = {(p.branch, p.letter): p.capacity for p in PLANS}
    taken: dict[tuple[int, dt.datetime], int] = {}
    codes: set[str] = set()
    kept = []
    for row in rows:
        key = (row.queue_id, row.starts_at)
        limit = capacity[(row.branch.code, row.queue.letter)]
        if row.code in codes or (
            row.status != AppointmentStatus.CANCELLED and taken.get(key, 0) >= limit
        ):
            continue
        if row.status != AppointmentStatus.CANCELLED:
            taken[key] = taken.get(key, 0) + 1
        codes.add(row.code)
        kept.append(row)
    return kept
