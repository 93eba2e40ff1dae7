"""Which waves a staff page may show, and the survey manager's own organisation and waves."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from compromiso.core.http import AuthenticatedHttpRequest
from compromiso.core.permissions import Perm, scope_for
from compromiso.organizations.current import require_organization
from compromiso.organizations.models import Organization
from compromiso.surveys.models import Wave, WaveQuerySet


def visible_waves(request: AuthenticatedHttpRequest) -> WaveQuerySet:
    """The waves of the current organisation that the user may see."""
    organization = require_organization(request)
    return Wave.objects.visible_to(request.user).filter(organization=organization)


def managed_organization(request: AuthenticatedHttpRequest) -> Organization:
    """The current organisation, if the user manages its surveys (else 403)."""
    organization = require_organization(request)
    if not scope_for(request.user, Perm.MANAGE_SURVEYS).covers_organization(organization.pk):
        raise PermissionDenied
    return organization


def managed_wave(request: AuthenticatedHttpRequest, pk: int) -> Wave:
    """A wave of the current organisation, if the user manages its surveys (404 or 403)."""
    item: Wave = get_object_or_404(visible_waves(request).select_related("questionnaire"), pk=pk)
    if not scope_for(request.user, Perm.MANAGE_SURVEYS).covers_organization(item.organization_id):
        raise PermissionDenied
    return item
