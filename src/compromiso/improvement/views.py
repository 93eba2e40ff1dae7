"""Staff pages for improvement actions: the board and list with their figures, creation (also
one click from a cause on the case analytics or from a case), and each action's page."""

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from compromiso.cases.models import Case
from compromiso.catalog.models import Service
from compromiso.charters.models import Commitment
from compromiso.core.errors import DomainError
from compromiso.core.forms import add_service_error
from compromiso.core.http import AuthenticatedHttpRequest, report
from compromiso.core.ids import parse_id
from compromiso.core.permissions import Perm, scope_for
from compromiso.improvement import services
from compromiso.improvement.forms import (
    ActionFilterForm,
    ActionForm,
    CheckForm,
    MoveForm,
    PriorityForm,
    PublishForm,
)
from compromiso.improvement.models import (
    ActionQuerySet,
    ActionStatus,
    ImprovementAction,
    MetricKind,
    RemedyKind,
)
from compromiso.improvement.origins import describe_origin
from compromiso.organizations.current import require_organization
from compromiso.organizations.models import Unit, User
from compromiso.surveys.models import Question, Wave

COLUMNS = [
    ActionStatus.PROPOSED,
    ActionStatus.APPROVED,
    ActionStatus.IN_PROGRESS,
    ActionStatus.CHECKING,
    ActionStatus.EFFECTIVE,
    ActionStatus.NOT_EFFECTIVE,
]


def _actions(request: AuthenticatedHttpRequest) -> ActionQuerySet:
    organization = require_organization(request)
    return ImprovementAction.objects.visible_to(request.user).filter(organization=organization)


@login_required
def board(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Actions by state (a board) or as a filterable list, with the figures on top."""
    organization = require_organization(request)
    if not scope_for(request.user, Perm.VIEW).touches(organization.pk):
        raise Http404
    units = Unit.objects.visible_to(request.user).filter(organization=organization).order_by("path")
    form = ActionFilterForm(
        request.GET or None,
        units=units,
        services=Service.objects.filter(organization=organization),
    )
    actions = _actions(request)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data["unit"]:
            actions = actions.filter(owner_unit__path__startswith=data["unit"].path)
        if data["service"]:
            actions = actions.filter(services=data["service"])
        if data["origin"]:
            actions = actions.filter(origins__kind=data["origin"])
        if data["status"]:
            actions = actions.filter(status=data["status"])
        if data["overdue"]:
            actions = actions.open().filter(due_date__lt=timezone.localdate())
    actions = actions.distinct().select_related("owner_unit", "responsible")
    listed = list(actions)
    view = "list" if request.GET.get("view") == "list" else "board"
    return render(
        request,
        "improvement/board.html",
        {
            "form": form,
            "view": view,
            "actions": listed,
            "columns": [
                (status.label, [a for a in listed if a.status == status]) for status in COLUMNS
            ],
            "figures": services.figures(actions),
            "today": timezone.localdate(),
            "can_create": scope_for(request.user, Perm.MANAGE_IMPROVEMENT).touches(organization.pk),
            "query": request.GET.urlencode(),
        },
    )


def _people(organization_id: int) -> QuerySet[User]:
    return (
        User.objects.filter(memberships__organization_id=organization_id, is_active=True)
        .distinct()
        .order_by("username")
    )


@login_required
def new(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Propose an action. ?root_cause=, ?category= or ?case= pre-fill its origin."""
    organization = require_organization(request)
    scope = scope_for(request.user, Perm.MANAGE_IMPROVEMENT)
    if not scope.touches(organization.pk):
        raise PermissionDenied
    units = Unit.objects.visible_to(request.user, Perm.MANAGE_IMPROVEMENT).filter(
        organization=organization, is_active=True
    )
    initial: dict[str, Any] = {"due_date": timezone.localdate() + dt.timedelta(days=60)}
    for name in ("root_cause", "category"):
        if (value := parse_id(request.GET.get(name, ""))) is not None:
            initial[name] = value
    wave_id, question_id = (
        parse_id(request.GET.get("wave", "")),
        parse_id(request.GET.get("driver", "")),
    )
    if wave_id is not None and question_id is not None:
        found_wave = Wave.objects.filter(organization=organization, pk=wave_id).first()
        driver = (
            Question.objects.filter(pk=question_id, questionnaire=found_wave.questionnaire_id)
            .select_related("questionnaire")
            .first()
            if found_wave is not None
            else None
        )
        if driver is not None:
            initial["driver_wave"], initial["driver_question"] = wave_id, driver.pk
            initial["title"] = driver.text[:200]
    commitment_id = parse_id(request.GET.get("commitment", ""))
    if commitment_id is not None:
        commitment = (
            Commitment.objects.visible_to(request.user)
            .filter(pk=commitment_id, charter__organization=organization)
            .select_related("service")
            .first()
        )
        if commitment is not None:
            initial["commitment"] = commitment.pk
            initial["title"] = commitment.text[:200]
            initial["services"] = [commitment.service_id]
            if commitment.service.provider_unit_id:
                initial["owner_unit"] = commitment.service.provider_unit_id
    if request.GET.get("remedy") in RemedyKind.values:
        initial["remedy"] = request.GET["remedy"]
    if (protocol_id := parse_id(request.GET.get("protocol", ""))) is not None:
        initial["remedy"], initial["remedy_protocol"] = RemedyKind.PROTOCOL, protocol_id
        initial["check_on"] = MetricKind.PROTOCOL
    if initial.get("remedy") == RemedyKind.TRAINING:
        initial["check_on"] = MetricKind.TRAINING
    case_id = parse_id(request.GET.get("case", ""))
    if case_id is not None:
        case = Case.objects.visible_to(request.user).filter(pk=case_id).first()
        if case is not None:
            initial["case_code"] = case.tracking_code
            initial["title"] = case.subject[:200]
            initial["owner_unit"] = case.unit_id
    form = ActionForm(
        request.POST or None,
        initial=initial,
        organization=organization,
        units=units.order_by("path"),
        people=_people(organization.pk),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        origins: list[dict[str, Any]] = []
        if data["root_cause"]:
            origins.append({"root_cause": data["root_cause"]})
        if data["category"]:
            origins.append({"category": data["category"]})
        if data["commitment"]:
            origins.append({"commitment": data["commitment"]})
        if data["driver_wave"] and data["driver_question"]:
            origins.append({"wave": data["driver_wave"], "question": data["driver_question"]})
        code = data["case_code"].strip().upper()
        if code:
            case = (
                Case.objects.visible_to(request.user)
                .filter(organization=organization, tracking_code=code)
                .first()
            )
            if case is None:
                form.add_error("case_code", _("No case of yours has this tracking code."))
            else:
                origins.append({"case": case})
        if not form.errors:
            try:
                action = services.create_action(
                    organization,
                    by=request.user,
                    title=data["title"],
                    description=data["description"],
                    owner_unit=data["owner_unit"],
                    responsible=data["responsible"],
                    services=data["services"],
                    due_date=data["due_date"],
                    effort=data["effort"],
                    origins=origins,
                    touch_points=data["touch_points"],
                    remedy=data["remedy"] or RemedyKind.OTHER,
                    remedy_protocol=data["remedy_protocol"],
                    remedy_programme=data["remedy_programme"],
                    check_on=data["check_on"],
                )
            except (ValidationError, DomainError) as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("Improvement action proposed."))
                return redirect("improvement:detail", pk=action.pk)
    return render(request, "improvement/new.html", {"form": form})


NEXT_STEPS: dict[str, list[ActionStatus]] = {
    ActionStatus.PROPOSED: [ActionStatus.APPROVED, ActionStatus.REJECTED],
    ActionStatus.APPROVED: [ActionStatus.IN_PROGRESS, ActionStatus.REJECTED],
    ActionStatus.IN_PROGRESS: [ActionStatus.CHECKING],
    ActionStatus.EFFECTIVE: [ActionStatus.CLOSED],
    ActionStatus.NOT_EFFECTIVE: [ActionStatus.IN_PROGRESS, ActionStatus.CLOSED],
}


@login_required
def detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    action = get_object_or_404(
        _actions(request).select_related(
            "owner_unit", "responsible", "metric_root_cause", "metric_commitment"
        ),
        pk=pk,
    )
    can_manage = scope_for(request.user, Perm.MANAGE_IMPROVEMENT).covers(
        action.organization_id, action.owner_unit.path
    )
    series = services.monthly_series(action)
    indicator = services.indicator_series(action)
    attribute = services.attribute_effect(action)
    change = services.effect(action)
    share = services.share_effect(action)
    after_start = action.after_start.strftime("%Y-%m") if action.after_start else None
    top = max((count for _month, count in series), default=0) or 1
    chart = [
        {
            "label": month,
            "value": count,
            "width": round(100 * count / top, 1),
            "after": after_start is not None and month >= after_start,
        }
        for month, count in series
    ]
    origins = list(
        action.origins.select_related(
            "root_cause", "category", "case", "commitment__charter", "wave", "question"
        )
    )
    for origin in origins:
        origin.links = describe_origin(origin, request.user)  # type: ignore[attr-defined]
    return render(
        request,
        "improvement/detail.html",
        {
            "action": action,
            "origins": origins,
            "events": action.events.select_related("actor"),
            "can_manage": can_manage and action.status not in ("closed", "rejected"),
            "next_steps": [(s, ActionStatus(s).label) for s in NEXT_STEPS.get(action.status, [])],
            "move_form": MoveForm(),
            "check_form": CheckForm(),
            "priority_form": PriorityForm(initial={"priority": action.priority}),
            "publish_form": PublishForm(
                initial={"is_public": action.is_public, "summary": action.public_summary}
            ),
            "chart": chart,
            "indicator": indicator,
            "attribute": attribute,
            "change": change,
            "share": share,
        },
    )


def _managed(request: AuthenticatedHttpRequest, pk: int) -> ImprovementAction:
    action: ImprovementAction = get_object_or_404(
        _actions(request).select_related("owner_unit", "organization"), pk=pk
    )
    return action


@login_required
@require_POST
def move(request: AuthenticatedHttpRequest, pk: int, to: str) -> HttpResponse:
    action = _managed(request, pk)
    if to not in ActionStatus.values:
        raise Http404
    form = MoveForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    report(request, lambda: services.move_action(action, to, by=request.user, comment=comment))
    return redirect("improvement:detail", pk=action.pk)


@login_required
@require_POST
def check(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    action = _managed(request, pk)
    form = CheckForm(request.POST)
    if form.is_valid():
        report(request, lambda: services.record_check(action, by=request.user, **form.cleaned_data))
    else:
        messages.error(request, _("Say whether it worked and give the evidence."))
    return redirect("improvement:detail", pk=action.pk)


@login_required
@require_POST
def prioritise(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    action = _managed(request, pk)
    form = PriorityForm(request.POST)
    if form.is_valid():
        report(
            request,
            lambda: services.adjust_priority(
                action,
                priority=form.cleaned_data["priority"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            ),
        )
    else:
        messages.error(request, _("Give a priority from 0 to 100,000 and the reason."))
    return redirect("improvement:detail", pk=action.pk)


@login_required
@require_POST
def publish(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    action = _managed(request, pk)
    form = PublishForm(request.POST)
    if form.is_valid():
        report(
            request,
            lambda: services.publish(
                action,
                is_public=form.cleaned_data["is_public"],
                summary=form.cleaned_data["summary"],
                by=request.user,
            ),
        )
    return redirect("improvement:detail", pk=action.pk)
