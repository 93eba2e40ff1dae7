"""Staff pages for surveys: the waves, and each wave's dashboard read from the score counts
(only the services the viewer may see), with the comparison against the previous wave."""

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from compromiso.catalog.models import Channel, Service, TouchPoint
from compromiso.core.audit import log_action
from compromiso.core.errors import DomainError
from compromiso.core.exports import streamed_csv, tabular_response
from compromiso.core.forms import add_service_error
from compromiso.core.http import AuthenticatedHttpRequest, report, report_form_errors
from compromiso.core.permissions import Perm, is_network_analyst, scope_for
from compromiso.core.tasks import enqueue_with_transaction
from compromiso.insights import charts, netscore, words
from compromiso.insights.figures import (
    driver_table,
    internal_matrix,
    panel_change,
    raked_total,
    sample_progress,
    wave_figures,
    weighted_total,
)
from compromiso.insights.network import MIN_RESPONSES as NETWORK_MINIMUM
from compromiso.insights.network import network_figures
from compromiso.organizations.current import require_organization
from compromiso.organizations.models import Unit
from compromiso.surveys import imports, services, validation
from compromiso.surveys.forms import (
    SCALES,
    ClientUnitsForm,
    ImportUploadForm,
    InviteForm,
    InviteUnitsForm,
    MappingForm,
    OverrideForm,
    QuestionnaireForm,
    SampleDesignForm,
    WaveForm,
    WeightTargetsForm,
)
from compromiso.surveys.models import Answer, ImportStatus, QuestionKind, Wave, WaveStatus
from compromiso.surveys.tasks import import_responses


def _waves(request: AuthenticatedHttpRequest) -> Any:
    organization = require_organization(request)
    return Wave.objects.visible_to(request.user).filter(organization=organization)


@login_required
def waves(request: AuthenticatedHttpRequest) -> HttpResponse:
    organization = require_organization(request)
    if not scope_for(request.user, Perm.VIEW).touches(organization.pk):
        raise Http404
    return render(
        request,
        "surveys/waves.html",
        {
            "waves": _waves(request).select_related("questionnaire").prefetch_related("services"),
            "can_manage": scope_for(request.user, Perm.MANAGE_SURVEYS).covers_organization(
                organization.pk
            ),
            "awaiting": validation.awaiting_review(request.user, organization),
        },
    )


@login_required
def wave(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(_waves(request).select_related("questionnaire", "previous"), pk=pk)
    visible = Service.objects.visible_to(request.user).filter(organization=item.organization)
    figures = wave_figures(item, visible)
    change = None
    previous = None
    if item.previous is not None:
        previous = wave_figures(item.previous, visible)
        if previous.total is not None and figures.total is not None:
            change = netscore.compare(previous.total.summary, figures.total.summary)
    can_manage = scope_for(request.user, Perm.MANAGE_SURVEYS).covers_organization(
        item.organization_id
    )
    link = request.build_absolute_uri(reverse("portal:survey", args=[item.token]))
    drivers_found = driver_table(item, visible)
    detect = None
    net = figures.total.summary.net if figures.total is not None else None
    if figures.total is not None and net is not None:
        summary = figures.total.summary
        variance = (summary.satisfied + summary.dissatisfied) / summary.n - (net.value / 100) ** 2
        detect = [
            (delta, netscore.responses_to_detect(delta, variance=max(variance, 0.01)))
            for delta in (1.5, 3.0, 5.0)
        ]
    return render(
        request,
        "surveys/wave.html",
        {
            "wave": item,
            "figures": figures,
            "previous": previous,
            "change": change,
            "link": link,
            "detect": detect,
            "drivers": drivers_found,
            "charts": {
                "service": charts.net_chart(figures.by_service),
                "channel": charts.net_chart(figures.by_channel),
                "touch_point": charts.net_chart(figures.by_touch_point),
                "segments": [charts.net_chart(cells) for _title, cells in figures.by_segment],
                "trend": charts.trend_chart(figures.by_month),
                "map": charts.importance_map(drivers_found),
            },
            "weighted": weighted_total(item, visible),
            "progress": sample_progress(item, visible),
            "raked": raked_total(item, visible),
            "panel": panel_change(item, visible),
            "invite_form": InviteForm(wave=item),
            "invite_units_form": InviteUnitsForm(wave=item),
            "matrix": _matrix_rows(item, visible),
            "words": words.frequencies(
                _recent_texts(item, visible), top=25, min_count=item.min_publish
            ),
            "invitations": item.invitations.count(),
            "invitations_used": item.invitations.filter(used_at__isnull=False).count(),
            "can_improve": scope_for(request.user, Perm.MANAGE_IMPROVEMENT).touches(
                item.organization_id
            ),
            "can_manage": can_manage,
            **_validation_context(request, item, can_manage),
        },
    )


def _recent_texts(item: Wave, visible: Any) -> list[str]:
    """The latest 5,000 open answers (read through the index on question and id)."""
    questions = item.questionnaire.questions.filter(kind=QuestionKind.TEXT).values_list(
        "pk", flat=True
    )
    return list(
        Answer.objects.filter(
            question__in=list(questions), response__wave=item, response__service__in=visible
        )
        .exclude(text="")
        .order_by("-pk")
        .values_list("text", flat=True)[:5000]
    )


def _validation_context(
    request: AuthenticatedHttpRequest, item: Wave, can_manage: bool
) -> dict[str, Any]:
    """The validation of the attributes by the client units, for a draft internal wave."""
    if item.audience != "internal" or item.status != WaveStatus.DRAFT:
        return {"validation": None}
    status = validation.validation_status(item)
    catalog_services = set(
        Service.objects.visible_to(request.user, Perm.MANAGE_CATALOG)
        .filter(pk__in=[p.proposal.service_id for p in status.proposals])
        .values_list("pk", flat=True)
    )
    return {
        "validation": status,
        "reviewable_units": validation.reviewable_units(request.user, item),
        "catalog_services": catalog_services,
        "opening_refusal": validation.opening_refusal(status),
        "client_units_form": ClientUnitsForm(wave=item) if can_manage else None,
        "override_form": OverrideForm() if can_manage else None,
    }


def _matrix_rows(item: Wave, visible: Any) -> dict[str, Any] | None:
    """The internal-customer matrix as table rows: one per client unit, a cell per provider."""
    matrix = internal_matrix(item, visible)
    if matrix is None:
        return None
    rows = [
        (name, [matrix.cells.get((client, provider)) for provider, _label in matrix.providers])
        for client, name in matrix.clients
    ]
    return {"providers": [label for _pk, label in matrix.providers], "rows": rows}


@login_required
def export(request: AuthenticatedHttpRequest, pk: int, fmt: str) -> HttpResponseBase:
    """The wave's responses, one row each, for the services the viewer may see. No contact
    details: the export is as anonymous as the answers."""
    if fmt not in ("csv", "xlsx"):
        raise Http404
    item = get_object_or_404(_waves(request).select_related("questionnaire"), pk=pk)
    visible = Service.objects.visible_to(request.user).filter(organization=item.organization)
    questions = list(item.questionnaire.questions.select_related("questionnaire"))
    responses = (
        item.responses.filter(service__in=visible)
        .order_by("pk")
        .values_list(
            "pk",
            "submitted_at",
            "service_id",
            "channel_id",
            "touch_point_id",
            "client_unit_id",
            "user_type",
            "age_band",
            "source",
            "grades",
        )
    )
    answers = (
        Answer.objects.filter(response__wave=item, response__service__in=visible)
        .order_by("response_id")
        .values_list("response_id", "question_id", "choices", "text")
    )
    organization = item.organization
    names = {
        "service": dict(
            Service.objects.filter(organization=organization).values_list("pk", "code")
        ),
        "channel": dict(
            Channel.objects.filter(organization=organization).values_list("pk", "name")
        ),
        "touch_point": {
            tp.pk: str(tp)
            for tp in TouchPoint.objects.filter(organization=organization).select_related(
                "unit", "channel"
            )
        },
        "unit": dict(Unit.objects.filter(organization=organization).values_list("pk", "name")),
    }
    position = {q.pk: i for i, q in enumerate(questions)}

    def rows() -> Any:
        """Responses and their answers read side by side in response order (a merge), so a
        wave of any size streams out without holding it in memory."""
        pending = iter(answers.iterator(chunk_size=5000))
        following = next(pending, None)
        for (
            pk,
            at,
            service,
            channel,
            point,
            unit,
            user_type,
            age_band,
            source,
            grades,
        ) in responses.iterator(chunk_size=5000):
            values: list[Any] = [""] * len(questions)
            for question_id, score in grades.items():
                if int(question_id) in position:
                    values[position[int(question_id)]] = int(score)
            while following is not None and following[0] <= pk:
                if following[0] == pk and following[1] in position:
                    _r, _q, choices, text = following
                    values[position[following[1]]] = "|".join(choices) if choices else text
                following = next(pending, None)
            yield [
                timezone.localtime(at).strftime("%Y-%m-%d %H:%M"),
                names["service"].get(service, ""),
                names["channel"].get(channel, ""),
                names["touch_point"].get(point, ""),
                names["unit"].get(unit, ""),
                user_type,
                age_band,
                source,
                *values,
            ]

    header = [
        _("Date"),
        _("Service"),
        _("Channel"),
        _("Touch point"),
        _("Client unit"),
        _("User type"),
        _("Age band"),
        _("Source"),
        *(q.text for q in questions),
    ]
    log_action(item, "surveys.wave.exported", by=request.user, data={"format": fmt})
    if fmt == "csv":
        return streamed_csv(f"wave-{item.pk}-responses", header, rows())
    return tabular_response(f"wave-{item.pk}-responses", header, rows(), fmt)


@login_required
def export_figures(request: AuthenticatedHttpRequest, pk: int, fmt: str) -> HttpResponseBase:
    """The wave's figures as on its page, one row per cell: the net score with its interval and
    its two halves, % satisfied and % dissatisfied. A cell under the wave's minimum carries n
    only, as on the page."""
    if fmt not in ("csv", "xlsx"):
        raise Http404
    item = get_object_or_404(_waves(request).select_related("questionnaire"), pk=pk)
    visible = Service.objects.visible_to(request.user).filter(organization=item.organization)
    figures = wave_figures(item, visible)
    sections: list[tuple[str, list[Any]]] = [
        (str(_("Overall satisfaction")), [figures.total] if figures.total else []),
        (str(_("By question and attribute")), [cell for _q, cell in figures.questions]),
        (str(_("By service")), figures.by_service),
        (str(_("By channel")), figures.by_channel),
        (str(_("By touch point")), figures.by_touch_point),
        *((str(title), cells) for title, cells in figures.by_segment),
        (str(_("By month")), figures.by_month),
    ]

    def number(value: float | None, places: int = 1) -> Any:
        return "" if value is None else round(value, places)

    rows = []
    for section, cells in sections:
        for cell in cells:
            summary = cell.summary
            net = summary.net if cell.shown else None
            rows.append(
                [
                    section,
                    cell.label,
                    summary.n,
                    number(net.value if net else None),
                    number(net.low if net else None),
                    number(net.high if net else None),
                    number(summary.satisfied_percent if cell.shown else None),
                    number(summary.dissatisfied_percent if cell.shown else None),
                    number(summary.mean.value if cell.shown and summary.mean else None, 2),
                ]
            )
    header = [
        _("Breakdown"),
        _("Cell"),
        "n",
        _("Net score"),
        _("Net score, 95 % low"),
        _("Net score, 95 % high"),
        _("% satisfied"),
        _("% dissatisfied"),
        _("Mean"),
    ]
    log_action(item, "surveys.wave.figures_exported", by=request.user, data={"format": fmt})
    return tabular_response(f"wave-{item.pk}-figures", header, rows, fmt)


@login_required
def network(request: AuthenticatedHttpRequest) -> HttpResponse:
    """For the network analyst: each organisation's % satisfied over the last twelve months
    against the network (institutional weights), and the pooled score. Aggregates only."""
    if not is_network_analyst(request.user):
        raise Http404
    end = timezone.localdate()
    start = (end.replace(day=1) - dt.timedelta(days=335)).replace(day=1)
    return render(
        request,
        "surveys/network.html",
        {"figures": network_figures(start, end), "minimum": NETWORK_MINIMUM},
    )


def _require_manager(request: AuthenticatedHttpRequest) -> Any:
    organization = require_organization(request)
    if not scope_for(request.user, Perm.MANAGE_SURVEYS).covers_organization(organization.pk):
        raise PermissionDenied
    return organization


@login_required
def new_questionnaire(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A questionnaire from the standard pattern: the overall question, one scale question per
    attribute of the chosen services, whether the user got it done, and what to improve."""
    organization = _require_manager(request)
    form = QuestionnaireForm(request.POST or None, organization=organization)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        low, high, good, bad = SCALES[data["scale"]]
        scale = {
            "kind": "scale",
            "scale_min": low,
            "scale_max": high,
            "satisfied_min": good,
            "dissatisfied_max": bad,
        }
        language = data["language"]
        questions: list[dict[str, Any]] = [
            {**scale, "is_overall": True, "texts": {language: data["overall"]}}
        ]
        for service in data["services"]:
            for attribute in service.attributes.filter(is_active=True):
                questions.append(
                    {**scale, "attribute": attribute, "texts": {language: attribute.name}}
                )
        if data["solved"]:
            questions.append(
                {"kind": "yes_no", "texts": {language: _("Did you get done what you needed?")}}
            )
        if data["open_text"]:
            questions.append(
                {
                    "kind": "text",
                    "required": False,
                    "texts": {language: _("What could we improve?")},
                }
            )
        try:
            services.create_questionnaire(
                organization,
                by=request.user,
                title=data["title"],
                titles=form.titles(),
                language=language,
                questions=questions,
            )
        except (ValidationError, DomainError) as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Questionnaire created."))
            return redirect("surveys:new_wave")
    return render(request, "surveys/form.html", {"form": form, "title": _("New questionnaire")})


@login_required
def new_wave(request: AuthenticatedHttpRequest) -> HttpResponse:
    organization = _require_manager(request)
    form = WaveForm(request.POST or None, organization=organization)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.create_wave(organization, by=request.user, **form.cleaned_data)
        except (ValidationError, DomainError) as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Wave created as a draft: open it to take answers."))
            return redirect("surveys:wave", pk=created.pk)
    return render(request, "surveys/form.html", {"form": form, "title": _("New wave")})


def _managed_wave(request: AuthenticatedHttpRequest, pk: int) -> Wave:
    item: Wave = get_object_or_404(_waves(request).select_related("questionnaire"), pk=pk)
    if not scope_for(request.user, Perm.MANAGE_SURVEYS).covers_organization(item.organization_id):
        raise PermissionDenied
    return item


def _wave_setting(
    request: AuthenticatedHttpRequest,
    pk: int,
    form_class: Any,
    save: Any,
    done: str,
    template: str,
) -> HttpResponse:
    """A wave setting page for survey managers: the form, saved through `save(wave, form)`,
    then back to the wave; a refusal shows on the form."""
    item = _managed_wave(request, pk)
    form = form_class(request.POST or None, wave=item)
    if request.method == "POST" and form.is_valid():
        try:
            save(item, form)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, done)
            return redirect("surveys:wave", pk=item.pk)
    return render(request, template, {"wave": item, "form": form})


@login_required
def sample_design(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The wave's margin of error and the users of each service: its minimum responses."""
    return _wave_setting(
        request,
        pk,
        SampleDesignForm,
        lambda wave, form: services.set_sample_design(
            wave,
            by=request.user,
            margin=form.cleaned_data["margin"] / 100,
            populations=form.populations(),
        ),
        _("Sample design saved."),
        "surveys/sample_design.html",
    )


@login_required
def weight_targets(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The users' shares by channel and touch point that the wave's answers are raked to."""
    return _wave_setting(
        request,
        pk,
        WeightTargetsForm,
        lambda wave, form: services.set_weight_targets(
            wave, by=request.user, targets=form.targets()
        ),
        _("Weighting targets saved."),
        "surveys/weight_targets.html",
    )


@login_required
def import_upload(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Upload a file of responses; its columns are mapped next."""
    item = _managed_wave(request, pk)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = imports.start_import(item, form.cleaned_data["file"], by=request.user)
        except (ValidationError, DomainError) as error:
            add_service_error(form, error)
        else:
            return redirect("surveys:import_mapping", pk=item.pk, job=job.pk)
    jobs = item.imports.all()[:20]
    return render(request, "surveys/import_upload.html", {"wave": item, "form": form, "jobs": jobs})


@login_required
def import_mapping(request: AuthenticatedHttpRequest, pk: int, job: int) -> HttpResponse:
    item = _managed_wave(request, pk)
    found = get_object_or_404(item.imports, pk=job)
    if found.status != ImportStatus.UPLOADED:
        return redirect("surveys:import_job", pk=item.pk, job=found.pk)
    form = MappingForm(request.POST or None, job=found, initial=imports.guess_mapping(found))
    if request.method == "POST" and form.is_valid():
        found.mapping = form.mapping()
        found.save(update_fields=["mapping", "updated_at"])
        enqueue_with_transaction(import_responses, job_id=found.pk)
        return redirect("surveys:import_job", pk=item.pk, job=found.pk)
    return render(
        request, "surveys/import_mapping.html", {"wave": item, "job": found, "form": form}
    )


@login_required
def import_job(request: AuthenticatedHttpRequest, pk: int, job: int) -> HttpResponseBase:
    """The import's progress (the page refreshes itself while it runs) and its report."""
    item = _managed_wave(request, pk)
    found = get_object_or_404(item.imports, pk=job)
    if request.GET.get("format") == "csv":
        return tabular_response(
            f"import-{found.pk}-rejected",
            [_("Row"), _("Reason")],
            found.rejected,
            "csv",
        )
    return render(request, "surveys/import_job.html", {"wave": item, "job": found})


def _invited(made: list[Any]) -> str:
    return _("%(count)s invitations will be sent.") % {"count": len(made)}


@login_required
@require_POST
def invite(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = _managed_wave(request, pk)
    form = InviteForm(request.POST, wave=item)
    if form.is_valid():
        data = form.cleaned_data
        report(
            request,
            lambda: services.invite(
                item, by=request.user, service=data["service"], emails=data["emails"].splitlines()
            ),
            _invited,
        )
    else:
        report_form_errors(request, form)
    return redirect("surveys:wave", pk=item.pk)


@login_required
@require_POST
def invite_units(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = _managed_wave(request, pk)
    form = InviteUnitsForm(request.POST, wave=item)
    if form.is_valid():
        units = form.cleaned_data["units"]
        report(
            request,
            lambda: services.invite_client_units(item, by=request.user, units=units),
            _invited,
        )
    else:
        messages.error(request, _("Choose at least one client unit."))
    return redirect("surveys:wave", pk=item.pk)


@login_required
@require_POST
def step(request: AuthenticatedHttpRequest, pk: int, to: str) -> HttpResponse:
    item = get_object_or_404(_waves(request), pk=pk)
    if to == "open":
        form = OverrideForm(request.POST)
        reason = form.cleaned_data["override_reason"] if form.is_valid() else ""
        if "override_reason" in request.POST and not form.is_valid():
            report_form_errors(request, form)
        else:
            report(
                request, lambda: services.open_wave(item, by=request.user, override_reason=reason)
            )
    elif to == "close":
        report(request, lambda: services.close_wave(item, by=request.user))
    else:
        raise Http404
    return redirect("surveys:wave", pk=item.pk)
