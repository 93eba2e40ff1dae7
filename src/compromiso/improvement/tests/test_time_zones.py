"""An improvement action is overdue from midnight where its organisation is."""

import datetime as dt

import pytest
import time_machine

from compromiso.cases import services as case_services
from compromiso.cases.models import RootCause
from compromiso.core.actors import SYSTEM
from compromiso.improvement import reminders, services
from compromiso.organizations.models import Unit
from compromiso.organizations.tests.factories import UnitFactory

pytestmark = pytest.mark.django_db

DUE = dt.date(2026, 3, 2)
# 2 March 2026, 23:30 UTC: 00:30 on 3 March in Madrid, 20:30 on 2 March in Santiago.
NEAR_MIDNIGHT = dt.datetime(2026, 3, 2, 23, 30, tzinfo=dt.UTC)


def _action(organization, by):
    case_services.install_root_causes(organization, by=SYSTEM)
    unit = Unit.objects.filter(organization=organization).first()
    return services.create_action(
        organization,
        by=by,
        title="Cita previa",
        description="Abrir cita previa en línea.",
        owner_unit=unit,
        due_date=DUE,
        origins=[{"root_cause": RootCause.objects.filter(organization=organization).first()}],
    )


def test_an_action_is_overdue_from_its_organisations_midnight(
    organization, branch, quality_manager, other_organization, outsider
):
    """`organization` works in Santiago (the server's zone), `other_organization` in Madrid."""
    UnitFactory(organization=other_organization, name="Oficina")
    with time_machine.travel(dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC), tick=False):
        santiago = _action(organization, quality_manager)
        madrid = _action(other_organization, outsider)

    with time_machine.travel(NEAR_MIDNIGHT, tick=False):
        assert madrid.is_overdue()
        assert not santiago.is_overdue()
        assert reminders.run()["escalated"] == 1

    madrid.refresh_from_db()
    santiago.refresh_from_db()
    assert madrid.escalated_at is not None
    assert santiago.escalated_at is None
