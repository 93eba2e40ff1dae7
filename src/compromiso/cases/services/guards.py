"""Checks every case service makes before it changes anything: the same organisation, the
permission to handle the case, and the actions the case allows in its state."""

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from compromiso.cases.models import (
    Case,
    CaseAction,
)
from compromiso.cases.services.errors import CaseError
from compromiso.core.actors import Actor
from compromiso.core.permissions import Perm, require
from compromiso.organizations.models import Organization, User


def same_organization(organization: Organization, **objects: Any) -> None:
    errors = {
        name: _("This belongs to another organisation.")
        for name, obj in objects.items()
        if obj is not None and obj.organization_id != organization.pk
    }
    if errors:
        raise ValidationError(errors)


def is_person(by: Actor) -> bool:
    """A signed-in person, whose permissions are checked; otherwise the system acts (a job, the
    demo, the requester through a public page: a `SystemActor`). A caller that still passes no
    actor at all is, as `core.permissions.require` treats it, the system."""
    return isinstance(by, User)


def person(by: Actor) -> User | None:
    """The user row to record for `by` (an event's actor, an uploader): none when the system
    acts."""
    return by if isinstance(by, User) else None


def require_handler(case: Case, by: Actor) -> None:
    require(
        by,
        Perm.HANDLE_CASES,
        organization_id=case.organization_id,
        unit_path=case.unit.path if case.unit_id and case.unit else None,
    )


def require_action(case: Case, action: str) -> None:
    """Refuse an action the case does not allow in its state (`Case.allowed_actions`)."""
    if action not in case.allowed_actions():
        raise CaseError(
            _("“%(action)s” is not possible on a case in the state “%(state)s”.")
            % {"action": CaseAction(action).label, "state": case.get_status_display()},
            code="invalid_transition",
        )
