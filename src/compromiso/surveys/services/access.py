"""Who may change an organisation's surveys."""

from compromiso.core.actors import Actor
from compromiso.core.permissions import Perm, require


def require_manager(organization_id: int, by: Actor) -> None:
    require(by, Perm.MANAGE_SURVEYS, organization_id=organization_id)
