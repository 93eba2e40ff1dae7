"""Staff pages for the validation of an internal wave's attributes: a client unit's members
review each attribute the provider proposed (and propose missing ones); a survey manager chooses
the client units. Plain forms: everything works without JavaScript."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from compromiso.catalog.models import Attribute, Audience
from compromiso.core.errors import DomainError
from compromiso.core.forms import add_service_error
from compromiso.core.http import AuthenticatedHttpRequest, report, report_form_errors
from compromiso.core.permissions import Perm, scope_for
from compromiso.organizations.current import require_organization
from compromiso.organizations.models import Unit
from compromiso.surveys.forms import AttributeProposalForm, AttributeReviewForm, ClientUnitsForm
from compromiso.surveys.models import Wave, WaveStatus
from compromiso.surveys.services import validation


def _internal_wave(request: AuthenticatedHttpRequest, pk: int) -> Wave:
    """An internal wave of the current organisation the user may see; 404 otherwise."""
    organization = require_organization(request)
    item: Wave = get_object_or_404(
        Wave.objects.visible_to(request.user).filter(
            organization=organization, audience=Audience.INTERNAL
        ),
        pk=pk,
    )
    return item


def _client_unit(request: AuthenticatedHttpRequest, item: Wave, unit_id: int) -> Unit:
    """A client unit of the wave the user speaks for: 404 if it is not a client unit, 403 if
    the user is not one of its members."""
    unit: Unit = get_object_or_404(item.client_units.all(), pk=unit_id)
    if not validation.speaks_for(request.user, unit):
        raise PermissionDenied
    return unit


def _review_forms(
    item: Wave, unit: Unit, status: validation.ValidationStatus, bound: AttributeReviewForm | None
) -> list[dict[str, Any]]:
    """One entry per attribute: its current standing for the unit and its form (the bound one
    for the attribute just posted, so its errors show)."""
    attributes = _active_attributes(item)
    bound_id = None
    if bound is not None and bound.is_bound and not bound.is_valid():
        chosen = bound.cleaned_data.get("attribute")
        if chosen is not None:
            bound_id = chosen.pk
            bound.auto_id = f"a{chosen.pk}_%s"
    entries = []
    for attribute in status.attributes:
        cell = status.cell(attribute, unit)
        if bound is not None and bound_id == attribute.pk:
            form = bound
        else:
            review = cell.review
            initial: dict[str, Any] = {"attribute": attribute.pk}
            if review is not None:
                initial |= {
                    "decision": review.decision,
                    "comment": review.comment,
                    "proposed_name": review.proposed_name,
                }
            form = AttributeReviewForm(
                attributes=attributes, initial=initial, auto_id=f"a{attribute.pk}_%s"
            )
        entries.append({"attribute": attribute, "cell": cell, "form": form})
    return entries


def _active_attributes(item: Wave) -> Any:
    return Attribute.objects.filter(service__in=item.services.all(), is_active=True)


@login_required
def review(request: AuthenticatedHttpRequest, pk: int, unit: int) -> HttpResponse:
    """A client unit reviews every attribute of the wave's services, one small form each, and
    may propose an attribute that is missing."""
    item = _internal_wave(request, pk)
    client = _client_unit(request, item, unit)
    review_form: AttributeReviewForm | None = None
    proposal_form = AttributeProposalForm(wave=item)
    here = reverse("surveys:review", args=[item.pk, client.pk])
    if request.method == "POST":
        if request.POST.get("action") == "propose":
            proposal_form = AttributeProposalForm(request.POST, wave=item)
            if proposal_form.is_valid():
                try:
                    validation.propose_attribute(
                        item,
                        proposal_form.cleaned_data["service"],
                        client,
                        by=request.user,
                        name=proposal_form.cleaned_data["name"],
                        comment=proposal_form.cleaned_data["comment"],
                    )
                except DomainError as error:
                    messages.error(request, error.message)
                    return redirect(here)
                except ValidationError as error:
                    add_service_error(proposal_form, error)
                else:
                    messages.success(
                        request, _("Proposal sent: the provider unit will consider it.")
                    )
                    return redirect(f"{here}#proposals")
        else:
            review_form = AttributeReviewForm(request.POST, attributes=_active_attributes(item))
            if review_form.is_valid():
                attribute = review_form.cleaned_data["attribute"]
                try:
                    validation.review_attribute(
                        item,
                        attribute,
                        client,
                        by=request.user,
                        decision=review_form.cleaned_data["decision"],
                        comment=review_form.cleaned_data["comment"],
                        proposed_name=review_form.cleaned_data["proposed_name"],
                    )
                except DomainError as error:
                    messages.error(request, error.message)
                    return redirect(here)
                except ValidationError as error:
                    add_service_error(review_form, error)
                else:
                    messages.success(request, _("Review recorded."))
                    return redirect(f"{here}#attribute-{attribute.pk}")
    status = validation.validation_status(item)
    entries = _review_forms(item, client, status, review_form)
    unbound_error = None
    if review_form is not None and not any(e["form"] is review_form for e in entries):
        # The attribute posted is not one of the wave's: nothing to attach the errors to.
        unbound_error = review_form
    progress = next(p for p in status.progress if p.unit.pk == client.pk)
    return render(
        request,
        "surveys/attribute_review.html",
        {
            "wave": item,
            "unit": client,
            "entries": entries,
            "progress": progress,
            "proposals": [p for p in status.proposals if p.proposal.client_unit_id == client.pk],
            "proposal_form": proposal_form,
            "unbound_error": unbound_error,
            "is_draft": item.status == WaveStatus.DRAFT,
        },
    )


@login_required
@require_POST
def client_units(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A survey manager chooses the client units of a draft internal wave."""
    item = _internal_wave(request, pk)
    if not scope_for(request.user, Perm.MANAGE_SURVEYS).covers_organization(item.organization_id):
        raise PermissionDenied
    form = ClientUnitsForm(request.POST, wave=item)
    if form.is_valid():
        report(
            request,
            lambda: validation.set_client_units(
                item, by=request.user, units=form.cleaned_data["client_units"]
            ),
            _("Client units saved."),
        )
    else:
        report_form_errors(request, form)
    return redirect("surveys:wave", pk=item.pk)
