"""Staff pages of the quality project: the project at a glance (timeline with its table, teams,
next and late milestones, the communication plan by month) for every member of the
organisation, and the forms of those who edit it (`EDIT_CHARTERS` on the whole organisation):
the project, teams and members, milestones (done), messages (sent, cancelled)."""

import datetime as dt
import itertools
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from compromiso.core.errors import DomainError
from compromiso.core.forms import add_service_error
from compromiso.core.http import AuthenticatedHttpRequest, report
from compromiso.core.permissions import Perm, has_perm, scope_for
from compromiso.organizations.current import require_organization
from compromiso.organizations.models import Organization
from compromiso.servicemodel import services
from compromiso.servicemodel.forms.project import (
    DoneForm,
    MessageForm,
    MilestoneForm,
    ProjectForm,
    SentForm,
    TeamForm,
    TeamMemberForm,
)
from compromiso.servicemodel.models import (
    CommunicationItem,
    MessageStatus,
    Milestone,
    ProjectTeam,
    QualityProject,
    TeamMember,
)
from compromiso.servicemodel.timeline import MessageIn, MilestoneIn, timeline

HOME = "servicemodel:project"
FORM = "servicemodel/project/form.html"


def _organization(request: AuthenticatedHttpRequest) -> Organization:
    """The current organisation, for a member of it (anyone else gets a 404)."""
    organization = require_organization(request)
    if not scope_for(request.user, Perm.VIEW).touches(organization.pk):
        raise Http404
    return organization


def _can_edit(request: AuthenticatedHttpRequest, organization: Organization) -> bool:
    return has_perm(request.user, Perm.EDIT_CHARTERS, organization_id=organization.pk)


def _project(request: AuthenticatedHttpRequest, *, edit: bool = False) -> QualityProject:
    """The organisation's project (404 without one); for editing, 403 without the right."""
    organization = _organization(request)
    project = services.project_of(organization)
    if project is None:
        raise Http404
    if edit and not _can_edit(request, organization):
        raise PermissionDenied
    return project


def _form_page(
    request: AuthenticatedHttpRequest,
    form: forms.Form,
    call: Callable[[dict[str, Any]], Any],
    *,
    done: str,
    title: str,
    intro: str = "",
) -> HttpResponse:
    """Validate → service → back to the project with a message; the form again on a refusal."""
    if request.method == "POST" and form.is_valid():
        try:
            call(form.cleaned_data)
        except (ValidationError, DomainError) as error:
            add_service_error(form, error)
        else:
            messages.success(request, done)
            return redirect(HOME)
    return render(request, FORM, {"form": form, "title": title, "intro": intro})


def _month_groups(items: list[CommunicationItem]) -> list[tuple[dt.date, list[Any]]]:
    def month(item: CommunicationItem) -> dt.date:
        return item.on.replace(day=1)

    ordered = sorted(items, key=lambda i: (i.on, i.pk))
    return [(key, list(group)) for key, group in itertools.groupby(ordered, key=month)]


@login_required
def project_home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The project at a glance."""
    organization = _organization(request)
    project = services.project_of(organization)
    can_edit = _can_edit(request, organization)
    if project is None:
        return render(
            request,
            "servicemodel/project/home.html",
            {"project": None, "can_edit": can_edit},
        )
    today = organization.today()
    milestones = list(project.milestones.select_related("unit"))
    for milestone in milestones:
        milestone.late = milestone.is_late(today)  # type: ignore[attr-defined]
    plan = list(project.communications.select_related("owner", "milestone"))
    for item in plan:
        item.late = item.is_late(today)  # type: ignore[attr-defined]
    teams = project.teams.prefetch_related("members__staff_member", "members__user")
    chart = timeline(
        starts_on=project.starts_on,
        ends_on=project.ends_on,
        today=today,
        milestones=[MilestoneIn(m.title, m.planned_on, m.done_on) for m in milestones],
        messages=[
            MessageIn(i.title, i.on, i.status) for i in plan if i.status != MessageStatus.CANCELLED
        ],
    )
    pending = [m for m in milestones if not m.is_done]
    return render(
        request,
        "servicemodel/project/home.html",
        {
            "project": project,
            "today": today,
            "chart": chart,
            "milestones": milestones,
            "next_milestones": [m for m in pending if m.planned_on >= today][:3],
            "late_milestones": [m for m in pending if m.planned_on < today],
            "late_messages": [i for i in plan if i.is_late(today)],
            "plan_by_month": _month_groups(plan),
            "sent_count": sum(1 for i in plan if i.status == MessageStatus.SENT),
            "plan_count": len(plan),
            "teams": teams,
            "can_edit": can_edit,
        },
    )


@login_required
def project_edit(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Create the project, or change it."""
    organization = _organization(request)
    if not _can_edit(request, organization):
        raise PermissionDenied
    project = services.project_of(organization)
    initial = (
        ProjectForm.initial_from(project)
        if project
        else {"name": services.default_project_name(organization)}
    )
    form = ProjectForm(request.POST or None, initial=initial, organization=organization)
    user = request.user

    def save(data: dict[str, Any]) -> Any:
        if project is None:
            return services.create_quality_project(organization, by=user, **data)
        return services.update_quality_project(project, by=user, **data)

    return _form_page(
        request,
        form,
        save,
        done=_("Quality project saved."),
        title=_("The quality project"),
        intro=_(
            "The project deploys the service model: who sponsors and leads it, its teams, its "
            "milestones and how it is communicated."
        ),
    )


@login_required
def team_form(request: AuthenticatedHttpRequest, pk: int | None = None) -> HttpResponse:
    project = _project(request, edit=True)
    team = get_object_or_404(project.teams, pk=pk) if pk is not None else None
    initial = TeamForm.initial_from(team) if team else {}
    form = TeamForm(request.POST or None, initial=initial)
    user = request.user

    def save(data: dict[str, Any]) -> Any:
        if team is None:
            return services.add_project_team(project, by=user, **data)
        return services.update_project_team(team, by=user, **data)

    return _form_page(
        request, form, save, done=_("Team saved."), title=team.name if team else _("New team")
    )


@login_required
@require_POST
def team_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    project = _project(request, edit=True)
    team = get_object_or_404(project.teams, pk=pk)
    report(request, lambda: services.remove_project_team(team, by=request.user), _("Team removed."))
    return redirect(HOME)


@login_required
def member_new(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    project = _project(request, edit=True)
    team: ProjectTeam = get_object_or_404(project.teams, pk=pk)
    form = TeamMemberForm(request.POST or None, organization=project.organization)
    user = request.user
    return _form_page(
        request,
        form,
        lambda data: services.add_team_member(team, by=user, **data),
        done=_("Member added to the team."),
        title=_("New member of “%(team)s”") % {"team": team.name},
    )


@login_required
@require_POST
def member_remove(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    project = _project(request, edit=True)
    member: TeamMember = get_object_or_404(TeamMember.objects.filter(team__project=project), pk=pk)
    report(
        request,
        lambda: services.remove_team_member(member, by=request.user),
        _("Member removed from the team."),
    )
    return redirect(HOME)


@login_required
def milestone_form(request: AuthenticatedHttpRequest, pk: int | None = None) -> HttpResponse:
    project = _project(request, edit=True)
    milestone = get_object_or_404(project.milestones, pk=pk) if pk is not None else None
    initial = MilestoneForm.initial_from(milestone) if milestone else {}
    form = MilestoneForm(request.POST or None, initial=initial, organization=project.organization)
    user = request.user

    def save(data: dict[str, Any]) -> Any:
        if milestone is None:
            return services.add_milestone(project, by=user, **data)
        return services.update_milestone(milestone, by=user, **data)

    return _form_page(
        request,
        form,
        save,
        done=_("Milestone saved."),
        title=milestone.title if milestone else _("New milestone"),
    )


@login_required
def milestone_done(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    project = _project(request, edit=True)
    milestone: Milestone = get_object_or_404(project.milestones, pk=pk)
    form = DoneForm(request.POST or None, initial={"done_on": project.organization.today()})
    user = request.user
    return _form_page(
        request,
        form,
        lambda data: services.mark_milestone_done(milestone, by=user, **data),
        done=_("Milestone marked as done."),
        title=_("“%(title)s” is done") % {"title": milestone.title},
    )


@login_required
@require_POST
def milestone_reopen(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    project = _project(request, edit=True)
    milestone = get_object_or_404(project.milestones, pk=pk)
    report(
        request,
        lambda: services.reopen_milestone(milestone, by=request.user),
        _("Milestone pending again."),
    )
    return redirect(HOME)


@login_required
def message_form(request: AuthenticatedHttpRequest, pk: int | None = None) -> HttpResponse:
    project = _project(request, edit=True)
    item = get_object_or_404(project.communications, pk=pk) if pk is not None else None
    initial = MessageForm.initial_from(item) if item else {}
    form = MessageForm(request.POST or None, initial=initial, project=project)
    user = request.user

    def save(data: dict[str, Any]) -> Any:
        if item is None:
            return services.add_communication_item(project, by=user, **data)
        return services.update_communication_item(item, by=user, **data)

    return _form_page(
        request,
        form,
        save,
        done=_("Message of the communication plan saved."),
        title=item.title if item else _("New message of the communication plan"),
    )


@login_required
def message_sent(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    project = _project(request, edit=True)
    item: CommunicationItem = get_object_or_404(project.communications, pk=pk)
    form = SentForm(request.POST or None, initial={"sent_on": project.organization.today()})
    user = request.user
    return _form_page(
        request,
        form,
        lambda data: services.mark_communication_sent(item, by=user, **data),
        done=_("Message marked as sent."),
        title=_("What was sent: “%(title)s”") % {"title": item.title},
        intro=_("Record the day it was actually sent, the text if it changed, and its reach."),
    )


@login_required
@require_POST
def message_cancel(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    project = _project(request, edit=True)
    item = get_object_or_404(project.communications, pk=pk)
    report(
        request,
        lambda: services.cancel_communication_item(item, by=request.user),
        _("Message cancelled."),
    )
    return redirect(reverse(HOME) + "#plan-title")
