"""Enrolling people in a planned session after planning it, and taking off someone with no
results yet (`EDIT_CHARTERS` in the session's unit: quality managers, and unit heads in their
subtree). Both post from the session page and return to it."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from compromiso.core.http import AuthenticatedHttpRequest, report, report_form_errors
from compromiso.servicemodel import services
from compromiso.servicemodel.forms.training import EnrolForm
from compromiso.servicemodel.models import (
    Attendance,
)
from compromiso.servicemodel.views.training import _session, can_enrol, enrollable


@login_required
@require_POST
def session_enrol(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = _session(request, pk)
    if not can_enrol(request, item):
        raise PermissionDenied
    form = EnrolForm(request.POST, staff=enrollable(item))
    if form.is_valid():
        report(
            request,
            lambda: services.enrol_in_session(
                item, by=request.user, staff_members=form.cleaned_data["attendees"]
            ),
            lambda added: (
                ngettext("%(count)d person enrolled.", "%(count)d people enrolled.", added)
                % {"count": added}
            ),
        )
    else:
        report_form_errors(request, form)
    return redirect("servicemodel:training_session", pk=item.pk)


@login_required
@require_POST
def attendance_remove(request: AuthenticatedHttpRequest, pk: int, attendance: int) -> HttpResponse:
    item = _session(request, pk)
    row = get_object_or_404(
        Attendance.objects.select_related("staff_member"), session=item, pk=attendance
    )
    if not can_enrol(request, item):
        raise PermissionDenied
    name = row.staff_member.name
    report(
        request,
        lambda: services.unenrol_from_session(row, by=request.user),
        _("%(name)s is no longer enrolled.") % {"name": name},
    )
    return redirect("servicemodel:training_session", pk=item.pk)
