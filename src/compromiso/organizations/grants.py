"""What the permission layer (core/permissions.py) reads of a user: their memberships and
whether they hold the network role. Provided to core when this app loads."""

from compromiso.core.prepared import PreparedQuery, prepared
from compromiso.organizations.models import Membership, NetworkMember


def _membership_query() -> PreparedQuery:
    return PreparedQuery(
        lambda user_id: Membership.objects.filter(
            user_id=user_id, organization__is_active=True
        ).values_list("organization_id", "role", "unit_id", "unit__path"),
        {"user_id": -918_273_645},
    )


def membership_rows(user_id: int) -> list[tuple[int, str, int | None, str | None]]:
    """The user's memberships in active organisations: (organisation, role, unit, unit path)."""
    query = prepared("memberships", _membership_query)  # read on every request
    return query.rows(user_id=user_id)


def is_network_member(user_id: int) -> bool:
    return NetworkMember.objects.filter(user_id=user_id).exists()
