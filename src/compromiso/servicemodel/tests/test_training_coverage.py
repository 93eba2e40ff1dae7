"""Training figures on a small organisation worked out by hand (see the module's formulas)."""

import datetime as dt

import pytest

from compromiso.core.actors import SYSTEM
from compromiso.servicemodel import services
from compromiso.servicemodel.models import StaffRole, add_months
from compromiso.servicemodel.tests.training_factories import (
    person,
    programme,
    protocol,
    touch_point,
    train,
)
from compromiso.servicemodel.training_coverage import (
    Share,
    TrainingData,
    managers_certified,
    month_ends,
    touch_point_figures,
    training_coverage,
    trend,
    unit_figures,
)

pytestmark = pytest.mark.django_db
ON = dt.date(2026, 6, 30)


@pytest.fixture
def world(organization, region, branch, other_branch):
    p1 = protocol(organization, "Atención presencial", "in_person")
    p2 = protocol(organization, "Atención telefónica", "phone")
    protocol(organization, "Borrador", "in_person", status="draft")  # not in force
    counter = touch_point(organization, branch, "in_person", "Mesón Arica")
    phone = touch_point(organization, branch, "phone", "Teléfono Arica")
    counter_t = touch_point(organization, other_branch, "in_person", "Mesón Temuco")
    web = touch_point(organization, region, "web", "Web")  # no protocol for the web
    a = programme(organization, "Protocolo presencial", [p1], validity=12)
    b = programme(organization, "Protocolo telefónico", [p2])
    ana = person(organization, branch, "ana", [counter, phone])
    beto = person(organization, branch, "beto", [counter])
    carla = person(organization, branch, "carla", [counter, phone])
    dani = person(organization, other_branch, "dani", [counter_t])
    eva = person(organization, region, "eva", [web])
    fede = person(organization, branch, "fede")
    gone = person(organization, branch, "gone", [counter], active=False)
    hugo = person(organization, branch, "hugo", role=StaffRole.BACK_OFFICE, manager=True)
    ivan = person(organization, other_branch, "ivan", [counter_t], manager=True)
    train(a, [hugo], dt.date(2025, 1, 1))
    services.certify_trainer(
        a, hugo, by=SYSTEM, certified_on=dt.date(2025, 2, 1), external_body="Instituto"
    )
    train(a, [ana, gone], dt.date(2026, 1, 15))
    train(b, [ana], dt.date(2026, 2, 1))
    train(a, [beto], dt.date(2025, 6, 30))
    train(a, [beto], dt.date(2026, 3, 1), failed=[beto])  # a second row, failed
    train(a, [carla], dt.date(2026, 4, 30))
    train(a, [dani], dt.date(2025, 1, 10), unit=other_branch)
    train(a, [dani], dt.date(2026, 5, 5), unit=other_branch)
    return locals()


def test_a_competence_lapses_on_its_expiry_day_and_not_the_day_before(organization, world):
    branch = world["branch"]
    assert training_coverage(organization, ON, unit=branch) == Share(1, 3)  # ana only
    assert training_coverage(organization, ON - dt.timedelta(days=1), unit=branch) == Share(2, 3)


def test_units_count_their_subtree_and_set_apart_people_with_no_protocol(
    organization, world, region, branch, other_branch
):
    data = TrainingData.load(organization)
    rows = unit_figures(data, ON, [region, branch, other_branch], whole=True)

    got = [(r.trained, r.no_protocol, r.trainers) for r in rows]
    assert got == [
        (Share(2, 5), 2, 1),  # ana, dani of ana, beto, carla, dani, ivan; eva, fede apart
        (Share(1, 3), 2, 1),  # region: ana of ana, beto, carla; eva, fede
        (Share(1, 3), 1, 1),  # branch: fede apart
        (Share(1, 2), 0, 0),  # dani; ivan has no competence
    ]
    assert rows[0].trained.percent == 40
    assert rows[2].trained.value == pytest.approx(1 / 3)


def test_a_person_at_two_touch_points_is_judged_at_each_on_its_own_protocols(organization, world):
    data = TrainingData.load(organization)
    tps = [world[k] for k in ("counter", "phone", "counter_t", "web")]

    rows = touch_point_figures(data, ON, tps)

    assert [(r.protocols, r.trained) for r in rows] == [
        (1, Share(2, 3)),  # ana, carla trained; beto lapsed
        (1, Share(1, 2)),  # ana; carla has only the counter's programme
        (1, Share(1, 2)),  # dani; ivan untrained
        (0, Share(0, 0)),
    ]
    assert rows[3].trained.value is None
    assert training_coverage(organization, ON, touch_point=world["phone"]) == Share(1, 2)


def test_days_since_last_refresh_take_the_latest_competence_before_the_date(
    organization, world, branch, other_branch
):
    data = TrainingData.load(organization)
    b, t = unit_figures(data, ON, [branch, other_branch], whole=False)

    # ana 2026-02-01 → 149 days, beto 2025-06-30 → 365 (the failed row earns nothing),
    # carla 2026-04-30 → 61; fede never trained.
    assert (b.refresh_median, b.refresh_max, b.never_trained) == (149, 365, 1)
    # dani 2026-05-05 → 56; ivan never.
    assert (t.refresh_median, t.refresh_max, t.never_trained) == (56, 56, 1)


def test_the_trend_reads_each_month_end_with_the_competences_valid_then(organization, world):
    data = TrainingData.load(organization)

    points = trend(data, ON)

    assert [p.on for p in points][:2] == [dt.date(2025, 7, 31), dt.date(2025, 8, 31)]
    assert points[-2].on == dt.date(2026, 5, 31)
    assert points[-1].on == ON
    by_day = {p.on: p.trained for p in points}
    # January: beto only (ana lacks the phone programme, dani's first lapsed on 10 January).
    assert by_day[dt.date(2026, 1, 31)] == Share(1, 5)
    assert by_day[dt.date(2025, 7, 31)] == Share(2, 5)  # beto and dani; ivan never
    assert by_day[dt.date(2026, 5, 31)] == Share(3, 5)  # ana, beto, dani; carla lacks phone
    assert by_day[ON] == Share(2, 5)


def test_middle_managers_certified_as_trainers(organization, world, branch):
    data = TrainingData.load(organization)

    assert managers_certified(data, ON) == Share(1, 2)  # hugo of hugo, ivan
    assert managers_certified(data, ON, unit=branch) == Share(1, 1)
    assert managers_certified(data, dt.date(2025, 1, 31)) == Share(0, 2)


def test_an_organisation_with_nobody_has_no_share_rather_than_zero(organization, branch):
    data = TrainingData.load(organization)

    (row,) = unit_figures(data, ON, [branch], whole=False)

    assert row.trained == Share(0, 0)
    assert row.trained.value is None
    assert row.trained.percent is None
    assert (row.refresh_median, row.refresh_max, row.trainers) == (None, None, 0)
    assert managers_certified(data, ON).value is None


def test_month_arithmetic_keeps_to_the_last_day_of_a_short_month():
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2026, 3, 15), -3) == dt.date(2025, 12, 15)
    assert month_ends(dt.date(2026, 3, 10), 3) == [
        dt.date(2026, 1, 31),
        dt.date(2026, 2, 28),
        dt.date(2026, 3, 10),
    ]


def test_more_protocols_than_a_machine_word_still_count_exactly(organization, branch):
    many = [protocol(organization, f"Protocolo {n}") for n in range(70)]
    counter = touch_point(organization, branch, "in_person", "Mesón")
    all_of_them = programme(organization, "Todos", many)
    all_but_last = programme(organization, "Casi todos", many[:-1])
    ana = person(organization, branch, "ana", [counter])
    beto = person(organization, branch, "beto", [counter])
    train(all_of_them, [ana], dt.date(2026, 1, 5))
    train(all_but_last, [beto], dt.date(2026, 1, 5))

    assert training_coverage(organization, ON) == Share(1, 2)
    assert training_coverage(organization, ON, touch_point=counter) == Share(1, 2)
