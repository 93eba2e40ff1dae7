"""Findings: graded on the organisation's scale, numbered per audit, resting on evidence when
they are nonconformities, answered by the audited side (accepted or disputed), divergences
resolved or left for the report; the scale itself; and who may do what."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from compromiso.audits import services
from compromiso.audits.models import Finding, FindingStatus, Grade
from compromiso.audits.services.findings import FindingError
from compromiso.audits.services.grades import GradeError
from compromiso.audits.tests.factories import AuditFactory
from compromiso.audits.tests.test_snapshots_fixtures import *  # noqa: F403 (fixtures)
from compromiso.core.actors import SYSTEM

pytestmark = pytest.mark.django_db


@pytest.fixture
def grades(organization):
    return {g.code: g for g in services.ensure_grades(organization)}


@pytest.fixture
def snapshot(audit, auditor, web_point):
    return services.take_snapshot(audit, "tp_cases", by=auditor, touch_point=web_point)


@pytest.fixture
def audited(audit, branch):
    """The audit of the Arica branch, whose head answers its findings."""
    audit.unit = branch
    audit.save()
    return audit


def test_the_shipped_scale_in_the_organisations_language(organization, other_organization):
    scale = services.ensure_grades(organization)

    assert [(g.code, g.label, g.severity, g.action_within_days) for g in scale] == [
        ("major_nc", "No conformidad mayor", 3, 30),
        ("minor_nc", "No conformidad menor", 2, 60),
        ("observation", "Observación", 1, None),
        ("improvement", "Oportunidad de mejora", 0, None),
        ("good_practice", "Buena práctica", 0, None),
    ]
    assert [g.is_nonconformity for g in scale] == [True, True, False, False, False]
    assert services.ensure_grades(organization) == scale  # idempotent
    catalan = services.ensure_grades(other_organization)
    assert catalan[0].label == "No conformitat major"
    assert Grade.objects.count() == 10


def test_findings_are_numbered_per_audit(audit, auditor, grades, snapshot, organization):
    first = services.record_finding(
        audit, by=auditor, grade=grades["observation"], statement="La fila es larga."
    )
    second = services.record_finding(
        audit,
        by=auditor,
        grade=grades["major_nc"],
        statement="Un tercio de los reclamos se responde fuera de plazo.",
        criterion="Compromiso 1 de la carta.",
        evidence=[snapshot.pk],
    )
    other = services.record_finding(
        AuditFactory(organization=organization),
        by=auditor,
        grade=grades["good_practice"],
        statement="Saludo cordial.",
    )

    assert (first.number, second.number, other.number) == (1, 2, 1)
    assert list(second.evidence.all()) == [snapshot]
    assert second.recorded_by == auditor
    assert second.status == FindingStatus.OPEN


def test_a_nonconformity_needs_evidence_or_a_checklist_item(audit, auditor, grades, web_point):
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.record_finding(
            audit, by=auditor, grade=grades["minor_nc"], statement="Sin evidencia."
        )
    assert "evidence" in refused.value.message_dict
    assert "objective evidence" in refused.value.message_dict["evidence"][0]
    assert not Finding.objects.exists()

    item = audit.checklist.create(
        key="tp", source="commitment", text="Responde a tiempo", touch_point=web_point
    )
    finding = services.record_finding(
        audit, by=auditor, grade=grades["minor_nc"], statement="Atrasos.", checklist_item=item
    )
    assert finding.touch_point == web_point  # filled from the checklist item


def test_evidence_of_another_audit_is_refused(audit, auditor, grades, organization, web_point):
    other = AuditFactory(organization=organization)
    foreign = services.take_snapshot(other, "tp_cases", by=auditor, touch_point=web_point)

    for evidence in ([foreign.pk], ["1 OR 1=1"], [10**30]):
        with pytest.raises(ValidationError) as refused:
            services.record_finding(
                audit, by=auditor, grade=grades["major_nc"], statement="X", evidence=evidence
            )
        assert "evidence" in refused.value.message_dict
    assert not Finding.objects.exists()


def test_a_grade_of_another_organisation_is_refused(audit, auditor, other_organization):
    foreign = services.ensure_grades(other_organization)[0]

    with pytest.raises(ValidationError) as refused:
        services.record_finding(audit, by=auditor, grade=foreign, statement="X")
    assert "grade" in refused.value.message_dict


@pytest.mark.parametrize("who", ["viewer", "unit_head", "officer", "outsider"])
def test_only_the_team_records_findings(request, who, audited, grades):
    person = request.getfixturevalue(who)

    with pytest.raises(PermissionDenied):
        services.record_finding(
            audited, by=person, grade=grades["observation"], statement="Intento."
        )


def test_the_audited_side_accepts_or_disputes(audited, auditor, unit_head, grades, snapshot):
    accepted = services.record_finding(
        audited, by=auditor, grade=grades["observation"], statement="Folletos agotados."
    )
    disputed = services.record_finding(
        audited,
        by=auditor,
        grade=grades["minor_nc"],
        statement="Atrasos en marzo.",
        evidence=[snapshot],
    )

    services.answer_finding(
        accepted, by=unit_head, accepts=True, response="Repondremos.", root_cause="Sin stock."
    )
    with pytest.raises(ValidationError) as no_opinion:
        services.answer_finding(disputed, by=unit_head, accepts=False)
    assert "diverging_opinion" in no_opinion.value.message_dict
    services.answer_finding(
        disputed,
        by=unit_head,
        accepts=False,
        diverging_opinion="Marzo tuvo un paro; no es representativo.",
    )

    accepted.refresh_from_db()
    assert (accepted.status, accepted.root_cause) == (FindingStatus.ACCEPTED, "Sin stock.")
    assert accepted.responded_by == unit_head
    disputed.refresh_from_db()
    assert disputed.status == FindingStatus.DISPUTED
    assert list(services.unresolved_divergences(audited)) == [disputed]


def test_the_auditor_cannot_answer_as_the_audited_side(audited, auditor, grades):
    finding = services.record_finding(
        audited, by=auditor, grade=grades["observation"], statement="X"
    )

    with pytest.raises(PermissionDenied):
        services.answer_finding(finding, by=auditor, accepts=True)


def test_a_head_of_another_unit_cannot_answer(audited, auditor, grades, organization):
    from compromiso.core.permissions import Role
    from compromiso.organizations.tests.factories import (
        MembershipFactory,
        UnitFactory,
        UserFactory,
    )

    elsewhere = UnitFactory(organization=organization, name="Sucursal Temuco")
    head = UserFactory(username="head2")
    MembershipFactory(user=head, organization=organization, unit=elsewhere, role=Role.UNIT_HEAD)
    finding = services.record_finding(
        audited, by=auditor, grade=grades["observation"], statement="X"
    )

    with pytest.raises(PermissionDenied):
        services.answer_finding(finding, by=head, accepts=True)


def test_the_team_resolves_a_divergence_or_leaves_it(audited, auditor, unit_head, grades, snapshot):
    finding = services.record_finding(
        audited, by=auditor, grade=grades["minor_nc"], statement="X", evidence=[snapshot]
    )
    with pytest.raises(FindingError):
        services.resolve_divergence(finding, by=auditor, note="Nada que resolver.")
    services.answer_finding(finding, by=unit_head, accepts=False, diverging_opinion="No.")
    with pytest.raises(PermissionDenied):
        services.resolve_divergence(finding, by=unit_head, note="Lo decido yo.")
    with pytest.raises(ValidationError):
        services.resolve_divergence(finding, by=auditor, note="  ")

    services.resolve_divergence(finding, by=auditor, note="Se mantiene con la nueva muestra.")

    finding.refresh_from_db()
    assert finding.divergence_resolved
    assert finding.divergence_resolved_by == auditor
    assert list(services.unresolved_divergences(audited)) == []


def test_a_finding_is_corrected_only_while_open_or_disputed(audited, auditor, unit_head, grades):
    finding = services.record_finding(
        audited, by=auditor, grade=grades["observation"], statement="Borrador."
    )
    services.update_finding(finding, by=auditor, statement="Texto final.", root_cause="Causa.")
    finding.refresh_from_db()
    assert (finding.statement, finding.root_cause) == ("Texto final.", "Causa.")

    services.answer_finding(finding, by=unit_head, accepts=True)
    with pytest.raises(FindingError):
        services.update_finding(finding, by=auditor, statement="Otro.")
    services.set_root_cause(finding, by=unit_head, root_cause="Falta de personal.")
    assert finding.root_cause == "Falta de personal."


def test_counts_by_grade_and_by_touch_point(audit, auditor, grades, snapshot, web_point, counter):
    for code, point in (
        ("major_nc", web_point),
        ("minor_nc", web_point),
        ("minor_nc", counter),
        ("observation", None),
        ("good_practice", counter),
    ):
        services.record_finding(
            audit,
            by=auditor,
            grade=grades[code],
            statement=code,
            touch_point=point,
            evidence=[snapshot],
        )
    closed = Finding.objects.get(audit=audit, number=1)
    closed.status = FindingStatus.CLOSED
    closed.save()

    assert services.nonconformity_counts(audit) == {"major_nc": 1, "minor_nc": 2}
    assert services.nonconformity_counts(audit, open_only=True) == {"major_nc": 0, "minor_nc": 2}
    grouped = services.findings_by_touch_point(audit)
    assert [(p.name if p else None, [f.number for f in fs]) for p, fs in grouped] == [
        ("Mesón Arica", [3, 5]),
        ("Web Arica", [1, 2]),
        (None, [4]),
    ]


def test_hostile_text_is_kept_as_text_and_limited(audit, auditor, grades):
    finding = services.record_finding(
        audit,
        by=auditor,
        grade=grades["observation"],
        statement="<script>alert('x')</script>",
    )
    assert finding.statement == "<script>alert('x')</script>"
    with pytest.raises(ValidationError):
        services.record_finding(
            audit, by=auditor, grade=grades["observation"], statement="x" * 4001
        )
    with pytest.raises(ValidationError):
        services.record_finding(audit, by=auditor, grade=grades["observation"], statement=" ")


def test_the_scale_is_configurable_and_a_grade_in_use_stays(
    organization, quality_manager, auditor, audit, grades
):
    critical = services.create_grade(
        organization,
        by=quality_manager,
        code="critical",
        label="No conformidad crítica",
        kind="nonconformity",
        severity=4,
        action_within_days=10,
        order=0,
    )
    services.update_grade(grades["observation"], by=quality_manager, label="Observación leve")
    assert Grade.objects.get(pk=grades["observation"].pk).label == "Observación leve"
    services.record_finding(audit, by=auditor, grade=grades["observation"], statement="X")

    with pytest.raises(GradeError):
        services.delete_grade(grades["observation"], by=quality_manager)
    with pytest.raises(GradeError):
        services.update_grade(grades["observation"], by=quality_manager, kind="nonconformity")
    services.delete_grade(critical, by=quality_manager)
    assert not Grade.objects.filter(code="critical").exists()
    with pytest.raises(ValidationError):
        services.create_grade(
            organization,
            by=quality_manager,
            code="major_nc",
            label="Duplicada",
            kind="observation",
            severity=1,
        )
    with pytest.raises(ValidationError):
        services.create_grade(
            organization, by=quality_manager, code="nc", label="Sin plazo", kind="nonconformity"
        )


@pytest.mark.parametrize("who", ["auditor", "viewer", "unit_head", "outsider"])
def test_only_whoever_manages_audits_edits_the_scale(request, who, organization, grades):
    person = request.getfixturevalue(who)

    with pytest.raises(PermissionDenied):
        services.update_grade(grades["observation"], by=person, label="X")
    with pytest.raises(PermissionDenied):
        services.create_grade(
            organization, by=person, code="x", label="X", kind="observation", severity=1
        )


def test_the_system_may_record_findings(audit, grades):
    finding = services.record_finding(
        audit, by=SYSTEM, grade=grades["improvement"], statement="Carteles más claros."
    )
    assert finding.recorded_by is None
