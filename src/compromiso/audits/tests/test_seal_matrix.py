"""The verification matrix on the hand-worked organisation of `seal_fixtures`: which commitments
apply where, each cell's state, the cycle's window in the organisation's time zone, expired and
unapproved evidence, and a constant number of queries whatever its size."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from compromiso.audits.seal import CellState, Matrix, verification_matrix
from compromiso.audits.tests.seal_fixtures import (
    END,
    START,
    TODAY,
    answer,
    at,
    audit_in,
    build_world,
    evidence,
    hand_worked_events,
)
from compromiso.catalog.tests.factories import TouchPointFactory
from compromiso.organizations.tests.factories import UnitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(organization):
    return build_world(organization)


def _matrix(world, **options):
    options.setdefault("start", START)
    options.setdefault("end", END)
    options.setdefault("today", TODAY)
    return verification_matrix(world.organization, **options)


def _cells(world, matrix: Matrix) -> dict[tuple[str, str], object]:
    """{("K1", "T1"): Cell or None, ...} by the fixture's names."""
    names_k = {c.pk: name for name, c in world.commitments.items()}
    names_t = {t.pk: name for name, t in world.touch_points.items()}
    return {
        (names_k[row.commitment_id], names_t[column.touch_point_id]): cell
        for row in matrix.rows
        for column, cell in zip(matrix.columns, row.cells, strict=True)
    }


def test_rows_are_the_commitments_of_published_charters_and_columns_active_touch_points(world):
    matrix = _matrix(world)

    # By charter title, then the commitment's order.
    assert [r.text for r in matrix.rows] == [
        "La sucursal abre a su hora.",
        "Atendemos en 15 minutos.",
        "Saludamos y nos identificamos.",
        "La agenda web funciona.",
    ]
    # T4 (inactive) and T5 (inactive channel) are no column.
    assert sorted(c.name for c in matrix.columns) == ["T1", "T2", "T3"]


def test_a_commitment_applies_at_its_touch_point_its_channel_or_its_services_channels(world):
    cells = _cells(world, _matrix(world))

    applies = {key for key, cell in cells.items() if cell is not None}
    assert applies == {
        ("K1", "T1"),
        ("K1", "T2"),
        ("K1", "T3"),  # S1 is offered on the web
        ("K2", "T1"),
        ("K2", "T2"),  # counter only
        ("K3", "T3"),  # its own touch point only
        ("K4", "T1"),  # the branch charter: B1's subtree only
    }


def test_every_cell_state_worked_out_by_hand(world):
    hand_worked_events(world)

    matrix = _matrix(world)
    cells = _cells(world, matrix)

    assert cells["K1", "T1"].state == CellState.VERIFIED
    assert cells["K1", "T1"].on == "2026-03-10"
    assert cells["K1", "T1"].audit_reference
    assert cells["K1", "T2"].state == CellState.NONCONFORMING  # the later answer decides
    assert cells["K1", "T2"].on == "2026-04-01"
    assert cells["K1", "T3"].state == CellState.MISSING  # audit still in fieldwork
    assert cells["K2", "T1"].state == CellState.VERIFIED
    assert cells["K2", "T1"].evidence_id is not None
    assert cells["K2", "T2"].state == CellState.MISSING  # expired; the answer is before the cycle
    assert cells["K3", "T3"].state == CellState.VERIFIED  # remedied after the nonconformity
    assert cells["K3", "T3"].on == "2026-03-15"
    assert cells["K4", "T1"].state == CellState.MISSING  # evidence not approved
    assert (matrix.applicable, matrix.verified, matrix.nonconforming, matrix.missing) == (
        7,
        3,
        1,
        3,
    )
    assert matrix.percent_verified == 42.9  # 3 / 7


def test_expired_evidence_counts_while_it_was_valid(world):
    hand_worked_events(world)

    cells = _cells(world, _matrix(world, today=dt.date(2026, 5, 31)))

    assert cells["K2", "T2"].state == CellState.VERIFIED  # valid until 31 May inclusive


def test_the_window_is_read_in_the_organisations_time_zone(world):
    closed = audit_in(world.organization)
    k1, t1 = world.commitments["K1"], world.touch_points["T1"]
    # 30 June 23:30 in Santiago is 1 July in UTC: inside the cycle.
    answer(closed, k1, t1, "conform", at(dt.date(2026, 6, 30), 23, 30))
    # 1 January 00:10 in Santiago is inside; 31 December 23:50 is not.
    k2 = world.commitments["K2"]
    answer(closed, k2, t1, "conform", at(dt.date(2026, 1, 1), 0, 10))
    k4 = world.commitments["K4"]
    answer(closed, k4, t1, "conform", at(dt.date(2025, 12, 31), 23, 50))

    cells = _cells(world, _matrix(world))

    assert cells["K1", "T1"].state == CellState.VERIFIED
    assert cells["K1", "T1"].on == "2026-06-30"
    assert cells["K2", "T1"].state == CellState.VERIFIED
    assert cells["K4", "T1"].state == CellState.MISSING
    # The day after the cycle does not count.
    answer(closed, world.commitments["K3"], world.touch_points["T3"], "conform", at(TODAY, 0, 5))
    assert _cells(world, _matrix(world))["K3", "T3"].state == CellState.MISSING


def test_partly_conforming_is_not_verified_and_a_tie_goes_to_the_problem(world):
    closed = audit_in(world.organization)
    k1, t1, t2 = world.commitments["K1"], world.touch_points["T1"], world.touch_points["T2"]
    answer(closed, k1, t1, "partial", at(dt.date(2026, 2, 2)))
    moment = at(dt.date(2026, 2, 3))
    answer(closed, k1, t2, "conform", moment)
    answer(closed, k1, t2, "nonconform", moment)

    cells = _cells(world, _matrix(world))

    assert cells["K1", "T1"].state == CellState.NONCONFORMING
    assert cells["K1", "T2"].state == CellState.NONCONFORMING


def test_another_organisations_answers_never_count(world, other_organization):
    foreign = audit_in(other_organization)
    answer(foreign, world.commitments["K1"], world.touch_points["T1"], "conform", at(START))

    assert _cells(world, _matrix(world))["K1", "T1"].state == CellState.MISSING


def test_the_scope_limits_rows_and_columns(world):
    hand_worked_events(world)
    s2, t3 = world.services["S2"], world.touch_points["T3"]

    matrix = _matrix(world, service_ids=[s2.pk], touch_point_ids=[t3.pk])

    assert [r.text for r in matrix.rows] == ["La agenda web funciona."]
    assert [c.name for c in matrix.columns] == ["T3"]
    assert (matrix.applicable, matrix.verified) == (1, 1)


def test_a_matrix_survives_its_json(world):
    hand_worked_events(world)
    matrix = _matrix(world)

    again = Matrix.from_json(matrix.to_json())

    assert again == matrix
    assert again.percent_verified == matrix.percent_verified


def test_the_matrix_reads_a_fixed_number_of_queries_whatever_its_size(world):
    hand_worked_events(world)
    with CaptureQueriesContext(connection) as small:
        _matrix(world)
    organization = world.organization
    counter = world.touch_points["T1"].channel
    closed = audit_in(organization)
    for n in range(12):
        unit = UnitFactory(organization=organization, name=f"Sucursal extra {n}", kind="branch")
        point = TouchPointFactory(
            organization=organization, unit=unit, channel=counter, name=f"Extra {n}"
        )
        answer(closed, world.commitments["K1"], point, "conform", at(dt.date(2026, 3, 1)))
        evidence(closed, world.commitments["K2"], point, when=at(dt.date(2026, 3, 2)))
    with CaptureQueriesContext(connection) as large:
        matrix = _matrix(world)

    assert matrix.applicable == 7 + 12 * 2
    assert len(large.captured_queries) == len(small.captured_queries) == 5


def test_without_commitments_the_matrix_is_empty(organization):
    matrix = verification_matrix(organization, start=START, end=END, today=TODAY)

    assert (matrix.rows, matrix.columns, matrix.percent_verified) == ([], [], None)
