"""What a branch's public display and its manager's board show now, as one plain dictionary
(JSON-ready), computed in a small, fixed number of queries whatever the size of the branch.

- The display (public): the last numbers called today with their desk (newest first), and per
  active queue who is waiting and the estimated wait of a new ticket (`waits.branch_estimates`).
- The board (staff, `staff=True`), in addition: per queue the visits on hold and the longest
  current wait; who sits at which desk since when, and whom they serve and for how long; and
  today's service level so far.

Service level so far (research §G): of the visits whose first call happened today (local day of
the organisation), the share whose wait — first call minus queueing of their first transaction —
is at most the queue's service level minutes. A visit issued before midnight and called after it
counts on the day it was called. Abandoned (left before being served) and no-shows count the
visits that ended so today.
"""

import datetime as dt
from typing import Any

from django.db.models import Count, Exists, Min, OuterRef, Q
from django.utils import timezone

from compromiso.attention import waits
from compromiso.attention.models import (
    Branch,
    DeskSession,
    EventKind,
    Queue,
    Transaction,
    Visit,
    VisitEvent,
    VisitState,
)

LAST_CALLS = 8


def day_bounds(branch: Branch, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """Start and end of the organisation's local day containing `now` (aware datetimes)."""
    zone = branch.organization.zone
    day = timezone.localtime(now, zone).date()
    start = dt.datetime.combine(day, dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    return start, end


def _clock(moment: dt.datetime, branch: Branch) -> str:
    return timezone.localtime(moment, branch.organization.zone).strftime("%H:%M")


def _minutes(seconds: float) -> int:
    return max(int(seconds // 60), 0)


def last_calls(branch: Branch, since: dt.datetime, limit: int = LAST_CALLS) -> list[dict[str, Any]]:
    rows = (
        VisitEvent.objects.filter(
            visit__branch=branch,
            kind__in=(EventKind.CALLED, EventKind.RECALLED),
            at__gte=since,
        )
        .order_by("-at", "-pk")
        .values("pk", "at", "kind", "visit__number", "desk__name")[:limit]
    )
    return [
        {
            "id": row["pk"],
            "number": row["visit__number"],
            "desk": row["desk__name"] or "",
            "at": row["at"].isoformat(),
            "clock": _clock(row["at"], branch),
            "again": row["kind"] == EventKind.RECALLED,
        }
        for row in rows
    ]


def service_level_today(branch: Branch, now: dt.datetime) -> dict[str, Any]:
    """Today's service level so far (see the module's docstring), abandoned and no-shows."""
    start, end = day_bounds(branch, now)
    earlier = Transaction.objects.filter(visit=OuterRef("visit")).filter(
        Q(queued_at__lt=OuterRef("queued_at"))
        | Q(queued_at=OuterRef("queued_at"), pk__lt=OuterRef("pk"))
    )
    firsts = (
        Transaction.objects.filter(visit__branch=branch, called_at__gte=start, called_at__lt=end)
        .filter(~Exists(earlier))
        .values_list("queued_at", "called_at", "queue__target_wait_minutes")
    )
    called = within = 0
    for queued_at, called_at, target in firsts:
        assert called_at is not None  # filtered on
        called += 1
        limit = (target or branch.service_level_minutes) * 60
        if (called_at - queued_at).total_seconds() <= limit:
            within += 1
    ended = Visit.objects.filter(
        branch=branch, finished_at__gte=start, finished_at__lt=end
    ).aggregate(
        left=Count("pk", filter=Q(state=VisitState.LEFT)),
        no_show=Count("pk", filter=Q(state=VisitState.NO_SHOW)),
    )
    return {
        "called": called,
        "within": within,
        "percent": round(100 * within / called, 1) if called else None,
        "left": ended["left"],
        "no_shows": ended["no_show"],
    }


def _desks(branch: Branch, now: dt.datetime) -> list[dict[str, Any]]:
    sessions = (
        DeskSession.objects.filter(desk__branch=branch, ended_at__isnull=True)
        .select_related("desk", "user")
        .order_by("desk__name")
    )
    serving: dict[int, dict[str, Any]] = {}
    steps = Transaction.objects.filter(
        visit__branch=branch,
        visit__state__in=(VisitState.CALLED, VisitState.SERVING),
        ended_at__isnull=True,
        desk__isnull=False,
    ).values("desk_id", "visit__number", "visit__state", "called_at", "started_at")
    for step in steps:
        since = step["started_at"] or step["called_at"] or now
        serving[step["desk_id"]] = {
            "number": step["visit__number"],
            "state": step["visit__state"],
            "minutes": _minutes((now - since).total_seconds()),
        }
    return [
        {
            "desk": session.desk.name,
            "user": session.user.get_full_name() or session.user.get_username(),
            "since": _clock(session.started_at, branch),
            "serving": serving.get(session.desk_id),
        }
        for session in sessions
    ]


def branch_state(
    branch: Branch, *, staff: bool = False, now: dt.datetime | None = None
) -> dict[str, Any]:
    """The state of the branch a display (and, with `staff`, a board) shows. `branch` should come
    with its touch point and organisation (select_related) to keep the count of queries fixed."""
    now = now or timezone.now()
    start, _end = day_bounds(branch, now)
    local = timezone.localtime(now, branch.organization.zone)
    estimates = waits.branch_estimates(branch, now=now)
    queues = Queue.objects.filter(pk__in=list(estimates)).order_by("order", "name")
    rows: list[dict[str, Any]] = [
        {
            "id": queue.pk,
            "letter": queue.letter,
            "name": queue.name,
            "waiting": estimates[queue.pk].waiting,
            "minutes": estimates[queue.pk].minutes,
        }
        for queue in queues
    ]
    state: dict[str, Any] = {
        "version": branch.version,
        "branch": branch.touch_point.name,
        "now": local.isoformat(),
        "clock": local.strftime("%H:%M"),
        "zone": str(branch.organization.zone),
        "calls": last_calls(branch, start),
        "queues": rows,
    }
    if staff:
        open_now = (
            Visit.objects.filter(
                queue_id__in=list(estimates),
                state__in=(VisitState.WAITING, VisitState.ON_HOLD),
            )
            .values("queue_id")
            .annotate(
                on_hold=Count("pk", filter=Q(state=VisitState.ON_HOLD)),
                oldest=Min("queued_at", filter=Q(state=VisitState.WAITING)),
            )
        )
        by_queue: dict[int, dict[str, Any]] = {row["queue_id"]: dict(row) for row in open_now}
        for row in rows:
            found: dict[str, Any] = by_queue.get(row["id"], {})
            oldest = found.get("oldest")
            row["on_hold"] = found.get("on_hold", 0)
            row["longest"] = _minutes((now - oldest).total_seconds()) if oldest else None
            row["desks_open"] = estimates[row["id"]].desks_open
        state["desks"] = _desks(branch, now)
        state["today"] = service_level_today(branch, now)
    return state


def load_branch(**lookup: Any) -> Branch:
    """The branch with what `branch_state` reads of it (raises Branch.DoesNotExist)."""
    return Branch.objects.select_related("touch_point", "organization").get(**lookup)
