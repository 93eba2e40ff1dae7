"""Coverage of acknowledgement per unit, on counts worked out by hand."""

import pytest

from compromiso.core.permissions import Role
from compromiso.organizations.tests.factories import MembershipFactory, UnitFactory, UserFactory
from compromiso.servicemodel import services
from compromiso.servicemodel.coverage import coverage

pytestmark = pytest.mark.django_db


def test_coverage_counts_the_subtree_once_per_person_and_empty_units_have_no_share(
    organization, region, branch, other_branch, published, quality_manager, officer, unit_head
):
    # Region: officer and unit head (both on the Arica branch, inside it) and one more person
    # on the region itself who holds two roles there (counted once).
    twice = UserFactory()
    MembershipFactory(user=twice, organization=organization, unit=region, role=Role.VIEWER)
    MembershipFactory(user=twice, organization=organization, unit=branch, role=Role.CASE_OFFICER)
    gone = UserFactory(is_active=False)
    MembershipFactory(user=gone, organization=organization, unit=branch, role=Role.VIEWER)
    empty = UnitFactory(organization=organization, name="Vacía")
    for person in (quality_manager, officer, twice):
        services.acknowledge_service_model(published, by=person)

    rows = coverage(organization, published, [region, branch, other_branch, empty], whole=True)

    counts = [(r.unit.name if r.unit else None, r.staff, r.acknowledged) for r in rows]
    assert counts == [
        (None, 4, 3),  # quality manager (organisation-wide), officer, unit head, twice
        ("Dirección Regional Norte", 3, 2),  # officer, unit head, twice
        ("Sucursal Arica", 3, 2),
        ("Sucursal Temuco", 0, 0),
        ("Vacía", 0, 0),
    ]
    assert rows[0].percent == 75
    assert rows[1].share == pytest.approx(2 / 3)
    assert rows[1].percent == 67
    assert rows[3].share is None
    assert rows[3].percent is None


def test_without_a_model_in_force_nobody_has_read_it(organization, branch, officer):
    rows = coverage(organization, None, [branch], whole=False)

    assert [(r.staff, r.acknowledged) for r in rows] == [(1, 0)]
    assert rows[0].share == 0


def test_an_earlier_versions_acknowledgement_does_not_count_for_the_new_one(
    organization, published, quality_manager, viewer
):
    services.acknowledge_service_model(published, by=viewer)
    draft = services.new_service_model_version(published, by=quality_manager)
    services.approve_service_model(draft, by=quality_manager, reference="R 2")
    services.publish_service_model(draft, by=quality_manager)

    (row,) = coverage(organization, draft, [], whole=True)

    assert (row.staff, row.acknowledged) == (2, 0)
