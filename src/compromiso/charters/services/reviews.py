"""A published charter's validity: it expires when it ends, and is due for review before."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from compromiso.charters import completeness, periods
from compromiso.charters.models import Charter, CharterStatus
from compromiso.charters.services.lifecycle import move
from compromiso.core.actors import SYSTEM
from compromiso.core.tasks import enqueue_with_transaction


def review_due(charter: Charter) -> dt.date:
    """When the charter must be reviewed: Catalonia evaluates every 2 years (Llei 26/2010);
    otherwise three months before its validity ends."""
    years = completeness.EVALUATION_YEARS.get(charter.profile)
    end_review = charter.valid_to - dt.timedelta(days=90)
    if years and charter.published_at is not None:
        return min(end_review, periods.add_years(charter.valid_from, years))
    return end_review


@transaction.atomic
def expire_and_remind(today: dt.date | None = None) -> dict[str, int]:
    """Expire published charters past their validity and remind, once, those due for review.
    Idempotent: run it daily. Each charter's day is its organisation's."""

    def today_of(charter: Charter) -> dt.date:
        return today or charter.organization.today()

    # No place on Earth is more than a day ahead of UTC: later charters are not yet past.
    latest = today or timezone.now().date() + dt.timedelta(days=1)
    expired = 0
    for charter in Charter.objects.select_for_update().filter(
        status=CharterStatus.PUBLISHED, valid_to__lt=latest
    ):
        if charter.valid_to >= today_of(charter):
            continue
        move(
            charter,
            CharterStatus.EXPIRED,
            by=SYSTEM,
            data={"valid_to": charter.valid_to.isoformat()},
        )
        expired += 1
    reminded = 0
    for charter in Charter.objects.filter(
        status=CharterStatus.PUBLISHED, review_reminded_at__isnull=True
    ):
        if review_due(charter) <= today_of(charter):
            updated = Charter.objects.filter(pk=charter.pk, review_reminded_at__isnull=True).update(
                review_reminded_at=timezone.now()
            )
            if updated:
                reminded += 1
                _enqueue_reminder(charter.pk)
    return {"expired": expired, "reminded": reminded}


def _enqueue_reminder(charter_id: int) -> None:
    from compromiso.charters.tasks import send_review_reminder

    enqueue_with_transaction(send_review_reminder, charter_id=charter_id)
