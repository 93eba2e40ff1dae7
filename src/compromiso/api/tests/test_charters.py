"""Service charters through the API, scoped like the pages."""

import datetime as dt
from decimal import Decimal

import pytest

from compromiso.charters.models import Measurement
from compromiso.charters.tests import conftest as charter_fixtures

pytestmark = pytest.mark.django_db

# The charters app's fixtures, shared here.
service = charter_fixtures.service
draft = charter_fixtures.draft
published = charter_fixtures.published


def test_the_api_lists_charters_and_shows_a_version_with_its_results(
    api_as, quality_manager, published
):
    commitment = published.commitments.get()
    Measurement.objects.create(
        commitment=commitment,
        period_start=dt.date(2025, 3, 1),
        period_end=dt.date(2025, 3, 31),
        value=Decimal("85"),
        n=40,
        compliance="not_met",
        computed_at=dt.datetime(2025, 4, 1, tzinfo=dt.UTC),
    )
    api = api_as(quality_manager)

    listed = api.get("/charters", status="published").json()
    detail = api.get(f"/charters/{published.pk}").json()
    measurements = api.get(f"/charters/{published.pk}/measurements").json()

    assert [c["title"] for c in listed["items"]] == ["Carta de servicios"]
    assert detail["commitments"][0]["latest"]["value"] == "85.00"
    assert detail["commitments"][0]["latest"]["achievement"] == "94"
    assert detail["missing_for_publication"] == []
    assert measurements["count"] == 1


def test_computing_on_demand_needs_the_right_to_edit(api_as, viewer, quality_manager, published):
    assert api_as(viewer).post(f"/charters/{published.pk}/compute").status_code == 403
    answer = api_as(quality_manager).post(f"/charters/{published.pk}/compute")

    assert answer.status_code == 200
    assert answer.json()["written"] >= 1


def test_other_organisations_and_bad_ids_get_404(api_as, outsider, quality_manager, published):
    assert api_as(outsider).get(f"/charters/{published.pk}").status_code == 404
    assert api_as(quality_manager).get("/charters/999999").status_code == 404
    assert api_as(quality_manager).get("/charters/abc").status_code == 422
    assert api_as(quality_manager).get("/charters", status="nonsense").status_code == 422


def test_a_commitment_gives_the_unit_of_its_values(api_as, quality_manager, draft, service):
    charter_fixtures.commit(
        draft,
        quality_manager,
        service,
        source="manual",
        indicator="Espera media en sucursal",
        threshold_days=None,
        case_kind="",
        comparator="lte",
        target=15,
        unit="minutos",
    )
    charter_fixtures.commit(draft, quality_manager, service)

    found = api_as(quality_manager).get(f"/charters/{draft.pk}").json()

    assert [c["unit"] for c in found["commitments"]] == ["minutos", "%"]
