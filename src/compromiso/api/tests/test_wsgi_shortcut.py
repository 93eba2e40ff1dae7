"""Token API calls through the WSGI application (config/wsgi.py) take a shorter middleware chain
(core/handlers.py): the same answers, the same guarantees, none of the page machinery."""

import json
from collections.abc import Iterator

import pytest

from compromiso.cases.models import Case
from compromiso.catalog.tests.factories import ChannelFactory
from compromiso.core.handlers import CompromisoHandler
from compromiso.core.models import AuditEntry
from compromiso.core.tests.wsgi import call, keep_test_transaction
from compromiso.organizations.services import create_api_token

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def application():
    return CompromisoHandler()


@pytest.fixture(autouse=True)
def _keep_the_test_transaction() -> Iterator[None]:
    with keep_test_transaction():
        yield


def _call(application, method, path, body=b"", **headers):
    status, response_headers, content = call(application, method, path, body, headers=headers)
    return status, dict(response_headers), content


def test_a_token_intake_through_the_wsgi_application_keeps_every_guarantee(
    application, quality_manager, organization
):
    phone = ChannelFactory(organization=organization, kind="phone", name="Call center")
    _token, raw = create_api_token(user=quality_manager, organization=organization, name="t")
    case = json.dumps(
        {
            "kind": "complaint",
            "channel": phone.pk,
            "subject": "Cobro duplicado",
            "description": "Me cobraron dos veces.",
            "requester_name": "Ana Pérez",
        }
    ).encode()
    auth = {"Authorization": f"Bearer {raw}", "Idempotency-Key": "k1", "Accept-Language": "es"}

    status, headers, content = _call(application, "POST", "/api/v1/cases", case, **auth)
    assert status == 201, content
    created = json.loads(content)
    assert Case.objects.filter(pk=created["id"], organization=organization).exists()
    assert AuditEntry.objects.filter(action="cases.case.received", object_id=str(created["id"]))
    assert "no-store" in headers["Cache-Control"]  # an authenticated answer is never cached
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "Set-Cookie" not in headers  # no session, no CSRF cookie

    # The same key again: the same case, not a second one.
    status, _headers, content = _call(application, "POST", "/api/v1/cases", case, **auth)
    assert status == 200
    assert json.loads(content)["id"] == created["id"]
    assert Case.objects.filter(organization=organization).count() == 1

    # Invalid input: JSON errors in the caller's language, nothing saved.
    bad = json.dumps({"kind": "complaint", "channel": phone.pk}).encode()
    status, _headers, content = _call(
        application, "POST", "/api/v1/cases", bad, **{**auth, "Idempotency-Key": "k2"}
    )
    assert status == 422
    assert json.loads(content)["code"]
    assert Case.objects.filter(organization=organization).count() == 1


def test_a_wrong_token_and_a_call_without_one_are_refused_in_json(application):
    for headers in ({"Authorization": "Bearer cmp_wrong"}, {}):
        status, response_headers, content = _call(application, "GET", "/api/v1/cases", **headers)
        assert status == 401
        assert response_headers["Content-Type"].startswith("application/json")
        assert json.loads(content)["code"]


def test_pages_still_take_the_full_chain(application):
    status, headers, _content = _call(application, "GET", "/accounts/login/")
    assert status == 200
    assert "csrftoken" in headers.get("Set-Cookie", "")
