"""Cases through the API: intake with Idempotency-Key, scoping, bad input."""

import pytest

from compromiso.cases.models import Case
from compromiso.catalog.tests.factories import ChannelFactory, ServiceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def phone(organization):
    return ChannelFactory(organization=organization, kind="phone", name="Call center 600")


def body(phone, **overrides):
    data = {
        "kind": "complaint",
        "channel": phone.pk,
        "subject": "Cobro duplicado",
        "description": "Me cobraron dos veces.",
        "requester_name": "Ana Pérez",
        "requester_national_id": "12345678-5",
    }
    data.update(overrides)
    return data


def test_call_centre_registers_a_case(api_as, quality_manager, phone):
    response = api_as(quality_manager).post("/cases", body(phone))

    data = response.json()
    assert response.status_code == 201
    assert data["tracking_code"].startswith("CASO-") or data["tracking_code"].count("-") == 2
    assert data["secret"]
    assert data["due_at"] is not None
    assert Case.objects.get().requester_national_id == "12.345.678-5"


def test_a_retried_post_with_the_same_key_makes_one_case(api_as, quality_manager, phone):
    api = api_as(quality_manager)

    first = api.post("/cases", body(phone), **{"Idempotency-Key": "call-42"})
    retry = api.post("/cases", body(phone), **{"Idempotency-Key": "call-42"})

    assert first.status_code == 201
    assert retry.status_code == 200
    assert retry.json()["id"] == first.json()["id"]
    assert "secret" not in retry.json()
    assert Case.objects.count() == 1


def test_a_replayed_key_with_a_different_body_is_refused(api_as, quality_manager, phone):
    api = api_as(quality_manager)
    api.post("/cases", body(phone), **{"Idempotency-Key": "call-43"})

    response = api.post(
        "/cases", body(phone, subject="Otro asunto"), **{"Idempotency-Key": "call-43"}
    )

    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_conflict"
    assert Case.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"subject": ""}, "subject"),
        ({"description": "x" * 20001}, "description"),
        ({"kind": "bribe"}, "kind"),
        ({"requester_national_id": "12.345.678-9"}, "requester_national_id"),
        ({"channel": 999999}, "channel"),
        ({"is_anonymous": True}, "is_anonymous"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(
    api_as, quality_manager, phone, overrides, field
):
    response = api_as(quality_manager).post("/cases", body(phone, **overrides))

    assert response.status_code == 422
    assert field in response.json()["fields"]
    assert not Case.objects.exists()


def test_a_channel_of_another_organisation_is_unknown(
    api_as, quality_manager, phone, other_organization
):
    foreign = ChannelFactory(organization=other_organization)

    response = api_as(quality_manager).post("/cases", body(phone, channel=foreign.pk))

    assert response.status_code == 422
    assert not Case.objects.exists()


def test_viewers_cannot_register_cases(api_as, viewer, phone):
    assert api_as(viewer).post("/cases", body(phone)).status_code == 403


def test_officers_read_only_their_units_cases(
    api_as, quality_manager, officer, phone, branch, other_branch, organization
):
    manager = api_as(quality_manager)
    arica = manager.post(
        "/cases",
        body(phone, service=ServiceFactory(organization=organization, provider_unit=branch).pk),
    ).json()
    temuco = manager.post(
        "/cases",
        body(
            phone, service=ServiceFactory(organization=organization, provider_unit=other_branch).pk
        ),
    ).json()

    officer_api = api_as(officer)
    assert [c["id"] for c in officer_api.get("/cases").json()["items"]] == [arica["id"]]
    assert officer_api.get(f"/cases/{temuco['id']}").status_code == 404


def test_one_intake_costs_a_fixed_number_of_queries(
    api_as, quality_manager, phone, django_assert_max_num_queries
):
    """The intake's queries are counted in docs/performance.md; this keeps them from growing back
    unnoticed: the token, the memberships, the idempotency key, the channel, the deadline policy
    and the closure days; then the savepoint (outside tests: the transaction), the case, its first
    event, the audit entry, the routing-rules check, the dirty fact day and the key, and the
    savepoint's release. The acknowledgement task is enqueued after the commit."""
    api = api_as(quality_manager)
    api.post("/cases", body(phone), **{"Idempotency-Key": "first"})  # installs the presets

    with django_assert_max_num_queries(14):
        response = api.post(
            "/cases", body(phone, requester_email="ana@example.org"), **{"Idempotency-Key": "next"}
        )

    assert response.status_code == 201
