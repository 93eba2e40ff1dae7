"""News of cases for the apps above them, and what cases hear from below.

Cases send `case_closed` (argument: `case`) inside the transaction that closes the case, so
whatever a listener writes commits or rolls back with the closure; work outside the database
(an e-mail) is for the listener to enqueue with the transaction. Cases listen to calendar
changes (open cases' legal deadlines are recomputed) and to new organisations (they get the
standard root-cause coding in their language)."""

from typing import Any

from django.dispatch import Signal, receiver

from compromiso.core.actors import Actor
from compromiso.organizations.models import Organization
from compromiso.organizations.signals import calendar_changed, organization_created

case_closed = Signal()


@receiver(calendar_changed)
def recompute_deadlines_after_calendar_change(
    sender: Any, organization_id: int, **kwargs: Any
) -> None:
    from compromiso.cases.tasks import recompute_open_deadlines

    recompute_open_deadlines.enqueue(organization_id=organization_id)


@receiver(organization_created)
def seed_root_causes(sender: Any, organization: Organization, by: Actor, **kwargs: Any) -> None:
    from compromiso.cases.services import seed_root_causes

    seed_root_causes(organization, by=by)
