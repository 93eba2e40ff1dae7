"""Cases through the API: intake with Idempotency-Key, scoping, bad input."""

import datetime as dt

import pytest

from compromiso.cases import services as case_services
from compromiso.cases.models import AssignmentRule, Case, DeadlinePolicy
from compromiso.catalog.tests.factories import ChannelFactory, ServiceFactory
from compromiso.core.actors import PUBLIC
from compromiso.organizations import services as organization_services

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


@pytest.mark.parametrize("key", ["k" * 97, "con espacio", "tab\tkey", "ñandú", ""])
def test_an_unusable_idempotency_key_is_refused_and_saves_nothing(
    api_as, quality_manager, phone, key
):
    response = api_as(quality_manager).post("/cases", body(phone), **{"Idempotency-Key": key})

    assert response.status_code == 422
    assert not Case.objects.exists()


def test_the_longest_key_and_one_with_sql_in_it_are_just_keys(api_as, quality_manager, phone):
    api = api_as(quality_manager)
    for key in ("k" * 96, "x');DROP_TABLE_cases_case;--"):
        first = api.post("/cases", body(phone), **{"Idempotency-Key": key})
        retry = api.post("/cases", body(phone), **{"Idempotency-Key": key})

        assert (first.status_code, retry.status_code) == (201, 200)
        assert retry.json()["id"] == first.json()["id"]
    assert Case.objects.count() == 2


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
    unnoticed: the token and the memberships; then the savepoint (outside tests: the
    transaction), the case, its idempotency key, its first event, the audit entry and the dirty
    fact day, the acknowledgement's sealed secret, and the savepoint's release. The channels,
    deadline policies, closure days and routing rules are read once per process
    (cases/reference.py). The acknowledgement task is written in the transaction with the
    database backend; the tests' immediate backend runs it after the commit."""
    api = api_as(quality_manager)
    api.post("/cases", body(phone), **{"Idempotency-Key": "first"})  # installs the presets
    api.post("/cases", body(phone), **{"Idempotency-Key": "second"})  # reads the reference data

    with django_assert_max_num_queries(10):
        response = api.post(
            "/cases", body(phone, requester_email="ana@example.org"), **{"Idempotency-Key": "next"}
        )

    assert response.status_code == 201


def test_a_change_to_channels_deadlines_closures_or_rules_reaches_the_next_intake(
    api_as, quality_manager, officer, branch, organization, phone
):
    """Intake keeps an organisation's channels, deadline policies, closure days and routing rules
    between requests (cases/reference.py); each change must reach the very next case."""
    api = api_as(quality_manager)
    received = "2026-03-02T10:00:00-03:00"
    api.post("/cases", body(phone))  # installs the presets
    before = api.post("/cases", body(phone, received_at=received)).json()  # reads the reference

    counter = ChannelFactory(organization=organization, kind="in_person", name="Oficina")
    policy = DeadlinePolicy.objects.get(organization=organization, kind="complaint")
    case_services.update_deadline_policy(policy, by=quality_manager, amount=policy.amount + 5)
    closure = organization_services.add_closure_day(
        organization=organization, day=dt.date(2026, 3, 10), name="Cierre", by=quality_manager
    )
    response = api.post("/cases", body(counter, received_at=received))

    assert response.status_code == 201
    after = Case.objects.get(pk=response.json()["id"])
    assert after.channel == counter
    assert after.deadline_amount == policy.amount
    assert after.due_at == case_services.compute_due(after, pauses=())  # closure counted
    without_closure = after.organization.business_calendar(frozenset())
    assert after.due_at != case_services.due_with_calendar(after, without_closure, pauses=())
    assert after.due_at.isoformat() > before["due_at"]

    organization_services.remove_closure_day(closure, by=quality_manager)
    rule = AssignmentRule.objects.create(organization=organization, target_unit=branch)
    rule.officers.set([officer])
    routed = api.post("/cases", body(phone, received_at=received)).json()

    assert routed["assignee"] == officer.pk
    assert Case.objects.get(pk=routed["id"]).due_at != after.due_at  # the closure is gone


@pytest.fixture
def waiting_case(organization, branch, officer, phone):
    service = ServiceFactory(organization=organization, provider_unit=branch)
    case, _secret = case_services.receive_case(
        organization=organization,
        kind="complaint",
        channel=phone,
        service=service,
        subject="Cobro duplicado",
        description="Me cobraron dos veces.",
        requester_name="Ana Pérez",
        by=PUBLIC,
    )
    case_services.assign_case(case, assignee=officer, by=officer)
    case_services.request_information(case, message="Adjunte la boleta.", by=officer)
    return case


def test_the_api_lists_a_cases_actions_and_refuses_the_others(api_as, officer, waiting_case):
    api = api_as(officer)

    shown = api.get(f"/cases/{waiting_case.pk}").json()
    refused = api.post(f"/cases/{waiting_case.pk}/actions/start", {"text": ""})

    assert "start" not in shown["actions"]
    assert "resume" in shown["actions"]
    assert refused.status_code == 409
    assert refused.json()["code"] == "invalid_transition"
    assert "no es posible en un caso en estado" in refused.json()["message"]
    waiting_case.refresh_from_db()
    assert waiting_case.status == "waiting"
    assert waiting_case.due_at is None


def test_the_api_runs_an_allowed_action(api_as, officer, waiting_case):
    api = api_as(officer)

    resumed = api.post(f"/cases/{waiting_case.pk}/actions/resume", {"text": "Recibida"})
    answered = api.post(f"/cases/{waiting_case.pk}/actions/answer", {"text": "Devuelto."})
    closed_long_ago = api.post(f"/cases/{waiting_case.pk}/actions/start", {})

    assert resumed.status_code == 200
    assert resumed.json()["status"] == "in_progress"
    assert resumed.json()["due_at"] is not None
    assert answered.json()["actions"] == ["close", "reopen"]
    assert closed_long_ago.status_code == 409


def test_the_api_refuses_bad_action_input(api_as, officer, viewer, waiting_case):
    api = api_as(officer)

    unknown = api.post(f"/cases/{waiting_case.pk}/actions/explode", {})
    empty = api.post(f"/cases/{waiting_case.pk}/actions/request_information", {"text": " "})
    nobody = api.post(f"/cases/{waiting_case.pk}/actions/assign", {"assignee": 999999})
    hidden = api.post("/cases/999999/actions/resume", {})
    forbidden = api_as(viewer).post(f"/cases/{waiting_case.pk}/actions/resume", {})

    assert unknown.status_code == 422
    assert (empty.status_code, nobody.status_code, hidden.status_code) == (409, 422, 404)
    assert forbidden.status_code == 403
