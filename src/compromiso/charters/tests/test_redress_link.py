"""Redress recorded on a case links to the charter guarantee that promised it."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from compromiso.cases import services as case_services
from compromiso.charters import services
from compromiso.charters.models import Charter
from compromiso.charters.tests.conftest import commit
from compromiso.core.actors import PUBLIC

pytestmark = pytest.mark.django_db


@pytest.fixture
def guarantee(published, service):
    return Charter.objects.get(pk=published.pk).commitments.create(
        service=service,
        text="Si esperas más de 30 minutos, te atendemos con prioridad.",
        indicator="% atendidos en 30 minutos",
        source="manual",
        unit="%",
        comparator="gte",
        target=Decimal(90),
        periodicity="monthly",
        is_guarantee=True,
        redress_policy="Atención prioritaria y disculpa escrita.",
    )


@pytest.fixture
def case(organization, web, service):
    made, _secret = case_services.receive_case(
        organization=organization,
        kind="complaint",
        channel=web,
        service=service,
        subject="Espera",
        description="Esperé una hora.",
        requester_name="Ana",
        by=PUBLIC,
    )
    return made


def test_redress_links_to_the_guarantee_and_the_commitment_page_counts_it(
    client, case, guarantee, officer, quality_manager
):
    client.force_login(officer)
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    client.post(
        reverse("cases:redress", args=[case.pk]),
        {"kind": "priority", "amount": "2500", "commitment": guarantee.pk, "breached": "on"},
    )
    case_page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()

    assert guarantee.text in page  # offered on the case page
    assert "2\u00a0500\u00a0CLP" in case_page  # the amount in the organisation's currency
    redress = case.redresses.get()
    assert redress.commitment == guarantee
    client.force_login(quality_manager)
    commitment_page = client.get(reverse("charters:commitment", args=[guarantee.pk]))
    assert "1 reparación registrada" in commitment_page.content.decode()
    assert "(importe: 2\u00a0500\u00a0CLP)" in commitment_page.content.decode()


def test_only_a_published_guarantee_of_the_case_service_can_be_linked(
    case, published, officer, quality_manager, service
):
    plain = published.commitments.get()  # not a guarantee
    with pytest.raises(ValidationError):
        case_services.record_redress(case, by=officer, kind="apology", commitment=plain)
    draft = services.renew_charter(published, by=quality_manager)
    draft_guarantee = commit(
        draft,
        quality_manager,
        service,
        is_guarantee=True,
        redress_policy="Devolución.",
        text="Otro",
    )
    with pytest.raises(ValidationError):
        case_services.record_redress(case, by=officer, kind="refund", commitment=draft_guarantee)
    assert not case.redresses.exists()
