"""Case figures, search and the taxonomy through the API, in the caller's scope."""

import datetime as dt

import pytest

from compromiso.cases import services
from compromiso.cases.models import Category
from compromiso.catalog.tests.factories import ChannelFactory, ServiceFactory
from compromiso.core.actors import PUBLIC

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(organization, branch, other_branch):
    phone = ChannelFactory(organization=organization, kind="phone", name="Call center")
    made = []
    for unit, subject in ((branch, "Fila larga en Arica"), (other_branch, "Cajero sin billetes")):
        service = ServiceFactory(organization=organization, provider_unit=unit)
        case, _secret = services.receive_case(
            organization=organization,
            kind="complaint",
            channel=phone,
            service=service,
            subject=subject,
            description="Detalle del problema con los funcionarios.",
            requester_name="Ana",
            by=PUBLIC,
        )
        made.append(case)
    return made


def test_figures_for_the_whole_organisation_and_for_a_unit_head(
    api_as, quality_manager, unit_head, cases, branch, other_branch
):
    today = dt.date.today().isoformat()
    everything = api_as(quality_manager).get(f"/cases/analytics?start=2020-01-01&end={today}")
    mine = api_as(unit_head).get(f"/cases/analytics?start=2020-01-01&unit={other_branch.pk}")

    assert everything.status_code == 200
    assert everything.json()["totals"]["received"] == 2
    assert mine.status_code == 422  # Temuco is not the head's unit: unknown to them
    own = api_as(unit_head).get("/cases/analytics?start=2020-01-01")
    assert own.json()["unit"] == branch.pk
    assert own.json()["totals"]["received"] == 1


@pytest.mark.parametrize(
    "query",
    [
        "start=2026-12-31&end=2026-01-01",
        "start=1900-01-01&end=2026-01-01",
        "start=ayer",
        "kind=bribe",
        "service=999999",
    ],
)
def test_bad_periods_and_ids_are_clear_errors(api_as, quality_manager, query):
    response = api_as(quality_manager).get(f"/cases/analytics?{query}")

    assert response.status_code in (400, 422)
    assert response.json()["code"]


def test_search_and_filters_in_the_list(api_as, quality_manager, officer, cases):
    found = api_as(quality_manager).get("/cases?q=funcionarios").json()["items"]
    by_code = api_as(quality_manager).get(f"/cases?q={cases[1].tracking_code}").json()["items"]
    scoped = api_as(officer).get("/cases?q=funcionarios").json()["items"]
    too_long = api_as(quality_manager).get("/cases?q=" + "x" * 500)

    assert len(found) == 2
    assert [c["id"] for c in by_code] == [cases[1].pk]
    assert [c["id"] for c in scoped] == [cases[0].pk]
    assert too_long.status_code in (400, 422)


def test_intake_takes_a_category_of_the_same_organisation(
    api_as, quality_manager, organization, other_organization, cases
):
    own = Category.objects.create(organization=organization, name="Atención")
    foreign = Category.objects.create(organization=other_organization, name="Atenció")
    body = {
        "kind": "complaint",
        "channel": cases[0].channel_id,
        "subject": "Demora",
        "description": "Demora.",
        "requester_name": "Ana",
    }
    api = api_as(quality_manager)

    accepted = api.post("/cases", {**body, "category": own.pk})
    refused = api.post("/cases", {**body, "category": foreign.pk})
    listed = api.get("/case-categories").json()

    assert accepted.status_code == 201
    assert accepted.json()["category"] == own.pk
    assert refused.status_code == 422
    assert refused.json()["fields"]["category"]
    assert [c["id"] for c in listed] == [own.pk]
