"""Issuing the report: what it needs, who may, what it freezes, and its versions."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from compromiso.audits import services
from compromiso.audits.models import Answer, AuditStatus, Evidence, Finding, Report
from compromiso.audits.report import fingerprint, from_data
from compromiso.audits.tests import report_data
from compromiso.core.actors import SYSTEM
from compromiso.core.models import AuditEntry
from compromiso.core.permissions import Role
from compromiso.organizations.tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def built(organization, auditor, branch):
    built = report_data.build(organization, lead=auditor, unit=branch)
    Report.objects.create(audit=built.audit, conclusions="Cumple en lo esencial.")
    return built


def test_the_lead_issues_the_report_and_the_audit_moves_to_its_remedies(built, auditor):
    report = services.issue_report(built.audit, by=auditor)

    assert report.issued_at is not None
    assert report.issued_by == auditor
    assert report.version == 1
    assert report.fingerprint == fingerprint(report.content)
    built.audit.refresh_from_db()
    assert built.audit.status == AuditStatus.FOLLOW_UP
    actions = AuditEntry.objects.filter(object_id=str(built.audit.pk)).values_list(
        "action", flat=True
    )
    assert {"audits.report.issued", "audits.audit.follow_up"} <= set(actions)


def test_reissuing_bumps_the_version_and_keeps_the_audit_in_follow_up(built, auditor):
    first = services.issue_report(built.audit, by=auditor)
    services.save_report(built.audit, by=auditor, conclusions="Corregido: cumple.")

    second = services.issue_report(built.audit, by=auditor)

    assert second.version == 2
    assert second.issued_at >= first.issued_at
    assert from_data(second.content).conclusions == "Corregido: cumple."
    assert from_data(second.content).version == 2
    built.audit.refresh_from_db()
    assert built.audit.status == AuditStatus.FOLLOW_UP


def test_the_report_needs_its_conclusions(built, auditor):
    Report.objects.filter(audit=built.audit).update(conclusions="   ")

    with pytest.raises(ValidationError) as refused:
        services.issue_report(built.audit, by=auditor)

    assert "conclusions" in refused.value.message_dict
    assert Report.objects.get(audit=built.audit).issued_at is None


def test_a_finding_still_in_its_time_to_answer_holds_the_report_back(built, auditor):
    recorded = dt.datetime(2026, 9, 1, 15, tzinfo=dt.UTC)  # a Tuesday
    Finding.objects.create(
        audit=built.audit,
        number=5,
        grade=built.grades["minor"],
        statement="Nuevo hallazgo.",
        created_at=recorded,
    )

    with time_machine.travel(recorded + dt.timedelta(days=3), tick=False):
        assert services.awaiting_answer(built.audit)[0][0].number == 5
        with pytest.raises(services.ReportError) as refused:
            services.issue_report(built.audit, by=auditor)
    assert "5" in refused.value.message
    # Ten business days after Tuesday 1 September 2026 (2, 3, 4, 7, 8, 9, 10, 11, 14, 15)…
    closes = services.answer_window_closes(Finding.objects.get(number=5, audit=built.audit))
    assert closes == dt.date(2026, 9, 15)
    # …and the day after, the report can be issued without the answer.
    with time_machine.travel(dt.datetime(2026, 9, 16, 15, tzinfo=dt.UTC), tick=False):
        assert services.issue_report(built.audit, by=auditor).issued_at is not None


def test_an_answered_finding_does_not_wait_for_its_window(built, auditor):
    Finding.objects.create(
        audit=built.audit,
        number=5,
        grade=built.grades["minor"],
        statement="Nuevo hallazgo.",
        status="accepted",
        responded_at=timezone.now(),
    )

    assert services.issue_report(built.audit, by=auditor).version == 1


def test_the_report_is_issued_only_at_the_reporting_stage(built, auditor):
    built.audit.status = AuditStatus.FIELDWORK
    built.audit.save()

    with pytest.raises(services.ReportError):
        services.issue_report(built.audit, by=auditor)


def test_only_the_lead_issues(built, organization, unit_head, quality_manager):
    other_auditor = UserFactory(username="otra-auditora")
    MembershipFactory(user=other_auditor, organization=organization, role=Role.AUDITOR)

    for person in (unit_head, other_auditor, quality_manager):
        with pytest.raises(PermissionDenied):
            services.issue_report(built.audit, by=person)
    assert Report.objects.get(audit=built.audit).issued_at is None


def test_with_no_lead_named_anyone_who_conducts_it_issues(organization, auditor):
    built = report_data.build(organization)
    Report.objects.create(audit=built.audit, conclusions="Bien.")

    assert services.issue_report(built.audit, by=auditor).version == 1


def test_the_audited_side_cannot_write_the_report(built, unit_head):
    with pytest.raises(PermissionDenied):
        services.save_report(built.audit, by=unit_head, conclusions="Todo perfecto.")


def test_the_issued_report_keeps_what_it_said_when_the_data_change_later(client, built, auditor):
    services.issue_report(built.audit, by=auditor)
    frozen = Report.objects.get(audit=built.audit).content
    # Later: the evidence is retitled, the finding rewritten, an answer changed.
    Evidence.objects.filter(pk=built.evidence[0].pk).update(title="Título cambiado")
    Finding.objects.filter(pk=built.findings[0].pk).update(statement="Redacción nueva.")
    Answer.objects.filter(item=built.items[1]).update(result="conform")
    client.force_login(auditor)

    page = client.get(reverse("audits:report", args=[built.audit.pk])).content.decode()
    draft = client.get(reverse("audits:report", args=[built.audit.pk]) + "?draft=1")

    report = Report.objects.get(audit=built.audit)
    assert report.content == frozen
    assert report.fingerprint == fingerprint(frozen)
    assert "Mediciones del compromiso, enero a junio" in page
    assert "Título cambiado" not in page
    assert "El mesón no entrega el número de seguimiento." in page
    assert "57,1 %" in page
    assert "Título cambiado" in draft.content.decode()  # the next version's draft sees it
    assert "71,4 %" in draft.content.decode()  # 5 of 7


def test_the_system_may_issue_for_the_demo(built):
    assert services.issue_report(built.audit, by=SYSTEM).issued_by is None
