"""The public pages of an organisation show its own time: a Madrid requester following a case
on a server in Santiago sees Madrid's clock."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from compromiso.cases import services
from compromiso.catalog.tests.factories import ChannelFactory
from compromiso.core.actors import PUBLIC
from compromiso.organizations.tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db

# Monday 2 March 2026, 23:30 UTC: 00:30 on Tuesday 3 March in Madrid, 20:30 on Monday in Santiago.
NEAR_MIDNIGHT = dt.datetime(2026, 3, 2, 23, 30, tzinfo=dt.UTC)


def test_the_tracking_page_shows_the_organisations_time(client):
    madrid = OrganizationFactory(country="ES", subdivision="MD", time_zone="Europe/Madrid")
    web = ChannelFactory(organization=madrid, kind="web", name="Sede electrónica")
    with time_machine.travel(NEAR_MIDNIGHT, tick=False):
        case, secret = services.receive_case(
            organization=madrid,
            kind="complaint",
            channel=web,
            subject="Cola de dos horas",
            description="Esperé dos horas.",
            requester_name="Ana Pérez",
            by=PUBLIC,
        )

    page = client.post(
        reverse("portal:track"), {"code": case.tracking_code, "secret": secret}, follow=True
    ).content.decode()

    assert "3 marzo 2026, 00:30" in page  # received, Madrid time
    assert "20:30" not in page  # the server's (Santiago's) time
    assert "2026-03-03T00:30:00+01:00" in page  # the timeline's machine-readable time
