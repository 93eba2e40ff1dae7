"""What the report says: the degree to which the criteria are met (counted by hand from the
checklist of `report_data`), the areas not covered, the unresolved diverging opinions, the
evidence as it was frozen, and the corrective plan."""

from decimal import Decimal

import pytest

from compromiso.audits.models import Answer, ChecklistItem, Evidence, Finding, Report
from compromiso.audits.report import build, corrective_plan, from_data, to_data
from compromiso.audits.report.degree import Tally, count
from compromiso.audits.tests import report_data
from compromiso.audits.tests.factories import AuditFactory

pytestmark = pytest.mark.django_db


def _counts(t: Tally) -> tuple[int, int, int, int, int, Decimal | None]:
    return (t.conform, t.partial, t.nonconform, t.na, t.not_assessed, t.percent_conform)


@pytest.fixture
def built(organization, auditor):
    return report_data.build(organization, lead=auditor)


def test_the_degree_overall_is_counted_from_the_answers(built):
    content = build(built.audit)

    # conform 1, 4, 5, 8 · partial 3 · nonconform 2, 10 · n/a 6 · not assessed 7 (no answer), 9
    assert _counts(content.degree.overall) == (4, 1, 2, 1, 2, Decimal("57.1"))  # 4 / 7
    assert content.degree.overall.assessed == 7
    assert content.degree.overall.total == 10


def test_the_degree_per_touch_point_lists_the_scope_first_and_items_at_none_last(built):
    content = build(built.audit)

    rows = {t.name: _counts(t) for t in content.degree.by_touch_point}
    assert [t.name for t in content.degree.by_touch_point] == [
        "Punto A",
        "Punto B",
        "Punto C",
        "",
    ]
    assert rows["Punto A"] == (2, 0, 1, 1, 0, Decimal("66.7"))  # 2 / 3
    assert rows["Punto B"] == (1, 1, 0, 0, 1, Decimal("50.0"))  # 1 / 2
    assert rows["Punto C"] == (0, 0, 0, 0, 0, None)  # in scope, nothing assessed: no value
    assert rows[""] == (1, 0, 1, 0, 1, Decimal("50.0"))


def test_the_degree_per_source(built):
    content = build(built.audit)

    rows = {t.key: _counts(t) for t in content.degree.by_source}
    assert rows == {
        "commitment": (2, 1, 1, 0, 0, Decimal("50.0")),
        "protocol": (1, 0, 0, 1, 1, Decimal("100.0")),
        "legal": (1, 0, 0, 0, 1, Decimal("100.0")),
        "framework": (0, 0, 1, 0, 0, Decimal("0.0")),
    }


def test_the_share_rounds_half_up_and_has_no_value_without_assessed_items():
    assert Tally(conform=1, partial=1, nonconform=6).percent_conform == Decimal("12.5")
    assert Tally(conform=2, nonconform=1).percent_conform == Decimal("66.7")
    assert Tally(na=3, not_assessed=2).percent_conform is None
    degree = count([])
    assert degree.overall.total == 0
    assert degree.by_touch_point == []
    assert [t.key for t in degree.by_source] == ["commitment", "protocol", "legal", "framework"]


def test_areas_not_covered_are_touch_points_without_answers_and_items_not_answered(built):
    Report.objects.create(audit=built.audit, areas_not_covered="No se visitó la sucursal Putre.")

    content = build(built.audit)

    assert content.uncovered_touch_points == ["Punto C"]
    assert [u.text for u in content.uncovered_items] == [
        "Ítem 7: se cumple lo prometido",  # no answer
        "Ítem 9: se cumple lo prometido",  # answered "not assessed"
    ]
    assert content.uncovered_items[0].touch_point == "Punto B"
    assert content.areas_not_covered == "No se visitó la sucursal Putre."


def test_only_diverging_opinions_not_resolved_are_listed(built):
    content = build(built.audit)

    assert [(o.number, o.opinion) for o in content.opinions] == [
        (2, "El registro existe en papel.")
    ]


def test_findings_are_grouped_by_grade_most_serious_first_with_their_evidence(built):
    content = build(built.audit)

    assert [(g.code, [f.number for f in g.findings]) for g in content.grades] == [
        ("major", [1]),
        ("minor", [2]),
        ("observation", [3]),
        ("good", [4]),
    ]
    first = content.grades[0].findings[0]
    assert first.touch_point == "Punto A"
    assert first.evidence == [1, 2]
    snapshot = content.evidence[0]
    assert snapshot.title == "Mediciones del compromiso, enero a junio"
    assert snapshot.fingerprint == built.evidence[0].fingerprint
    assert str(snapshot.taken_on) == "2026-07-07"  # 11:00 in Santiago


def test_the_team_sampling_and_scope_are_in_the_report(built, auditor):
    content = build(built.audit)

    assert [(m.name, m.role, m.affiliation) for m in content.team] == [
        (auditor.get_username(), "lead", "Contraloría")
    ]
    assert content.touch_points == ["Punto A", "Punto B", "Punto C"]
    sample = content.samples[0]
    assert (sample.population_size, sample.sample_size, sample.method, sample.seed) == (
        1200,
        60,
        "random",
        20260706,
    )


def test_an_empty_audit_has_an_empty_report(organization):
    audit = AuditFactory(organization=organization)

    content = build(audit)

    assert content.degree.overall.total == 0
    assert content.degree.overall.percent_conform is None
    assert content.grades == []
    assert content.evidence == []
    assert content.uncovered_items == []
    assert content.opinions == []
    assert corrective_plan(audit) == []


def test_the_content_survives_being_frozen_and_read_back(built):
    content = build(built.audit)

    again = from_data(to_data(content))

    assert again == content
    assert again.degree.overall.percent_conform == Decimal("57.1")


def test_the_corrective_plan_lists_each_nonconformity_and_says_no_remedy_yet(built):
    plan = corrective_plan(built.audit)

    assert [(line.number, line.has_remedy) for line in plan] == [(1, False), (2, False)]


def test_building_the_report_takes_the_same_queries_whatever_its_size(
    organization, auditor, django_assert_max_num_queries
):
    small = report_data.build(organization, lead=auditor)
    big = report_data.build(organization, lead=auditor)
    extra = [
        ChecklistItem(
            audit=big.audit,
            key=f"extra-{n}",
            order=100 + n,
            source="commitment",
            text=f"Extra {n}",
            touch_point=big.touch_points["AB"[n % 2]],
        )
        for n in range(300)
    ]
    ChecklistItem.objects.bulk_create(extra)
    Answer.objects.bulk_create([Answer(item=i, result="conform") for i in extra[:200]])
    evidence = Evidence.objects.bulk_create(
        [Evidence(audit=big.audit, kind="observation", title=f"Obs {n}") for n in range(120)]
    )
    for n in range(5, 45):
        finding = Finding.objects.create(
            audit=big.audit, number=n, grade=big.grades["minor"], statement=f"Hallazgo {n}"
        )
        finding.evidence.set(evidence[n : n + 3])

    with django_assert_max_num_queries(14):
        build(small.audit)
        plan_small = corrective_plan(small.audit)
    with django_assert_max_num_queries(14):
        content = build(big.audit)
        plan_big = corrective_plan(big.audit)

    assert content.degree.overall.total == 310
    assert len(plan_big) == 42
    assert len(plan_small) == 2
