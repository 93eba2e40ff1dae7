"""Cases listen to calendar changes: open cases' legal deadlines are recomputed."""

from typing import Any

from django.dispatch import receiver

from compromiso.organizations.signals import calendar_changed


@receiver(calendar_changed)
def recompute_deadlines_after_calendar_change(
    sender: Any, organization_id: int, **kwargs: Any
) -> None:
    from compromiso.cases.tasks import recompute_open_deadlines

    recompute_open_deadlines.enqueue(organization_id=organization_id)
