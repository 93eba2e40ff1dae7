"""The staff home page shows the quality manager the commitments not met and a unit head the
commitments of the unit's charters, never another organisation's."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from compromiso.catalog.tests.factories import ServiceFactory
from compromiso.charters.models import Charter, Commitment, Measurement
from compromiso.charters.tests.conftest import commit

pytestmark = pytest.mark.django_db

HOME = "organizations:overview"


def _result(commitment, month, value, compliance):
    return Measurement.objects.create(
        commitment=commitment,
        period_start=dt.date(2025, month, 1),
        period_end=dt.date(2025, month, 28),
        value=Decimal(value),
        n=30,
        compliance=compliance,
        computed_at=dt.datetime(2025, 6, 1, tzinfo=dt.UTC),
    )


def _panel(response, key):
    panels = [p for p in response.context["panels"] if p.context.get("key") == key]
    return panels[0] if panels else None


@pytest.fixture
def foreign_breach(other_organization):
    """A published charter of another organisation whose commitment was not met."""
    service = ServiceFactory(organization=other_organization)
    charter = Charter.objects.create(
        organization=other_organization,
        title="Carta d'un altre",
        status="published",
        profile="es_ct_local",
        language="ca",
        valid_from=dt.date(2025, 1, 1),
        valid_to=dt.date(2026, 12, 31),
    )
    commitment = Commitment.objects.create(
        charter=charter,
        service=service,
        text="Foreign promise",
        indicator="x",
        source="cases_within_days",
        threshold_days=10,
        target=90,
    )
    _result(commitment, 3, 10, "not_met")
    return commitment


def test_quality_manager_sees_commitments_whose_latest_result_was_not_met(
    client, published, quality_manager, service, foreign_breach
):
    broken = published.commitments.get()
    _result(broken, 1, 95, "met")
    _result(broken, 2, 72, "not_met")
    recovered = Commitment.objects.create(
        charter=published,
        service=service,
        text="Recovered promise",
        indicator="x",
        source="cases_within_days",
        threshold_days=10,
        target=90,
    )
    _result(recovered, 1, 50, "not_met")
    _result(recovered, 2, 99, "met")
    client.force_login(quality_manager)

    response = client.get(reverse(HOME))

    panel = _panel(response, "breached")
    assert panel.context["commitments"] == [broken]
    html = response.content.decode()
    assert broken.text in html
    assert "Recovered promise" not in html
    assert "Foreign promise" not in html


def test_unit_head_sees_the_commitments_of_the_unit_charters_worst_first(
    client, organization, published, quality_manager, service, branch, other_branch, unit_head
):
    from compromiso.charters import services

    ours = services.create_charter(
        organization,
        by=quality_manager,
        title="Carta de Arica",
        profile="cl_public",
        language="es",
        valid_from=dt.date(2025, 1, 1),
        valid_to=dt.date(2026, 12, 31),
        services=[service],
        unit=branch,
    )
    met = commit(ours, quality_manager, service, text="Arica met")
    missed = commit(ours, quality_manager, service, text="Arica missed")
    Charter.objects.filter(pk=ours.pk).update(status="published")
    _result(met, 1, 99, "met")
    _result(missed, 1, 40, "not_met")
    theirs = Charter.objects.create(
        organization=organization,
        unit=other_branch,
        title="Carta de Temuco",
        profile="cl_public",
        language="es",
        valid_from=dt.date(2025, 1, 1),
        valid_to=dt.date(2026, 12, 31),
    )
    theirs.services.add(service)
    commit(theirs, quality_manager, service, text="Temuco promise")
    Charter.objects.filter(pk=theirs.pk).update(status="published")
    client.force_login(unit_head)

    response = client.get(reverse(HOME))

    assert _panel(response, "unit").context["commitments"] == [missed, met]
    assert _panel(response, "breached") is None
    html = response.content.decode()
    assert "Temuco promise" not in html
    assert published.commitments.get().text not in html  # the organisation's own charter
