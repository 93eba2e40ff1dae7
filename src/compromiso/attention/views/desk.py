"""A desk, as the person sitting there works it: sit down or leave, call the next ticket or pick
one, call again, serve, hold and resume, transfer, finish with an outcome (maybe sending the
visitor on to another service), or mark a no-show after the branch's number of calls.

Every step is a POST form that comes back to the desk page (works without JavaScript); the
waiting list may refresh itself every few seconds with htmx."""

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from compromiso.attention import services
from compromiso.attention.forms.desk import FinishForm, TransferForm, VisitForm
from compromiso.attention.models import Desk, DeskSession, Visit, VisitState
from compromiso.attention.views.branches import may
from compromiso.attention.views.common import branches_for, organization_of
from compromiso.core.errors import DomainError
from compromiso.core.http import AuthenticatedHttpRequest, report, report_form_errors
from compromiso.core.permissions import Perm

AT_DESK = (VisitState.CALLED, VisitState.SERVING)


def serving_desk(request: AuthenticatedHttpRequest, pk: int) -> Desk:
    """A desk of a visible branch where the user serves visitors (404 / 403 otherwise)."""
    organization = organization_of(request)
    desk = get_object_or_404(
        Desk.objects.filter(branch__in=branches_for(request, organization)).select_related(
            "branch", "branch__touch_point", "branch__touch_point__unit", "branch__organization"
        ),
        pk=pk,
    )
    if not may(request, Perm.SERVE_VISITORS, desk.branch):
        raise PermissionDenied
    return desk


def _session(desk: Desk) -> DeskSession | None:
    return desk.sessions.filter(ended_at__isnull=True).select_related("user").first()


def _waiting(desk: Desk) -> list[Visit]:
    return list(
        Visit.objects.filter(queue__in=desk.queues.filter(is_active=True), state=VisitState.WAITING)
        .select_related("queue")
        .in_call_order()[:100]
    )


def _minutes(start: dt.datetime | None, end: dt.datetime | None) -> int | None:
    if start is None or end is None:
        return None
    return max(int((end - start).total_seconds() // 60), 0)


def _context(request: AuthenticatedHttpRequest, desk: Desk) -> dict[str, Any]:
    session = _session(desk)
    now = timezone.now()
    current = (
        Visit.objects.filter(desk=desk, state__in=AT_DESK)
        .select_related("queue", "service", "procedure")
        .order_by("-updated_at", "-pk")
        .first()
    )
    step = services.current_step(current) if current is not None else None
    queues = desk.branch.queues.filter(is_active=True)
    limit = desk.branch.no_show_after_calls
    initial = {"visit": current.pk if current is not None else None}
    return {
        "tab": "branches",
        "desk": desk,
        "branch": desk.branch,
        "session": session,
        "mine": session is not None and session.user_id == request.user.pk,
        "current": current,
        "step": step,
        "waited": _minutes(step.queued_at, step.called_at or now) if step else None,
        "limit": limit,
        "may_recall": current is not None and current.calls < limit,
        "may_no_show": current is not None and current.calls >= limit,
        "held": list(
            Visit.objects.filter(desk=desk, state=VisitState.ON_HOLD)
            .select_related("queue")
            .in_call_order()
        ),
        "waiting": _waiting(desk),
        "queues": queues,
        "transfer_form": TransferForm(
            visits=Visit.objects.none(), queues=queues, prefix="t", initial=initial
        ),
        "finish_form": FinishForm(
            visits=Visit.objects.none(), queues=queues, prefix="f", initial=initial
        ),
    }


@login_required
def desk_page(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    desk = serving_desk(request, pk)
    return render(request, "attention/desk/page.html", _context(request, desk))


@login_required
def desk_waiting(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The waiting list alone, for the page's periodic refresh."""
    desk = serving_desk(request, pk)
    session = _session(desk)
    return render(
        request,
        "attention/desk/page.html#waiting",
        {
            "desk": desk,
            "waiting": _waiting(desk),
            "mine": session is not None and session.user_id == request.user.pk,
        },
    )


def _on_visit(
    request: AuthenticatedHttpRequest,
    visits: Any,
    step: Callable[[Visit], Any],
    done: str,
) -> None:
    form = VisitForm(request.POST, visits=visits)
    if form.is_valid():
        visit = form.cleaned_data["visit"]
        report(request, lambda: step(visit), done % {"number": visit.number})
    else:
        report_form_errors(request, form)


def _transfer(request: AuthenticatedHttpRequest, desk: Desk) -> None:
    form = TransferForm(
        request.POST,
        visits=Visit.objects.filter(desk=desk, state__in=(*AT_DESK, VisitState.ON_HOLD)),
        queues=desk.branch.queues.filter(is_active=True),
        prefix="t",
    )
    if not form.is_valid():
        report_form_errors(request, form)
        return
    data = form.cleaned_data
    report(
        request,
        lambda: services.transfer(
            data["visit"], to_queue=data["to_queue"], keep_place=data["keep_place"], by=request.user
        ),
        _("Ticket %(number)s transferred to %(queue)s.")
        % {"number": data["visit"].number, "queue": data["to_queue"].name},
    )


def _finish(request: AuthenticatedHttpRequest, desk: Desk) -> None:
    form = FinishForm(
        request.POST,
        visits=Visit.objects.filter(desk=desk, state__in=(VisitState.SERVING, VisitState.ON_HOLD)),
        queues=desk.branch.queues.filter(is_active=True),
        prefix="f",
    )
    if not form.is_valid():
        report_form_errors(request, form)
        return
    data = form.cleaned_data
    done = (
        _("Ticket %(number)s goes on to %(queue)s.")
        % {"number": data["visit"].number, "queue": data["next_queue"].name}
        if data["next_queue"] is not None
        else _("Ticket %(number)s finished.") % {"number": data["visit"].number}
    )
    report(
        request,
        lambda: services.finish(
            data["visit"], outcome=data["outcome"], next_queue=data["next_queue"], by=request.user
        ),
        done,
    )


def _no_show(visit: Visit, desk: Desk, request: AuthenticatedHttpRequest) -> Visit:
    if visit.calls < desk.branch.no_show_after_calls:
        raise DomainError(
            _("Call ticket %(number)s %(limit)s times before marking it as a no-show.")
            % {"number": visit.number, "limit": desk.branch.no_show_after_calls},
            code="too_early",
        )
    return services.no_show(visit, by=request.user)


def _call_next(request: AuthenticatedHttpRequest, desk: Desk) -> None:
    report(
        request,
        lambda: services.call_next(desk, by=request.user),
        lambda v: (
            _("Ticket %(number)s called.") % {"number": v.number}
            if v is not None
            else _("Nobody is waiting.")
        ),
    )


@login_required
@require_POST
def desk_act(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    desk = serving_desk(request, pk)
    action = request.POST.get("action", "")
    user = request.user
    session = _session(desk)
    at_desk = Visit.objects.filter(desk=desk)
    if action == "sit":
        report(
            request,
            lambda: services.sit_at(desk, by=user),
            _("You are at %(desk)s.") % {"desk": desk.name},
        )
    elif action == "leave":
        report(request, lambda: services.leave_desk(desk, by=user), _("You left the desk."))
    elif session is None or session.user_id != user.pk:
        messages.error(request, _("Sit at this desk first."))
    elif action == "call_next":
        _call_next(request, desk)
    elif action == "pick":
        waiting = Visit.objects.filter(
            queue__in=desk.queues.filter(is_active=True), state=VisitState.WAITING
        )
        _on_visit(
            request,
            waiting,
            lambda v: services.call(v, desk=desk, by=user),
            _("Ticket %(number)s called."),
        )
    elif action == "recall":
        _on_visit(
            request,
            at_desk,
            lambda v: services.recall(v, by=user),
            _("Ticket %(number)s called again."),
        )
    elif action == "start":
        _on_visit(request, at_desk, lambda v: services.start(v, by=user), _("Serving %(number)s."))
    elif action == "hold":
        _on_visit(
            request,
            at_desk,
            lambda v: services.hold(v, by=user),
            _("Ticket %(number)s is on hold."),
        )
    elif action == "resume":
        _on_visit(
            request,
            at_desk,
            lambda v: services.resume(v, desk=desk, by=user),
            _("Serving %(number)s again."),
        )
    elif action == "no_show":
        _on_visit(
            request,
            at_desk,
            lambda v: _no_show(v, desk, request),
            _("Ticket %(number)s marked as a no-show."),
        )
    elif action == "transfer":
        _transfer(request, desk)
    elif action == "finish":
        _finish(request, desk)
    else:
        messages.error(request, _("Unknown action."))
    return redirect("attention:desk", pk=desk.pk)
