"""Training through the API: the catalogue, the cascade and the coverage share, in scope."""

import datetime as dt

import pytest

from compromiso.core.actors import SYSTEM
from compromiso.servicemodel import services
from compromiso.servicemodel.tests.training_factories import (
    person,
    programme,
    protocol,
    touch_point,
    train,
)

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 3, 2)


@pytest.fixture
def world(organization, branch, other_branch):
    p1 = protocol(organization, "Atención presencial")
    prog = programme(organization, "Protocolos", [p1], validity=12)
    counter = touch_point(organization, branch, "in_person", "Mesón")
    ana = person(organization, branch, "ana", [counter], manager=True)
    person(organization, branch, "beto", [counter])
    person(
        organization,
        other_branch,
        "carla",
        [touch_point(organization, other_branch, "in_person", "T")],
    )
    train(prog, [ana], DAY)
    services.certify_trainer(prog, ana, by=SYSTEM, certified_on=DAY, external_body="Instituto")
    return prog, counter


def test_the_catalogue_lists_programmes_with_their_protocols(api_as, viewer, world):
    prog, _counter = world

    body = api_as(viewer).get("/training/programmes").json()

    assert [(p["id"], p["validity_months"], len(p["protocols"])) for p in body] == [
        (prog.pk, 12, 1)
    ]


def test_the_cascade_has_depth_and_reach(api_as, viewer, world):
    prog, _counter = world

    (root,) = api_as(viewer).get(f"/training/programmes/{prog.pk}/cascade").json()

    assert (root["name"], root["level"], root["reach"], root["children"]) == ("Ana", 1, 0, [])


def test_the_coverage_share_on_a_date_per_organisation_unit_and_touch_point(
    api_as, viewer, world, branch
):
    _prog, counter = world
    client = api_as(viewer)

    whole = client.get("/training/coverage", on="2026-06-30").json()
    unit = client.get("/training/coverage", on="2026-06-30", unit=branch.pk).json()
    point = client.get("/training/coverage", on="2027-03-02", touch_point=counter.pk).json()

    assert (whole["numerator"], whole["denominator"]) == (1, 3)
    assert (unit["numerator"], unit["denominator"], unit["share"]) == (1, 2, 0.5)
    assert (point["numerator"], point["denominator"]) == (0, 2)  # lapsed on its expiry day


def test_unit_rows_follow_the_callers_scope(api_as, unit_head, world, branch):
    rows = api_as(unit_head).get("/training/coverage/units", on="2026-06-30").json()

    assert [(r["unit"], r["trained"], r["with_protocols"], r["trainers"]) for r in rows] == [
        (branch.pk, 1, 2, 1)
    ]


@pytest.mark.parametrize(
    "params", [{"unit": "999999"}, {"touch_point": "99999999999999999999999"}, {"on": "1200-01-01"}]
)
def test_unknown_ids_and_implausible_dates_are_refused(api_as, viewer, world, params):
    response = api_as(viewer).get("/training/coverage", **params)

    assert response.status_code == 422


def test_another_organisations_programme_is_not_found(api_as, outsider, world):
    prog, _counter = world

    assert api_as(outsider).get(f"/training/programmes/{prog.pk}/cascade").status_code == 404
    assert api_as(outsider).get("/training/programmes").json() == []


def test_the_training_api_needs_a_token(anonymous_api):
    assert anonymous_api.get("/training/coverage").status_code == 401


def test_a_revoked_trainer_shows_when_and_why(api_as, viewer, world):
    prog, _counter = world
    certification = prog.certifications.get()
    services.revoke_certification(
        certification, by=SYSTEM, on=dt.date(2026, 5, 4), reason="Dejó el servicio."
    )

    (root,) = api_as(viewer).get(f"/training/programmes/{prog.pk}/cascade").json()

    assert (root["revoked_on"], root["revocation_reason"]) == ("2026-05-04", "Dejó el servicio.")
