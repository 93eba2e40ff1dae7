"""Staff pages to enrol a device as a survey kiosk and to revoke kiosks."""

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from compromiso.core.errors import DomainError
from compromiso.core.forms import add_service_error
from compromiso.core.http import AuthenticatedHttpRequest
from compromiso.core.permissions import Perm, scope_for
from compromiso.organizations.current import require_organization
from compromiso.organizations.models import Organization
from compromiso.surveys import kiosks
from compromiso.surveys.forms import KioskForm
from compromiso.surveys.models import Kiosk


def _managed_organization(request: AuthenticatedHttpRequest) -> Organization:
    organization = require_organization(request)
    if not scope_for(request.user, Perm.MANAGE_SURVEYS).covers_organization(organization.pk):
        raise PermissionDenied
    return organization


@login_required
def kiosk_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The organisation's kiosks, and the form to enrol the device in hand as one. Enrolling
    sets the device's key cookie and signs the staff member out of it, so the kiosk is never
    left with a staff session."""
    organization = _managed_organization(request)
    form = KioskForm(request.POST or None, organization=organization)
    if request.method == "POST" and form.is_valid():
        try:
            _kiosk, key = kiosks.enrol_kiosk(
                organization,
                name=form.cleaned_data["name"],
                touch_point=form.cleaned_data["touch_point"],
                by=request.user,
            )
        except (ValidationError, DomainError) as error:
            add_service_error(form, error)
        else:
            logout(request)
            response = redirect("portal:kiosk_home")
            response.set_cookie(
                kiosks.COOKIE,
                key,
                max_age=kiosks.COOKIE_AGE,
                secure=request.is_secure(),
                httponly=True,
                samesite="Lax",
            )
            return response
    return render(
        request,
        "surveys/kiosks.html",
        {
            "form": form,
            "kiosks": Kiosk.objects.filter(organization=organization).select_related(
                "touch_point__unit", "touch_point__channel", "enrolled_by"
            ),
        },
    )


@login_required
@require_POST
def kiosk_revoke(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    organization = _managed_organization(request)
    kiosk = get_object_or_404(Kiosk, organization=organization, pk=pk)
    kiosks.revoke_kiosk(kiosk, by=request.user)
    messages.success(
        request,
        _("Kiosk “%(name)s” revoked: its device is now limited like any visitor.")
        % {"name": kiosk.name},
    )
    return redirect("surveys:kiosks")
