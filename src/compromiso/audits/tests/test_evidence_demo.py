"""The demo gives an organisation's audit its evidence and six findings, once."""

import pytest

from compromiso.audits.demo import evidence as demo
from compromiso.audits.models import Evidence, Finding, FindingStatus, ReviewStatus
from compromiso.audits.services import nonconformity_counts, unresolved_divergences
from compromiso.audits.tests.test_snapshots_fixtures import *  # noqa: F403 (fixtures)

pytestmark = pytest.mark.django_db


def test_the_demo_records_evidence_and_findings_once(
    audit,
    organization,
    web_point,
    counter,
    commitment,
    measurements,
    period_cases,
    wave,
    web_answers,
    observations,
    case_sample,
):
    context = {"audits": {organization.slug: audit}}

    demo.load(context)
    demo.load(context)

    evidence = Evidence.objects.filter(audit=audit)
    kinds = sorted(e.snapshot_kind or e.kind for e in evidence)
    assert kinds == sorted(
        [
            "commitment",
            "tp_cases",
            "tp_cases",
            "protocol",
            "protocol",
            "survey_segment",
            "case_sample",
            "file",
            "observation",
        ]
    )
    assert sorted(e.kind for e in evidence if e.review_status != ReviewStatus.APPROVED) == [
        "file"
    ]  # most approved; the document waits in review
    assert evidence.get(kind="file").files.count() == 1
    findings = Finding.objects.filter(audit=audit).order_by("number")
    assert [f.grade.code for f in findings] == [
        "major_nc",
        "minor_nc",
        "minor_nc",
        "observation",
        "improvement",
        "good_practice",
    ]
    assert nonconformity_counts(audit) == {"major_nc": 1, "minor_nc": 2}
    assert [f.number for f in unresolved_divergences(audit)] == [3]
    assert findings[0].status == FindingStatus.ACCEPTED
    assert "66,7 %" in findings[0].statement
    assert all(f.evidence.exists() for f in findings if f.grade.is_nonconformity)
    assert findings[0].touch_point is not None


def test_the_demo_without_audits_does_nothing(db):
    demo.load({})
    demo.load({"audits": {}})

    assert not Evidence.objects.exists()
