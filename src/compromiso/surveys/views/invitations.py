"""Inviting respondents to an open wave: a list of addresses, or the staff of client units."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from compromiso.core.http import AuthenticatedHttpRequest, report, report_form_errors
from compromiso.surveys import services
from compromiso.surveys.forms import (
    InviteForm,
    InviteUnitsForm,
)
from compromiso.surveys.views.access import managed_wave


def _invited(made: list[Any]) -> str:
    return _("%(count)s invitations will be sent.") % {"count": len(made)}


@login_required
@require_POST
def invite(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = managed_wave(request, pk)
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
    item = managed_wave(request, pk)
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
