"""A branch's page (its queues with who waits and the estimated wait, its desks with who sits
there, its opening hours) and its set-up: the branch, its hours, its queues and its desks, for
those who manage attention in the branch's unit."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from compromiso.attention.forms.setup import BranchForm, DeskForm, OpeningHoursForm, QueueForm
from compromiso.attention.models import Branch, Desk, DeskSession, Queue, Visit, VisitState
from compromiso.attention.services import setup
from compromiso.attention.views.common import branches_for, organization_of
from compromiso.attention.waits import branch_estimates
from compromiso.catalog.models import ChannelKind, Service, TouchPoint
from compromiso.core.errors import DomainError
from compromiso.core.forms import add_service_error
from compromiso.core.http import AuthenticatedHttpRequest
from compromiso.core.permissions import Perm, has_perm, scope_for

REFUSALS = (ValidationError, DomainError)


def visible_branch(request: AuthenticatedHttpRequest, pk: int) -> Branch:
    """A branch of the current organisation the user may see (anyone else gets a 404)."""
    organization = organization_of(request)
    return get_object_or_404(
        branches_for(request, organization).select_related(
            "touch_point", "touch_point__unit", "organization"
        ),
        pk=pk,
    )


def may(request: AuthenticatedHttpRequest, perm: Perm, branch: Branch) -> bool:
    return has_perm(
        request.user,
        perm,
        organization_id=branch.organization_id,
        unit_path=branch.touch_point.unit.path,
    )


def managed_branch(request: AuthenticatedHttpRequest, pk: int) -> Branch:
    """A visible branch the user manages (403 for one they only see)."""
    branch = visible_branch(request, pk)
    if not may(request, Perm.MANAGE_ATTENTION, branch):
        raise PermissionDenied
    return branch


def _optional_url(name: str, pk: int) -> str | None:
    """The address of a page another part may add (a display, a board), if it exists."""
    try:
        return reverse(name, kwargs={"pk": pk})
    except NoReverseMatch:
        return None


@login_required
def branch_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    branch = visible_branch(request, pk)
    estimates = branch_estimates(branch)
    queues = list(branch.queues.prefetch_related("services"))
    waiting: dict[int, list[str]] = {}
    for queue_id, number in (
        Visit.objects.filter(queue__in=queues, state=VisitState.WAITING)
        .in_call_order()
        .values_list("queue_id", "number")
    ):
        waiting.setdefault(queue_id, []).append(number)
    sessions = {
        s.desk_id: s
        for s in DeskSession.objects.filter(desk__branch=branch, ended_at__isnull=True)
        .select_related("user")
        .order_by()
    }
    desks = list(branch.desks.prefetch_related("queues"))
    return render(
        request,
        "attention/branches/detail.html",
        {
            "tab": "branches",
            "branch": branch,
            "queue_rows": [
                {"queue": q, "waiting": waiting.get(q.pk, []), "estimate": estimates.get(q.pk)}
                for q in queues
            ],
            "desk_rows": [{"desk": d, "session": sessions.get(d.pk)} for d in desks],
            "hours": list(branch.hours.all()),
            "can_manage": may(request, Perm.MANAGE_ATTENTION, branch),
            "can_serve": may(request, Perm.SERVE_VISITORS, branch),
            "display_url": _optional_url("attention:display", branch.pk),
            "board_url": _optional_url("attention:board", branch.pk),
        },
    )


def _branch_fields(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k in setup.BRANCH_FIELDS}


@login_required
def branch_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Make an in-person touch point of the organisation run a queue."""
    organization = organization_of(request)
    if not scope_for(request.user, Perm.MANAGE_ATTENTION).touches(organization.pk):
        raise PermissionDenied
    touch_points = (
        TouchPoint.objects.visible_to(request.user, Perm.MANAGE_ATTENTION)
        .filter(
            organization=organization,
            channel__kind=ChannelKind.IN_PERSON,
            is_active=True,
            branch__isnull=True,
        )
        .select_related("unit")
    )
    form = BranchForm(request.POST or None, touch_points=touch_points)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            branch = setup.create_branch(
                organization=organization,
                touch_point=data["touch_point"],
                by=request.user,
                **_branch_fields(data),
            )
        except REFUSALS as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Branch created. Now add its queues and desks."))
            return redirect("attention:branch", pk=branch.pk)
    return render(
        request,
        "attention/branches/form.html",
        {
            "tab": "branches",
            "form": form,
            "title": _("New branch"),
            "cancel": reverse("attention:home"),
        },
    )


@login_required
def branch_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    branch = managed_branch(request, pk)
    initial = {name: getattr(branch, name) for name in setup.BRANCH_FIELDS}
    form = BranchForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            setup.update_branch(branch, by=request.user, **_branch_fields(form.cleaned_data))
        except REFUSALS as error:
            branch.refresh_from_db()
            add_service_error(form, error)
        else:
            messages.success(request, _("Branch saved."))
            return redirect("attention:branch", pk=branch.pk)
    return _form_page(request, branch, form, _("Edit branch"))


def _form_page(
    request: AuthenticatedHttpRequest, branch: Branch, form: Any, title: str
) -> HttpResponse:
    return render(
        request,
        "attention/branches/form.html",
        {
            "tab": "branches",
            "branch": branch,
            "form": form,
            "title": title,
            "cancel": reverse("attention:branch", kwargs={"pk": branch.pk}),
        },
    )


@login_required
def branch_hours(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The branch's opening hours per weekday, up to two periods a day."""
    branch = managed_branch(request, pk)
    form = OpeningHoursForm(
        request.POST or None, initial=OpeningHoursForm.initial_from(branch.hours.all())
    )
    if request.method == "POST" and form.is_valid():
        try:
            setup.set_opening_hours(branch, form.cleaned_data["periods"], by=request.user)
        except REFUSALS as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Opening hours saved."))
            return redirect("attention:branch", pk=branch.pk)
    return render(
        request,
        "attention/branches/hours.html",
        {"tab": "branches", "branch": branch, "form": form},
    )


def _services(branch: Branch) -> Any:
    return Service.objects.filter(organization_id=branch.organization_id, is_active=True)


def _queue_fields(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k in setup.QUEUE_FIELDS or k == "services"}


@login_required
def queue_new(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    branch = managed_branch(request, pk)
    form = QueueForm(request.POST or None, services=_services(branch))
    if request.method == "POST" and form.is_valid():
        try:
            setup.create_queue(branch, by=request.user, **_queue_fields(form.cleaned_data))
        except REFUSALS as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Queue added."))
            return redirect("attention:branch", pk=branch.pk)
    return _form_page(request, branch, form, _("New queue"))


@login_required
def queue_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    organization = organization_of(request)
    queue = get_object_or_404(
        Queue.objects.filter(branch__in=branches_for(request, organization)), pk=pk
    )
    branch = managed_branch(request, queue.branch_id)
    queue.branch = branch
    initial = {name: getattr(queue, name) for name in setup.QUEUE_FIELDS}
    initial["services"] = list(queue.services.all())
    form = QueueForm(request.POST or None, initial=initial, services=_services(branch))
    if request.method == "POST" and form.is_valid():
        try:
            setup.update_queue(queue, by=request.user, **_queue_fields(form.cleaned_data))
        except REFUSALS as error:
            queue.refresh_from_db()
            add_service_error(form, error)
        else:
            messages.success(request, _("Queue saved."))
            return redirect("attention:branch", pk=branch.pk)
    return _form_page(request, branch, form, _("Edit queue %(name)s") % {"name": queue.name})


def _desk_fields(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k in ("name", "queues", "is_active")}


@login_required
def desk_new(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    branch = managed_branch(request, pk)
    form = DeskForm(request.POST or None, queues=branch.queues.all())
    if request.method == "POST" and form.is_valid():
        try:
            setup.create_desk(branch, by=request.user, **_desk_fields(form.cleaned_data))
        except REFUSALS as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Desk added."))
            return redirect("attention:branch", pk=branch.pk)
    return _form_page(request, branch, form, _("New desk"))


@login_required
def desk_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    organization = organization_of(request)
    desk = get_object_or_404(
        Desk.objects.filter(branch__in=branches_for(request, organization)), pk=pk
    )
    branch = managed_branch(request, desk.branch_id)
    desk.branch = branch
    initial = {"name": desk.name, "is_active": desk.is_active, "queues": list(desk.queues.all())}
    form = DeskForm(request.POST or None, initial=initial, queues=branch.queues.all())
    if request.method == "POST" and form.is_valid():
        try:
            setup.update_desk(desk, by=request.user, **_desk_fields(form.cleaned_data))
        except REFUSALS as error:
            desk.refresh_from_db()
            add_service_error(form, error)
        else:
            messages.success(request, _("Desk saved."))
            return redirect("attention:branch", pk=branch.pk)
    return _form_page(request, branch, form, _("Edit desk %(name)s") % {"name": desk.name})
