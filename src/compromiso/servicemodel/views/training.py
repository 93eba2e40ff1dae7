"""Staff pages of training: the catalogue, a programme (its sessions and trainers), planning a
session, a session's attendance and results, the train-the-trainers cascade, and the coverage
figures. Quality managers edit the catalogue; sessions and certifications belong to a unit
(`EDIT_CHARTERS` there: quality managers, and unit heads in their subtree); every member reads
within their scope."""

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from compromiso.catalog.models import TouchPoint
from compromiso.core.errors import DomainError
from compromiso.core.forms import add_service_error
from compromiso.core.http import AuthenticatedHttpRequest, report
from compromiso.core.permissions import Perm, has_perm, scope_for
from compromiso.organizations.current import require_organization
from compromiso.organizations.models import Organization, Unit
from compromiso.servicemodel import services
from compromiso.servicemodel.forms.training import (
    CoverageDateForm,
    EnrolForm,
    ProgrammeForm,
    ResultsForm,
    SessionForm,
)
from compromiso.servicemodel.models import (
    Attendance,
    Protocol,
    SessionStatus,
    StaffMember,
    TrainerCertification,
    TrainingProgramme,
    TrainingSession,
)
from compromiso.servicemodel.services.training import has_results
from compromiso.servicemodel.training_coverage import (
    Point,
    TrainingData,
    managers_certified,
    touch_point_figures,
    trend,
    unit_figures,
)

EDIT = Perm.EDIT_CHARTERS


def _organization(request: AuthenticatedHttpRequest) -> Organization:
    """The current organisation, for a member of it (anyone else gets a 404)."""
    organization = require_organization(request)
    if not scope_for(request.user, Perm.VIEW).touches(organization.pk):
        raise Http404
    return organization


def _programme(request: AuthenticatedHttpRequest, pk: int) -> TrainingProgramme:
    organization = _organization(request)
    return get_object_or_404(TrainingProgramme, organization=organization, pk=pk)


def _can_manage(request: AuthenticatedHttpRequest, organization_id: int) -> bool:
    return has_perm(request.user, EDIT, organization_id=organization_id)


def _can_in_unit(request: AuthenticatedHttpRequest, unit: Unit) -> bool:
    return has_perm(request.user, EDIT, organization_id=unit.organization_id, unit_path=unit.path)


def _staff(request: AuthenticatedHttpRequest, organization: Organization) -> QuerySet[StaffMember]:
    """Active staff of the units where the user may record training."""
    return (
        StaffMember.objects.visible_to(request.user, EDIT)
        .filter(organization=organization, is_active=True)
        .select_related("unit")
    )


def _trainers(programme: TrainingProgramme) -> QuerySet[StaffMember]:
    return StaffMember.objects.filter(
        organization_id=programme.organization_id,
        is_active=True,
        trainer_certifications__programme=programme,
        trainer_certifications__revoked_on__isnull=True,
    ).distinct()


@login_required
def catalogue(request: AuthenticatedHttpRequest) -> HttpResponse:
    organization = _organization(request)
    programmes = (
        TrainingProgramme.objects.filter(organization=organization)
        .annotate(
            protocol_count=Count("covers_protocols", distinct=True),
            trainer_count=Count(
                "certifications",
                filter=Q(certifications__revoked_on__isnull=True),
                distinct=True,
            ),
        )
        .order_by("-is_active", "name")
    )
    return render(
        request,
        "servicemodel/training/catalogue.html",
        {
            "programmes": programmes,
            "can_manage": _can_manage(request, organization.pk),
        },
    )


@login_required
@require_POST
def install(request: AuthenticatedHttpRequest) -> HttpResponse:
    organization = _organization(request)
    if not _can_manage(request, organization.pk):
        raise PermissionDenied
    report(
        request,
        lambda: services.install_standard_programmes(organization, by=request.user),
        lambda added: _("%(count)d standard programmes added.") % {"count": len(added)},
    )
    return redirect("servicemodel:training")


def _programme_form(
    request: AuthenticatedHttpRequest, organization: Organization, programme: TrainingProgramme
) -> HttpResponse:
    if not _can_manage(request, organization.pk):
        raise PermissionDenied
    initial = ProgrammeForm.initial_from(programme) if programme.pk else None
    form = ProgrammeForm(
        request.POST or None,
        initial=initial,
        protocols=Protocol.objects.filter(organization=organization),
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        protocols = data.pop("covers_protocols")
        try:
            services.save_programme(programme, by=request.user, covers_protocols=protocols, **data)
        except (ValidationError, DomainError) as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Programme saved."))
            return redirect("servicemodel:training_programme", pk=programme.pk)
    return render(
        request,
        "servicemodel/training/programme_form.html",
        {"form": form, "programme": programme if programme.pk else None},
    )


@login_required
def programme_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    organization = _organization(request)
    return _programme_form(request, organization, TrainingProgramme(organization=organization))


@login_required
def programme_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    programme = _programme(request, pk)
    return _programme_form(request, programme.organization, programme)


@login_required
def programme(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    prog = _programme(request, pk)
    sessions = (
        TrainingSession.objects.visible_to(request.user)
        .filter(programme=prog)
        .select_related("unit", "trainer")
        .annotate(enrolled=Count("attendances"))
        .order_by("-starts_on", "-pk")[:100]
    )
    certifications = (
        TrainerCertification.objects.filter(programme=prog, revoked_on__isnull=True)
        .select_related("staff_member__unit", "certified_by__staff_member")
        .order_by("staff_member__name")
    )
    may_plan = not scope_for(request.user, EDIT).is_empty and prog.is_active
    return render(
        request,
        "servicemodel/training/programme.html",
        {
            "programme": prog,
            "protocols": prog.covers_protocols.order_by("name"),
            "sessions": sessions,
            "certifications": certifications,
            "can_manage": _can_manage(request, prog.organization_id),
            "can_plan": may_plan and scope_for(request.user, EDIT).touches(prog.organization_id),
        },
    )


@login_required
def session_new(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    prog = _programme(request, pk)
    organization = prog.organization
    units = Unit.objects.visible_to(request.user, EDIT).filter(
        organization=organization, is_active=True
    )
    if not units.exists():
        raise PermissionDenied
    form = SessionForm(
        request.POST or None,
        units=units,
        trainers=_trainers(prog),
        staff=_staff(request, organization),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            session = services.plan_session(
                prog,
                by=request.user,
                unit=data["unit"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                place=data["place"],
                trainer=data["trainer"],
                external_trainer=data["external_trainer"],
                attendees=data["attendees"],
            )
        except (ValidationError, DomainError) as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Session planned."))
            return redirect("servicemodel:training_session", pk=session.pk)
    return render(
        request, "servicemodel/training/session_form.html", {"form": form, "programme": prog}
    )


def _session(request: AuthenticatedHttpRequest, pk: int) -> TrainingSession:
    organization = _organization(request)
    return get_object_or_404(
        TrainingSession.objects.visible_to(request.user)
        .filter(organization=organization)
        .select_related("programme", "unit", "trainer"),
        pk=pk,
    )


@login_required
def session(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = _session(request, pk)
    can_record = _can_in_unit(request, item.unit) and item.status != "cancelled"
    attendances = list(item.attendances.select_related("staff_member__unit"))
    form = ResultsForm(request.POST or None, attendances=attendances)
    if request.method == "POST":
        if not can_record:
            raise PermissionDenied
        if form.is_valid():
            results = [services.Result(*row) for row in form.results()]
            try:
                earned = services.record_session_results(item, by=request.user, results=results)
            except (ValidationError, DomainError) as error:
                add_service_error(form, error)
            else:
                messages.success(
                    request,
                    _("Results recorded: %(count)d people earned the competence.")
                    % {"count": earned},
                )
                return redirect("servicemodel:training_session", pk=item.pk)
    return render(
        request,
        "servicemodel/training/session.html",
        {
            "session": item,
            "form": form,
            "can_record": can_record and bool(attendances),
            "can_cancel": _can_in_unit(request, item.unit) and item.status == "planned",
            **_enrolment(request, item, attendances),
        },
    )


def enrollable(session: TrainingSession) -> QuerySet[StaffMember]:
    """Active staff of the session's unit subtree who are not enrolled yet."""
    return (
        StaffMember.objects.filter(
            organization_id=session.organization_id,
            is_active=True,
            unit__path__startswith=session.unit.path,
        )
        .exclude(pk__in=session.attendances.values("staff_member_id"))
        .select_related("unit")
        .order_by("name", "code")
    )


def can_enrol(request: AuthenticatedHttpRequest, session: TrainingSession) -> bool:
    return session.status == SessionStatus.PLANNED and _can_in_unit(request, session.unit)


def _enrolment(
    request: AuthenticatedHttpRequest, item: TrainingSession, attendances: list[Attendance]
) -> dict[str, Any]:
    """The form to add attendees and the rows that may be taken off, for those allowed."""
    if not can_enrol(request, item):
        return {"enrol_form": None, "removable": set()}
    return {
        "enrol_form": EnrolForm(staff=enrollable(item)),
        "removable": {a.pk for a in attendances if not has_results(a)},
    }


@login_required
@require_POST
def session_cancel(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = _session(request, pk)
    if not _can_in_unit(request, item.unit):
        raise PermissionDenied
    report(
        request,
        lambda: services.cancel_session(item, by=request.user),
        _("Session cancelled."),
    )
    return redirect("servicemodel:training_session", pk=item.pk)


@dataclass(frozen=True)
class ChartPoint:
    x: float
    y: float
    label: str
    percent: int


def _trend_chart(points: list[Point]) -> dict[str, Any] | None:
    """A line on a 0–100 % scale across the months (months without a share are skipped)."""
    drawn = [
        ChartPoint(
            x=round(40 + 540 * n / max(len(points) - 1, 1), 1),
            y=round(10 + 160 * (1 - (p.trained.value or 0)), 1),
            label=p.on.strftime("%m/%y"),
            percent=p.trained.percent or 0,
        )
        for n, p in enumerate(points)
        if p.trained.value is not None
    ]
    if not drawn:
        return None
    return {
        "points": drawn,
        "polyline": " ".join(f"{p.x},{p.y}" for p in drawn),
        "grid": [(10, 100), (90, 50), (170, 0)],
    }


@login_required
def coverage_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    organization = _organization(request)
    scope = scope_for(request.user, Perm.VIEW)
    form = CoverageDateForm(request.GET or None)
    on = organization.today()
    if form.is_valid() and form.cleaned_data["on"]:
        on = form.cleaned_data["on"]
    units = list(
        Unit.objects.visible_to(request.user)
        .filter(organization=organization, is_active=True)
        .order_by("path")
    )
    whole = scope.covers_organization(organization.pk)
    focus = None if whole or not units else units[0]
    data = TrainingData.load(organization)
    touch_points = scope.filter(
        TouchPoint.objects.filter(organization=organization), path_field="unit__path"
    ).select_related("unit", "channel")
    points = trend(data, on, unit=focus)
    return render(
        request,
        "servicemodel/training/coverage.html",
        {
            "form": form,
            "on": on,
            "rows": unit_figures(data, on, units, whole=whole),
            "touch_points": touch_point_figures(
                data, on, touch_points.order_by("unit__path", "name")
            ),
            "points": points,
            "chart": _trend_chart(points),
            "focus": focus,
            "managers": managers_certified(data, on, unit=focus),
        },
    )
