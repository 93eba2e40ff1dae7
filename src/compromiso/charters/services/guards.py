"""The checks every change of a charter starts with, and the refusal they raise."""

from django.utils.translation import gettext as _

from compromiso.charters.models import Charter
from compromiso.core.actors import Actor
from compromiso.core.errors import DomainError
from compromiso.core.permissions import Perm, require


class CharterError(DomainError):
    pass


def require_on_charter(charter: Charter, by: Actor, perm: Perm = Perm.EDIT_CHARTERS) -> None:
    require(
        by,
        perm,
        organization_id=charter.organization_id,
        unit_path=charter.unit.path if charter.unit is not None else None,
    )


def ensure_editable(charter: Charter) -> None:
    if not charter.is_editable:
        raise CharterError(
            _("A %(state)s charter cannot be edited: renew it to make a new draft version.")
            % {"state": charter.get_status_display().lower()},
            code="not_editable",
        )
