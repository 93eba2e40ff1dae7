"""Staff pages of the sampling records: the list, drawing a new sample, a record with its drawn
items, seed and fingerprint, and drawing it again to verify it."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from compromiso.audits import sampling, services
from compromiso.audits.access import audit_for, can
from compromiso.audits.forms.sampling import SampleForm
from compromiso.audits.models import Audit, Population, SamplingRecord
from compromiso.audits.services.sampling import count_population
from compromiso.core.errors import DomainError
from compromiso.core.forms import add_service_error
from compromiso.core.http import AuthenticatedHttpRequest

MARGINS = (0.05, 0.10)


def recommended(population_size: int) -> list[dict[str, Any]]:
    """The minimum sample for a proportion at 95 % confidence, for each margin of error."""
    return [
        {"margin": round(margin * 100), "size": sampling.recommended_size(population_size, margin)}
        for margin in MARGINS
    ]


def _record(audit: Audit, sample_pk: int) -> SamplingRecord:
    record = SamplingRecord.objects.filter(audit=audit, pk=sample_pk).first()
    if record is None:
        raise Http404("No sampling record")
    record.audit = audit
    return record


@login_required
def sample_list(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    audit = audit_for(request, pk, "view")
    return render(
        request,
        "audits/sampling/list.html",
        {
            "audit": audit,
            "records": SamplingRecord.objects.filter(audit=audit).select_related("drawn_by"),
            "can_draw": audit.is_open and can(request.user, audit, "conduct"),
        },
    )


@login_required
def sample_new(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    audit = audit_for(request, pk, "conduct")
    form = SampleForm(request.POST or None, audit=audit)
    if request.method == "POST" and form.is_valid():
        try:
            record = services.draw_sample(audit, by=request.user, **form.service_arguments())
        except (ValidationError, DomainError) as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                _("Sample drawn: %(size)d of %(population)d, seed %(seed)d.")
                % {
                    "size": record.sample_size,
                    "population": record.population_size,
                    "seed": record.seed,
                },
            )
            return redirect("audits:sample", pk=audit.pk, sample_pk=record.pk)
    sizes: list[dict[str, Any]] = [
        {
            "label": Population(population).label,
            "size": count_population(audit, population),
        }
        for population in (Population.CASES, Population.TOUCH_POINTS, Population.CHECKLIST)
    ]
    for row in sizes:
        row["recommended"] = recommended(row["size"])
    return render(
        request,
        "audits/sampling/form.html",
        {"audit": audit, "form": form, "sizes": sizes, "margins": [5, 10]},
        status=400 if form.errors else 200,
    )


def _detail(
    request: AuthenticatedHttpRequest,
    record: SamplingRecord,
    verification: services.Verification | None = None,
) -> HttpResponse:
    return render(
        request,
        "audits/sampling/detail.html",
        {
            "audit": record.audit,
            "record": record,
            "recommended": recommended(record.population_size),
            "verification": verification,
            "filters": record.population_filter,
        },
    )


@login_required
def sample_detail(request: AuthenticatedHttpRequest, pk: int, sample_pk: int) -> HttpResponse:
    audit = audit_for(request, pk, "view")
    return _detail(request, _record(audit, sample_pk))


@login_required
@require_POST
def sample_verify(request: AuthenticatedHttpRequest, pk: int, sample_pk: int) -> HttpResponse:
    """Draw again from today's population with the record's seed and method."""
    audit = audit_for(request, pk, "view")
    record = _record(audit, sample_pk)
    verification = services.verify_sample(record, by=request.user)
    if verification.matches:
        messages.success(request, _("Drawn again: the same sample, the same fingerprint."))
    else:
        messages.warning(
            request,
            _("Drawn again: the sample differs. The population changed since it was drawn."),
        )
    return _detail(request, record, verification)
