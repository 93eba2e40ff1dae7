"""Staff pages of the procedure directory: the organisation's procedures (and the other
institutions' it serves under an agreement in force), a procedure's page with the branches and
queues that serve it, the forms to add and edit one, and the search for call-centre agents and
branch staff showing where each procedure can be done."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from compromiso.attention import directory
from compromiso.attention.forms.directory import BranchesForm, DirectorySearchForm, ProcedureForm
from compromiso.attention.models import Branch, BranchProcedure, Procedure
from compromiso.attention.services import directory as services
from compromiso.attention.views.common import organization_of
from compromiso.catalog.models import Channel, Service
from compromiso.core.errors import DomainError
from compromiso.core.forms import add_service_error
from compromiso.core.http import AuthenticatedHttpRequest
from compromiso.core.permissions import Perm, scope_for
from compromiso.organizations.models import Organization

REFUSALS = (ValidationError, DomainError)


def manages_directory(request: AuthenticatedHttpRequest, organization: Organization) -> bool:
    """The directory is an organisation-wide setting."""
    return scope_for(request.user, Perm.MANAGE_ATTENTION).covers_organization(organization.pk)


def _procedure_for(
    request: AuthenticatedHttpRequest, organization: Organization, pk: int
) -> Procedure:
    """A procedure the organisation owns, or serves under an agreement in force; else 404."""
    procedure = (
        Procedure.objects.filter(pk=pk, organization__is_active=True)
        .select_related("organization", "service")
        .first()
    )
    if procedure is None:
        raise Http404
    if procedure.organization_id == organization.pk:
        return procedure
    if procedure.is_published and services.serves_under_agreement(organization.pk, procedure):
        return procedure
    raise Http404


def _form_kwargs(organization: Organization) -> dict[str, object]:
    return {
        "channels": Channel.objects.filter(organization=organization, is_active=True),
        "services": Service.objects.filter(organization=organization, is_active=True),
    }


@login_required
def procedures(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The organisation's directory, with a search box."""
    organization = organization_of(request)
    form = DirectorySearchForm(request.GET)
    hits = directory.search(form.query(), [organization], own_unpublished=True)
    return render(
        request,
        "attention/procedures/list.html",
        {
            "tab": "procedures",
            "form": form,
            "query": form.query(),
            "hits": hits,
            "organization": organization,
            "can_manage": manages_directory(request, organization),
        },
    )


@login_required
def directory_search(request: AuthenticatedHttpRequest) -> HttpResponse:
    """For call-centre agents and branch staff: what can be done, how and where, including
    the procedures of other institutions this organisation serves as a front office."""
    organization = organization_of(request)
    form = DirectorySearchForm(request.GET)
    query = form.query()
    hits = directory.search(query, [organization]) if query.strip() else []
    places = directory.where([h.procedure for h in hits])
    rows = [(hit, places.get(hit.procedure.pk, [])) for hit in hits]
    return render(
        request,
        "attention/procedures/search.html",
        {
            "tab": "procedures",
            "form": form,
            "query": query,
            "rows": rows,
            "organization": organization,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def procedure_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    organization = organization_of(request)
    if not manages_directory(request, organization):
        raise PermissionDenied
    form = ProcedureForm(request.POST or None, **_form_kwargs(organization))  # type: ignore[arg-type]
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        channels = data.pop("channels")
        try:
            procedure = services.create_procedure(
                organization=organization, channels=channels, by=request.user, **data
            )
        except REFUSALS as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Procedure added."))
            return redirect("attention:procedure", pk=procedure.pk)
    return render(
        request,
        "attention/procedures/form.html",
        {"tab": "procedures", "form": form, "procedure": None},
    )


@login_required
@require_http_methods(["GET", "POST"])
def procedure_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    organization = organization_of(request)
    procedure = _procedure_for(request, organization, pk)
    if procedure.organization_id != organization.pk:
        raise Http404  # another institution's procedure: only its owner edits it
    if not manages_directory(request, organization):
        raise PermissionDenied
    initial = {
        **{
            name: getattr(procedure, name)
            for name in services.PROCEDURE_FIELDS
            if name != "service"
        },
        "service": procedure.service_id,
        "channels": list(procedure.channels.values_list("pk", flat=True)),
    }
    form = ProcedureForm(
        request.POST or None,
        initial=initial,
        **_form_kwargs(organization),  # type: ignore[arg-type]
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        channels = data.pop("channels")
        try:
            services.update_procedure(procedure, channels=channels, by=request.user, **data)
        except REFUSALS as error:
            procedure.refresh_from_db()
            add_service_error(form, error)
        else:
            messages.success(request, _("Procedure saved."))
            return redirect("attention:procedure", pk=procedure.pk)
    return render(
        request,
        "attention/procedures/form.html",
        {"tab": "procedures", "form": form, "procedure": procedure},
    )


@login_required
@require_http_methods(["GET", "POST"])
def procedure(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A procedure in full, and which of this organisation's branches serve it in which
    queue (managers change that here)."""
    organization = organization_of(request)
    item = _procedure_for(request, organization, pk)
    can_manage = manages_directory(request, organization)
    branches = list(
        Branch.objects.filter(organization=organization, is_active=True).select_related(
            "touch_point"
        )
    )
    rows = BranchProcedure.objects.filter(
        procedure=item, branch__organization=organization
    ).select_related("branch", "branch__touch_point", "queue")
    current = {row.branch_id: row.queue_id for row in rows}
    form = BranchesForm(request.POST or None, branches=branches, current=current)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.set_branch_procedures(
                    item, organization=organization, queues=form.chosen(), by=request.user
                )
            except REFUSALS as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("Branches saved."))
                return redirect("attention:procedure", pk=item.pk)
    return render(
        request,
        "attention/procedures/detail.html",
        {
            "tab": "procedures",
            "procedure": item,
            "organization": organization,
            "own": item.organization_id == organization.pk,
            "channels": item.channels.all(),
            "rows": rows,
            "form": form,
            "can_manage": can_manage,
            "front_offices": (
                directory.front_offices(item) if item.organization_id == organization.pk else []
            ),
        },
    )
