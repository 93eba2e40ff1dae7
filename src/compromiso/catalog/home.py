"""The catalogue's figures on the staff home page (registered when the app loads)."""

from django.utils.translation import gettext as _

from compromiso.catalog.models import Channel, Service, TouchPoint
from compromiso.organizations.home import Figure, register_figures
from compromiso.organizations.models import Organization, User


@register_figures
def catalog_figures(user: User, organization: Organization) -> dict[str, Figure]:
    """How many services, channels and touch points of the organisation the user sees."""
    services = Service.objects.visible_to(user).filter(organization=organization).count()
    channels = Channel.objects.visible_to(user).filter(organization=organization).count()
    points = TouchPoint.objects.visible_to(user).filter(organization=organization).count()
    return {
        "services": Figure(label=_("Services"), value=services),
        "channels": Figure(label=_("Channels"), value=channels),
        "touch_points": Figure(label=_("Touch points"), value=points),
    }
