"""A person's training record on their staff page: competences (lapsed or not), sessions with
results, trainer certifications and days since the last refresh, hand-checked."""

import datetime as dt

import pytest
from django.urls import reverse

from compromiso.core.actors import SYSTEM
from compromiso.servicemodel import services
from compromiso.servicemodel.tests.training_factories import person, programme, train
from compromiso.servicemodel.training_record import days_since_refresh, training_record

pytestmark = pytest.mark.django_db
JAN = dt.date(2026, 1, 10)
MAR = dt.date(2026, 3, 2)


@pytest.fixture
def ana(organization, branch):
    return person(organization, branch, "ana")


@pytest.fixture
def record(organization, branch, ana):
    """Ana: a one-month workshop on 10 Jan (lapses 10 Feb), the protocols (24 months) on
    2 Mar, a workshop that never lapses on 2 Mar (Beto failed it); a trainer from 3 Mar."""
    beto = person(organization, branch, "beto")
    short = programme(organization, "Taller breve", validity=1)
    protocols = programme(organization, "Protocolos", validity=24)
    forever = programme(organization, "Empatía")
    train(short, [ana, beto], JAN)
    train(protocols, [ana], MAR)
    train(forever, [ana, beto], MAR, failed=[beto])
    services.certify_trainer(
        protocols, ana, by=SYSTEM, certified_on=MAR + dt.timedelta(days=1), external_body="INAP"
    )
    return ana


def test_days_since_refresh_counts_from_the_latest_competence_by_that_day():
    assert days_since_refresh([], MAR) is None
    assert days_since_refresh([JAN, MAR], MAR) == 0
    assert days_since_refresh([JAN, MAR], dt.date(2026, 3, 1)) == 50
    assert days_since_refresh([MAR], dt.date(2026, 3, 1)) is None


def test_the_record_lists_competences_with_their_lapse_and_state(record):
    on = dt.date(2026, 3, 12)
    result = training_record(record, on)

    rows = [
        (r.competence.programme.name, r.competence.achieved_on, r.competence.expires_on, r.lapsed)
        for r in result.competences
    ]
    assert rows == [
        ("Protocolos", MAR, dt.date(2028, 3, 2), False),
        ("Empatía", MAR, None, False),
        ("Taller breve", JAN, dt.date(2026, 2, 10), True),
    ]
    assert result.days_since_refresh == 10
    assert [(a.session.programme.name, a.score, a.passed) for a in result.attendances] == [
        ("Empatía", 80, True),
        ("Protocolos", 80, True),
        ("Taller breve", 80, True),
    ]
    assert [c.programme.name for c in result.certifications] == ["Protocolos"]


def test_a_person_with_no_training_has_an_empty_record(ana):
    result = training_record(ana, MAR)

    assert (result.competences, result.attendances, result.certifications) == ([], [], [])
    assert result.days_since_refresh is None


def test_the_staff_page_shows_the_record(client, viewer, record, organization):
    client.force_login(viewer)

    response = client.get(reverse("servicemodel:person", args=[record.pk]))

    page = response.content.decode()
    assert "Historial de formación" in page
    assert "Taller breve" in page
    assert page.count(">caducada<") == 1
    assert page.count(">vigente<") == 2
    assert "no caduca" in page
    assert "INAP" in page
    expected = (organization.today() - MAR).days
    assert response.context["training"].days_since_refresh == expected
    assert f"<strong>{expected}</strong>" in page
    assert reverse("servicemodel:person_edit", args=[record.pk]) not in page


def test_the_staff_page_of_someone_never_trained_shows_a_dash(client, viewer, ana):
    client.force_login(viewer)

    page = client.get(reverse("servicemodel:person", args=[ana.pk])).content.decode()

    assert "nunca formado/a" in page
    assert "Aún sin competencias." in page


def test_the_record_is_seen_only_where_the_person_is(
    client, unit_head, outsider, organization, other_branch, record
):
    dora = person(organization, other_branch, "dora")
    url = reverse("servicemodel:person", args=[record.pk])

    assert reverse("login") in client.get(url)["Location"]
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    client.force_login(unit_head)
    assert client.get(url).status_code == 200
    assert client.get(reverse("servicemodel:person", args=[dora.pk])).status_code == 404
