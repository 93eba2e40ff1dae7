"""The API refuses what the web forms refuse, bounds every page, and answers every error —
405 and 500 included — in its JSON shape."""

import datetime as dt

import pytest
from django.test import RequestFactory

from compromiso.api.urls import api
from compromiso.cases.models import Case
from compromiso.catalog.tests.factories import ChannelFactory
from compromiso.core.tests.test_ids import CaseFactory

pytestmark = pytest.mark.django_db

LISTS = ["/units", "/channels", "/touch-points", "/services", "/cases", "/charters", "/waves"]
LISTS += ["/improvement-actions"]


@pytest.fixture
def phone(organization):
    return ChannelFactory(organization=organization, kind="phone", name="Call center 600")


def case_body(phone, **overrides):
    return {
        "kind": "complaint",
        "channel": phone.pk,
        "subject": "Cobro duplicado",
        "description": "Me cobraron dos veces.",
        "requester_name": "Ana Pérez",
        **overrides,
    }


def _is_json_error(response, status, field=None):
    assert response.status_code == status, response.content[:300]
    data = response.json()
    assert set(data) >= {"code", "message"}
    if field:
        assert any(key.split(".")[-1] == field for key in data["fields"]), data
    return data


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize("offset", [2**63, 2**64, 10**30, -1])
def test_an_offset_beyond_any_row_is_a_422_on_every_list(api_as, quality_manager, path, offset):
    response = api_as(quality_manager).get(path, offset=offset)

    _is_json_error(response, 422, "offset")


def test_the_largest_offset_is_an_empty_page(api_as, quality_manager):
    response = api_as(quality_manager).get("/cases", offset=2**63 - 1)

    assert response.status_code == 200
    assert response.json()["items"] == []


def test_a_page_holds_at_most_200_rows(api_as, quality_manager, organization):
    CaseFactory.create_batch(201, organization=organization)
    api = api_as(quality_manager)

    assert len(api.get("/cases", limit=200).json()["items"]) == 200
    assert len(api.get("/cases").json()["items"]) == 100
    _is_json_error(api.get("/cases", limit=201), 422, "limit")
    _is_json_error(api.get("/cases", limit=2003), 422, "limit")


@pytest.mark.parametrize(
    "received_at",
    [
        "2026-03-01T09:30:00",
        "0001-01-01T00:00:00+05:00",
        "2999-01-01T00:00:00Z",
        "1900-06-01T12:00Z",
    ],
)
def test_a_case_received_at_an_unusable_time_is_refused(
    api_as, quality_manager, phone, received_at
):
    response = api_as(quality_manager).post("/cases", case_body(phone, received_at=received_at))

    _is_json_error(response, 422, "received_at")
    assert Case.objects.count() == 0


def test_a_case_received_at_a_time_with_its_offset_is_taken(api_as, quality_manager, phone):
    response = api_as(quality_manager).post(
        "/cases", case_body(phone, received_at="2026-03-01T09:30:00-03:00")
    )

    assert response.status_code == 201
    received = dt.datetime.fromisoformat(response.json()["received_at"])
    assert received == dt.datetime(2026, 3, 1, 12, 30, tzinfo=dt.UTC)


@pytest.mark.parametrize("field", ["subject", "description", "requester_name"])
def test_nul_characters_are_refused_like_the_web_forms_do(api_as, quality_manager, phone, field):
    response = api_as(quality_manager).post("/cases", case_body(phone, **{field: "a\x00b"}))

    data = _is_json_error(response, 422, field)
    assert "Null characters are not allowed." in str(data) or "nulos" in str(data)
    assert Case.objects.count() == 0


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/units", {"name": "Ofi\x00cina", "kind": "office"}, "name"),
        ("/cases", "channel", "channel"),
    ],
)
def test_integers_no_column_holds_and_nul_are_refused_on_writes(
    api_as, quality_manager, phone, path, body, field
):
    if body == "channel":
        body = case_body(phone, channel=10**25)

    response = api_as(quality_manager).post(path, body)

    assert response.status_code == 422
    if field:
        assert any(key.split(".")[-1] == field for key in response.json()["fields"])


@pytest.mark.parametrize(
    "params",
    [
        {"received_after": "0001-01-01T00:00:00+05:00"},
        {"received_before": "2999-01-01T00:00:00Z"},
        {"received_after": "2026-01-01T00:00:00"},
        {"unit": 10**20},
        {"q": "a\x00b"},
    ],
)
def test_unusable_filters_are_a_422(api_as, quality_manager, params):
    response = api_as(quality_manager).get("/cases", **params)

    _is_json_error(response, 422)


@pytest.mark.parametrize("params", [{"start": "0001-01-01"}, {"end": "0001-01-05"}])
def test_analytics_of_year_one_is_a_422(api_as, quality_manager, params):
    _is_json_error(api_as(quality_manager).get("/cases/analytics", **params), 422)


def test_a_method_an_endpoint_does_not_take_is_a_json_405(api_as, quality_manager):
    response = api_as(quality_manager).delete("/cases")

    data = _is_json_error(response, 405)
    assert data["code"] == "method_not_allowed"
    assert "GET" in response["Allow"]


def test_an_unknown_api_path_is_a_json_404(api_as, quality_manager):
    _is_json_error(api_as(quality_manager).get("/no-such-thing"), 404)


def test_a_defect_inside_an_endpoint_is_a_json_500():
    request = RequestFactory().get("/api/v1/cases")

    response = api.on_exception(request, RuntimeError("a defect"))

    assert response.status_code == 500
    assert response.headers["Content-Type"].startswith("application/json")
    assert b'"code": "server_error"' in response.content or b'"server_error"' in response.content


@pytest.mark.parametrize("value", [0, 3600, "09:00+01:00", "25:00"])
def test_office_hours_are_local_times_given_as_text(api_as, admin_user, value):
    response = api_as(admin_user).patch("/organization", {"office_closes_at": value})

    _is_json_error(response, 422, "office_closes_at")
