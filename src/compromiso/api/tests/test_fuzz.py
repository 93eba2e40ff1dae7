"""A property-based fuzzer over every operation of the OpenAPI document, in process: no answer
is a 5xx, and every answer matches what the document says (status, content type, schema).

Bounded in time: a few examples per operation, no shrinking; the whole run takes well under a
minute on two cores."""

import json
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from openapi_spec_validator import validate
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from compromiso.api.urls import api
from compromiso.catalog.tests.factories import ChannelFactory, ServiceFactory
from compromiso.config.wsgi import application
from compromiso.organizations.services import create_api_token

DOCUMENT = json.loads(json.dumps(api.get_openapi_schema(), default=str))
schema = schemathesis.openapi.from_dict(DOCUMENT)
schema.app = application

# Operations, requests and server errors of this run, printed at the end of the module (the
# figures of docs/reliability.md).
FIGURES: dict[str, Any] = {"operations": set(), "requests": 0, "server_errors": 0}

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def test_the_openapi_document_is_valid_openapi_31():
    validate(DOCUMENT)
    assert DOCUMENT["openapi"].startswith("3.1")


def test_tuples_are_documented_as_openapi_31_has_them():
    document = json.dumps(DOCUMENT)
    assert '"items": [' not in document
    analytics = DOCUMENT["components"]["schemas"]["AnalyticsOut"]["properties"]
    pair = analytics["backlog"]["items"]
    assert pair["items"] == {"anyOf": [{"type": "string"}, {"type": "integer"}]}
    assert pair["minItems"] == pair["maxItems"] == 2


def test_every_operation_documents_its_json_errors():
    for path, operations in DOCUMENT["paths"].items():
        for method, operation in operations.items():
            for status in ("401", "404", "422", "500"):
                assert status in operation["responses"], (method, path, status)


def test_each_schema_name_names_one_schema():
    names = DOCUMENT["components"]["schemas"]
    assert "WaveFiguresOut" in names
    assert "ActionFiguresOut" in names
    assert "FiguresOut" not in names
    wave_figures = DOCUMENT["paths"]["/api/v1/waves/{wave_id}/figures"]["get"]
    assert "WaveFiguresOut" in json.dumps(wave_figures["responses"]["200"])


@pytest.fixture
def token(db, settings, quality_manager, organization, branch):
    settings.SECURE_SSL_REDIRECT = False
    ChannelFactory(organization=organization, kind="phone", name="Call center")
    ServiceFactory(organization=organization, provider_unit=branch, name="Licencias")
    _token, raw = create_api_token(user=quality_manager, organization=organization, name="fuzz")
    # As Django's test client does: the WSGI handler must not close the test's connection (its
    # transaction holds the rows) at the end of each request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield raw
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=4,
    deadline=None,
    phases=[Phase.generate],
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_no_operation_fails_or_breaks_its_schema(case, token):
    FIGURES["operations"].add((case.method, case.path))
    FIGURES["requests"] += 1
    response = case.call(headers={"Authorization": f"Bearer {token}"})
    FIGURES["server_errors"] += response.status_code >= 500
    case.validate_response(response, checks=CHECKS)


@pytest.fixture(scope="module", autouse=True)
def _print_figures():
    yield
    if FIGURES["requests"]:
        print(
            f"\nAPI fuzz: {len(FIGURES['operations'])} operations, {FIGURES['requests']} "
            f"requests, {FIGURES['server_errors']} server errors"
        )
