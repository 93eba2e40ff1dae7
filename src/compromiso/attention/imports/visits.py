"""Visits from another queue system, replayed through the ticket services with the file's
times, so an imported visit has the same events and transactions as a live one. Rows of one
visit identifier are the visit's transactions in time order (a transfer is a second row); a
visit is imported whole or not at all, and a visit identifier already imported into the branch
is never imported again."""

import datetime as dt
import itertools
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from compromiso.attention.imports.fields import normal
from compromiso.attention.imports.reading import CellError, parse_time
from compromiso.attention.models import (
    Branch,
    Desk,
    Outcome,
    Queue,
    Visit,
    VisitSource,
)
from compromiso.attention.services import queue as tickets
from compromiso.core.actors import SystemActor
from compromiso.core.errors import DomainError

IMPORTER = SystemActor("import")

SERVED, NO_SHOW, LEFT = "served", "no_show", "left"
OUTCOMES = {
    SERVED: ("served", "finished", "done", "completed", "resolved", "transferred", "transfer"),
    NO_SHOW: ("noshow", "absent", "nosepresento", "nopresentado", "nopresentat"),
    LEFT: ("left", "leftbeforeservice", "abandoned", "abandono", "seretiro", "retirado", "marxat"),
}
OUTCOMES[SERVED] += ("servido", "atendido", "atendida", "finalizado", "atès", "ates")


def _outcome(value: str, started: dt.datetime | None) -> str:
    key = normal(value)
    if not key:
        if started is not None:
            return SERVED
        raise CellError(_("The outcome is missing (served, no-show or left)."))
    for outcome, names in OUTCOMES.items():
        if key in {normal(n) for n in names}:
            return outcome
    raise CellError(
        _("Unknown outcome “%(value)s”: use served, no-show or left.") % {"value": value[:40]}
    )


@dataclass
class Step:
    number: int
    queue: Queue
    ticket: str
    arrived: dt.datetime
    called: dt.datetime | None
    started: dt.datetime | None
    ended: dt.datetime | None
    desk: Desk | None
    outcome: str


class VisitReplay:
    """Checks the rows of a file and replays each visit."""

    def __init__(self, branch: Branch, mapping: dict[str, int]) -> None:
        self.branch = branch
        self.zone = branch.organization.zone
        self.mapping = mapping
        self.queues: dict[str, Queue] = {}
        for queue in branch.queues.all():
            self.queues.setdefault(normal(queue.name), queue)
            self.queues.setdefault(normal(queue.letter), queue)
        self.desks = {normal(d.name): d for d in branch.desks.prefetch_related("queues")}

    def _get(self, cells: list[str], key: str) -> str:
        position = self.mapping.get(key)
        if position is None or position >= len(cells):
            return ""
        return cells[position]

    def _desk(self, name: str, queue: Queue) -> Desk:
        if name:
            desk = self.desks.get(normal(name))
            if desk is None:
                raise CellError(_("Unknown desk “%(name)s”.") % {"name": name[:60]})
            return desk
        for desk in self.desks.values():
            if queue in desk.queues.all():
                return desk
        if self.desks:
            return next(iter(self.desks.values()))
        raise CellError(_("The branch has no desk to call visitors to."))

    def step(self, number: int, cells: list[str]) -> Step:
        name = self._get(cells, "queue")
        if not name:
            raise CellError(_("The queue is missing."))
        queue = self.queues.get(normal(name))
        if queue is None:
            raise CellError(
                _("Unknown queue “%(name)s”: add it to the branch or rename it in the file.")
                % {"name": name[:60]}
            )
        arrived = parse_time(self._get(cells, "arrived_at"), self.zone)
        if arrived is None:
            raise CellError(_("The arrival time is missing."))
        day = arrived.astimezone(self.zone).date()
        called = parse_time(self._get(cells, "called_at"), self.zone, day=day)
        started = parse_time(self._get(cells, "started_at"), self.zone, day=day)
        ended = parse_time(self._get(cells, "ended_at"), self.zone, day=day)
        outcome = _outcome(self._get(cells, "outcome"), started)
        if called is not None and called < arrived:
            raise CellError(_("Called before the ticket was issued."))
        if started is not None and started < (called or arrived):
            raise CellError(_("The service starts before the call."))
        if ended is not None and started is not None and ended < started:
            raise CellError(_("The service ends before it starts."))
        if outcome == SERVED and (started is None or ended is None):
            raise CellError(_("A served visit needs the times its service started and ended."))
        if outcome == NO_SHOW and called is None:
            raise CellError(_("A no-show needs the time of the call."))
        if outcome == LEFT and ended is None and called is None:
            raise CellError(_("The time the visitor left is missing (service end column)."))
        if ended is not None and ended < (called or arrived):
            raise CellError(_("The end comes before the call."))
        desk = None
        if called is not None or started is not None:
            desk = self._desk(self._get(cells, "desk"), queue)
        return Step(
            number=number,
            queue=queue,
            ticket=self._get(cells, "ticket")[:8],
            arrived=arrived,
            called=called or (started if outcome == SERVED else None),
            started=started,
            ended=ended,
            desk=desk,
            outcome=outcome,
        )

    def run(self, records: Iterable[tuple[int, list[str]]]) -> tuple[int, list[dict[str, object]]]:
        """Import every visit of the records: (visits imported, rejected rows)."""
        groups: dict[str, list[tuple[int, list[str]]]] = {}
        rejected: list[dict[str, object]] = []
        for number, cells in records:
            visit_id = self._get(cells, "visit_id")[:80]
            if not visit_id:
                rejected.append({"row": number, "reason": _("The visit identifier is missing.")})
                continue
            groups.setdefault(visit_id, []).append((number, cells))
        known = set(
            Visit.objects.filter(branch=self.branch, external_id__in=list(groups)).values_list(
                "external_id", flat=True
            )
        )
        imported = 0
        for visit_id, rows in groups.items():
            if visit_id in known:
                reason = _("Visit %(id)s was already imported.") % {"id": visit_id}
                rejected.extend({"row": n, "reason": reason} for n, _cells in rows)
                continue
            errors = self._visit(visit_id, rows)
            rejected.extend(errors)
            imported += not errors
        rejected.sort(key=lambda item: int(str(item["row"])))
        return imported, rejected

    def _visit(self, visit_id: str, rows: list[tuple[int, list[str]]]) -> list[dict[str, object]]:
        steps: list[Step] = []
        errors: dict[int, str] = {}
        for number, cells in rows:
            try:
                steps.append(self.step(number, cells))
            except CellError as error:
                errors[number] = str(error)
        if not errors:
            steps.sort(key=lambda s: (s.arrived, s.called or s.arrived, s.number))
            problem = self._order(steps)
            if problem is None:
                try:
                    with transaction.atomic():
                        self._replay(visit_id, steps)
                except DomainError as error:
                    problem = error.message
            if problem is None:
                return []
            return [{"row": s.number, "reason": problem} for s in steps]
        other = _("Another row of visit %(id)s was rejected.") % {"id": visit_id}
        return [{"row": n, "reason": errors.get(n, other)} for n, _cells in rows]

    @staticmethod
    def _order(steps: list[Step]) -> str | None:
        """A reason when a visit's rows do not follow each other: a transfer starts after the
        previous service, and a no-show or a visitor who left ends the visit."""
        for before, after in itertools.pairwise(steps):
            if before.outcome != SERVED:
                return _("A visit cannot go on after a no-show or after leaving.")
            if before.ended is not None and (after.called or after.arrived) < before.ended:
                return _("The rows of this visit overlap in time.")
        return None

    def _replay(self, visit_id: str, steps: list[Step]) -> Visit:
        first = steps[0]
        visit = tickets.issue_ticket(
            first.queue,
            by=IMPORTER,
            source=VisitSource.IMPORT,
            external_id=visit_id,
            at=first.arrived,
        )
        if first.ticket and first.ticket != visit.number:
            taken = Visit.objects.filter(branch=self.branch, day=visit.day, number=first.ticket)
            if not taken.exists():
                Visit.objects.filter(pk=visit.pk).update(number=first.ticket)
        previous: Step | None = None
        for step in steps:
            if previous is not None:
                moved = previous.ended or step.arrived
                visit = tickets.transfer(visit, to_queue=step.queue, by=IMPORTER, at=moved)
            if step.called is not None and step.desk is not None:
                visit = tickets.call(visit, desk=step.desk, by=IMPORTER, at=step.called)
            last = step is steps[-1]
            if step.outcome == SERVED:
                visit = tickets.start(visit, by=IMPORTER, at=step.started or step.called)
                if last:
                    visit = tickets.finish(
                        visit, outcome=Outcome.RESOLVED, by=IMPORTER, at=step.ended
                    )
            elif step.outcome == NO_SHOW:
                visit = tickets.no_show(visit, by=IMPORTER, at=step.ended or step.called)
            else:
                visit = tickets.left(visit, by=IMPORTER, at=step.ended or step.called)
            previous = step
        return visit
