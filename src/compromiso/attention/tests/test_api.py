"""The attention API: branches with who waits now, the figures, the directory and the contacts
log, scoped to the token's organisation and the user's branches, with hostile input refused."""

import datetime as dt

import pytest
from django.utils import timezone

from compromiso.api.tests.conftest import Api
from compromiso.attention import services
from compromiso.attention.models import Contact, Outcome, Procedure
from compromiso.core.actors import PUBLIC
from compromiso.organizations.services import create_api_token


@pytest.fixture
def api_as(client):
    def make(user, organization=None):
        organization = organization or user.memberships.first().organization
        _token, raw = create_api_token(user=user, organization=organization, name="tests")
        return Api(client, raw)

    return make


def test_branches_show_who_waits_and_the_estimate(api_as, officer, office, general_queue, desk_one):
    now = timezone.now()
    for n in range(5):  # five services of 6 minutes in the last hour
        visit = services.issue_ticket(
            general_queue, by=PUBLIC, at=now - dt.timedelta(minutes=60 - n)
        )
        services.call(visit, desk=desk_one, by=officer, at=now - dt.timedelta(minutes=50 - n))
        services.start(visit, by=officer, at=now - dt.timedelta(minutes=50 - n))
        services.finish(
            visit, outcome=Outcome.RESOLVED, by=officer, at=now - dt.timedelta(minutes=44 - n)
        )
    services.sit_at(desk_one, by=officer)
    services.issue_ticket(general_queue, by=PUBLIC)

    answer = api_as(officer).get("/attention/branches")

    assert answer.status_code == 200
    [branch] = answer.json()["items"]
    assert branch["code"] == "arica"
    [queue] = [q for q in branch["queues"] if q["letter"] == "A"]
    assert queue["waiting"] == 1
    assert queue["desks_open"] == 1
    assert queue["estimated_wait_minutes"] == 12  # (1 + 1) × 6 / 1


def test_figures_of_a_period(api_as, officer, general_queue, desk_one):
    day = timezone.localdate(timezone=general_queue.branch.organization.zone)
    start = timezone.now() - dt.timedelta(minutes=40)
    visit = services.issue_ticket(general_queue, by=PUBLIC, at=start)
    services.call(visit, desk=desk_one, by=officer, at=start + dt.timedelta(minutes=20))
    services.start(visit, by=officer, at=start + dt.timedelta(minutes=21))
    services.finish(
        visit, outcome=Outcome.RESOLVED, by=officer, at=start + dt.timedelta(minutes=30)
    )
    api = api_as(officer)

    answer = api.get("/attention/figures", start=str(day - dt.timedelta(days=1)), end=str(day))
    total = answer.json()["total"]
    assert (total["visits"], total["called"], total["served"]) == (1, 1, 1)
    assert total["wait_median_minutes"] == 20
    assert total["within_percent"] == 0.0  # 20 minutes against a 15-minute service level

    assert (
        api.get(
            "/attention/figures", start=str(day), end=str(day - dt.timedelta(days=3))
        ).status_code
        == 422
    )
    assert api.get("/attention/figures", start="2020-01-01", end="2026-01-01").status_code == 422
    assert api.get("/attention/figures", start="yesterday", end=str(day)).status_code == 422


def test_the_directory_is_searched(api_as, officer, organization, service):
    Procedure.objects.create(
        organization=organization,
        code="CERT-NAC",
        name="Certificado de nacimiento",
        summary="Para trámites escolares",
        is_published=True,
        service=service,
    )
    Procedure.objects.create(
        organization=organization,
        code="BORRADOR",
        name="Certificado en borrador",
        is_published=False,
    )
    api = api_as(officer)
    names = [p["name"] for p in api.get("/attention/procedures", q="tramites").json()["items"]]
    assert names == ["Certificado de nacimiento"]
    listed = api.get("/attention/procedures")
    assert listed.status_code == 200, listed.json()
    everything = [p["code"] for p in listed.json()["items"]]
    assert everything == ["CERT-NAC"]
    assert api.get("/attention/procedures", q="x" * 5000).status_code == 422


def test_a_contact_is_logged_once(api_as, officer, organization, arica_point):
    api = api_as(officer)
    body = {
        "kind": "phone",
        "outcome": "resolved",
        "touch_point": arica_point.pk,
        "wait_seconds": 14,
        "handle_seconds": 180,
        "first_contact_resolution": True,
        "external_id": "CALL-1",
    }
    first = api.post("/attention/contacts", body)
    again = api.post("/attention/contacts", body)

    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert Contact.objects.filter(organization=organization).count() == 1
    listed = api.get("/attention/contacts", kind="phone").json()["items"]
    assert [c["external_id"] for c in listed] == ["CALL-1"]


@pytest.mark.parametrize(
    "change",
    [
        {"kind": "fax"},
        {"outcome": "<script>"},
        {"wait_seconds": -1},
        {"handle_seconds": 10**9},
        {"note": "x" * 501},
        {"note": "nul\x00"},
        {"channel": 999999},
        {"touch_point": 2**63},
        {"started_at": "not a time"},
    ],
)
def test_hostile_contacts_are_refused(api_as, officer, organization, change):
    body = {"kind": "chat", "outcome": "answered", **change}
    answer = api_as(officer).post("/attention/contacts", body)
    assert answer.status_code == 422
    assert not Contact.objects.filter(organization=organization).exists()


def test_another_organisation_and_readers(api_as, outsider, viewer, office, arica_point):
    assert api_as(outsider).get("/attention/branches").json()["items"] == []
    refused = api_as(outsider).post(
        "/attention/contacts",
        {"kind": "chat", "outcome": "answered", "touch_point": arica_point.pk},
    )
    assert refused.status_code in (403, 422)
    assert (
        api_as(viewer)
        .post("/attention/contacts", {"kind": "chat", "outcome": "answered"})
        .status_code
        == 403
    )
    assert not Contact.objects.exists()
