"""Remedies: each nonconformity becomes an improvement action proposed by the audited side; the
lead verifies it only once the action is done and its effect checked and found effective;
follow-ups confirm it, or send the findings back."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from compromiso.audits import services
from compromiso.audits.models import (
    Audit,
    AuditKind,
    AuditStatus,
    Finding,
    FindingStatus,
    FollowUp,
    Report,
)
from compromiso.audits.report import corrective_plan
from compromiso.audits.tests import report_data
from compromiso.improvement import services as improvement
from compromiso.improvement.models import ActionStatus, OriginKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def built(organization, auditor, branch):
    built = report_data.build(organization, lead=auditor, unit=branch)
    Report.objects.create(audit=built.audit, conclusions="Cumple en lo esencial.")
    services.issue_report(built.audit, by=auditor)
    built.audit.refresh_from_db()
    return built


def _propose(built, by, branch, finding=0, **extra):
    fields = {
        "title": "Entregar el número de seguimiento en el mesón",
        "description": "Imprimir el comprobante con el número.",
        "root_cause": "El sistema del mesón no imprime el número.",
        "owner_unit": branch,
        "check_on": "protocol",
    }
    fields.update(extra)
    return services.propose_remedy(built.findings[finding], by=by, **fields)


def _run(action, by, *, effective):
    steps = [ActionStatus.PROPOSED, ActionStatus.APPROVED, ActionStatus.IN_PROGRESS]
    for step in [*steps[steps.index(action.status) + 1 :], ActionStatus.CHECKING]:
        action = improvement.move_action(action, step, by=by)
    return improvement.record_check(action, effective=effective, evidence="Visita al mesón.", by=by)


def test_the_audited_side_turns_a_nonconformity_into_an_improvement_action(
    built, unit_head, branch
):
    action = _propose(built, unit_head, branch)

    finding = Finding.objects.get(pk=built.findings[0].pk)
    assert finding.action == action
    assert finding.status == FindingStatus.IN_ACTION
    assert finding.root_cause == "El sistema del mesón no imprime el número."
    origin = action.origins.get()
    assert origin.kind == OriginKind.AUDIT_FINDING
    assert action.owner_unit == branch
    assert list(action.touch_points.all()) == [built.touch_points["A"]]
    assert action.metric == "protocol"
    report = Report.objects.get(audit=built.audit)
    issued = built.audit.organization.local(report.issued_at).date()
    assert action.due_date == issued + dt.timedelta(days=30)  # the major grade's days


def test_a_finding_with_a_commitment_checks_the_effect_on_its_indicator(
    built, unit_head, branch, organization, quality_manager
):
    charter = _published_charter(organization, quality_manager, branch)
    commitment = charter.commitments.get()
    Finding.objects.filter(pk=built.findings[0].pk).update(commitment=commitment)

    action = _propose(built, unit_head, branch, check_on="")

    assert action.metric == "indicator"
    assert action.metric_commitment == commitment
    assert action.origins.get().commitment == commitment
    assert list(action.services.all()) == [commitment.service]


def _published_charter(organization, quality_manager, branch):
    """A draft charter with one commitment (enough for an action's metric)."""
    from compromiso.catalog.tests.factories import ServiceFactory
    from compromiso.charters import services as charters
    from compromiso.charters.tests.conftest import commit

    service = ServiceFactory(organization=organization, provider_unit=branch)
    charter = charters.create_charter(
        organization,
        by=quality_manager,
        title="Carta",
        profile="cl_public",
        language="es",
        valid_from=dt.date(2025, 1, 1),
        valid_to=dt.date(2027, 12, 31),
        services=[service],
    )
    commit(charter, quality_manager, service)
    return charter


def test_an_action_needs_a_root_cause_and_a_figure_to_check(built, unit_head, branch):
    with pytest.raises(ValidationError) as no_cause:
        _propose(built, unit_head, branch, root_cause="  ")
    with pytest.raises(ValidationError) as no_figure:
        _propose(built, unit_head, branch, check_on="")
    with pytest.raises(ValidationError) as bad_figure:
        _propose(built, unit_head, branch, check_on="indicator; DROP TABLE")

    assert "root_cause" in no_cause.value.message_dict
    assert "check_on" in no_figure.value.message_dict
    assert "check_on" in bad_figure.value.message_dict
    assert Finding.objects.get(pk=built.findings[0].pk).action is None


def test_only_a_nonconformity_gets_an_action(built, unit_head, branch):
    with pytest.raises(services.RemedyError):
        _propose(built, unit_head, branch, finding=2)  # an observation


def test_who_may_propose(built, branch, auditor, viewer, outsider, unit_head, other_branch):
    for person in (auditor, viewer, outsider):
        with pytest.raises(PermissionDenied):
            _propose(built, person, branch)
    # The unit head may not give the action to a unit outside their subtree.
    with pytest.raises(PermissionDenied):
        _propose(built, unit_head, other_branch)


def test_one_open_action_per_finding(built, unit_head, branch):
    _propose(built, unit_head, branch)

    with pytest.raises(services.RemedyError):
        _propose(built, unit_head, branch)


def test_a_rejected_action_leaves_no_remedy_and_another_can_be_proposed(built, unit_head, branch):
    first = _propose(built, unit_head, branch)
    improvement.move_action(first, ActionStatus.REJECTED, by=unit_head, comment="No procede.")

    line = corrective_plan(built.audit)[0]
    assert not line.has_remedy
    second = _propose(built, unit_head, branch, title="Otra solución")
    assert Finding.objects.get(pk=built.findings[0].pk).action == second


def test_the_lead_verifies_only_a_completed_action_found_effective(
    built, unit_head, branch, auditor
):
    action = _propose(built, unit_head, branch)
    finding = built.findings[0]

    with pytest.raises(services.RemedyError):
        services.verify_finding(finding, by=auditor)  # proposed, not done
    action = _run(action, unit_head, effective=False)
    with pytest.raises(services.RemedyError):
        services.verify_finding(finding, by=auditor)  # checked, not effective
    assert not corrective_plan(built.audit)[0].remedied
    action = improvement.move_action(action, ActionStatus.IN_PROGRESS, by=unit_head)
    action = _run(action, unit_head, effective=True)

    with pytest.raises(PermissionDenied):
        services.verify_finding(finding, by=unit_head)  # the audited side does not verify
    verified = services.verify_finding(finding, by=auditor, note="Comprobado en visita.")
    assert verified.status == FindingStatus.VERIFIED
    closed = services.close_finding(finding, by=auditor)
    assert closed.status == FindingStatus.CLOSED


def test_an_action_closed_after_an_effective_check_still_counts_as_remedied(
    built, unit_head, branch, auditor
):
    action = _run(_propose(built, unit_head, branch), unit_head, effective=True)
    improvement.move_action(action, ActionStatus.CLOSED, by=unit_head)

    line = corrective_plan(built.audit)[0]
    assert line.remedied
    assert line.checked
    assert services.verify_finding(built.findings[0], by=auditor).status == "verified"


def test_a_nonconformity_is_closed_only_once_verified_other_grades_any_time(built, auditor):
    with pytest.raises(services.RemedyError):
        services.close_finding(built.findings[0], by=auditor)

    assert services.close_finding(built.findings[2], by=auditor).status == "closed"


def test_a_follow_up_found_not_effective_sends_verified_findings_back(
    built, unit_head, branch, auditor
):
    _run(_propose(built, unit_head, branch), unit_head, effective=True)
    services.verify_finding(built.findings[0], by=auditor)
    today = built.audit.organization.today()
    follow_up = services.plan_follow_up(
        built.audit, by=auditor, kind="desk_review", scheduled_on=today, notes="Revisar."
    )

    with pytest.raises(ValidationError) as no_notes:
        services.record_follow_up(follow_up, by=auditor, performed_on=today, result="not_effective")
    with pytest.raises(ValidationError) as future:
        services.record_follow_up(
            follow_up, by=auditor, performed_on=today + dt.timedelta(days=1), result="effective"
        )
    with pytest.raises(PermissionDenied):
        services.record_follow_up(follow_up, by=unit_head, performed_on=today, result="effective")
    recorded = services.record_follow_up(
        follow_up,
        by=auditor,
        performed_on=today,
        result="not_effective",
        notes="El mesón volvió a fallar.",
    )

    assert "notes" in no_notes.value.message_dict
    assert "performed_on" in future.value.message_dict
    assert recorded.result == "not_effective"
    assert Finding.objects.get(pk=built.findings[0].pk).status == FindingStatus.IN_ACTION
    with pytest.raises(services.RemedyError):
        services.record_follow_up(follow_up, by=auditor, performed_on=today, result="effective")


def test_follow_ups_are_planned_after_the_report_and_not_in_the_past(
    built, auditor, unit_head, organization
):
    today = organization.today()
    with pytest.raises(ValidationError):
        services.plan_follow_up(
            built.audit, by=auditor, kind="desk_review", scheduled_on=today - dt.timedelta(1)
        )
    with pytest.raises(ValidationError):
        services.plan_follow_up(built.audit, by=auditor, kind="nonsense", scheduled_on=today)
    with pytest.raises(PermissionDenied):
        services.plan_follow_up(built.audit, by=unit_head, kind="desk_review", scheduled_on=today)
    Audit.objects.filter(pk=built.audit.pk).update(status=AuditStatus.REPORTING)
    built.audit.refresh_from_db()
    with pytest.raises(services.RemedyError):
        services.plan_follow_up(built.audit, by=auditor, kind="desk_review", scheduled_on=today)


def test_scheduling_a_follow_up_audit_creates_it_linked_with_a_suffixed_reference(
    built, quality_manager, auditor, organization
):
    start = organization.today() + dt.timedelta(days=30)

    with pytest.raises(PermissionDenied):
        services.plan_follow_up_audit(
            built.audit, by=auditor, planned_start=start, planned_end=start
        )
    first = services.plan_follow_up_audit(
        built.audit, by=quality_manager, planned_start=start, planned_end=start + dt.timedelta(2)
    )
    second = services.plan_follow_up_audit(
        built.audit, by=quality_manager, planned_start=start, planned_end=start
    )

    assert first.kind == AuditKind.FOLLOW_UP
    assert first.follow_up_of == built.audit
    assert first.reference == f"{built.audit.reference}-S1"
    assert second.reference == f"{built.audit.reference}-S2"
    assert first.status == AuditStatus.PLANNED
    assert set(first.touch_points.all()) == set(built.audit.touch_points.all())
    assert first.objectives.startswith("Verificar")  # in the organisation's language
    plan = FollowUp.objects.get(follow_up_audit=first)
    assert (plan.audit, plan.kind, plan.scheduled_on) == (built.audit, "follow_up_audit", start)
    with pytest.raises(ValidationError):
        services.plan_follow_up_audit(
            built.audit,
            by=quality_manager,
            planned_start=start,
            planned_end=start - dt.timedelta(1),
        )
