"""A visit's page: what happened to the ticket, when (in the organisation's time), and the
times of each service it passed through, all computed from the events' times:
wait = called − queued, walk = started − called, service = ended − started − time on hold,
total = ended − queued."""

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from compromiso.attention.models import Transaction, Visit
from compromiso.attention.views.common import branches_for, organization_of
from compromiso.core.http import AuthenticatedHttpRequest


def clock(seconds: float | None) -> str | None:
    """Seconds as minutes:seconds (75 → "1:15"); None when unknown or negative."""
    if seconds is None or seconds < 0:
        return None
    whole = int(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def _between(start: dt.datetime | None, end: dt.datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return (end - start).total_seconds()


def step_times(step: Transaction) -> dict[str, float | None]:
    """The seconds of one transaction's parts (None when a part has not happened)."""
    service = _between(step.started_at, step.ended_at)
    return {
        "wait": _between(step.queued_at, step.called_at),
        "walk": _between(step.called_at, step.started_at),
        "service": service - step.hold_seconds if service is not None else None,
        "hold": float(step.hold_seconds),
        "total": _between(step.queued_at, step.ended_at),
    }


@login_required
def visit_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    organization = organization_of(request)
    visit = get_object_or_404(
        Visit.objects.filter(
            organization=organization, branch__in=branches_for(request, organization)
        ).select_related("branch", "branch__touch_point", "queue", "desk", "service", "procedure"),
        pk=pk,
    )
    zone = organization.zone

    def local(value: dt.datetime | None) -> dt.datetime | None:
        return timezone.localtime(value, zone) if value is not None else None

    events = [
        {"event": e, "at": local(e.at)}
        for e in visit.events.select_related("queue", "desk", "actor").order_by("at", "pk")
    ]
    steps: list[dict[str, Any]] = []
    for step in visit.transactions.select_related("queue", "desk", "service").order_by(
        "queued_at", "pk"
    ):
        times = step_times(step)
        steps.append(
            {
                "step": step,
                "queued": local(step.queued_at),
                **{name: clock(value) for name, value in times.items()},
            }
        )
    return render(
        request,
        "attention/visits/detail.html",
        {
            "tab": "branches",
            "visit": visit,
            "events": events,
            "steps": steps,
            "arrived": local(visit.arrived_at),
            "finished": local(visit.finished_at),
            "visit_total": clock(_between(visit.arrived_at, visit.finished_at)),
            "zone": str(zone),
        },
    )
