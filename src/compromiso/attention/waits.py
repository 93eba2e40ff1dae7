"""Estimated waits (research §G, the simple estimate): the people ahead, times the recent
average service time of the queue, divided by the desks open for it now.

The average is taken over the transactions of the queue finished in the last two hours, or, on
a quiet day, over the last 30 days; with no history at all, or no desk open, there is no
estimate (None) rather than a made-up number."""

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q
from django.utils import timezone

from compromiso.attention.models import (
    Branch,
    Desk,
    DeskSession,
    Queue,
    Transaction,
    Visit,
    VisitState,
)

RECENT = dt.timedelta(hours=2)
HISTORY = dt.timedelta(days=30)
MIN_RECENT = 5  # fewer recent services than this: use the longer history


@dataclass(frozen=True)
class Estimate:
    waiting: int
    desks_open: int
    service_minutes: float | None  # the average used
    minutes: int | None  # the wait of someone joining now; None when it cannot be estimated


def _service_minutes(queue_ids: Iterable[int], now: dt.datetime) -> dict[int, float]:
    duration = ExpressionWrapper(F("ended_at") - F("started_at"), output_field=DurationField())
    found: dict[int, float] = {}
    pending = list(queue_ids)
    for window, least in ((RECENT, MIN_RECENT), (HISTORY, 1)):
        if not pending:
            break
        rows = (
            Transaction.objects.filter(
                queue_id__in=pending,
                started_at__isnull=False,
                ended_at__gte=now - window,
                ended_at__lte=now,
            )
            .values("queue_id")
            .annotate(n=Count("pk"), average=Avg(duration))
        )
        for row in rows:
            if row["n"] >= least and row["average"] is not None:
                found[row["queue_id"]] = max(row["average"].total_seconds() / 60, 0.0)
        pending = [q for q in pending if q not in found]
    return found


def _open_desks(queue_ids: list[int]) -> dict[int, int]:
    staffed = DeskSession.objects.filter(ended_at__isnull=True).values("desk_id")
    counts = (
        Desk.objects.filter(is_active=True, pk__in=staffed, queues__in=queue_ids)
        .values("queues")
        .annotate(n=Count("pk", distinct=True))
    )
    return {row["queues"]: row["n"] for row in counts}


def _minutes(ahead: int, average: float | None, desks: int) -> int | None:
    if average is None or desks == 0:
        return None
    return math.ceil((ahead + 1) * average / desks)


def branch_estimates(branch: Branch, *, now: dt.datetime | None = None) -> dict[int, Estimate]:
    """Per active queue of the branch: who waits, desks open, and the wait of a new ticket."""
    now = now or timezone.now()
    queues = list(Queue.objects.filter(branch=branch, is_active=True).values_list("pk", flat=True))
    waiting = dict(
        Visit.objects.filter(queue_id__in=queues, state=VisitState.WAITING)
        .values("queue_id")
        .annotate(n=Count("pk"))
        .values_list("queue_id", "n")
    )
    averages = _service_minutes(queues, now)
    desks = _open_desks(queues)
    return {
        queue: Estimate(
            waiting=waiting.get(queue, 0),
            desks_open=desks.get(queue, 0),
            service_minutes=averages.get(queue),
            minutes=_minutes(waiting.get(queue, 0), averages.get(queue), desks.get(queue, 0)),
        )
        for queue in queues
    }


def ahead_of(visit: Visit) -> int:
    """How many are called before this waiting visit in its queue."""
    earlier = Q(rank__lt=visit.rank) | Q(rank=visit.rank, queued_at__lt=visit.queued_at)
    earlier |= Q(rank=visit.rank, queued_at=visit.queued_at, pk__lt=visit.pk)
    return (
        Visit.objects.filter(queue_id=visit.queue_id, state=VisitState.WAITING)
        .filter(earlier)
        .count()
    )


def visit_estimate(visit: Visit, *, now: dt.datetime | None = None) -> Estimate:
    """The wait left for a waiting visit (0 once called)."""
    now = now or timezone.now()
    if visit.state != VisitState.WAITING:
        return Estimate(waiting=0, desks_open=0, service_minutes=None, minutes=0)
    ahead = ahead_of(visit)
    average = _service_minutes([visit.queue_id], now).get(visit.queue_id)
    desks = _open_desks([visit.queue_id]).get(visit.queue_id, 0)
    return Estimate(
        waiting=ahead,
        desks_open=desks,
        service_minutes=average,
        minutes=_minutes(ahead, average, desks),
    )
