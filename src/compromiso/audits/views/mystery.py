"""Staff pages of mystery shopping: the rounds, a round with its schedule, its settings and
drawing the schedule, a visit's checklist (made for a phone), closing or reassigning a visit,
the results with their export, and the scenario scripts.

Scenarios and schedules are confidential: the staff observed must not learn what will be asked
or when, so every page needs the right to conduct the round (or to keep the scripts)."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from compromiso.audits import services
from compromiso.audits.access import audit_for, can
from compromiso.audits.forms.mystery import (
    WEEKDAYS,
    AssignForm,
    CloseVisitForm,
    RoundForm,
    ScenarioForm,
    ScheduleForm,
    VisitForm,
)
from compromiso.audits.models import (
    Audit,
    AuditAccess,
    AuditKind,
    MysteryRound,
    MysteryScenario,
    MysteryVisit,
    VisitStatus,
)
from compromiso.audits.mystery_results import export_table, round_results
from compromiso.catalog.models import TouchPoint
from compromiso.charters.models import Commitment, IndicatorSource
from compromiso.core.dbrouter import use_replica
from compromiso.core.errors import DomainError
from compromiso.core.exports import tabular_response
from compromiso.core.forms import add_service_error
from compromiso.core.http import AuthenticatedHttpRequest, report, report_form_errors
from compromiso.core.permissions import Perm, has_perm, roles_with, scope_for
from compromiso.organizations.current import require_organization
from compromiso.organizations.models import Organization, User
from compromiso.servicemodel.checklists import ChecklistItem, checklist_for_touch_point
from compromiso.servicemodel.checklists import checklist_items as protocol_items
from compromiso.servicemodel.models import CheckMethod, StepResult

ROUND_ERRORS = (ValidationError, DomainError)


def _organization(request: AuthenticatedHttpRequest) -> Organization:
    organization = require_organization(request)
    if not scope_for(request.user, Perm.VIEW).touches(organization.pk):
        raise Http404
    return organization


def _round(request: AuthenticatedHttpRequest, pk: int, need: Any = "conduct") -> MysteryRound:
    """The mystery-shopping round of audit `pk`, for someone who may `need` it (404/403). Its
    dates and times are then read and shown in the audited organisation's time zone, whoever
    looks (a peer auditor of another organisation included)."""
    audit = audit_for(request, pk, need)
    round_ = MysteryRound.objects.filter(audit=audit, audit__kind=AuditKind.MYSTERY).first()
    if round_ is None:
        raise Http404
    round_.audit = audit
    timezone.activate(audit.organization.zone)  # the middleware resets it after the request
    return round_


def _visit(request: AuthenticatedHttpRequest, pk: int, visit_pk: int) -> MysteryVisit:
    round_ = _round(request, pk)
    visit = get_object_or_404(
        MysteryVisit.objects.select_related("touch_point__channel", "scenario", "observer"),
        round=round_,
        pk=visit_pk,
    )
    visit.round = round_
    return visit


def _candidates(organization: Organization, round_: MysteryRound | None) -> QuerySet[User]:
    """Who may be chosen as an observer: members who conduct or manage audits, and (for an
    existing round) its team and people granted access to it."""
    roles = roles_with(Perm.CONDUCT_AUDITS) | roles_with(Perm.MANAGE_AUDITS)
    who = Q(memberships__organization=organization, memberships__role__in=roles)
    if round_ is not None:
        granted = AuditAccess.objects.active().filter(audit=round_.audit).values("user")
        who |= Q(audit_teams__audit=round_.audit) | Q(pk__in=granted)
        who |= Q(pk__in=round_.observers.values("pk"))
    return User.objects.filter(who, is_active=True).distinct().order_by("first_name", "username")


def _can_keep_scenarios(request: AuthenticatedHttpRequest, organization: Organization) -> bool:
    return services.can_keep_scenarios(request.user, organization.pk)


@login_required
def rounds(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The organisation's mystery-shopping rounds the person may conduct."""
    organization = _organization(request)
    if not _can_keep_scenarios(request, organization):
        raise PermissionDenied
    audits = Audit.objects.filter(organization=organization, kind=AuditKind.MYSTERY)
    mine = [
        a for a in audits.select_related("organization", "unit") if can(request.user, a, "conduct")
    ]
    counts = {
        row["round__audit"]: row
        for row in MysteryVisit.objects.filter(round__audit__in=[a.pk for a in mine])
        .values("round__audit")
        .annotate(
            planned=Count("pk", filter=~Q(status=VisitStatus.CANCELLED)),
            done=Count("pk", filter=Q(status=VisitStatus.DONE)),
        )
        .order_by()
    }
    return render(
        request,
        "audits/mystery/rounds.html",
        {
            "rounds": [(a, counts.get(a.pk, {})) for a in mine],
            "can_create": has_perm(
                request.user, Perm.MANAGE_AUDITS, organization_id=organization.pk
            ),
        },
    )


def _round_form(
    request: AuthenticatedHttpRequest, organization: Organization, round_: MysteryRound | None
) -> RoundForm:
    return RoundForm(
        request.POST or None,
        initial=RoundForm.initial_from(round_) if round_ else None,
        touch_points=TouchPoint.objects.filter(organization=organization, is_active=True)
        .select_related("unit", "channel")
        .order_by("unit__path", "name"),
        scenarios=MysteryScenario.objects.filter(organization=organization, active=True),
        observers=_candidates(organization, round_),
    )


@login_required
def round_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    organization = _organization(request)
    if not has_perm(request.user, Perm.MANAGE_AUDITS, organization_id=organization.pk):
        raise PermissionDenied
    form = _round_form(request, organization, None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            round_ = services.create_round(
                organization,
                by=request.user,
                reference=data["reference"],
                title=data["title"],
                objectives=data["objectives"],
                planned_start=data["planned_start"],
                planned_end=data["planned_end"],
                touch_points=data["touch_points"],
                scenarios=data["scenarios"],
                observers=data["observers"],
                **form.settings(),
            )
        except ROUND_ERRORS as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Round created. Draw its schedule when it is ready."))
            return redirect("audits:mystery_round", pk=round_.audit_id)
    return render(request, "audits/mystery/round_form.html", {"form": form, "round": None})


@login_required
def round_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    round_ = _round(request, pk)
    if not services.can_lead(request.user, round_.audit):
        raise PermissionDenied
    form = _round_form(request, round_.audit.organization, round_)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_round(
                round_,
                by=request.user,
                reference=data["reference"],
                title=data["title"],
                objectives=data["objectives"],
                planned_start=data["planned_start"],
                planned_end=data["planned_end"],
                touch_points=data["touch_points"],
                scenarios=data["scenarios"],
                observers=data["observers"],
                **form.settings(),
            )
        except ROUND_ERRORS as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Round saved."))
            return redirect("audits:mystery_round", pk=round_.audit_id)
    return render(request, "audits/mystery/round_form.html", {"form": form, "round": round_})


@login_required
def round_page(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The round: its window, hours and scenarios, the schedule, and the figures so far."""
    round_ = _round(request, pk)
    audit = round_.audit
    user = request.user
    visits = round_.visits.select_related("touch_point__channel", "scenario", "observer")
    if request.GET.get("mine") == "1":
        visits = visits.filter(observer=user)
    lead = services.can_lead(user, audit)
    return render(
        request,
        "audits/mystery/round.html",
        {
            "round": round_,
            "audit": audit,
            "visits": visits,
            "mine": request.GET.get("mine") == "1",
            "results": round_results(round_),
            "scenarios": round_.scenarios.select_related("service", "channel"),
            "observers": round_.observers.order_by("first_name", "username"),
            "touch_points": audit.touch_points.select_related("unit", "channel"),
            "can_lead": lead and audit.is_open,
            "weekdays": [
                str(label) for (day, label) in WEEKDAYS if round_.weekdays[int(day)] == "1"
            ],
            "schedule_form": ScheduleForm(initial={"seed": round_.seed}),
            "can_schedule": lead
            and audit.is_open
            and not round_.visits.filter(
                status__in=[VisitStatus.DONE, VisitStatus.MISSED]
            ).exists(),
        },
    )


@login_required
@require_POST
def round_schedule(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    round_ = _round(request, pk)
    form = ScheduleForm(request.POST)
    if not form.is_valid():
        report_form_errors(request, form)
        return redirect("audits:mystery_round", pk=pk)
    result = report(
        request,
        lambda: services.schedule_round(round_, by=request.user, seed=form.cleaned_data["seed"]),
        lambda done: _("%(count)d visits drawn.") % {"count": done.visits},
    )
    if result is not None and result.skipped:
        messages.warning(
            request,
            _("No scenario fits these touch points, so they get no visit: %(names)s.")
            % {"names": ", ".join(p.name for p in result.skipped)},
        )
    return redirect("audits:mystery_round", pk=pk)


def _items(visit: MysteryVisit) -> list[ChecklistItem]:
    """The checklist of a visit: the protocol steps in force at its touch point, or, once it is
    recorded, the steps it was recorded with."""
    if visit.status != VisitStatus.DONE:
        return checklist_for_touch_point(visit.touch_point)
    kind = visit.touch_point.channel.kind
    items: list[ChecklistItem] = []
    for check in visit.checks.select_related("protocol").order_by("protocol__name", "pk"):
        recorded = {r.step_id for r in check.results.all()}
        items.extend(i for i in protocol_items(check.protocol, kind) if i.step.pk in recorded)
    return items


def _initial(visit: MysteryVisit) -> dict[str, Any]:
    if visit.status != VisitStatus.DONE:
        return {}
    zone = visit.round.audit.organization.zone
    assert visit.visited_at is not None
    initial: dict[str, Any] = {
        "visited_at": visit.visited_at.astimezone(zone).replace(tzinfo=None),
        "wait_minutes": visit.wait_minutes,
        "service_minutes": visit.service_minutes,
        "notes": visit.notes,
    }
    for result in StepResult.objects.filter(check_of__in=visit.checks.all()):
        initial[f"step_{result.step_id}"] = result.outcome
        initial[f"comment_{result.step_id}"] = result.comment
    for answer in visit.answers.all():
        initial[f"item_{answer.item}"] = answer.outcome
        initial[f"note_{answer.item}"] = answer.comment
    return initial


@login_required
def visit_page(request: AuthenticatedHttpRequest, pk: int, visit: int) -> HttpResponse:
    """A visit: the scenario to play, and the checklist to fill in on the spot."""
    item = _visit(request, pk, visit)
    audit = item.round.audit
    user = request.user
    recordable = (
        audit.is_open
        and item.status in (VisitStatus.PLANNED, VisitStatus.DONE)
        and services.can_record(user, item)
    )
    form = None
    if recordable:
        now = timezone.localtime(timezone.now(), audit.organization.zone)
        form = VisitForm(
            request.POST or None,
            items=_items(item),
            initial=_initial(item) or None,
            now=now.replace(tzinfo=None) if item.status == VisitStatus.PLANNED else None,
        )
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            first = item.status == VisitStatus.PLANNED
            try:
                services.record_visit(
                    item,
                    by=user,
                    visited_at=data["visited_at"],
                    steps=form.steps(),
                    answers=form.answers(),
                    wait_minutes=data["wait_minutes"],
                    service_minutes=data["service_minutes"],
                    notes=data["notes"],
                )
            except ROUND_ERRORS as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("Visit recorded.") if first else _("Visit corrected."))
                return redirect("audits:mystery_round", pk=pk)
    elif request.method == "POST":
        raise PermissionDenied
    lead = services.can_lead(user, audit) and audit.is_open
    planned = item.status == VisitStatus.PLANNED
    return render(
        request,
        "audits/mystery/visit.html",
        {
            "round": item.round,
            "audit": audit,
            "visit": item,
            "form": form,
            "close_form": CloseVisitForm() if planned and audit.is_open else None,
            "can_cancel": lead,
            "can_miss": recordable and item.scheduled_at <= timezone.now(),
            "assign_form": AssignForm(
                initial={"observer": item.observer_id},
                observers=item.round.observers.order_by("first_name", "username"),
            )
            if lead and planned
            else None,
        },
    )


@login_required
@require_POST
def visit_close(request: AuthenticatedHttpRequest, pk: int, visit: int) -> HttpResponse:
    item = _visit(request, pk, visit)
    form = CloseVisitForm(request.POST)
    if not form.is_valid():
        report_form_errors(request, form)
        return redirect("audits:mystery_visit", pk=pk, visit=item.pk)
    status = form.cleaned_data["status"]
    report(
        request,
        lambda: services.close_visit(
            item, by=request.user, status=status, reason=form.cleaned_data["reason"]
        ),
        _("Visit marked as missed.") if status == VisitStatus.MISSED else _("Visit cancelled."),
    )
    return redirect("audits:mystery_round", pk=pk)


@login_required
@require_POST
def visit_assign(request: AuthenticatedHttpRequest, pk: int, visit: int) -> HttpResponse:
    item = _visit(request, pk, visit)
    form = AssignForm(request.POST, observers=item.round.observers.all())
    if not form.is_valid():
        report_form_errors(request, form)
    else:
        report(
            request,
            lambda: services.assign_visit(
                item, by=request.user, observer=form.cleaned_data["observer"]
            ),
            _("Observer saved."),
        )
    return redirect("audits:mystery_visit", pk=pk, visit=item.pk)


@login_required
def results(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    round_ = _round(request, pk)
    organization = round_.audit.organization
    commitments = (
        Commitment.objects.filter(
            charter__organization=organization,
            source=IndicatorSource.PROTOCOL_COMPLIANCE,
            check_method=CheckMethod.MYSTERY,
        )
        .select_related("charter")
        .order_by("charter__title", "order")
    )
    return render(
        request,
        "audits/mystery/results.html",
        {
            "round": round_,
            "audit": round_.audit,
            "results": round_results(round_),
            "commitments": commitments,
        },
    )


@login_required
@use_replica
def export(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    round_ = _round(request, pk)
    header, rows = export_table(round_)
    fmt = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
    name = f"mystery-{round_.audit.reference}".replace(" ", "-")
    return tabular_response(name, header, rows, fmt)


# --- Scenarios ----------------------------------------------------------------------------


def _scenario_keeper(request: AuthenticatedHttpRequest) -> Organization:
    organization = _organization(request)
    if not _can_keep_scenarios(request, organization):
        raise PermissionDenied
    return organization


@login_required
def scenarios(request: AuthenticatedHttpRequest) -> HttpResponse:
    organization = _scenario_keeper(request)
    return render(
        request,
        "audits/mystery/scenarios.html",
        {
            "scenarios": MysteryScenario.objects.filter(organization=organization).select_related(
                "service", "channel"
            )
        },
    )


def _save_scenario(
    request: AuthenticatedHttpRequest,
    organization: Organization,
    scenario: MysteryScenario | None,
) -> HttpResponse:
    form = ScenarioForm(
        request.POST or None,
        initial=ScenarioForm.initial_from(scenario) if scenario else None,
        organization_id=organization.pk,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.save_scenario(
                organization, by=request.user, scenario=scenario, **form.cleaned_data
            )
        except ROUND_ERRORS as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Scenario saved."))
            return redirect("audits:mystery_scenarios")
    return render(
        request, "audits/mystery/scenario_form.html", {"form": form, "scenario": scenario}
    )


@login_required
def scenario_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _save_scenario(request, _scenario_keeper(request), None)


@login_required
def scenario_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    organization = _scenario_keeper(request)
    scenario = get_object_or_404(MysteryScenario, organization=organization, pk=pk)
    return _save_scenario(request, organization, scenario)
