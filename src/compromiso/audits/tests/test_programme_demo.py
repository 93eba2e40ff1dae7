"""The demo's audit programmes: both organisations get the promised shape, built from their
own data (a breached commitment, the waiting cause, a branch's touch points), and loading twice
changes nothing."""

import pytest

from compromiso.audits import demo
from compromiso.audits.models import (
    Agreement,
    Audit,
    AuditAccess,
    AuditProgramme,
    AuditProposal,
    NeedSignal,
    TeamMember,
)
from compromiso.cases import demo as cases_demo
from compromiso.catalog import demo as catalog_demo
from compromiso.charters import demo as charters_demo
from compromiso.organizations import demo as organizations_demo

pytestmark = pytest.mark.django_db

ROWS = (AuditProgramme, AuditProposal, NeedSignal, Audit, TeamMember, AuditAccess, Agreement)


def _load():
    context = {"logins": [], "password_hash": "!", "case_count": 60}
    for module in (organizations_demo, catalog_demo, cases_demo, charters_demo, demo):
        module.load(context)
    return context


def test_both_organisations_get_a_programme_with_a_completed_audit_and_loading_twice_adds_nothing():
    context = _load()
    counts = [model.objects.count() for model in ROWS]
    again = _load()

    assert [model.objects.count() for model in ROWS] == counts
    assert again["audits"] == context["audits"]
    for slug in ("sntc", "sant-pere-de-riu"):
        programme = context["audit_programmes"][slug]
        audit = context["audits"][slug]
        assert programme.status == "in_execution"
        assert programme.approved_by is not None
        assert audit.reference.endswith("-01")
        assert audit.status == "follow_up"  # the report is issued, remedies under way
        assert audit.kind == "internal"
        assert audit.programme == programme
        assert 2 <= audit.touch_points.count() <= 3
        assert {p.unit_id for p in audit.touch_points.all()} == {audit.unit_id}
        assert audit.charters.exists()
        assert audit.agreement.is_signed
        assert audit.agreement.auditor_signed_by != audit.agreement.auditee_signed_by
        lead = audit.team.get(role="lead")
        assert lead.user == audit.lead
        assert lead.user.memberships.get(organization=audit.organization).role == "auditor"
        assert lead.declared_at is not None
        assert lead.independent is True
        assert len(lead.self_check) == 5
        proposals = {p.status: p for p in AuditProposal.objects.filter(programme=programme)}
        assert set(proposals) == {"accepted", "submitted"}
        kinds = set(proposals["accepted"].signals.values_list("kind", flat=True))
        assert kinds == {"commitment", "complaint_cause"}
        signal = proposals["accepted"].signals.get(kind="commitment")
        assert signal.figures["measurements"]
        assert audit.proposal == proposals["accepted"]
        follow_up = audit.follow_up_audits.get()
        assert follow_up.kind == "follow_up"
        assert follow_up.status == "planned"
    catalan = context["audits"]["sant-pere-de-riu"]
    grant = AuditAccess.objects.get(audit=catalan)
    assert grant.user.username == "cl-auditor"
    assert grant.home_organization == context["organizations"]["sntc"]
    assert catalan.team.filter(user=grant.user, role="auditor").exists()
    assert not AuditAccess.objects.filter(audit=context["audits"]["sntc"]).exists()
