"""Shipped frameworks installed into an organisation, their texts edited, and readiness per
criterion, overall and per touch point, against numbers worked out by hand."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from compromiso.audits import services
from compromiso.audits.frameworks import CSE, SEAL
from compromiso.audits.models import Framework, FrameworkKind, FrameworkNode, Rating
from compromiso.audits.seal import readiness, verification_matrix
from compromiso.audits.services import SealError
from compromiso.audits.tests.seal_fixtures import (
    END,
    START,
    TODAY,
    build_world,
    hand_worked_events,
)
from compromiso.core.actors import SYSTEM
from compromiso.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_the_cse_structure_has_5_criteria_15_sub_criteria_and_57_empty_elements(
    organization, quality_manager
):
    framework = services.install_framework(organization, CSE.code, by=quality_manager)

    nodes = FrameworkNode.objects.filter(framework=framework)
    criteria = nodes.filter(parent__isnull=True)
    assert criteria.count() == 5
    assert nodes.filter(parent__in=criteria).count() == 15
    elements = nodes.filter(assessable=True)
    assert elements.count() == 57
    assert not elements.exclude(text="").exists()  # texts entered by the organisation
    # Names in the organisation's language (Spanish here); references as published.
    assert nodes.get(ref="3.4").title.startswith("Trabajo cooperativo")
    assert nodes.get(ref="1.1.1").title == "Elemento 1.1.1"
    assert "licencia" in framework.licence_note


def test_the_seeds_framework_covers_the_six_parts_of_the_quality_model(
    organization, quality_manager
):
    framework = services.install_framework(organization, SEAL.code, by=quality_manager)

    criteria = FrameworkNode.objects.filter(framework=framework, parent__isnull=True)
    assert [c.ref for c in criteria.order_by("order")] == ["1", "2", "3", "4", "5", "6"]
    assert framework.kind == FrameworkKind.SEAL
    elements = FrameworkNode.objects.filter(framework=framework, assessable=True)
    assert elements.count() == 26
    assert not elements.filter(text="").exists()
    assert elements.get(ref="3.2.1").title == "Cada compromiso verificado donde aplica"


def test_installing_again_adds_only_what_is_missing_and_keeps_edits(organization, quality_manager):
    framework = services.install_framework(organization, CSE.code, by=quality_manager)
    element = FrameworkNode.objects.get(framework=framework, ref="1.1.1")
    services.update_node(
        element, by=quality_manager, title="Conocemos a nuestros usuarios", text="x"
    )
    FrameworkNode.objects.filter(framework=framework, ref="5.3.3").delete()

    again = services.install_framework(organization, CSE.code, by=quality_manager)

    assert again == framework
    assert Framework.objects.filter(organization=organization).count() == 1
    assert FrameworkNode.objects.filter(framework=framework, assessable=True).count() == 57
    element.refresh_from_db()
    assert element.title == "Conocemos a nuestros usuarios"
    assert AuditEntry.objects.filter(action="audits.framework.installed").count() == 2


def test_each_organisation_gets_its_own_copy_in_its_language(organization, other_organization):
    ours = services.install_framework(organization, SEAL.code, by=SYSTEM)
    theirs = services.install_framework(other_organization, SEAL.code, by=SYSTEM)

    assert ours.pk != theirs.pk
    assert ours.name == "Sello de calidad del servicio"
    assert theirs.name == "Segell de qualitat del servei"


def test_only_managers_install_and_edit_frameworks(organization, auditor, viewer, outsider):
    for person in (auditor, viewer, outsider):
        with pytest.raises(PermissionDenied):
            services.install_framework(organization, SEAL.code, by=person)
    framework = services.install_framework(organization, SEAL.code, by=SYSTEM)
    node = FrameworkNode.objects.get(framework=framework, ref="1")
    with pytest.raises(PermissionDenied):
        services.update_node(node, by=auditor, title="x", text="")
    with pytest.raises(ValidationError):
        services.install_framework(organization, "efqm", by=SYSTEM)


def test_an_element_is_added_after_its_siblings_and_before_the_next_criterion(
    organization, quality_manager
):
    framework = services.install_framework(organization, CSE.code, by=quality_manager)
    sub = FrameworkNode.objects.get(framework=framework, ref="1.1")

    added = services.add_element(sub, by=quality_manager, ref="1.1.4", title="Nuevo", text="t")

    refs = list(
        FrameworkNode.objects.filter(framework=framework)
        .order_by("order")
        .values_list("ref", flat=True)
    )
    assert refs[refs.index("1.1.3") + 1] == "1.1.4"
    assert refs[refs.index("1.1.4") + 1] == "1.2"
    assert added.assessable
    with pytest.raises(SealError):
        services.add_element(added, by=quality_manager, ref="1.1.4.1", title="x")
    with pytest.raises(ValidationError):
        services.add_element(sub, by=quality_manager, ref="1.1.4", title="Repetido")
    with pytest.raises(ValidationError):
        services.add_element(sub, by=quality_manager, ref="1.1.5", title="x" * 301)


@pytest.fixture
def small_framework(organization):
    """1 → 1.1 → 1.1.1, 1.1.2, 1.1.3; 2 → 2.1, 2.2 (elements directly under the criterion)."""
    framework = Framework.objects.create(
        organization=organization, code="small", name="Pequeño", kind=FrameworkKind.SEAL
    )

    def node(ref, parent=None, assessable=False, order=0):
        return FrameworkNode.objects.create(
            framework=framework,
            parent=parent,
            ref=ref,
            title=f"Nodo {ref}",
            assessable=assessable,
            order=order,
        )

    one = node("1", order=1)
    sub = node("1.1", one, order=2)
    nodes = {
        "1.1.1": node("1.1.1", sub, True, 3),
        "1.1.2": node("1.1.2", sub, True, 4),
        "1.1.3": node("1.1.3", sub, True, 5),
    }
    two = node("2", order=6)
    nodes["2.1"] = node("2.1", two, True, 7)
    nodes["2.2"] = node("2.2", two, True, 8)
    return framework, nodes


def test_readiness_per_criterion_overall_and_touch_point_by_hand(
    organization, quality_manager, auditor, small_framework
):
    framework, nodes = small_framework
    world = build_world(organization)
    t1, t2 = world.touch_points["T1"], world.touch_points["T2"]
    assessment = services.create_self_assessment(
        organization,
        by=quality_manager,
        framework=framework,
        title="Autoevaluación",
        started=START,
        cycle_start=START,
        cycle_end=END,
    )
    for ref, rating, point in (
        ("1.1.1", Rating.COMPLIANCE_PLUS, None),
        ("1.1.2", Rating.PARTIAL, None),
        ("1.1.3", Rating.NOT_RATED, None),
        ("2.1", Rating.FULL, None),
        ("2.2", Rating.NON_COMPLIANCE, None),
        ("1.1.1", Rating.FULL, t1),
        ("2.1", Rating.PARTIAL, t1),
        ("2.2", Rating.NOT_RATED, t2),
    ):
        services.rate_element(assessment, nodes[ref], by=auditor, rating=rating, touch_point=point)
    hand_worked_events(world)
    matrix = verification_matrix(organization, start=START, end=END, today=TODAY)

    ready = readiness(assessment, matrix)

    first, second = ready.criteria
    # Criterion 1: 3 elements, 1 met (plus), 1 partial, 1 not rated → 33.3 %.
    assert (first.tally.elements, first.tally.met, first.tally.partial) == (3, 1, 1)
    assert (first.tally.not_rated, first.tally.percent) == (1, 33.3)
    # Criterion 2: 2 elements, 1 met (full), 1 non-compliance → 50 %.
    assert (second.tally.elements, second.tally.met, second.tally.non) == (2, 1, 1)
    assert second.tally.percent == 50.0
    # Overall: 5 elements, 2 met → 40 %; partial 1 → 20 %.
    assert (ready.overall.elements, ready.overall.met, ready.overall.percent) == (5, 2, 40.0)
    assert ready.overall.partial_percent == 20.0
    points = {p.name: p for p in ready.touch_points}
    # T1: ratings there 2 (full, partial) → 50 %; matrix K1, K2, K4 → verified K1, K2 → 66.7 %.
    assert (points["T1"].ratings.rated, points["T1"].ratings_percent) == (2, 50.0)
    assert (points["T1"].applicable, points["T1"].verified) == (3, 2)
    assert points["T1"].matrix_percent == 66.7
    # T2: its rating is "not rated" → nothing rated; matrix K1 (non-conforming), K2 → 0 %.
    assert (points["T2"].ratings.rated, points["T2"].ratings_percent) == (0, None)
    assert (points["T2"].applicable, points["T2"].verified, points["T2"].matrix_percent) == (
        2,
        0,
        0.0,
    )
    # T3: K1 (missing), K3 (verified) → 50 %.
    assert points["T3"].matrix_percent == 50.0


def test_readiness_without_ratings_is_zero_not_missing(organization, small_framework):
    framework, _nodes = small_framework
    assessment = services.create_self_assessment(
        organization,
        by=SYSTEM,
        framework=framework,
        title="Vacía",
        started=START,
        cycle_start=START,
        cycle_end=END,
    )

    ready = readiness(assessment)

    assert (ready.overall.elements, ready.overall.percent) == (5, 0.0)
    assert ready.touch_points == []


def test_rating_again_replaces_and_a_submitted_assessment_is_frozen(
    organization, quality_manager, auditor, viewer, small_framework
):
    framework, nodes = small_framework
    assessment = services.create_self_assessment(
        organization,
        by=quality_manager,
        framework=framework,
        title="A",
        started=START,
        cycle_start=START,
        cycle_end=END,
    )
    services.rate_element(assessment, nodes["2.1"], by=auditor, rating=Rating.PARTIAL)
    row = services.rate_element(
        assessment, nodes["2.1"], by=auditor, rating=Rating.FULL, note="Visto en terreno"
    )
    assert assessment.ratings.count() == 1
    assert (row.rating, row.note, row.rated_by) == (Rating.FULL, "Visto en terreno", auditor)
    with pytest.raises(PermissionDenied):
        services.rate_element(assessment, nodes["2.1"], by=viewer, rating=Rating.FULL)
    with pytest.raises(ValidationError):
        services.rate_element(assessment, nodes["2.1"], by=auditor, rating="excellent")
    sub = FrameworkNode.objects.get(framework=framework, ref="1.1")
    with pytest.raises(ValidationError):
        services.rate_element(assessment, sub, by=auditor, rating=Rating.FULL)
    with pytest.raises(PermissionDenied):
        services.submit_self_assessment(assessment, by=auditor)
    services.submit_self_assessment(assessment, by=quality_manager)
    with pytest.raises(SealError):
        services.rate_element(assessment, nodes["2.2"], by=auditor, rating=Rating.FULL)
    services.reopen_self_assessment(assessment, by=quality_manager)
    services.rate_element(assessment, nodes["2.2"], by=auditor, rating=Rating.FULL)


def test_a_self_assessment_needs_a_seal_framework_of_its_organisation_and_a_cycle_in_order(
    organization, other_organization, quality_manager
):
    theirs = services.install_framework(other_organization, SEAL.code, by=SYSTEM)
    audit_framework = Framework.objects.create(
        organization=organization, code="audit", name="Criterios", kind=FrameworkKind.AUDIT
    )
    ours = services.install_framework(organization, SEAL.code, by=SYSTEM)
    common = {"title": "A", "started": START, "by": quality_manager}
    with pytest.raises(ValidationError):
        services.create_self_assessment(
            organization, framework=theirs, cycle_start=START, cycle_end=END, **common
        )
    with pytest.raises(ValidationError):
        services.create_self_assessment(
            organization, framework=audit_framework, cycle_start=START, cycle_end=END, **common
        )
    with pytest.raises(ValidationError):
        services.create_self_assessment(
            organization,
            framework=ours,
            cycle_start=END,
            cycle_end=END - dt.timedelta(days=1),
            **common,
        )
