"""An audit's own services: its reference, scope checks, the lifecycle with its guards (the
agreement signed by both before agreeing; remedies verified, an effective follow-up and the
results decided before closing), closing revoking every access, the follow-up audit, the team
with its declarations, and the agreement's signatures."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from compromiso.audits import services
from compromiso.audits.models import (
    Audit,
    AuditAccess,
    AuditKind,
    AuditStatus,
    Finding,
    FindingStatus,
    FollowUp,
    FollowUpKind,
    FollowUpResult,
)
from compromiso.audits.tests.engage_fixtures import sign_both, window
from compromiso.catalog.tests.factories import ServiceFactory, TouchPointFactory
from compromiso.core.actors import SYSTEM
from compromiso.core.errors import DomainError
from compromiso.core.models import AuditEntry
from compromiso.organizations.models import Organization
from compromiso.organizations.tests.factories import UnitFactory

pytestmark = pytest.mark.django_db


def _audit(organization, by, **fields):
    values = {
        "title": "Auditoría",
        "period_start": dt.date(2026, 1, 1),
        "period_end": dt.date(2026, 6, 30),
        "planned_start": dt.date(2026, 7, 6),
        "planned_end": dt.date(2026, 7, 17),
    }
    values.update(fields)
    return services.create_audit(organization, by=by, **values)


def test_references_number_each_year_in_sequence_per_organisation(
    organization, other_organization, quality_manager
):
    first = _audit(organization, quality_manager)
    second = _audit(organization, quality_manager)
    next_year = _audit(
        organization,
        quality_manager,
        planned_start=dt.date(2027, 2, 1),
        planned_end=dt.date(2027, 2, 5),
    )
    elsewhere = _audit(other_organization, SYSTEM)

    assert [first.reference, second.reference] == ["AUD-2026-01", "AUD-2026-02"]
    assert next_year.reference == "AUD-2027-01"
    assert elsewhere.reference == "AUD-2026-01"


def test_only_who_manages_audits_creates_one(organization, auditor, viewer, unit_head):
    for person in (auditor, viewer, unit_head):
        with pytest.raises(PermissionDenied):
            _audit(organization, person)


def test_scope_rows_of_another_organisation_are_refused(
    organization, other_organization, quality_manager
):
    foreign_service = ServiceFactory(organization=other_organization)
    foreign_point = TouchPointFactory(organization=other_organization)
    foreign_unit = UnitFactory(organization=other_organization)

    for extra in (
        {"services": [foreign_service]},
        {"touch_points": [foreign_point]},
        {"unit": foreign_unit},
    ):
        with pytest.raises(ValidationError):
            _audit(organization, quality_manager, **extra)
    assert not Audit.objects.filter(organization=organization).exists()


def test_touch_points_must_lie_in_the_audited_unit(
    organization, quality_manager, branch, other_branch
):
    elsewhere = TouchPointFactory(organization=organization, unit=other_branch)

    with pytest.raises(ValidationError) as error:
        _audit(organization, quality_manager, unit=branch, touch_points=[elsewhere])

    assert "touch_points" in error.value.message_dict


def test_dates_in_the_wrong_order_are_refused(organization, quality_manager):
    with pytest.raises(ValidationError):
        _audit(organization, quality_manager, planned_end=dt.date(2026, 7, 1))


def test_agreeing_needs_the_agreement_signed_by_both(planned, quality_manager, auditor):
    with pytest.raises(DomainError, match="firmado por ambas partes"):
        services.move_audit(planned, "agree", by=quality_manager)

    services.save_agreement(planned, by=quality_manager, scope="La sucursal de Arica.")
    services.sign_agreement(planned, by=auditor, side="auditor")
    with pytest.raises(DomainError):
        services.move_audit(planned, "agree", by=quality_manager)

    services.sign_agreement(planned, by=quality_manager, side="auditee")
    moved = services.move_audit(planned, "agree", by=quality_manager)

    assert moved.status == AuditStatus.AGREED


def test_the_same_person_cannot_sign_both_sides(planned, quality_manager):
    services.save_agreement(planned, by=quality_manager, scope="Alcance.")
    services.sign_agreement(planned, by=quality_manager, side="auditee")

    with pytest.raises(DomainError, match="dos personas distintas"):
        services.sign_agreement(planned, by=quality_manager, side="auditor")


def test_editing_after_a_signature_clears_both_and_bumps_the_version(
    planned, quality_manager, auditor
):
    services.save_agreement(planned, by=quality_manager, scope="Alcance.")
    services.sign_agreement(planned, by=auditor, side="auditor")

    unchanged = services.save_agreement(planned, by=quality_manager, scope="Alcance.")
    assert unchanged.version == 1
    assert unchanged.auditor_signed_at is not None

    changed = services.save_agreement(planned, by=auditor, scope="Alcance ampliado.")

    assert changed.version == 2
    assert changed.auditor_signed_at is None
    assert changed.auditor_signed_by is None
    entry = AuditEntry.objects.filter(action="audits.agreement.saved").order_by("pk").last()
    assert entry.data["signatures_cleared"] is True


def test_a_unit_head_of_the_audited_unit_signs_for_the_audited_side(
    planned, unit_head, auditor, viewer
):
    services.save_agreement(planned, by=auditor, scope="Alcance.")

    with pytest.raises(PermissionDenied):
        services.sign_agreement(planned, by=viewer, side="auditee")
    with pytest.raises(PermissionDenied):
        services.sign_agreement(planned, by=unit_head, side="auditor")
    services.sign_agreement(planned, by=unit_head, side="auditee")

    planned.refresh_from_db()
    assert planned.agreement.auditee_signed_by == unit_head


def _to_reporting(audit, quality_manager, auditor):
    sign_both(audit, auditor, quality_manager)
    for step in ("agree", "start", "report"):
        audit = services.move_audit(audit, step, by=quality_manager)
    return audit


def test_the_fieldwork_start_records_the_day(planned, quality_manager, auditor):
    sign_both(planned, auditor, quality_manager)
    services.move_audit(planned, "agree", by=quality_manager)

    started = services.move_audit(planned, "start", by=auditor)

    assert started.status == AuditStatus.FIELDWORK
    assert started.actual_start == planned.organization.today()


def test_a_step_out_of_order_is_refused(planned, quality_manager):
    with pytest.raises(DomainError):
        services.move_audit(planned, "close", by=quality_manager)
    with pytest.raises(DomainError):
        services.move_audit(planned, "explode", by=quality_manager)


def test_closing_needs_the_results_decided(planned, quality_manager, auditor):
    audit = _to_reporting(planned, quality_manager, auditor)

    with pytest.raises(DomainError, match="Decida qué se hace"):
        services.move_audit(audit, "close", by=quality_manager)

    services.record_results_decision(audit, by=quality_manager, decision="internal", note="")
    closed = services.move_audit(audit, "close", by=quality_manager)

    assert closed.status == AuditStatus.CLOSED
    assert closed.closed_at is not None
    assert closed.actual_end is not None


def test_closing_needs_every_nonconformity_verified_and_an_effective_follow_up(
    planned, quality_manager, auditor, major
):
    audit = _to_reporting(planned, quality_manager, auditor)
    services.record_results_decision(audit, by=quality_manager, decision="publish")
    finding = Finding.objects.create(audit=audit, number=1, grade=major, statement="Sin cartel.")
    services.move_audit(audit, "follow_up", by=auditor)

    with pytest.raises(DomainError, match="corrección verificada"):
        services.move_audit(audit, "close", by=quality_manager)

    finding.status = FindingStatus.VERIFIED
    finding.save()
    with pytest.raises(DomainError, match="eficaces"):
        services.move_audit(audit, "close", by=quality_manager)

    FollowUp.objects.create(
        audit=audit,
        kind=FollowUpKind.DESK_REVIEW,
        scheduled_on=dt.date(2026, 9, 1),
        result=FollowUpResult.PARTIAL,
    )
    with pytest.raises(DomainError):
        services.move_audit(audit, "close", by=quality_manager)
    FollowUp.objects.create(
        audit=audit,
        kind=FollowUpKind.DESK_REVIEW,
        scheduled_on=dt.date(2026, 10, 1),
        result=FollowUpResult.EFFECTIVE,
    )

    assert services.move_audit(audit, "close", by=quality_manager).status == AuditStatus.CLOSED


def test_closing_revokes_every_access_in_force_and_logs_it(
    planned, quality_manager, auditor, peer, external
):
    for person in (peer, external):
        services.grant_access(
            planned,
            by=quality_manager,
            user=person,
            valid_from=window()[0],
            valid_until=window()[1],
        )
    audit = _to_reporting(planned, quality_manager, auditor)
    services.record_results_decision(audit, by=quality_manager, decision="sponsors")

    services.move_audit(audit, "close", by=quality_manager)

    grants = AuditAccess.objects.filter(audit=audit)
    assert all(g.revoked_at is not None and g.revoke_reason == "audit closed" for g in grants)
    assert AuditEntry.objects.filter(action="audits.access.revoked").count() == 2


def test_cancelling_needs_a_reason_and_revokes_access(planned, quality_manager, external):
    services.grant_access(
        planned, by=quality_manager, user=external, valid_from=window()[0], valid_until=window()[1]
    )
    with pytest.raises(ValidationError):
        services.move_audit(planned, "cancel", by=quality_manager, reason="  ")

    cancelled = services.move_audit(planned, "cancel", by=quality_manager, reason="Sin fondos.")

    assert cancelled.status == AuditStatus.CANCELLED
    assert AuditAccess.objects.get(user=external).revoke_reason == "audit cancelled"


def test_lifecycle_steps_check_who_takes_them(planned, auditor, viewer, unit_head):
    for person in (auditor, viewer, unit_head):
        with pytest.raises(PermissionDenied):
            services.move_audit(planned, "cancel", by=person, reason="No.")


def test_the_results_are_decided_only_between_reporting_and_closing(planned, quality_manager):
    with pytest.raises(DomainError):
        services.record_results_decision(planned, by=quality_manager, decision="publish")


def test_an_unknown_results_decision_is_refused(planned, quality_manager, auditor):
    audit = _to_reporting(planned, quality_manager, auditor)
    with pytest.raises(ValidationError):
        services.record_results_decision(audit, by=quality_manager, decision="burn")


def test_a_follow_up_audit_keeps_the_scope_and_is_recorded(planned, quality_manager, auditor):
    audit = _to_reporting(planned, quality_manager, auditor)

    follow_up = services.schedule_follow_up_audit(
        audit,
        by=quality_manager,
        planned_start=dt.date(2027, 1, 11),
        planned_end=dt.date(2027, 1, 15),
    )

    assert follow_up.kind == AuditKind.FOLLOW_UP
    assert follow_up.follow_up_of == audit
    assert follow_up.reference == "AUD-2027-01"
    assert list(follow_up.services.all()) == list(audit.services.all())
    assert list(follow_up.touch_points.all()) == list(audit.touch_points.all())
    assert follow_up.unit == audit.unit
    assert follow_up.programme == audit.programme
    assert follow_up.period_start == dt.date(2026, 7, 18)  # the day after the planned end
    assert follow_up.period_end == dt.date(2027, 1, 10)
    record = FollowUp.objects.get(audit=audit)
    assert record.kind == FollowUpKind.FOLLOW_UP_AUDIT
    assert record.follow_up_audit == follow_up


def test_a_follow_up_audit_is_titled_in_the_organisations_language(
    planned, quality_manager, auditor
):
    audit = _to_reporting(planned, quality_manager, auditor)
    Organization.objects.filter(pk=audit.organization_id).update(language="ca")
    audit.refresh_from_db()

    with translation.override("es"):
        follow_up = services.schedule_follow_up_audit(
            audit,
            by=quality_manager,
            planned_start=dt.date(2027, 1, 11),
            planned_end=dt.date(2027, 1, 15),
        )

    assert follow_up.title == f"Seguiment: {audit.title}"


def test_a_follow_up_audit_starts_after_the_fieldwork(planned, quality_manager, auditor):
    audit = _to_reporting(planned, quality_manager, auditor)
    with pytest.raises(ValidationError):
        services.schedule_follow_up_audit(
            audit,
            by=quality_manager,
            planned_start=audit.planned_end,
            planned_end=dt.date(2027, 1, 1),
        )


def test_the_lead_is_the_audits_lead_and_only_one(planned, quality_manager, auditor, admin_user):
    member = services.add_team_member(planned, by=quality_manager, user=admin_user, role="lead")
    planned.refresh_from_db()

    assert planned.lead == admin_user
    assert planned.team.get(user=auditor).role == "auditor"

    services.remove_team_member(member, by=quality_manager)
    planned.refresh_from_db()
    assert planned.lead is None


def test_outsiders_join_the_team_only_with_an_access(planned, quality_manager, peer):
    with pytest.raises(ValidationError):
        services.add_team_member(planned, by=quality_manager, user=peer)

    start, end = window()
    services.grant_access(
        planned, by=quality_manager, user=peer, valid_from=start, valid_until=end, role="auditor"
    )

    member = planned.team.get(user=peer)
    assert member.affiliation == "Ajuntament d'Exemple"


def test_a_member_answers_the_self_check_and_a_conflict_is_flagged(
    planned, auditor, viewer, quality_manager
):
    member = planned.team.get(user=auditor)
    answers = dict.fromkeys(services.SELF_CHECK_KEYS, (True, ""))
    answers["cooperation"] = (False, "La jefatura no responde.")

    with pytest.raises(PermissionDenied):
        services.declare(member, by=viewer, self_check=answers, independent=True)
    services.declare(
        member,
        by=auditor,
        self_check=answers,
        independent=True,
        conflicts="Trabajé en esta sucursal en 2024.",
        competence="Auditora interna ISO 19011.",
    )
    member.refresh_from_db()

    assert member.self_check["cooperation"] == {"answer": False, "note": "La jefatura no responde."}
    assert member.self_check["experience"] == {"answer": True, "note": ""}
    assert member.declared_at is not None
    assert services.has_conflict(member)


def test_a_self_check_with_an_unknown_question_or_a_long_note_is_refused(planned, auditor):
    member = planned.team.get(user=auditor)
    with pytest.raises(ValidationError):
        services.declare(member, by=auditor, self_check={"bribe": (True, "")}, independent=True)
    with pytest.raises(ValidationError):
        services.declare(
            member, by=auditor, self_check={"experience": (True, "x" * 1001)}, independent=True
        )


def test_every_change_is_in_the_audit_log(planned, quality_manager, auditor):
    sign_both(planned, auditor, quality_manager)
    services.move_audit(planned, "agree", by=quality_manager)

    actions = set(
        AuditEntry.objects.filter(object_id=str(planned.pk)).values_list("action", flat=True)
    )
    assert {
        "audits.audit.created",
        "audits.team.added",
        "audits.agreement.saved",
        "audits.agreement.signed",
        "audits.audit.agree",
    } <= actions
