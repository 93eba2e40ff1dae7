"""Staff pages of waves: the list; each wave's dashboard read from the score counts (only the
services the viewer may see), with the comparison against the previous wave; a new wave, its
steps (open, close), its sample design and its weighting targets."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from compromiso.catalog.models import Service
from compromiso.core.errors import DomainError
from compromiso.core.forms import add_service_error
from compromiso.core.http import AuthenticatedHttpRequest, report, report_form_errors
from compromiso.core.permissions import Perm, scope_for
from compromiso.insights import charts, netscore, words
from compromiso.organizations.current import require_organization
from compromiso.surveys import services
from compromiso.surveys.figures import (
    driver_table,
    internal_matrix,
    panel_change,
    raked_total,
    sample_progress,
    wave_figures,
    weighted_total,
)
from compromiso.surveys.forms import (
    ClientUnitsForm,
    InviteForm,
    InviteUnitsForm,
    OverrideForm,
    SampleDesignForm,
    WaveForm,
    WeightTargetsForm,
)
from compromiso.surveys.models import Answer, QuestionKind, Wave, WaveStatus
from compromiso.surveys.services import validation
from compromiso.surveys.views.access import managed_organization, managed_wave, visible_waves


@login_required
def waves(request: AuthenticatedHttpRequest) -> HttpResponse:
    organization = require_organization(request)
    if not scope_for(request.user, Perm.VIEW).touches(organization.pk):
        raise Http404
    return render(
        request,
        "surveys/waves.html",
        {
            "waves": visible_waves(request)
            .select_related("questionnaire")
            .prefetch_related("services"),
            "can_manage": scope_for(request.user, Perm.MANAGE_SURVEYS).covers_organization(
                organization.pk
            ),
            "awaiting": validation.awaiting_review(request.user, organization),
        },
    )


@login_required
def wave(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(
        visible_waves(request).select_related("questionnaire", "previous"), pk=pk
    )
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
        variance = netscore.net_variance(
            summary.satisfied / summary.n, summary.dissatisfied / summary.n
        )
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


def _recent_texts(item: Wave, visible: QuerySet[Service]) -> list[str]:
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


def _matrix_rows(item: Wave, visible: QuerySet[Service]) -> dict[str, Any] | None:
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
def new_wave(request: AuthenticatedHttpRequest) -> HttpResponse:
    organization = managed_organization(request)
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
    item = managed_wave(request, pk)
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
@require_POST
def step(request: AuthenticatedHttpRequest, pk: int, to: str) -> HttpResponse:
    item = get_object_or_404(visible_waves(request), pk=pk)
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
