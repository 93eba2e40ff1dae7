"""Simulated days written as rows: visits and transactions with `bulk_create`, and their events
(several per visit, the bulk of the demo) with one multi-row insert of already adapted values,
so a month of a network's visits loads in seconds. Times are the organisation's local times,
made aware; every row says what the queue services would have written at that moment."""

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import JSONField

from compromiso.attention.demo import branches as branch_specs
from compromiso.attention.demo.simulation import Result, Step
from compromiso.attention.demo.timeline import local
from compromiso.attention.models import (
    CODE_ALPHABET,
    Appointment,
    Branch,
    Desk,
    EventKind,
    Outcome,
    Procedure,
    Queue,
    Transaction,
    Visit,
    VisitEvent,
    VisitSource,
    VisitState,
)
from compromiso.organizations.models import Organization, User

STATES = {
    "waiting": VisitState.WAITING,
    "called": VisitState.CALLED,
    "serving": VisitState.SERVING,
    "on_hold": VisitState.ON_HOLD,
    "finished": VisitState.FINISHED,
    "no_show": VisitState.NO_SHOW,
    "left": VisitState.LEFT,
}
EVENT_COLUMNS = ("visit", "transaction", "kind", "at", "queue", "desk", "actor", "detail")


@dataclass
class Place:
    """What the generator needs of a branch, read once."""

    slug: str
    organization: Organization
    branch: Branch
    spec: branch_specs.BranchSpec
    queues: dict[str, Queue]
    desks: list[Desk]
    letters: list[set[str]]
    staff: list[User]
    procedures: dict[str, list[Procedure]]
    hours: dict[int, list[tuple[float, float]]]


def first_service_id(queue: Queue) -> int | None:
    services = list(queue.services.all())
    return min(services, key=lambda s: s.code).pk if services else None


class Writer:
    """Turns simulated days into rows, written in bulk by `save`."""

    def __init__(self, place: Place) -> None:
        self.place = place
        self.visits: list[Visit] = []
        self.steps: list[tuple[Visit, Transaction]] = []
        # (visit, transaction, kind, at, queue id, desk id, actor id, detail)
        self.events: list[
            tuple[Visit, Transaction, str, dt.datetime, Any, Any, Any, dict[str, Any]]
        ] = []
        self.appointments: list[Appointment] = []
        self.language = "ca" if place.slug == "sant-pere-de-riu" else "es"
        self.services = {letter: first_service_id(q) for letter, q in place.queues.items()}

    def add_day(self, day: dt.date, results: list[Result], rng: random.Random) -> None:
        counters: dict[str, int] = {}
        for result in sorted(results, key=lambda r: r.arrival.minute):
            letter = result.arrival.queue
            counters[letter] = counters.get(letter, 0) + 1
            self._visit(day, result, f"{letter}{counters[letter] % 1000:03d}", rng)

    def _at(self, day: dt.date, minute: float) -> dt.datetime:
        return local(self.place.organization, day, minute)

    def _visit(self, day: dt.date, result: Result, number: str, rng: random.Random) -> None:
        place, arrival = self.place, result.arrival
        last = result.steps[-1]
        procedure: Procedure | None = arrival.extra["procedure"]
        own = procedure is not None and procedure.organization_id == place.organization.pk
        service_id = (procedure.service_id if own and procedure else None) or self.services[
            arrival.queue
        ]
        arrived = self._at(day, arrival.minute)
        transferred = len(result.steps) > 1
        visit = Visit(
            organization_id=place.organization.pk,
            branch_id=place.branch.pk,
            day=day,
            number=number,
            code="".join(rng.choice(CODE_ALPHABET) for _ in range(10)),
            source=arrival.extra["source"],
            priority_group=arrival.extra["priority"],
            rank=arrival.rank,
            queue_id=place.queues[last.queue].pk,
            desk_id=place.desks[last.desk].pk if last.desk is not None else None,
            service_id=(self.services[last.queue] or service_id) if transferred else service_id,
            procedure_id=procedure.pk if procedure else None,
            state=STATES[result.state],
            arrived_at=arrived,
            queued_at=arrived if transferred else self._at(day, last.queued),
            finished_at=self._at(day, result.finished) if result.finished is not None else None,
            calls=last.calls,
            language=self.language,
            created_at=arrived,
        )
        self.visits.append(visit)
        appointment: Appointment | None = arrival.extra.get("appointment")
        if appointment is not None:
            appointment.visit = visit
            appointment.checked_in_at = arrived
            self.appointments.append(appointment)
        for index, step in enumerate(result.steps):
            self._step(day, visit, result, index, step, service_id, procedure)

    def _step(
        self,
        day: dt.date,
        visit: Visit,
        result: Result,
        index: int,
        step: Step,
        service_id: int | None,
        procedure: Procedure | None,
    ) -> None:
        place, arrival, at = self.place, result.arrival, self._at
        queue_id = place.queues[step.queue].pk
        desk_id = place.desks[step.desk].pk if step.desk is not None else None
        user = (
            place.staff[step.desk % len(place.staff)]
            if step.desk is not None and place.staff
            else None
        )
        user_id = user.pk if user else None
        held = resumed = None
        if step.held is not None:
            held = at(day, step.held)
            if result.state != "on_hold" or step is not result.steps[-1]:
                resumed = at(day, step.held + step.hold_minutes)
        outcome = {
            "served": arrival.extra["outcome"],
            "transferred": Outcome.TRANSFERRED,
            "no_show": Outcome.NO_SHOW,
            "left": Outcome.LEFT,
        }.get(step.outcome, "")
        row = Transaction(
            queue_id=queue_id,
            service_id=service_id if index == 0 else self.services[step.queue],
            procedure_id=procedure.pk if procedure and index == 0 else None,
            desk_id=desk_id,
            served_by_id=user_id if step.started is not None else None,
            queued_at=at(day, step.queued),
            called_at=at(day, step.called) if step.called is not None else None,
            started_at=at(day, step.started) if step.started is not None else None,
            ended_at=at(day, step.ended) if step.ended is not None else None,
            hold_seconds=int((resumed - held).total_seconds()) if held and resumed else 0,
            calls=step.calls,
            outcome=outcome,
        )
        self.steps.append((visit, row))
        events = self.events

        def event(kind: str, moment: dt.datetime, **detail: Any) -> None:
            events.append((visit, row, kind, moment, queue_id, desk_id, user_id, detail))

        if index == 0:
            source = arrival.extra["source"]
            if source == VisitSource.APPOINTMENT:
                code = arrival.extra["appointment"].code
                events.append(
                    (
                        visit,
                        row,
                        EventKind.CHECKED_IN,
                        row.queued_at,
                        queue_id,
                        None,
                        None,
                        {"appointment": code},
                    )
                )
            else:
                actor = (
                    place.staff[0].pk if source == VisitSource.RECEPTION and place.staff else None
                )
                events.append(
                    (
                        visit,
                        row,
                        EventKind.ISSUED,
                        row.queued_at,
                        queue_id,
                        None,
                        actor,
                        {"source": source},
                    )
                )
        else:
            previous_queue = place.queues[result.steps[index - 1].queue].pk
            previous_user = self.steps[-2][1].served_by_id
            events.append(
                (
                    visit,
                    row,
                    EventKind.TRANSFERRED,
                    row.queued_at,
                    queue_id,
                    None,
                    previous_user,
                    {"from_queue": previous_queue},
                )
            )
        if step.called is not None:
            event(EventKind.CALLED, at(day, step.called))
            for call in range(2, step.calls + 1):
                event(EventKind.RECALLED, at(day, step.called + call - 1), call=call)
        if step.started is not None:
            event(EventKind.STARTED, at(day, step.started))
        if held is not None:
            event(EventKind.HELD, held)
            if resumed is not None:
                event(EventKind.RESUMED, resumed)
        if row.ended_at is None:
            return
        if step.outcome == "served":
            event(EventKind.FINISHED, row.ended_at, outcome=outcome)
        elif step.outcome == "no_show":
            event(EventKind.NO_SHOW, row.ended_at, calls=step.calls)
        elif step.outcome == "left":
            events.append((visit, row, EventKind.LEFT, row.ended_at, queue_id, None, None, {}))

    def save(self) -> None:
        Visit.objects.bulk_create(self.visits, batch_size=500)
        for visit, row in self.steps:
            row.visit_id = visit.pk
        Transaction.objects.bulk_create([row for _visit, row in self.steps], batch_size=500)
        _insert_events(
            [
                (visit.pk, row.pk, kind, moment, queue, desk, actor, detail)
                for visit, row, kind, moment, queue, desk, actor, detail in self.events
            ]
        )
        if self.appointments:
            Appointment.objects.bulk_update(
                self.appointments, ["visit", "checked_in_at"], batch_size=500
            )


def _insert_events(rows: list[tuple[Any, ...]]) -> None:
    """One multi-row INSERT per batch, with values adapted by the database's own operations
    (times and JSON as the ORM would send them): the ORM's per-field preparation of tens of
    thousands of events would take most of the demo's time."""
    if not rows:
        return
    meta = VisitEvent._meta
    fields = [meta.get_field(name) for name in EVENT_COLUMNS]
    table = connection.ops.quote_name(meta.db_table)
    columns = ", ".join(connection.ops.quote_name(str(getattr(f, "column", ""))) for f in fields)
    detail = JSONField()
    adapt_time = connection.ops.adapt_datetimefield_value
    size = max(1, min(500, 999 // len(fields)))
    with connection.cursor() as cursor:
        for start in range(0, len(rows), size):
            batch = rows[start : start + size]
            placeholders = ", ".join(["(" + ", ".join(["%s"] * len(fields)) + ")"] * len(batch))
            values: list[Any] = []
            for visit, step, kind, moment, queue, desk, actor, data in batch:
                values += [
                    visit,
                    step,
                    kind,
                    adapt_time(moment),
                    queue,
                    desk,
                    actor,
                    detail.get_db_prep_save(data, connection),
                ]
            cursor.execute(f"INSERT INTO {table} ({columns}) VALUES {placeholders}", values)
