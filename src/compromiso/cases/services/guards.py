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


def require_handler(case: Case, by: User | None) -> None:
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
