"""Which organisation a staff request works in.

A person is usually a member of one organisation; someone in several picks one, and the choice is
kept in the session. Nothing outside the chosen organisation is reachable from staff pages.
"""

from django.http import Http404, HttpRequest

from compromiso.core.permissions import organization_ids_for
from compromiso.organizations.models import Organization

SESSION_KEY = "compromiso_organization_id"


def current_organization(request: HttpRequest) -> Organization | None:
    """The organisation this request works in, or None for a user with no membership."""
    cached: Organization | None = getattr(request, "_compromiso_organization", None)
    if cached is not None:
        return cached
    ids = organization_ids_for(request.user)
    if not ids:
        return None
    chosen = request.session.get(SESSION_KEY)
    organization_id = chosen if chosen in ids else ids[0]
    organization = Organization.objects.filter(pk=organization_id, is_active=True).first()
    request._compromiso_organization = organization  # type: ignore[attr-defined]
    return organization


def require_organization(request: HttpRequest) -> Organization:
    """The current organisation; 404 for a signed-in person who belongs to none."""
    organization = current_organization(request)
    if organization is None:
        raise Http404("No organisation")
    return organization


def choose_organization(request: HttpRequest, organization_id: int) -> bool:
    """Switch the request's session to another organisation the user belongs to."""
    if organization_id not in organization_ids_for(request.user):
        return False
    request.session[SESSION_KEY] = organization_id
    if hasattr(request, "_compromiso_organization"):
        del request._compromiso_organization
    return True
