"""Reception of a branch: issue a ticket for a queue (with a priority group), show its number
big enough to read and print, and look after the people in the branch: who waits, is called or
on hold in each queue, in call order; mark someone who went away, or transfer them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from compromiso.attention import services
from compromiso.attention.forms.desk import TicketForm, TransferForm, VisitForm
from compromiso.attention.models import Branch, Visit, VisitSource, VisitState
from compromiso.attention.views.branches import may, visible_branch
from compromiso.core.http import AuthenticatedHttpRequest, report, report_form_errors
from compromiso.core.ids import parse_id
from compromiso.core.permissions import Perm

IN_BRANCH = (VisitState.WAITING, VisitState.CALLED, VisitState.ON_HOLD)


def serving_branch(request: AuthenticatedHttpRequest, pk: int) -> Branch:
    """A visible branch where the user serves visitors (403 for one they only see)."""
    branch = visible_branch(request, pk)
    if not may(request, Perm.SERVE_VISITORS, branch):
        raise PermissionDenied
    return branch


def _issued(visit: object) -> str:
    return _("Ticket %(number)s issued.") % {"number": getattr(visit, "number", "")}


@login_required
def reception(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    branch = serving_branch(request, pk)
    queues = branch.queues.filter(is_active=True)
    form = TicketForm(request.POST or None, queues=queues)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        visit = report(
            request,
            lambda: services.issue_ticket(
                data["queue"],
                by=request.user,
                source=VisitSource.RECEPTION,
                priority_group=data["priority_group"],
            ),
            _issued,
        )
        url = reverse("attention:reception", kwargs={"pk": branch.pk})
        return redirect(f"{url}?ticket={visit.pk}" if visit is not None else url)
    ticket = None
    if (ticket_id := parse_id(request.GET.get("ticket", ""))) is not None:
        ticket = Visit.objects.filter(branch=branch, pk=ticket_id).select_related("queue").first()
    visits = (
        Visit.objects.filter(branch=branch, state__in=IN_BRANCH)
        .select_related("queue", "desk")
        .in_call_order()
    )
    by_queue: dict[int, list[Visit]] = {}
    for visit in visits:
        by_queue.setdefault(visit.queue_id, []).append(visit)
    all_queues = list(branch.queues.all())
    return render(
        request,
        "attention/reception/page.html",
        {
            "tab": "branches",
            "branch": branch,
            "form": form,
            "ticket": ticket,
            "lines": [
                {"queue": q, "visits": by_queue.get(q.pk, [])}
                for q in all_queues
                if q.is_active or q.pk in by_queue
            ],
            "transfer_queues": [q for q in all_queues if q.is_active],
        },
    )


@login_required
@require_POST
def reception_act(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A visitor went away, or goes to another queue."""
    branch = serving_branch(request, pk)
    visits = Visit.objects.filter(branch=branch, state__in=IN_BRANCH)
    action = request.POST.get("action", "")
    if action == "left":
        form: VisitForm = VisitForm(request.POST, visits=visits)
        if form.is_valid():
            visit = form.cleaned_data["visit"]
            report(
                request,
                lambda: services.left(visit, by=request.user),
                _("Ticket %(number)s marked as gone.") % {"number": visit.number},
            )
        else:
            report_form_errors(request, form)
    elif action == "transfer":
        form = TransferForm(
            request.POST, visits=visits, queues=branch.queues.filter(is_active=True)
        )
        if form.is_valid():
            data = form.cleaned_data
            report(
                request,
                lambda: services.transfer(
                    data["visit"],
                    to_queue=data["to_queue"],
                    keep_place=data["keep_place"],
                    by=request.user,
                ),
                _("Ticket %(number)s transferred to %(queue)s.")
                % {"number": data["visit"].number, "queue": data["to_queue"].name},
            )
        else:
            report_form_errors(request, form)
    else:
        messages.error(request, _("Unknown action."))
    return redirect("attention:reception", pk=branch.pk)
