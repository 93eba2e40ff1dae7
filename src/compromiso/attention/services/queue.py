"""The life of a ticket in a branch: issued (kiosk, reception, web, appointment check-in),
called to a desk (or picked), called again, served, put on hold and resumed, transferred to
another queue, given another service, finished with an outcome, marked a no-show after the
branch's number of calls, or left before being served.

Every step writes one `VisitEvent` with its time and, in the same transaction, the times of the
visit's current `Transaction`, so wait, service and visit times come from events, never typed.
Each step bumps the branch's `version`, which displays and boards wait on, once it is committed.
`at` lets an import replay another system's times; otherwise it is now.

Many kiosks and desks of one branch act at once, so no step holds a row every step of the branch
needs for longer than one statement: the ticket number is taken in a short transaction of its
own and the version is bumped after the commit (see `_take_number` and `bump`)."""

import datetime as dt
from collections.abc import Iterable

from django.db import IntegrityError, connections, router, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from compromiso.attention.models import (
    Branch,
    Desk,
    DeskSession,
    EventKind,
    Outcome,
    PriorityGroup,
    Procedure,
    Queue,
    Rank,
    Transaction,
    Visit,
    VisitEvent,
    VisitSource,
    VisitState,
)
from compromiso.catalog.models import Service
from compromiso.core.actors import Actor, user_of
from compromiso.core.errors import DomainError
from compromiso.core.permissions import Perm, require

SERVE = Perm.SERVE_VISITORS


def _require(by: Actor, branch: Branch) -> None:
    require(
        by,
        SERVE,
        organization_id=branch.organization_id,
        unit_path=branch.touch_point.unit.path,
    )


def bump(branch_id: int) -> None:
    """Tell displays and boards that the branch changed, once the change is committed.

    The branch's row is shared by every step of the branch: updated after the commit, in a
    statement of its own, it is held for that statement only, not for the whole step; and a
    display never reads a version whose change it cannot see yet. A failure to bump is logged
    and does not undo the committed step (the next step bumps again)."""
    transaction.on_commit(
        lambda: Branch.objects.filter(pk=branch_id).update(version=F("version") + 1),
        robust=True,
    )


def _event(
    visit: Visit,
    kind: str,
    at: dt.datetime,
    by: Actor,
    *,
    step: Transaction | None = None,
    desk: Desk | None = None,
    **detail: object,
) -> VisitEvent:
    return VisitEvent.objects.create(
        visit=visit,
        transaction=step,
        kind=kind,
        at=at,
        queue_id=visit.queue_id,
        desk=desk if desk is not None else visit.desk,
        actor=user_of(by),
        detail=detail,
    )


def current_step(visit: Visit) -> Transaction:
    step = visit.transactions.order_by("-queued_at", "-pk").first()
    if step is None:  # every visit opens one when issued
        raise DomainError(_("This visit has no service in progress."), code="no_transaction")
    return step


def _expect(visit: Visit, *states: str) -> None:
    if visit.state not in states:
        raise DomainError(
            _("Ticket %(number)s is %(state)s: this step is not possible now.")
            % {"number": visit.number, "state": visit.get_state_display().lower()},
            code="wrong_state",
        )


def _locked(visit: Visit) -> Visit:
    return (
        Visit.objects.select_for_update(of=("self",))
        .select_related("branch", "branch__touch_point__unit", "queue")
        .get(pk=visit.pk)
    )


def _take_number(queue: Queue, day: dt.date, *, recount: bool = False) -> str:
    """The queue's next ticket number of the day, its letter and a counter (A001, A002…).

    The counter row is moved and read in one statement (UPDATE … RETURNING), committed at once
    when the caller is not inside a transaction: every ticket of the queue needs the row, so it
    is held for that one statement, not while the visit, its step and its event are written. A
    number taken by a ticket that then fails is skipped, as on a paper roll. `recount` reads the
    day's highest number instead (tickets created by an import or the demo, which skip the
    counter) and puts the counter right."""
    if recount:
        with transaction.atomic():
            counter = Queue.objects.filter(pk=queue.pk)
            counter.select_for_update(no_key=True).only("pk").get()
            numbers = Visit.objects.filter(
                branch_id=queue.branch_id, day=day, number__startswith=queue.letter
            ).values_list("number", flat=True)
            tail = len(queue.letter)
            number = max((int(n[tail:]) for n in numbers if n[tail:].isdigit()), default=0) + 1
            counter.update(last_number=number, last_number_day=day)
    else:
        connection = connections[router.db_for_write(Queue)]
        quote = connection.ops.quote_name
        day_value = connection.ops.adapt_datefield_value(day)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {quote(Queue._meta.db_table)} SET "
                f"{quote('last_number')} = CASE WHEN {quote('last_number_day')} = %s "
                f"THEN {quote('last_number')} + 1 ELSE 1 END, {quote('last_number_day')} = %s "
                f"WHERE {quote('id')} = %s RETURNING {quote('last_number')}",
                [day_value, day_value, queue.pk],
            )
            row = cursor.fetchone()
        if row is None:
            raise DomainError(_("This queue is closed."), code="queue_closed")
        number = row[0]
    return f"{queue.letter}{number % 1000:03d}"


def issue_ticket(
    queue: Queue,
    *,
    by: Actor,
    source: str = VisitSource.KIOSK,
    service: Service | None = None,
    procedure: Procedure | None = None,
    priority_group: str = PriorityGroup.NONE,
    rank: int | None = None,
    at: dt.datetime | None = None,
    language: str = "",
    phone: str = "",
    email: str = "",
    external_id: str = "",
) -> Visit:
    """A new ticket in `queue`. Priority groups go before regular visitors; `rank` overrides
    (an appointment check-in goes first)."""
    at = at or timezone.now()
    branch = queue.branch
    if not (queue.is_active and branch.is_active):
        raise DomainError(_("This queue is closed."), code="queue_closed")
    if source not in VisitSource.values or priority_group not in PriorityGroup.values:
        raise DomainError(_("Unknown ticket source or priority."), code="invalid")
    if source != VisitSource.KIOSK and source != VisitSource.WEB:
        _require(by, branch)
    if service is None:
        service = queue.services.first()
    if rank is None:
        rank = Rank.PRIORITY if priority_group else Rank.REGULAR
    day = timezone.localtime(at, branch.organization.zone).date()
    for attempt in range(5):
        number = _take_number(queue, day, recount=attempt > 0)
        try:
            with transaction.atomic():
                visit = Visit.objects.create(
                    organization_id=branch.organization_id,
                    branch=branch,
                    day=day,
                    number=number,
                    source=source,
                    priority_group=priority_group,
                    rank=rank,
                    queue=queue,
                    service=service,
                    procedure=procedure,
                    arrived_at=at,
                    queued_at=at,
                    language=language[:8],
                    phone=phone[:40],
                    email=email,
                    external_id=external_id[:80],
                )
                step = Transaction.objects.create(
                    visit=visit, queue=queue, service=service, procedure=procedure, queued_at=at
                )
                _event(visit, EventKind.ISSUED, at, by, step=step, source=source)
                bump(branch.pk)
                return visit
        except IntegrityError:  # the number was taken without the counter: recount the day
            continue
    raise DomainError(_("The ticket could not be issued; please try again."), code="busy")


def waiting_in(queues: Iterable[Queue]) -> "list[Visit]":
    return list(
        Visit.objects.filter(queue__in=list(queues), state=VisitState.WAITING).in_call_order()
    )


def call_next(desk: Desk, *, by: Actor, at: dt.datetime | None = None) -> Visit | None:
    """Call the first waiting visit of the desk's queues (appointments, then priority, then by
    time in the queue); None when nobody waits. The visit is locked as it is chosen (a visit
    another desk is calling is skipped), so it is not read twice."""
    _require(by, desk.branch)
    at = at or timezone.now()
    with transaction.atomic():
        queues = desk.queues.filter(is_active=True).values("pk")  # a subquery, not a round trip
        candidate = (
            Visit.objects.select_for_update(of=("self",), skip_locked=True)
            .select_related("branch", "branch__touch_point__unit", "queue")
            .filter(queue_id__in=queues, state=VisitState.WAITING)
            .order_by("rank", "queued_at", "pk")
            .first()
        )
        if candidate is None:
            return None
        return _call(candidate, desk=desk, by=by, at=at)


def call(visit: Visit, *, desk: Desk, by: Actor, at: dt.datetime | None = None) -> Visit:
    """Call this visit to `desk` (picking it out of the queue, or the next one)."""
    at = at or timezone.now()
    with transaction.atomic():
        visit = _locked(visit)
        _require(by, visit.branch)
        return _call(visit, desk=desk, by=by, at=at)


def _call(visit: Visit, *, desk: Desk, by: Actor, at: dt.datetime) -> Visit:
    """Call a visit locked in the current transaction, its caller's permission checked."""
    if desk.branch_id != visit.branch_id:
        raise DomainError(_("This desk is in another branch."), code="other_branch")
    _expect(visit, VisitState.WAITING)
    step = current_step(visit)
    visit.state = VisitState.CALLED
    visit.desk = desk
    visit.calls = 1
    visit.save(update_fields=["state", "desk", "calls", "updated_at"])
    step.desk = desk
    step.calls += 1
    if step.called_at is None:
        step.called_at = at
    step.save(update_fields=["desk", "calls", "called_at"])
    _event(visit, EventKind.CALLED, at, by, step=step, desk=desk)
    bump(visit.branch_id)
    return visit


def recall(visit: Visit, *, by: Actor, at: dt.datetime | None = None) -> Visit:
    """Call again; after the branch's number of calls the visitor is a no-show instead."""
    at = at or timezone.now()
    with transaction.atomic():
        visit = _locked(visit)
        _require(by, visit.branch)
        _expect(visit, VisitState.CALLED)
        if visit.calls >= visit.branch.no_show_after_calls:
            raise DomainError(
                _("Ticket %(number)s has been called %(calls)s times: mark it as a no-show.")
                % {"number": visit.number, "calls": visit.calls},
                code="call_limit",
            )
        step = current_step(visit)
        visit.calls += 1
        visit.save(update_fields=["calls", "updated_at"])
        step.calls += 1
        step.save(update_fields=["calls"])
        _event(visit, EventKind.RECALLED, at, by, step=step, call=visit.calls)
        bump(visit.branch_id)
    return visit


def start(visit: Visit, *, by: Actor, at: dt.datetime | None = None) -> Visit:
    """The visitor reached the desk: service starts."""
    at = at or timezone.now()
    with transaction.atomic():
        visit = _locked(visit)
        _require(by, visit.branch)
        _expect(visit, VisitState.CALLED)
        step = current_step(visit)
        visit.state = VisitState.SERVING
        visit.save(update_fields=["state", "updated_at"])
        step.started_at = at
        step.served_by = user_of(by)
        step.save(update_fields=["started_at", "served_by"])
        _event(visit, EventKind.STARTED, at, by, step=step)
        bump(visit.branch_id)
    return visit


def hold(visit: Visit, *, by: Actor, at: dt.datetime | None = None) -> Visit:
    """Set the visit aside at the desk (the visitor fetches a document); the desk may serve
    someone else meanwhile."""
    at = at or timezone.now()
    with transaction.atomic():
        visit = _locked(visit)
        _require(by, visit.branch)
        _expect(visit, VisitState.SERVING)
        step = current_step(visit)
        visit.state = VisitState.ON_HOLD
        visit.save(update_fields=["state", "updated_at"])
        _event(visit, EventKind.HELD, at, by, step=step)
        bump(visit.branch_id)
    return visit


def resume(
    visit: Visit, *, by: Actor, desk: Desk | None = None, at: dt.datetime | None = None
) -> Visit:
    """Serve a held visit again (at the same desk, or another of the branch)."""
    at = at or timezone.now()
    with transaction.atomic():
        visit = _locked(visit)
        _require(by, visit.branch)
        _expect(visit, VisitState.ON_HOLD)
        step = current_step(visit)
        _count_hold(step, at)
        if desk is not None:
            if desk.branch_id != visit.branch_id:
                raise DomainError(_("This desk is in another branch."), code="other_branch")
            visit.desk = desk
            step.desk = desk
        visit.state = VisitState.SERVING
        visit.save(update_fields=["state", "desk", "updated_at"])
        step.save(update_fields=["hold_seconds", "desk"])
        _event(visit, EventKind.RESUMED, at, by, step=step)
        bump(visit.branch_id)
    return visit


def _count_hold(step: Transaction, at: dt.datetime) -> None:
    """Add the time since the step was last put on hold to its hold time (not saved)."""
    held = (
        step.events.filter(kind=EventKind.HELD)
        .order_by("-at", "-pk")
        .values_list("at", flat=True)
        .first()
    )
    if held is not None:
        step.hold_seconds += max(int((at - held).total_seconds()), 0)


def _close_step(step: Transaction, outcome: str, at: dt.datetime) -> None:
    step.outcome = outcome
    step.ended_at = at
    step.save(update_fields=["outcome", "ended_at"])


def _open_step(
    visit: Visit,
    queue: Queue,
    at: dt.datetime,
    *,
    service: Service | None,
    procedure: Procedure | None,
    keep_place: bool,
) -> Transaction:
    if queue.branch_id != visit.branch_id:
        raise DomainError(_("This queue is in another branch."), code="other_branch")
    if not queue.is_active:
        raise DomainError(_("This queue is closed."), code="queue_closed")
    service = service or queue.services.first()
    visit.queue = queue
    visit.desk = None
    visit.state = VisitState.WAITING
    visit.calls = 0
    visit.service = service or visit.service
    visit.procedure = procedure or visit.procedure
    # At the front of its rank (by arrival) or at the back of the new queue.
    visit.queued_at = visit.arrived_at if keep_place else at
    visit.save()
    return Transaction.objects.create(
        visit=visit, queue=queue, service=service, procedure=procedure, queued_at=at
    )


def transfer(
    visit: Visit,
    *,
    to_queue: Queue,
    by: Actor,
    keep_place: bool = True,
    at: dt.datetime | None = None,
) -> Visit:
    """Send the visit to another queue; by default it keeps its place by arrival time there."""
    at = at or timezone.now()
    with transaction.atomic():
        visit = _locked(visit)
        _require(by, visit.branch)
        _expect(
            visit, VisitState.WAITING, VisitState.CALLED, VisitState.SERVING, VisitState.ON_HOLD
        )
        if to_queue.pk == visit.queue_id and visit.state == VisitState.WAITING:
            raise DomainError(_("The visit is already in this queue."), code="same_queue")
        step = current_step(visit)
        from_queue = visit.queue_id
        _close_step(step, Outcome.TRANSFERRED, at)
        new = _open_step(visit, to_queue, at, service=None, procedure=None, keep_place=keep_place)
        _event(visit, EventKind.TRANSFERRED, at, by, step=new, from_queue=from_queue)
        bump(visit.branch_id)
    return visit


def finish(
    visit: Visit,
    *,
    outcome: str,
    by: Actor,
    next_queue: Queue | None = None,
    next_service: Service | None = None,
    next_procedure: Procedure | None = None,
    at: dt.datetime | None = None,
) -> Visit:
    """End the service at the desk with its outcome. With `next_queue` the same visitor goes on
    to another service (a multi-service visit); otherwise the visit is over."""
    at = at or timezone.now()
    if outcome not in (Outcome.RESOLVED, Outcome.PENDING, Outcome.REFERRED, Outcome.NOT_RESOLVED):
        raise DomainError(_("Choose how the service ended."), code="invalid_outcome")
    with transaction.atomic():
        visit = _locked(visit)
        _require(by, visit.branch)
        _expect(visit, VisitState.SERVING, VisitState.ON_HOLD)
        step = current_step(visit)
        if visit.state == VisitState.ON_HOLD:
            _count_hold(step, at)
            step.save(update_fields=["hold_seconds"])
        _close_step(step, outcome, at)
        if next_queue is not None:
            new = _open_step(
                visit,
                next_queue,
                at,
                service=next_service,
                procedure=next_procedure,
                keep_place=True,
            )
            _event(visit, EventKind.SERVICE_ADDED, at, by, step=new, outcome=outcome)
        else:
            visit.state = VisitState.FINISHED
            visit.finished_at = at
            visit.save(update_fields=["state", "finished_at", "updated_at"])
            _event(visit, EventKind.FINISHED, at, by, step=step, outcome=outcome)
        bump(visit.branch_id)
    return visit


def no_show(visit: Visit, *, by: Actor, at: dt.datetime | None = None) -> Visit:
    """The visitor did not come when called."""
    at = at or timezone.now()
    with transaction.atomic():
        visit = _locked(visit)
        _require(by, visit.branch)
        _expect(visit, VisitState.CALLED)
        step = current_step(visit)
        _close_step(step, Outcome.NO_SHOW, at)
        visit.state = VisitState.NO_SHOW
        visit.finished_at = at
        visit.save(update_fields=["state", "finished_at", "updated_at"])
        _event(visit, EventKind.NO_SHOW, at, by, step=step, calls=visit.calls)
        bump(visit.branch_id)
    return visit


def left(visit: Visit, *, by: Actor, at: dt.datetime | None = None) -> Visit:
    """The visitor went away before being served (told at reception, or by the visitor on the
    ticket's page)."""
    at = at or timezone.now()
    with transaction.atomic():
        visit = _locked(visit)
        if by is not None and user_of(by) is not None:
            _require(by, visit.branch)
        _expect(visit, VisitState.WAITING, VisitState.CALLED)
        step = current_step(visit)
        _close_step(step, Outcome.LEFT, at)
        visit.state = VisitState.LEFT
        visit.finished_at = at
        visit.save(update_fields=["state", "finished_at", "updated_at"])
        _event(visit, EventKind.LEFT, at, by, step=step)
        bump(visit.branch_id)
    return visit


def sit_at(desk: Desk, *, by: Actor, at: dt.datetime | None = None) -> DeskSession:
    """Sign in at a desk (leaving any other desk the person was at)."""
    _require(by, desk.branch)
    user = user_of(by)
    if user is None:
        raise DomainError(_("Only a person can sit at a desk."), code="no_person")
    at = at or timezone.now()
    with transaction.atomic():
        DeskSession.objects.filter(user=user, ended_at__isnull=True).update(ended_at=at)
        if DeskSession.objects.filter(desk=desk, ended_at__isnull=True).exists():
            raise DomainError(_("Someone is already signed in at this desk."), code="desk_taken")
        session = DeskSession.objects.create(desk=desk, user=user, started_at=at)
        bump(desk.branch_id)
    return session


def leave_desk(desk: Desk, *, by: Actor, at: dt.datetime | None = None) -> None:
    _require(by, desk.branch)
    at = at or timezone.now()
    DeskSession.objects.filter(desk=desk, ended_at__isnull=True).update(ended_at=at)
    bump(desk.branch_id)
