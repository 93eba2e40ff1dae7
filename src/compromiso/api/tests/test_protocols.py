"""The attention protocols in force and their compliance through the API."""

import datetime as dt

import pytest

from compromiso.core.actors import SYSTEM
from compromiso.servicemodel import services
from compromiso.servicemodel.tests import protocol_fixtures
from compromiso.servicemodel.tests.protocol_fixtures import outcomes

pytestmark = pytest.mark.django_db

# The servicemodel tests' fixtures, shared.
counter = protocol_fixtures.counter
protocol_draft = protocol_fixtures.protocol_draft
protocol = protocol_fixtures.protocol


def test_the_api_lists_the_protocols_in_force_with_steps_variants_and_touch_points(
    api_as, viewer, protocol, protocol_draft, counter, organization
):
    services.create_protocol(organization, by=SYSTEM, name="Borrador", channel_kind="web")

    body = api_as(viewer).get("/protocols").json()

    assert [p["name"] for p in body] == ["Atención presencial"]
    first = body[0]["steps"][0]
    assert first["order"] == 1
    assert first["behaviour"] == "Saludar e identificarse"
    assert {v["channel_kind"] for v in first["variants"]} == {"in_person", "phone"}
    assert body[0]["touch_points"] == [counter.pk]


def test_the_api_gives_compliance_per_touch_point_with_null_when_empty(
    api_as, viewer, protocol, counter
):
    empty = api_as(viewer).get("/protocols/compliance?from=2026-10-01&to=2026-10-31").json()
    assert empty["share"] is None
    assert empty["rows"] == []

    services.record_protocol_check(
        protocol,
        counter,
        by=SYSTEM,
        observed_on=dt.date(2026, 10, 5),
        method="audit",
        results=outcomes(protocol, "met", "not_met", "met"),
    )
    body = api_as(viewer).get("/protocols/compliance?from=2026-10-01&to=2026-10-31").json()
    assert (body["met"], body["applicable"], body["observations"]) == (2, 3, 1)
    assert body["share"] == 66.67
    assert body["rows"][0]["touch_point"] == counter.pk
    assert body["rows"][0]["share"] == 66.67


@pytest.mark.parametrize(
    "query",
    [
        "from=2026-12-31&to=2026-01-01",
        "from=1900-01-01&to=2026-01-01",
        "from=ayer",
        "to=2026-13-45",
        "from=2000-01-01&to=2026-01-01",
        "from=%00",
    ],
)
def test_malformed_periods_are_refused_with_422(api_as, viewer, query):
    response = api_as(viewer).get(f"/protocols/compliance?{query}")

    assert response.status_code == 422
    assert response.json()["code"]


def test_the_api_needs_a_token_and_hides_other_organisations(
    anonymous_api, api_as, outsider, protocol, counter
):
    assert anonymous_api.get("/protocols").status_code == 401
    assert anonymous_api.get("/protocols/compliance").status_code == 401
    assert api_as(outsider).get("/protocols").json() == []
    assert api_as(outsider).get("/protocols/compliance").json()["rows"] == []
