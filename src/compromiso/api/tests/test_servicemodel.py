"""The service model in force and its coverage through the API, in the token's organisation."""

import pytest

from compromiso.core.actors import SYSTEM
from compromiso.servicemodel import services
from compromiso.servicemodel.tests.conftest import TEXT

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(organization):
    model = services.create_service_model(organization, by=SYSTEM, **TEXT)
    services.approve_service_model(model, by=SYSTEM, reference="Resolución 12")
    return services.publish_service_model(model, by=SYSTEM)


def test_the_api_gives_the_model_in_force_with_its_axes_and_promises(api_as, viewer, published):
    body = api_as(viewer).get("/service-model").json()

    assert body["id"] == published.pk
    assert body["version"] == 1
    assert body["slogans"] == ["Te recibimos, te resolvemos.", "Un mismo trato."]
    assert [a["name"] for a in body["axes"]] == ["Acogida", "Resolución"]
    assert [p["order"] for p in body["promises"]] == [1, 2]
    assert body["valid_from"] == published.valid_from.isoformat()


def test_without_a_model_in_force_the_api_answers_404_json(api_as, viewer):
    response = api_as(viewer).get("/service-model")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_the_api_needs_a_token(anonymous_api):
    assert anonymous_api.get("/service-model").status_code == 401
    assert anonymous_api.get("/service-model/coverage").status_code == 401


def test_another_organisations_model_is_invisible(api_as, outsider, published):
    assert api_as(outsider).get("/service-model").status_code == 404
    rows = api_as(outsider).get("/service-model/coverage").json()["rows"]
    assert rows[0]["staff"] == 1  # the outsider alone, in their own organisation
    assert api_as(outsider).get("/service-model/coverage").json()["service_model"] is None


def test_the_coverage_gives_counts_and_shares_with_null_for_no_staff(
    api_as, quality_manager, officer, other_branch, published
):
    services.acknowledge_service_model(published, by=officer)

    body = api_as(quality_manager).get("/service-model/coverage").json()

    whole = body["rows"][0]
    assert body["service_model"] == published.pk
    assert (whole["unit"], whole["staff"], whole["acknowledged"]) == (None, 2, 1)
    assert whole["share"] == 0.5
    empty = next(r for r in body["rows"] if r["unit_name"] == "Sucursal Temuco")
    assert (empty["staff"], empty["share"]) == (0, None)


def test_a_viewer_gets_no_coverage(api_as, viewer, published):
    assert api_as(viewer).get("/service-model/coverage").status_code == 404


def test_the_schema_names_the_endpoints(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]

    assert "/api/v1/service-model" in paths
    assert "/api/v1/service-model/coverage" in paths
