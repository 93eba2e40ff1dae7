"""The audits API (scoped to the token's organisation), the staff home's audits panel, the
forms posted from another page (review, rejection, acceptance, results, follow-up, cancel,
revoke) under hostile input, a survey sign of need, and the daily expiry command."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from compromiso.audits import services
from compromiso.audits.models import (
    Audit,
    AuditAccess,
    AuditStatus,
    Finding,
    ProposalStatus,
)
from compromiso.audits.tests.engage_fixtures import sign_both, window
from compromiso.catalog.tests.factories import ServiceFactory
from compromiso.organizations.services import create_api_token
from compromiso.surveys.models import Question, Questionnaire, ScoreCount, SegmentCount, Wave

pytestmark = pytest.mark.django_db


def _api(client, user, organization):
    _token, raw = create_api_token(user=user, organization=organization, name="t")
    return lambda path: client.get(f"/api/v1{path}", headers={"Authorization": f"Bearer {raw}"})


def test_the_api_lists_and_shows_the_organisations_audits(
    client, viewer, planned, running, auditor, quality_manager, major, other_organization
):
    member = planned.team.get(user=auditor)
    services.declare(
        member, by=auditor, self_check={}, independent=False, conflicts="Trabajé allí."
    )
    Finding.objects.create(audit=planned, number=1, grade=major, statement="x")
    foreign = Audit.objects.create(
        organization=other_organization,
        reference="AUD-2026-01",
        title="Ajena",
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 1, 31),
        planned_start=dt.date(2026, 2, 1),
        planned_end=dt.date(2026, 2, 5),
    )
    get = _api(client, viewer, planned.organization)

    listed = get("/audits").json()["items"]
    assert [row["reference"] for row in listed] == ["AUD-2026-01"]
    assert listed[0]["id"] == planned.pk
    assert listed[0]["lead"] == auditor.pk
    detail = get(f"/audits/{planned.pk}").json()
    assert detail["status"] == "planned"
    assert detail["touch_points"] == [planned.touch_points.get().pk]
    assert detail["team"][0]["conflict_declared"] is True
    assert detail["counts"]["nonconformities"] == 1
    assert detail["counts"]["open_nonconformities"] == 1
    assert detail["agreement_signed"] is False
    assert get(f"/audits/{foreign.pk}").status_code == 404
    assert get("/audits/99999999999999999999").status_code in (404, 422)
    programmes = get("/audit-programmes").json()["items"]
    assert [p["title"] for p in programmes] == [running.title]


def test_the_api_needs_a_token(client):
    assert client.get("/api/v1/audits").status_code == 401


def test_the_home_panel_lists_my_audits_and_proposals_awaiting_a_decision(
    client, auditor, quality_manager, planned, service
):
    proposal = services.create_proposal(
        planned.organization,
        by=auditor,
        title="Auditar el call center",
        reasons=["equity"],
        need="Quejas.",
        services=[service],
    )
    services.submit_proposal(proposal, by=auditor)

    client.force_login(auditor)
    page = client.get(reverse("organizations:overview")).content.decode()
    assert planned.reference in page
    assert "Auditar el call center" not in page

    client.force_login(quality_manager)
    page = client.get(reverse("organizations:overview")).content.decode()
    assert "Auditar el call center" in page


def _in_reporting(audit, quality_manager, auditor):
    sign_both(audit, auditor, quality_manager)
    for step in ("agree", "start", "report"):
        audit = services.move_audit(audit, step, by=quality_manager)
    return audit


def test_forms_posted_from_a_page_refuse_hostile_input_and_save_nothing(
    client, quality_manager, auditor, planned, running, other_organization, external
):
    from compromiso.audits.models import AuditProgramme

    proposal = services.create_proposal(
        planned.organization,
        by=auditor,
        title="P",
        reasons=["equity"],
        need="N",
        services=[ServiceFactory(organization=planned.organization)],
    )
    services.submit_proposal(proposal, by=auditor)
    foreign_programme = AuditProgramme.objects.create(
        organization=other_organization,
        title="Ajeno",
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 12, 31),
        status="approved",
    )
    start, end = window()
    grant = services.grant_access(
        planned, by=quality_manager, user=external, valid_from=start, valid_until=end
    )
    audit = _in_reporting(planned, quality_manager, auditor)
    client.force_login(quality_manager)
    posts = [
        (reverse("audits:programme_review", args=[running.pk]), {"notes": "n" * 5001}),
        (reverse("audits:programme_review", args=[running.pk]), {"notes": ""}),
        (reverse("audits:proposal_reject", args=[proposal.pk]), {"note": "r" * 2001}),
        (reverse("audits:audit_results", args=[audit.pk]), {"decision": "burn"}),
        (
            reverse("audits:audit_results", args=[audit.pk]),
            {"decision": "publish", "note": "x" * 2001},
        ),
        (
            reverse("audits:follow_up_audit", args=[audit.pk]),
            {"planned_start": "2027-02-30", "planned_end": "2027-03-01"},
        ),
        (
            reverse("audits:follow_up_audit", args=[audit.pk]),
            {"planned_start": "2027-03-05", "planned_end": "2027-03-01"},
        ),
        (reverse("audits:audit_move", args=[audit.pk, "cancel"]), {"reason": "c" * 501}),
        (reverse("audits:audit_move", args=[audit.pk, "cancel"]), {"reason": ""}),
        (reverse("audits:access_revoke", args=[grant.pk]), {"reason": "r" * 301}),
    ]
    for url, data in posts:
        response = client.post(url, data, follow=True)
        assert response.status_code == 200, url
        assert "alert-danger" in response.content.decode(), (url, data)
    accept = reverse("audits:proposal_accept", args=[proposal.pk])
    for fields in (
        {"programme": str(foreign_programme.pk)},
        {"programme": str(running.pk), "planned_start": "2026-09-10", "planned_end": "2026-09-01"},
        {"programme": str(running.pk), "planned_start": "10/09/2026"},
    ):
        data = {"planned_start": "2026-09-01", "planned_end": "2026-09-05", **fields}
        response = client.post(accept, data)
        assert "data-error-summary" in response.content.decode(), fields
    running.refresh_from_db()
    audit.refresh_from_db()
    grant.refresh_from_db()
    proposal.refresh_from_db()
    assert running.reviewed_at is None
    assert proposal.status == ProposalStatus.SUBMITTED
    assert audit.status == AuditStatus.REPORTING
    assert audit.results_decision == ""
    assert not audit.follow_up_audits.exists()
    assert grant.revoked_at is None


def test_a_survey_segment_sign_freezes_the_question_and_the_segment(organization, auditor, service):
    questionnaire = Questionnaire.objects.create(
        organization=organization, title="Satisfacción", language="es"
    )
    overall = Question.objects.create(
        questionnaire=questionnaire,
        kind="scale",
        texts={"es": "Satisfacción general"},
        scale_min=1,
        scale_max=7,
        satisfied_min=6,
        dissatisfied_max=4,
        is_overall=True,
    )
    wave = Wave.objects.create(
        organization=organization,
        questionnaire=questionnaire,
        title="Ola 2026",
        kind="continuous",
        opens_on=dt.date(2026, 1, 1),
        closes_on=dt.date(2026, 12, 31),
    )
    month = dt.date(2026, 5, 1)
    # Whole wave: 6 satisfied (6–7), 2 neutral (5), 2 dissatisfied (≤ 4) of 10 → net 40, 60 %.
    for score, count in ((7, 4), (6, 2), (5, 2), (2, 2)):
        ScoreCount.objects.create(
            wave=wave, question=overall, service=service, month=month, score=score, count=count
        )
    # Businesses: 1 satisfied, 3 dissatisfied of 4 → net −50, 25 %.
    for score, count in ((7, 1), (1, 3)):
        SegmentCount.objects.create(
            wave=wave,
            question=overall,
            service=service,
            segment="user_type",
            value="business",
            score=score,
            count=count,
        )
    proposal = services.create_proposal(organization, by=auditor, title="Empresas")

    signal = services.add_need_signal(
        proposal, by=auditor, kind="survey_segment", wave=wave, segment="user_type=business"
    )

    assert signal.figures["whole_wave"] == {"n": 10, "net": 40.0, "satisfied": 60.0}
    assert signal.figures["segment"] == {
        "name": "user_type=business",
        "n": 4,
        "net": -50.0,
        "satisfied": 25.0,
    }


def test_the_daily_command_records_ended_grants(planned, quality_manager, external):
    now = timezone.now()
    grant = services.grant_access(
        planned,
        by=quality_manager,
        user=external,
        valid_from=now - dt.timedelta(days=3),
        valid_until=now + dt.timedelta(seconds=1),
    )
    AuditAccess.objects.filter(pk=grant.pk).update(valid_until=now - dt.timedelta(seconds=1))
    out = StringIO()

    call_command("audit_access_expiry", stdout=out)

    assert out.getvalue().strip() == "expired=1"
    grant.refresh_from_db()
    assert grant.revoke_reason == "expired"
