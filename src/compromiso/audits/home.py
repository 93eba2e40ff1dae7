"""The audits' place on the staff home page: the open audits a member works on and, for whoever
manages audits, the proposals awaiting a decision; and, for a signed-in person who belongs to
no organisation but works on an audit (an outside auditor), the page they land on."""

from django.urls import reverse
from django.utils.translation import gettext as _

from compromiso.audits import access
from compromiso.audits.models import OPEN_AUDIT_STATUSES, AuditProposal, ProposalStatus
from compromiso.core.http import AuthenticatedHttpRequest
from compromiso.core.permissions import Perm, has_perm
from compromiso.organizations.home import Panel, first_rows, register_landing, register_panel
from compromiso.organizations.models import Membership, Organization


@register_panel
def my_audits(
    request: AuthenticatedHttpRequest, organization: Organization, memberships: list[Membership]
) -> Panel | None:
    user = request.user
    audits, more = first_rows(
        access.mine(user)
        .filter(status__in=OPEN_AUDIT_STATUSES)
        .select_related("organization")
        .order_by("planned_start", "pk")
    )
    proposals: list[AuditProposal] = []
    if has_perm(user, Perm.MANAGE_AUDITS, organization_id=organization.pk):
        proposals, _more = first_rows(
            AuditProposal.objects.filter(
                organization=organization, status=ProposalStatus.SUBMITTED
            ).order_by("created_at", "pk")
        )
    if not audits and not proposals:
        return None
    return Panel(
        order=45,
        template="audits/audit/home_panel.html",
        context={
            "title": _("Audits"),
            "audits": audits,
            "more": more,
            "proposals": proposals,
            "mine_url": reverse("audits:mine"),
            "all_url": reverse("audits:home"),
        },
    )


@register_landing
def outside_auditor_landing(request: AuthenticatedHttpRequest) -> str | None:
    """Someone with no membership who works on an audit lands on their audits."""
    if access.mine(request.user).exists():
        return reverse("audits:mine")
    return None
