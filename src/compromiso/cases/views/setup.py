"""Staff pages to set up case handling: legal deadlines, categories and root causes, canned
answers, routing rules, and requesters' personal-data requests. Administrators and quality
managers only (the deadlines are shown to everyone who may see the organisation)."""

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from compromiso.cases import privacy, services
from compromiso.cases.forms import (
    AssignmentRuleForm,
    CannedAnswerForm,
    CategoryForm,
    DeadlinePolicyForm,
    RequesterLookupForm,
    RootCauseForm,
)
from compromiso.cases.models import (
    AssignmentRule,
    CannedAnswer,
    Category,
    DeadlinePolicy,
    RootCause,
)
from compromiso.core.audit import log_action
from compromiso.core.errors import DomainError
from compromiso.core.forms import add_service_error
from compromiso.core.http import AuthenticatedHttpRequest
from compromiso.core.ids import parse_id
from compromiso.core.permissions import Perm, scope_for
from compromiso.organizations.current import require_organization
from compromiso.organizations.models import Organization


def _manager_organization(request: AuthenticatedHttpRequest) -> Organization:
    organization = require_organization(request)
    if not scope_for(request.user, Perm.MANAGE_ORGANIZATION).covers_organization(organization.pk):
        raise PermissionDenied
    return organization


@login_required
def taxonomy(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Categories (with subcategories) for classifying cases, and the root-cause coding."""
    organization = _manager_organization(request)
    category_form = CategoryForm(organization=organization, prefix="category")
    cause_form = RootCauseForm(prefix="cause")
    if request.method == "POST":
        try:
            if "install_causes" in request.POST:
                services.install_root_causes(organization, by=request.user)
                return redirect("cases:taxonomy")
            if "toggle_category" in request.POST:
                category = get_object_or_404(
                    Category,
                    organization=organization,
                    pk=parse_id(request.POST["toggle_category"]),
                )
                services.save_category(
                    organization,
                    name=category.name,
                    parent=category.parent,
                    category=category,
                    is_active=not category.is_active,
                    by=request.user,
                )
                return redirect("cases:taxonomy")
            if "toggle_cause" in request.POST:
                cause = get_object_or_404(
                    RootCause, organization=organization, pk=parse_id(request.POST["toggle_cause"])
                )
                services.save_root_cause(
                    organization,
                    code=cause.code,
                    name=cause.name,
                    cause=cause,
                    is_active=not cause.is_active,
                    by=request.user,
                )
                return redirect("cases:taxonomy")
            if "category-name" in request.POST:
                category_form = CategoryForm(
                    request.POST, organization=organization, prefix="category"
                )
                if category_form.is_valid():
                    services.save_category(
                        organization, by=request.user, **category_form.cleaned_data
                    )
                    messages.success(request, _("Category saved."))
                    return redirect("cases:taxonomy")
            else:
                cause_form = RootCauseForm(request.POST, prefix="cause")
                if cause_form.is_valid():
                    services.save_root_cause(
                        organization, by=request.user, **cause_form.cleaned_data
                    )
                    messages.success(request, _("Cause saved."))
                    return redirect("cases:taxonomy")
        except (ValidationError, DomainError) as error:
            target = category_form if "category-name" in request.POST else cause_form
            add_service_error(target, error)
    categories = (
        Category.objects.filter(organization=organization, parent__isnull=True)
        .prefetch_related("subcategories")
        .order_by("name")
    )
    return render(
        request,
        "cases/taxonomy.html",
        {
            "categories": categories,
            "causes": RootCause.objects.filter(organization=organization),
            "category_form": category_form,
            "cause_form": cause_form,
        },
    )


@login_required
def canned_answers(request: AuthenticatedHttpRequest, pk: int | None = None) -> HttpResponse:
    """Reusable answers with placeholders, offered on every case page."""
    organization = _manager_organization(request)
    instance = get_object_or_404(CannedAnswer, organization=organization, pk=pk) if pk else None
    # The form validates a copy: the row itself changes only through the service.
    form = CannedAnswerForm(
        request.POST or None,
        instance=CannedAnswer.objects.get(pk=instance.pk)
        if instance
        else CannedAnswer(organization=organization),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.save_canned_answer(
                organization, answer=instance, by=request.user, **form.cleaned_data
            )
        except (ValidationError, DomainError) as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Answer template saved."))
            return redirect("cases:canned_answers")
    return render(
        request,
        "cases/canned_answers.html",
        {
            "answers": CannedAnswer.objects.filter(organization=organization),
            "form": form,
            "editing": instance,
        },
    )


@login_required
def assignment_rules(request: AuthenticatedHttpRequest, pk: int | None = None) -> HttpResponse:
    """Routing: which unit and which officers (in turn) receive new cases."""
    organization = _manager_organization(request)
    instance = get_object_or_404(AssignmentRule, organization=organization, pk=pk) if pk else None
    form = AssignmentRuleForm(
        request.POST or None,
        instance=AssignmentRule.objects.get(pk=instance.pk)
        if instance
        else AssignmentRule(organization=organization),
        organization=organization,
        people=services.organization_handlers(organization.pk),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.save_assignment_rule(
                organization, rule=instance, by=request.user, **form.cleaned_data
            )
        except (ValidationError, DomainError) as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Rule saved."))
            return redirect("cases:assignment_rules")
    rules = (
        AssignmentRule.objects.filter(organization=organization)
        .select_related("service", "unit", "target_unit")
        .prefetch_related("officers")
    )
    return render(
        request,
        "cases/assignment_rules.html",
        {"rules": rules, "form": form, "editing": instance},
    )


@login_required
def personal_data(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A requester asks for their data or for its erasure: find their cases, export or erase."""
    organization = _manager_organization(request)
    form = RequesterLookupForm(request.POST or request.GET or None)
    found: list[Any] = []
    if form.is_bound and form.is_valid():
        who = {"email": form.cleaned_data["email"], "national_id": form.cleaned_data["national_id"]}
        if request.method == "POST" and request.POST.get("do") == "export":
            document = privacy.export_requester_data(organization, by=request.user, **who)
            response = HttpResponse(
                json.dumps(document, ensure_ascii=False, indent=2),
                content_type="application/json; charset=utf-8",
            )
            response["Content-Disposition"] = (
                f'attachment; filename="datos-personales-{timezone.localdate():%Y%m%d}.json"'
            )
            return response
        if request.method == "POST" and request.POST.get("do") == "erase":
            try:
                codes = privacy.erase_requester(organization, by=request.user, **who)
            except ValidationError as error:
                for message in error.messages:
                    messages.error(request, message)
            else:
                messages.success(
                    request,
                    _("Personal data erased from %(count)d cases.") % {"count": len(codes)},
                )
                return redirect("cases:personal_data")
        found = list(privacy.cases_of_requester(organization, **who).order_by("-received_at"))
        log_action(organization, "cases.personal_data.searched", by=request.user)
    return render(request, "cases/personal_data.html", {"form": form, "found": found})


@login_required
def policies(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The legal answer deadlines per kind of request, with their legal basis, and those of the
    organisation's jurisdiction it lacks. Reading changes nothing; a manager installs the
    missing ones with the page's button (a POST)."""
    organization = require_organization(request)
    if not scope_for(request.user, Perm.VIEW).touches(organization.pk):
        raise Http404
    can_manage = scope_for(request.user, Perm.MANAGE_ORGANIZATION).covers_organization(
        organization.pk
    )
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        installed = services.install_deadline_presets(organization, by=request.user)
        messages.success(
            request, _("%(count)d legal deadlines installed.") % {"count": len(installed)}
        )
        return redirect("cases:policies")
    return render(
        request,
        "cases/policies.html",
        {
            "policies": DeadlinePolicy.objects.filter(organization=organization).order_by("kind"),
            "missing": services.missing_deadline_policies(organization),
            "can_manage": can_manage,
        },
    )


@login_required
def policy_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Adjust one legal deadline (administrators and quality managers)."""
    organization = require_organization(request)
    policy = get_object_or_404(DeadlinePolicy, organization=organization, pk=pk)
    if not scope_for(request.user, Perm.MANAGE_ORGANIZATION).covers_organization(organization.pk):
        raise PermissionDenied
    form = DeadlinePolicyForm(
        request.POST or None, instance=DeadlinePolicy.objects.get(pk=policy.pk)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_deadline_policy(policy, by=request.user, **form.cleaned_data)
        except (ValidationError, DomainError) as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Deadline saved."))
            return redirect("cases:policies")
    return render(request, "cases/policy_edit.html", {"policy": policy, "form": form})
