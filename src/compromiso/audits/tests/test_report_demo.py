"""The demo step of the report: an audit of each organisation gets its report in the
organisation's language, issued, and remedies in progress; loading twice adds nothing."""

import pytest

from compromiso.audits.demo import report as demo
from compromiso.audits.models import AuditStatus, Finding, FollowUp, Report
from compromiso.audits.tests import report_data
from compromiso.improvement.models import ImprovementAction
from compromiso.organizations.tests.factories import UnitFactory

pytestmark = pytest.mark.django_db


def test_the_demo_issues_the_report_and_starts_the_remedies_idempotently(
    organization, other_organization, auditor, branch, unit_head
):
    chile = report_data.build(organization, lead=auditor, unit=branch)
    catalonia = report_data.build(
        other_organization,
        unit=UnitFactory(organization=other_organization, name="OAC"),
        status=AuditStatus.FIELDWORK,
    )
    context = {"audits": {"sntc": chile.audit, "sant-pere-de-riu": [catalonia.audit]}}

    demo.load(context)
    demo.load(context)

    for built in (chile, catalonia):
        audit = built.audit
        audit.refresh_from_db()
        assert audit.status == AuditStatus.FOLLOW_UP
        report = Report.objects.get(audit=audit)
        assert report.version == 1
        assert report.issued_at is not None
        nonconformities = Finding.objects.filter(audit=audit, grade__kind="nonconformity")
        assert nonconformities.count() == 2
        assert all(f.action_id for f in nonconformities)
        assert [f.status for f in nonconformities.order_by("number")] == ["verified", "in_action"]
        assert FollowUp.objects.filter(audit=audit, kind="desk_review").count() == 1
    # The texts follow the organisation's language.
    assert "El servicio cumple" in Report.objects.get(audit=chile.audit).conclusions
    assert "L'Ajuntament compleix" in Report.objects.get(audit=catalonia.audit).conclusions
    assert ImprovementAction.objects.count() == 4
    action = Finding.objects.get(audit=chile.audit, number=1).action
    assert action.responsible == unit_head


def test_the_demo_does_nothing_without_audits():
    demo.load({})
