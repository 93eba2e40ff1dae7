"""The audit programme and the proposals: the programme's lifecycle (approval recorded, review
before closing), proposals with the seed's reasons and signs of need whose figures are frozen
when linked, acceptance creating the audit, rejection with a note; the cycle's due dates and the
review figures checked against values worked out by hand."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from compromiso.audits import services
from compromiso.audits.cycle import cycle, review_figures
from compromiso.audits.models import (
    Audit,
    AuditProgramme,
    AuditStatus,
    Finding,
    FindingStatus,
    NeedReason,
    ProgrammeStatus,
    ProposalStatus,
)
from compromiso.audits.tests.factories import AuditFactory
from compromiso.cases.models import CaseDailyFact, RootCause
from compromiso.catalog.tests.factories import ServiceFactory
from compromiso.charters.models import Charter, Commitment, Measurement
from compromiso.core.errors import DomainError
from compromiso.core.models import AuditEntry
from compromiso.improvement.models import ImprovementAction

pytestmark = pytest.mark.django_db


def _programme(organization, by, **fields):
    values = {
        "title": "Programa 2027",
        "period_start": dt.date(2027, 1, 1),
        "period_end": dt.date(2027, 12, 31),
        "objectives": "Cada servicio auditado cada dos años.",
        "budget_amount": Decimal("12000.00"),
        "person_days": Decimal("40.5"),
    }
    values.update(fields)
    return services.create_programme(organization, by=by, **values)


def test_a_programme_is_approved_put_in_execution_reviewed_and_closed(
    organization, quality_manager
):
    programme = _programme(organization, quality_manager)
    assert programme.status == ProgrammeStatus.DRAFT

    services.approve_programme(programme, by=quality_manager)
    assert programme.approved_by == quality_manager
    assert programme.approved_at is not None
    services.start_programme(programme, by=quality_manager)
    with pytest.raises(DomainError, match="Revise el programa"):
        services.close_programme(programme, by=quality_manager)
    services.review_programme(programme, by=quality_manager, notes="Objetivos cumplidos.")
    services.close_programme(programme, by=quality_manager)

    assert programme.status == ProgrammeStatus.CLOSED
    review = AuditEntry.objects.get(action="audits.programme.reviewed")
    assert review.data == {
        "planned": 0,
        "done": 0,
        "cancelled": 0,
        "late": 0,
        "nonconformities": 0,
        "closed": 0,
        "closed_on_time": 0,
    }
    with pytest.raises(DomainError):
        services.update_programme(programme, by=quality_manager, title="Otro")


def test_steps_out_of_order_and_empty_reviews_are_refused(organization, quality_manager):
    programme = _programme(organization, quality_manager)
    with pytest.raises(DomainError):
        services.start_programme(programme, by=quality_manager)
    with pytest.raises(DomainError):
        services.review_programme(programme, by=quality_manager, notes="Pronto.")
    services.approve_programme(programme, by=quality_manager)
    with pytest.raises(DomainError):
        services.approve_programme(programme, by=quality_manager)
    with pytest.raises(ValidationError):
        services.review_programme(programme, by=quality_manager, notes="   ")


def test_only_who_manages_audits_runs_the_programme(organization, quality_manager, auditor):
    with pytest.raises(PermissionDenied):
        _programme(organization, auditor)
    programme = _programme(organization, quality_manager)
    with pytest.raises(PermissionDenied):
        services.approve_programme(programme, by=auditor)


def test_a_programme_ending_before_it_starts_or_with_a_foreign_manager_is_refused(
    organization, quality_manager, outsider
):
    with pytest.raises(ValidationError):
        _programme(organization, quality_manager, period_end=dt.date(2026, 1, 1))
    with pytest.raises(ValidationError):
        _programme(organization, quality_manager, manager=outsider)
    with pytest.raises(ValidationError):
        _programme(organization, quality_manager, cycle_months=0)
    assert not AuditProgramme.objects.exists()


def test_an_auditor_and_a_unit_head_propose_but_a_viewer_cannot(
    organization, auditor, unit_head, viewer, service
):
    for person in (auditor, unit_head):
        proposal = services.create_proposal(
            organization, by=person, title="Auditar licencias", services=[service]
        )
        assert proposal.proposed_by == person
    with pytest.raises(PermissionDenied):
        services.create_proposal(organization, by=viewer, title="No")


def test_a_proposal_keeps_the_seeds_reasons_and_refuses_others(organization, auditor, service):
    proposal = services.create_proposal(
        organization,
        by=auditor,
        title="Equidad entre sucursales",
        reasons=[NeedReason.EQUITY, NeedReason.USERS_INTERESTS, NeedReason.EQUITY],
        services=[service],
    )
    assert proposal.reasons == ["equity", "users_interests"]
    with pytest.raises(ValidationError):
        services.update_proposal(proposal, by=auditor, reasons=["gossip"])


def test_a_proposal_with_a_foreign_service_is_refused(organization, other_organization, auditor):
    with pytest.raises(ValidationError):
        services.create_proposal(
            organization,
            by=auditor,
            title="X",
            services=[ServiceFactory(organization=other_organization)],
        )


@pytest.fixture
def breached(organization, service):
    charter = Charter.objects.create(
        organization=organization,
        title="Carta de servicios",
        status="published",
        profile="cl_public",
        language="es",
        valid_from=dt.date(2026, 1, 1),
        valid_to=dt.date(2027, 12, 31),
    )
    commitment = Commitment.objects.create(
        charter=charter,
        service=service,
        text="Respondemos en 10 días hábiles.",
        indicator="% respondidos a tiempo",
        source="cases_within_days",
        threshold_days=10,
        target=90,
    )
    for month, value, compliance in (
        (9, "92.5", "met"),
        (10, "80", "not_met"),
        (11, "71", "not_met"),
    ):
        Measurement.objects.create(
            commitment=commitment,
            period_start=dt.date(2026, month, 1),
            period_end=dt.date(2026, month, 28),
            value=Decimal(value),
            n=40,
            compliance=compliance,
            computed_at=timezone.now(),
        )
    commitment.refresh_from_db()
    return commitment


@pytest.fixture
def proposal(organization, auditor, service):
    return services.create_proposal(
        organization,
        by=auditor,
        title="Auditar licencias en Arica",
        reasons=[NeedReason.USERS_INTERESTS],
        need="Tres meses sin cumplir el plazo de respuesta.",
        services=[service],
    )


def test_a_breached_commitment_freezes_its_last_measurements(proposal, auditor, breached):
    signal = services.add_need_signal(proposal, by=auditor, kind="commitment", commitment=breached)
    Measurement.objects.filter(commitment=breached).update(value=Decimal("99"), compliance="met")
    signal.refresh_from_db()

    assert signal.figures["target"] == "90.00"
    assert [m["value"] for m in signal.figures["measurements"]] == ["92.50", "80.00", "71.00"]
    assert signal.figures["periods_not_met"] == 2
    assert signal.seen_at is not None


@time_machine.travel(dt.datetime(2026, 12, 5, 15, tzinfo=dt.UTC), tick=False)
def test_a_complaint_cause_freezes_its_monthly_counts(proposal, auditor, organization):
    cause = RootCause.objects.create(organization=organization, code="TIE", name="Tiempo de espera")
    for day, received in (
        (dt.date(2026, 12, 5), 3),
        (dt.date(2026, 10, 26), 2),
        (dt.date(2026, 8, 27), 4),
        (dt.date(2026, 5, 2), 7),  # before both windows and the six months
    ):
        CaseDailyFact.objects.create(
            organization=organization,
            day=day,
            kind="complaint",
            root_cause=cause,
            received=received,
        )
    CaseDailyFact.objects.create(  # a suggestion, not a complaint
        organization=organization, day=dt.date(2026, 12, 1), kind="suggestion", root_cause=cause
    )

    signal = services.add_need_signal(
        proposal, by=auditor, kind="complaint_cause", root_cause=cause
    )

    # Last 90 days: 7 Sep – 5 Dec (3 + 2); the 90 before: 9 Jun – 6 Sep (4).
    assert (signal.figures["last_90_days"], signal.figures["previous_90_days"]) == (5, 4)
    assert signal.figures["months"] == [
        {"month": "2026-07", "complaints": 0},
        {"month": "2026-08", "complaints": 4},
        {"month": "2026-09", "complaints": 0},
        {"month": "2026-10", "complaints": 2},
        {"month": "2026-11", "complaints": 0},
        {"month": "2026-12", "complaints": 3},
    ]


def test_an_equity_gap_freezes_the_units_and_the_organisations_figures(proposal, auditor, branch):
    signal = services.add_need_signal(proposal, by=auditor, kind="equity_gap", unit=branch)

    assert signal.figures["unit"]["name"] == branch.name
    assert signal.figures["unit"]["received"] == 0
    assert "organization" in signal.figures


def test_a_sign_must_link_what_its_kind_needs_and_only_the_organisations_rows(
    proposal, auditor, other_organization
):
    foreign = RootCause.objects.create(organization=other_organization, code="X", name="X")
    with pytest.raises(ValidationError):
        services.add_need_signal(proposal, by=auditor, kind="commitment")
    with pytest.raises(ValidationError):
        services.add_need_signal(proposal, by=auditor, kind="complaint_cause", root_cause=foreign)
    with pytest.raises(ValidationError):
        services.add_need_signal(proposal, by=auditor, kind="equity_gap")
    with pytest.raises(ValidationError):
        services.add_need_signal(proposal, by=auditor, kind="rumour")
    assert not proposal.signals.exists()


def test_submitting_needs_reasons_evidence_and_services(organization, auditor):
    empty = services.create_proposal(organization, by=auditor, title="Vacía")
    with pytest.raises(ValidationError) as error:
        services.submit_proposal(empty, by=auditor)
    assert set(error.value.message_dict) == {"reasons", "need", "services"}


def test_accepting_creates_the_numbered_audit_in_the_programme(
    proposal, auditor, quality_manager, running, service
):
    services.submit_proposal(proposal, by=auditor)
    with pytest.raises(PermissionDenied):
        services.accept_proposal(
            proposal,
            by=auditor,
            programme=running,
            planned_start=dt.date(2026, 9, 7),
            planned_end=dt.date(2026, 9, 11),
        )

    audit = services.accept_proposal(
        proposal,
        by=quality_manager,
        programme=running,
        planned_start=dt.date(2026, 9, 7),
        planned_end=dt.date(2026, 9, 11),
        note="Prioritaria.",
    )

    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.ACCEPTED
    assert proposal.decided_by == quality_manager
    assert proposal.decision_note == "Prioritaria."
    assert audit.reference == "AUD-2026-01"
    assert audit.proposal == proposal
    assert audit.programme == running
    assert list(audit.services.all()) == [service]
    assert audit.status == AuditStatus.PLANNED
    assert (audit.period_start, audit.period_end) == (dt.date(2025, 9, 7), dt.date(2026, 9, 6))
    with pytest.raises(DomainError):
        services.update_proposal(proposal, by=quality_manager, title="Tarde")


def test_a_draft_programme_takes_no_audit(proposal, auditor, quality_manager, organization):
    draft = _programme(organization, quality_manager)
    services.submit_proposal(proposal, by=auditor)
    with pytest.raises(ValidationError):
        services.accept_proposal(
            proposal,
            by=quality_manager,
            programme=draft,
            planned_start=dt.date(2027, 3, 1),
            planned_end=dt.date(2027, 3, 5),
        )
    assert not Audit.objects.exists()


def test_rejecting_needs_a_note(proposal, auditor, quality_manager):
    services.submit_proposal(proposal, by=auditor)
    with pytest.raises(ValidationError):
        services.reject_proposal(proposal, by=quality_manager, note=" ")

    services.reject_proposal(proposal, by=quality_manager, note="Se audita el próximo año.")

    assert proposal.status == ProposalStatus.REJECTED
    assert proposal.decision_note == "Se audita el próximo año."


def _closed(organization, service, end, **extra):
    audit = AuditFactory(
        organization=organization,
        status=AuditStatus.CLOSED,
        planned_start=end - dt.timedelta(days=10),
        planned_end=end - dt.timedelta(days=5),
        actual_end=end,
        **extra,
    )
    audit.services.set([service])
    return audit


def test_the_cycle_dates_worked_out_by_hand(organization, running, branch):
    licences = ServiceFactory(organization=organization, name="A · Licencias")
    permits = ServiceFactory(organization=organization, name="B · Permisos")
    grants = ServiceFactory(organization=organization, name="C · Subsidios")
    never = ServiceFactory(organization=organization, name="D · Nunca auditado")
    busy = ServiceFactory(organization=organization, name="E · En curso")
    ServiceFactory(organization=organization, name="F · Inactivo", is_active=False)
    # Licences: closed 2024-08-31 and, later, 2025-01-31 → due 2027-01-31 (24 months): after
    # the programme (ends 2026-12-31) → later.
    _closed(organization, licences, dt.date(2024, 8, 31), reference="AUD-2024-01")
    last = _closed(organization, licences, dt.date(2025, 1, 31), reference="AUD-2025-01")
    # Permits: closed 2024-02-29 → due 2026-02-28 (no 29th), before today (2026-12-05): overdue.
    _closed(organization, permits, dt.date(2024, 2, 29), reference="AUD-2024-02")
    # Grants: closed 2024-12-20 → due 2026-12-20: after today, inside the programme: due.
    _closed(organization, grants, dt.date(2024, 12, 20), reference="AUD-2024-03")
    # In progress: an open audit covers it.
    current = AuditFactory(organization=organization, reference="AUD-2026-50")
    current.services.set([busy])

    rows = {row.service.name: row for row in cycle(running, dt.date(2026, 12, 5))}

    assert list(rows) == [
        "A · Licencias",
        "B · Permisos",
        "C · Subsidios",
        "D · Nunca auditado",
        "E · En curso",
    ]
    assert (rows["A · Licencias"].last_audit, rows["A · Licencias"].due) == (
        last,
        dt.date(2027, 1, 31),
    )
    assert rows["A · Licencias"].status == "later"
    assert not rows["A · Licencias"].proposed
    assert (rows["B · Permisos"].due, rows["B · Permisos"].status) == (
        dt.date(2026, 2, 28),
        "overdue",
    )
    assert (rows["C · Subsidios"].due, rows["C · Subsidios"].status) == (
        dt.date(2026, 12, 20),
        "due",
    )
    assert rows["D · Nunca auditado"].due is None
    assert rows["D · Nunca auditado"].status == "never"
    assert rows["D · Nunca auditado"].proposed
    assert rows["E · En curso"].status == "planned"
    del never, grants, permits


def test_the_cycles_one_click_proposal_is_a_prefilled_draft(
    organization, running, quality_manager, service
):
    proposal = services.propose_for_services(running, [service], by=quality_manager)

    assert proposal.status == ProposalStatus.DRAFT
    assert proposal.programme == running
    assert list(proposal.services.all()) == [service]
    assert proposal.reasons == [NeedReason.NEEDED_SERVICES]
    row = next(r for r in cycle(running, dt.date(2026, 12, 5)) if r.service == service)
    assert row.status == "planned"


def test_the_review_figures_worked_out_by_hand(organization, running, major, quality_manager):
    from compromiso.organizations.tests.factories import UnitFactory

    done = AuditFactory(organization=organization, programme=running, status="closed")
    late = AuditFactory(
        organization=organization,
        programme=running,
        status="fieldwork",
        planned_end=dt.date(2026, 11, 30),
    )
    AuditFactory(
        organization=organization,
        programme=running,
        status="planned",
        planned_start=dt.date(2026, 12, 14),
        planned_end=dt.date(2026, 12, 18),
    )
    AuditFactory(organization=organization, programme=running, status="cancelled")
    unit = UnitFactory(organization=organization)

    def action(due, completed):
        return ImprovementAction.objects.create(
            organization=organization,
            title="Acción",
            description="x",
            owner_unit=unit,
            due_date=due,
            completed_at=completed,
        )

    on_time = action(dt.date(2026, 10, 31), dt.datetime(2026, 10, 31, 20, tzinfo=dt.UTC))
    # Completed at 02:00 UTC on 1 November: still 31 October in Santiago (UTC−3): on time.
    santiago = action(dt.date(2026, 10, 31), dt.datetime(2026, 11, 1, 2, tzinfo=dt.UTC))
    overdue = action(dt.date(2026, 10, 31), dt.datetime(2026, 11, 5, 12, tzinfo=dt.UTC))
    findings = [
        (done, FindingStatus.CLOSED, on_time),
        (done, FindingStatus.VERIFIED, santiago),
        (done, FindingStatus.VERIFIED, overdue),
        (done, FindingStatus.CLOSED, None),
        (late, FindingStatus.OPEN, None),
    ]
    for number, (audit, status, remedy) in enumerate(findings, start=1):
        Finding.objects.create(
            audit=audit, number=number, grade=major, statement="x", status=status, action=remedy
        )

    figures = review_figures(running, dt.date(2026, 12, 5))

    # 4 audits, one cancelled → 3 planned; 1 closed; 1 open past its planned end.
    assert (figures.planned, figures.done, figures.cancelled, figures.late) == (3, 1, 1, 1)
    # 5 nonconformities, 4 closed, 2 of them with an action completed by its due date.
    assert (figures.nonconformities, figures.closed, figures.closed_on_time) == (5, 4, 2)
