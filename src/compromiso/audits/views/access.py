"""The access page of an audit: the grants to auditors who are not members (outside auditors,
peers from other organisations of the network) with their window, last use and revocation;
granting one, revoking one, and creating an outside auditor's account (managers only)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from compromiso.audits import access, services
from compromiso.audits.forms.audits import GrantForm, OutsideAuditorForm, RevokeForm
from compromiso.audits.models import AuditAccess
from compromiso.audits.views.audits import audit_context
from compromiso.audits.views.programme import REFUSALS
from compromiso.core.forms import add_service_error
from compromiso.core.http import AuthenticatedHttpRequest, report, report_form_errors


@login_required
def access_page(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    audit = access.audit_for(request, pk, "view")
    context = audit_context(request, audit, "access")
    organization = audit.organization
    form = GrantForm(request.POST or None, organization=organization)
    if request.method == "POST":
        if not context["can_manage"]:
            raise PermissionDenied
        if form.is_valid():
            person = services.find_user(form.cleaned_data["person"])
            if person is None:
                form.add_error(
                    "person",
                    _("No single active account has this user name or e-mail address."),
                )
            else:
                valid_from, valid_until = form.window()
                try:
                    services.grant_access(
                        audit,
                        by=request.user,
                        user=person,
                        valid_from=valid_from,
                        valid_until=valid_until,
                        role=form.cleaned_data["role"] or "",
                    )
                except REFUSALS as error:
                    add_service_error(form, error)
                else:
                    messages.success(
                        request,
                        _("Access granted to %(name)s.") % {"name": str(person)},
                    )
                    return redirect("audits:access", pk=audit.pk)
    today = organization.today()
    if not form.is_bound:
        form = GrantForm(
            organization=organization,
            initial={"valid_from": today, "valid_until": audit.planned_end},
        )
    context.update(
        grants=audit.accesses.select_related(
            "user", "home_organization", "granted_by", "revoked_by"
        ),
        now=timezone.now(),
        form=form,
        account_form=OutsideAuditorForm(),
        revoke_form=RevokeForm(),
        max_days=services.MAX_ACCESS_DAYS,
    )
    return render(request, "audits/access/page.html", context)


@login_required
@require_POST
def outside_auditor(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """An account for an auditor from outside the network, who then chooses a password from
    the e-mailed link; the access is granted next, on the same page."""
    audit = access.audit_for(request, pk, "manage")
    form = OutsideAuditorForm(request.POST)
    if not form.is_valid():
        report_form_errors(request, form)
    else:
        report(
            request,
            lambda: services.create_outside_auditor(
                audit.organization, by=request.user, **form.cleaned_data
            ),
            lambda user: (
                _(
                    "Account %(username)s created; a link to choose a password was e-mailed. "
                    "Now grant the access."
                )
                % {"username": user.username}
            ),
        )
    return redirect("audits:access", pk=audit.pk)


@login_required
@require_POST
def access_revoke(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    grant = get_object_or_404(AuditAccess.objects.select_related("audit"), pk=pk)
    audit = access.audit_for(request, grant.audit_id, "manage")
    form = RevokeForm(request.POST)
    if not form.is_valid():
        report_form_errors(request, form)
    else:
        report(
            request,
            lambda: services.revoke_access(
                grant, by=request.user, reason=form.cleaned_data["reason"]
            ),
            _("Access revoked."),
        )
    return redirect("audits:access", pk=audit.pk)
