"""What every attention page asks first: the current organisation, for one of its members, and
the branches a user may work in."""

from django.http import Http404

from compromiso.attention.models import Branch, BranchQuerySet
from compromiso.core.http import AuthenticatedHttpRequest
from compromiso.core.permissions import Perm, has_perm, scope_for
from compromiso.organizations.current import require_organization
from compromiso.organizations.models import Organization


def organization_of(request: AuthenticatedHttpRequest) -> Organization:
    """The current organisation, for a member of it (anyone else gets a 404)."""
    organization = require_organization(request)
    if not scope_for(request.user, Perm.VIEW).touches(organization.pk):
        raise Http404
    return organization


def branches_for(
    request: AuthenticatedHttpRequest, organization: Organization, perm: Perm = Perm.VIEW
) -> BranchQuerySet:
    return Branch.objects.filter(organization=organization).visible_to(request.user, perm)


def manages(request: AuthenticatedHttpRequest, organization: Organization) -> bool:
    return scope_for(request.user, Perm.MANAGE_ATTENTION).touches(organization.pk)


def serves(request: AuthenticatedHttpRequest, organization: Organization) -> bool:
    return scope_for(request.user, Perm.SERVE_VISITORS).touches(organization.pk)


__all__ = ["branches_for", "has_perm", "manages", "organization_of", "serves"]
