"""Tokens, the JSON error shape, hostile and malformed input, the OpenAPI document."""

import datetime as dt

import pytest
from django.utils import timezone

from compromiso.api.tests.conftest import Api
from compromiso.organizations.models import ApiToken, Unit
from compromiso.organizations.services import create_api_token, revoke_api_token

pytestmark = pytest.mark.django_db


def test_requests_without_a_token_get_401_json(anonymous_api):
    response = anonymous_api.get("/units")

    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


@pytest.mark.parametrize("token", ["cmp_wrong", "Basic abc", "x" * 5000, "cmp_" + "\u00e9" * 10])
def test_wrong_tokens_get_401(client, token):
    response = Api(client, token).get("/units")

    assert response.status_code == 401


def test_revoked_and_expired_tokens_stop_working(client, viewer, organization):
    token, raw = create_api_token(user=viewer, organization=organization, name="x")
    assert Api(client, raw).get("/me").status_code == 200

    revoke_api_token(token, by=viewer)
    assert Api(client, raw).get("/me").status_code == 401

    expiring, raw2 = create_api_token(
        user=viewer,
        organization=organization,
        name="y",
        expires_at=timezone.now() + dt.timedelta(minutes=1),
    )
    ApiToken.objects.filter(pk=expiring.pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    assert Api(client, raw2).get("/me").status_code == 401


def test_a_deactivated_user_token_stops_working(client, viewer, organization):
    _token, raw = create_api_token(user=viewer, organization=organization, name="x")
    viewer.is_active = False
    viewer.save()

    assert Api(client, raw).get("/me").status_code == 401


def test_me_shows_the_user_and_roles(api_as, unit_head, branch):
    body = api_as(unit_head).get("/me").json()

    assert body["username"] == "head"
    assert body["roles"] == [{"role": "unit_head", "unit": branch.pk}]


def test_malformed_json_is_a_clear_error(api_as, admin_user):
    response = api_as(admin_user).post("/units", raw="{not json")

    assert response.status_code in (400, 422)
    assert response.json()["code"] in ("bad_request", "invalid_input")
    assert not Unit.objects.exists()


def test_wrong_types_missing_fields_and_unknown_enums_name_the_field(api_as, admin_user):
    api = api_as(admin_user)

    wrong_type = api.post("/units", {"name": ["a"], "kind": "area"})
    missing = api.post("/units", {"kind": "area"})
    unknown_kind = api.post("/units", {"name": "X", "kind": "castle"})

    for response in (wrong_type, missing, unknown_kind):
        assert response.status_code == 422
        assert response.json()["code"] == "invalid_input"
    assert "name" in missing.json()["fields"]
    assert "kind" in unknown_kind.json()["fields"]
    assert not Unit.objects.exists()


def test_empty_and_oversized_names_are_refused(api_as, admin_user):
    api = api_as(admin_user)

    assert api.post("/units", {"name": "", "kind": "area"}).status_code == 422
    assert api.post("/units", {"name": "x" * 201, "kind": "area"}).status_code == 422
    assert not Unit.objects.exists()


def test_a_body_over_the_size_limit_is_refused(api_as, admin_user):
    response = api_as(admin_user).post(
        "/units", {"name": "x", "kind": "area", "pad": "y" * 6_000_000}
    )

    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert not Unit.objects.exists()


def test_script_in_a_name_comes_back_as_the_same_literal_text(api_as, admin_user):
    hostile = "<script>alert(1)</script>"

    response = api_as(admin_user).post("/units", {"name": hostile, "kind": "area"})

    assert response.status_code == 201
    assert response.json()["name"] == hostile
    assert response["Content-Type"].startswith("application/json")


def test_errors_come_in_the_callers_language(api_as, admin_user):
    api = api_as(admin_user)

    spanish = api.get("/units/999999", HTTP_ACCEPT_LANGUAGE="es")
    english = api.client.get(
        "/api/v1/units/999999", headers={**api.headers, "Accept-Language": "en"}
    )

    assert spanish.status_code == english.status_code == 404
    assert english.json()["message"] == "Not found."


def test_unknown_api_paths_answer_in_json(anonymous_api):
    response = anonymous_api.get("/no-such-thing")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_openapi_document_lists_the_endpoints(client):
    schema = client.get("/api/v1/openapi.json").json()

    assert schema["openapi"].startswith("3.1")
    assert {"/api/v1/units", "/api/v1/services", "/api/v1/attributes/{attribute_id}"} <= set(
        schema["paths"]
    )


def test_api_docs_work_offline(client):
    response = client.get("/api/docs", follow=True)
    html = response.content.decode()

    assert response.status_code == 200
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()
