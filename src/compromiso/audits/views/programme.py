"""Staff pages of the audit programme and the proposals: the audits home (programmes, proposals,
audits with their state and counts), a programme with its cycle and review figures, its form,
review and lifecycle steps (POST); a proposal with its signs of need, its form, the sign form,
and submitting, accepting and rejecting it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from compromiso.audits import access, services
from compromiso.audits.cycle import cycle, review_figures
from compromiso.audits.forms.programme import (
    AcceptForm,
    ProgrammeForm,
    ProposalForm,
    RejectForm,
    ReviewForm,
    SignalForm,
)
from compromiso.audits.models import (
    Audit,
    AuditProgramme,
    AuditProposal,
    AuditStatus,
    GradeKind,
    NeedReason,
    NeedSignal,
    ProgrammeStatus,
    ProposalStatus,
)
from compromiso.catalog.models import Service
from compromiso.core.errors import DomainError
from compromiso.core.forms import add_service_error
from compromiso.core.http import AuthenticatedHttpRequest, report, report_form_errors
from compromiso.core.ids import parse_id
from compromiso.core.permissions import Perm, has_perm, scope_for
from compromiso.organizations.current import current_organization, require_organization
from compromiso.organizations.models import Organization

REFUSALS = (ValidationError, DomainError)


def organization_of(request: AuthenticatedHttpRequest) -> Organization:
    """The current organisation, for a member of it (anyone else gets a 404)."""
    organization = require_organization(request)
    if not scope_for(request.user, Perm.VIEW).touches(organization.pk):
        raise Http404
    return organization


def _manages(request: AuthenticatedHttpRequest, organization: Organization) -> bool:
    return has_perm(request.user, Perm.MANAGE_AUDITS, organization_id=organization.pk)


def with_counts(audits: QuerySet[Audit]) -> QuerySet[Audit]:
    """Each audit with its team size and nonconformities (open and all)."""
    nonconformity = Q(findings__grade__kind=GradeKind.NONCONFORMITY)
    return audits.annotate(
        team_size=Count("team", distinct=True),
        nonconformities=Count("findings", filter=nonconformity, distinct=True),
        open_nonconformities=Count(
            "findings",
            filter=nonconformity & ~Q(findings__status__in=("verified", "closed")),
            distinct=True,
        ),
    ).select_related("unit", "lead", "programme")


@login_required
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Programmes, proposals and audits of the organisation; someone who belongs to none but
    works on an audit is sent to their audits."""
    if current_organization(request) is None:
        if access.mine(request.user).exists():
            return redirect("audits:mine")
        raise Http404
    organization = organization_of(request)
    audits = with_counts(Audit.objects.filter(organization=organization)).order_by(
        "-planned_start", "-pk"
    )
    proposals = AuditProposal.objects.filter(organization=organization).exclude(
        status=ProposalStatus.REJECTED
    )
    return render(
        request,
        "audits/programme/home.html",
        {
            "programmes": AuditProgramme.objects.filter(organization=organization),
            "proposals": proposals.select_related("programme")[:50],
            "open_audits": audits.exclude(status__in=(AuditStatus.CLOSED, AuditStatus.CANCELLED)),
            "past_audits": audits.filter(status__in=(AuditStatus.CLOSED, AuditStatus.CANCELLED))[
                :50
            ],
            "mine": access.mine(request.user).exclude(organization=organization)[:20],
            "can_manage": _manages(request, organization),
            "can_propose": services.may_propose(request.user, organization.pk),
        },
    )


# The programme ----------------------------------------------------------------------------


def _programme(request: AuthenticatedHttpRequest, pk: int) -> AuditProgramme:
    return get_object_or_404(
        AuditProgramme.objects.filter(organization=organization_of(request)), pk=pk
    )


def _programme_form(
    request: AuthenticatedHttpRequest, programme: AuditProgramme | None
) -> HttpResponse:
    organization = organization_of(request)
    if not _manages(request, organization):
        raise PermissionDenied
    initial = ProgrammeForm.initial_from(programme) if programme else None
    form = ProgrammeForm(request.POST or None, initial=initial, organization=organization)
    if request.method == "POST" and form.is_valid():
        try:
            if programme is None:
                programme = services.create_programme(
                    organization, by=request.user, **form.cleaned_data
                )
                messages.success(request, _("Programme created as a draft."))
            else:
                services.update_programme(programme, by=request.user, **form.cleaned_data)
                messages.success(request, _("Programme saved."))
        except REFUSALS as error:
            add_service_error(form, error)
        else:
            return redirect("audits:programme", pk=programme.pk)
    return render(request, "audits/programme/form.html", {"form": form, "programme": programme})


@login_required
def programme_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _programme_form(request, None)


@login_required
def programme_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    programme = _programme(request, pk)
    if programme.status == ProgrammeStatus.CLOSED:
        messages.error(request, _("A closed programme is no longer edited."))
        return redirect("audits:programme", pk=programme.pk)
    return _programme_form(request, programme)


@login_required
def programme_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    programme = _programme(request, pk)
    organization = programme.organization
    today = organization.today()
    can_manage = _manages(request, organization)
    return render(
        request,
        "audits/programme/detail.html",
        {
            "programme": programme,
            "audits": with_counts(programme.audits.all()).order_by("planned_start", "pk"),
            "proposals": programme.proposals.all(),
            "cycle": cycle(programme, today),
            "figures": review_figures(programme, today),
            "review_form": ReviewForm(initial={"notes": programme.review_notes}),
            "can_manage": can_manage,
            "can_edit": can_manage and programme.status != ProgrammeStatus.CLOSED,
            "can_approve": can_manage and programme.status == ProgrammeStatus.DRAFT,
            "can_start": can_manage and programme.status == ProgrammeStatus.APPROVED,
            "can_review": can_manage
            and programme.status in (ProgrammeStatus.APPROVED, ProgrammeStatus.IN_EXECUTION),
            "can_close": can_manage and programme.status == ProgrammeStatus.IN_EXECUTION,
            "can_propose": can_manage and programme.status != ProgrammeStatus.CLOSED,
        },
    )


@login_required
@require_POST
def programme_move(request: AuthenticatedHttpRequest, pk: int, step: str) -> HttpResponse:
    programme = _programme(request, pk)
    user = request.user
    steps = {
        "approve": (services.approve_programme, _("Programme approved.")),
        "start": (services.start_programme, _("Programme in execution.")),
        "close": (services.close_programme, _("Programme closed.")),
    }
    if step not in steps:
        raise Http404
    move, done = steps[step]
    report(request, lambda: move(programme, by=user), done)
    return redirect("audits:programme", pk=programme.pk)


@login_required
@require_POST
def programme_review(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    programme = _programme(request, pk)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        report_form_errors(request, form)
    else:
        report(
            request,
            lambda: services.review_programme(
                programme, by=request.user, notes=form.cleaned_data["notes"]
            ),
            _("Review of the programme recorded."),
        )
    return redirect("audits:programme", pk=programme.pk)


@login_required
@require_POST
def programme_propose(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The cycle's one click: a draft proposal for a service falling due."""
    programme = _programme(request, pk)
    service_id = parse_id(request.POST.get("service", ""))
    service = Service.objects.filter(
        pk=service_id or 0, organization_id=programme.organization_id
    ).first()
    if service is None:
        raise Http404
    proposal = report(
        request,
        lambda: services.propose_for_services(programme, [service], by=request.user),
        _("Proposal drafted: complete it and submit it."),
    )
    if proposal is not None:
        return redirect("audits:proposal", pk=proposal.pk)
    return redirect("audits:programme", pk=programme.pk)


# Proposals --------------------------------------------------------------------------------


def _proposal(request: AuthenticatedHttpRequest, pk: int) -> AuditProposal:
    return get_object_or_404(
        AuditProposal.objects.filter(organization=organization_of(request)), pk=pk
    )


def _proposal_form(
    request: AuthenticatedHttpRequest, proposal: AuditProposal | None
) -> HttpResponse:
    organization = organization_of(request)
    if proposal is None and not services.may_propose(request.user, organization.pk):
        raise PermissionDenied
    if proposal is not None and not services.may_edit_proposal(request.user, proposal):
        raise PermissionDenied
    initial = ProposalForm.initial_from(proposal) if proposal else None
    form = ProposalForm(request.POST or None, initial=initial, organization=organization)
    if request.method == "POST" and form.is_valid():
        fields, chosen = form.fields_for_service()
        try:
            if proposal is None:
                proposal = services.create_proposal(
                    organization, by=request.user, services=chosen, **fields
                )
                messages.success(request, _("Proposal saved as a draft."))
            else:
                services.update_proposal(proposal, by=request.user, services=chosen, **fields)
                messages.success(request, _("Proposal saved."))
        except REFUSALS as error:
            add_service_error(form, error)
        else:
            return redirect("audits:proposal", pk=proposal.pk)
    return render(
        request, "audits/programme/proposal_form.html", {"form": form, "proposal": proposal}
    )


@login_required
def proposal_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _proposal_form(request, None)


@login_required
def proposal_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    proposal = _proposal(request, pk)
    if proposal.status not in (ProposalStatus.DRAFT, ProposalStatus.SUBMITTED):
        messages.error(request, _("A proposal already decided is no longer edited."))
        return redirect("audits:proposal", pk=proposal.pk)
    return _proposal_form(request, proposal)


@login_required
def proposal_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    proposal = _proposal(request, pk)
    organization = proposal.organization
    can_edit = services.may_edit_proposal(request.user, proposal) and proposal.status in (
        ProposalStatus.DRAFT,
        ProposalStatus.SUBMITTED,
    )
    can_decide = _manages(request, organization) and proposal.status == ProposalStatus.SUBMITTED
    reasons = dict(NeedReason.choices)
    return render(
        request,
        "audits/programme/proposal.html",
        {
            "proposal": proposal,
            "reasons": [reasons.get(r, r) for r in proposal.reasons],
            "signals": proposal.signals.select_related(
                "commitment", "root_cause", "wave", "question", "unit", "touch_point"
            ),
            "audits": proposal.audits.all(),
            "can_edit": can_edit,
            "can_submit": can_edit and proposal.status == ProposalStatus.DRAFT,
            "can_decide": can_decide,
            "reject_form": RejectForm(),
        },
    )


@login_required
def signal_new(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    proposal = _proposal(request, pk)
    if not services.may_edit_proposal(request.user, proposal):
        raise PermissionDenied
    form = SignalForm(request.POST or None, organization=proposal.organization)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_need_signal(
                proposal, by=request.user, kind=form.cleaned_data["kind"], **form.links()
            )
        except REFUSALS as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Sign of need linked, with the figures seen now."))
            return redirect("audits:proposal", pk=proposal.pk)
    return render(
        request, "audits/programme/signal_form.html", {"form": form, "proposal": proposal}
    )


@login_required
@require_POST
def signal_remove(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    signal = get_object_or_404(
        NeedSignal.objects.filter(proposal__organization=organization_of(request)), pk=pk
    )
    proposal = signal.proposal
    report(
        request,
        lambda: services.remove_need_signal(signal, by=request.user),
        _("Sign of need removed."),
    )
    return redirect("audits:proposal", pk=proposal.pk)


@login_required
@require_POST
def proposal_submit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    proposal = _proposal(request, pk)
    report(
        request,
        lambda: services.submit_proposal(proposal, by=request.user),
        _("Proposal submitted."),
    )
    return redirect("audits:proposal", pk=proposal.pk)


@login_required
def proposal_accept(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    proposal = _proposal(request, pk)
    organization = proposal.organization
    if not _manages(request, organization):
        raise PermissionDenied
    if proposal.status != ProposalStatus.SUBMITTED:
        messages.error(request, _("Only a submitted proposal can be accepted or rejected."))
        return redirect("audits:proposal", pk=proposal.pk)
    form = AcceptForm(
        request.POST or None,
        organization=organization,
        initial={"programme": proposal.programme_id},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            audit = services.accept_proposal(
                proposal,
                by=request.user,
                programme=data["programme"],
                planned_start=data["planned_start"],
                planned_end=data["planned_end"],
                note=data["note"] or "",
            )
        except REFUSALS as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                _("Proposal accepted: audit %(reference)s planned.")
                % {"reference": audit.reference},
            )
            return redirect("audits:audit", pk=audit.pk)
    return render(request, "audits/programme/accept.html", {"form": form, "proposal": proposal})


@login_required
@require_POST
def proposal_reject(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    proposal = _proposal(request, pk)
    form = RejectForm(request.POST)
    if not form.is_valid():
        report_form_errors(request, form)
    else:
        report(
            request,
            lambda: services.reject_proposal(
                proposal, by=request.user, note=form.cleaned_data["note"]
            ),
            _("Proposal rejected."),
        )
    return redirect("audits:proposal", pk=proposal.pk)
