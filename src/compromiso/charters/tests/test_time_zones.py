"""A charter's validity ends at midnight where its organisation is, not where the server is."""

import datetime as dt

import pytest
import time_machine

from compromiso.charters import services
from compromiso.charters.models import CharterStatus

pytestmark = pytest.mark.django_db

# 31 December 2026, 23:30 UTC: already 1 January 2027 in Madrid, still 20:30 on the 31st in
# Santiago (the server's default zone).
NEW_YEAR_IN_MADRID = dt.datetime(2026, 12, 31, 23, 30, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("zone", "status"),
    [("Europe/Madrid", CharterStatus.EXPIRED), ("America/Santiago", CharterStatus.PUBLISHED)],
)
def test_a_charter_expires_after_its_organisations_last_day(organization, published, zone, status):
    """The charter is valid to 31 December 2026."""
    organization.time_zone = zone
    organization.save(update_fields=["time_zone"])

    with time_machine.travel(NEW_YEAR_IN_MADRID, tick=False):
        services.expire_and_remind()

    published.refresh_from_db()
    assert published.status == status
