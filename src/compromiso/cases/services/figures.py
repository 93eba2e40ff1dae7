"""The figures a change touches: days marked for the facts to be rebuilt."""

from django.utils import timezone

from compromiso.cases.models import (
    Case,
)


def refresh_facts_later(case: Case) -> None:
    """Mark the days whose figures this change touches (the day it was received, which carries
    its dimensions, and today) for the facts to be rebuilt before they are next read."""
    from compromiso.cases import facts

    facts.mark_dirty(case.organization, [case.received_at, timezone.now()])
