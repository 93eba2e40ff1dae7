"""The service model's panel on the staff home page: a reminder to read the version in force,
shown only to a member who has not acknowledged it yet."""

from django.urls import reverse
from django.utils.translation import gettext as _

from compromiso.core.http import AuthenticatedHttpRequest
from compromiso.organizations.home import Panel, register_panel
from compromiso.organizations.models import Membership, Organization
from compromiso.servicemodel.models import Acknowledgement, ModelStatus, ServiceModel


@register_panel
def unread_model(
    request: AuthenticatedHttpRequest, organization: Organization, memberships: list[Membership]
) -> Panel | None:
    model = ServiceModel.objects.filter(
        organization=organization, status=ModelStatus.PUBLISHED
    ).first()
    if model is None or not memberships:
        return None
    if Acknowledgement.objects.filter(service_model=model, user=request.user).exists():
        return None
    return Panel(
        order=5,
        template="servicemodel/home_unread.html",
        context={
            "title": _("Read the service model in force"),
            "model": model,
            "url": reverse("servicemodel:home"),
        },
    )
