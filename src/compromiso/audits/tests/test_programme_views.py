"""The audits home, the programme's and the proposals' pages: who sees, who changes; hostile
input (oversized text, bad dates, foreign ids in choices, markup in titles) gives a translated
error, loses nothing and is shown escaped."""

import datetime as dt

import pytest
from django.urls import reverse

from compromiso.audits import services
from compromiso.audits.models import AuditProgramme, AuditProposal, ProposalStatus
from compromiso.cases.models import RootCause
from compromiso.catalog.tests.factories import ServiceFactory
from compromiso.organizations.models import NetworkMember

pytestmark = pytest.mark.django_db

HOME = reverse("audits:home")
NEW_PROGRAMME = reverse("audits:programme_new")
NEW_PROPOSAL = reverse("audits:proposal_new")
HOSTILE = '<script>alert("x")</script>'


def _programme_post(**fields):
    data = {
        "title": "Programa 2027",
        "period_start": "2027-01-01",
        "period_end": "2027-12-31",
        "objectives": "Verificar cada servicio.",
        "extent": "",
        "risks": "",
        "resources": "",
        "budget_amount": "1000",
        "person_days": "10",
        "cycle_months": "24",
        "manager": "",
    }
    data.update(fields)
    return data


@pytest.fixture
def proposal(organization, auditor, service):
    return services.create_proposal(
        organization,
        by=auditor,
        title="Auditar licencias",
        reasons=["equity"],
        need="Reclamos en aumento.",
        services=[service],
    )


def test_anonymous_visitors_are_sent_to_log_in(client, running, proposal):
    for url in (
        HOME,
        NEW_PROGRAMME,
        reverse("audits:programme", args=[running.pk]),
        reverse("audits:proposal", args=[proposal.pk]),
        reverse("audits:mine"),
        reverse("audits:network"),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("login") in response["Location"]


def test_another_organisation_gets_404(client, outsider, running, proposal):
    client.force_login(outsider)

    for url in (
        reverse("audits:programme", args=[running.pk]),
        reverse("audits:programme_edit", args=[running.pk]),
        reverse("audits:proposal", args=[proposal.pk]),
        reverse("audits:proposal_edit", args=[proposal.pk]),
        reverse("audits:signal_new", args=[proposal.pk]),
        reverse("audits:proposal_accept", args=[proposal.pk]),
    ):
        assert client.get(url).status_code == 404, url
    for url in (
        reverse("audits:programme_move", args=[running.pk, "close"]),
        reverse("audits:programme_review", args=[running.pk]),
        reverse("audits:proposal_submit", args=[proposal.pk]),
        reverse("audits:proposal_reject", args=[proposal.pk]),
    ):
        assert client.post(url).status_code == 404, url
    assert running.title not in client.get(HOME).content.decode()


def test_a_viewer_reads_but_changes_nothing(client, viewer, running, proposal):
    client.force_login(viewer)

    home = client.get(HOME).content.decode()
    assert running.title in home
    assert proposal.title in home
    assert NEW_PROGRAMME not in home
    assert client.get(reverse("audits:programme", args=[running.pk])).status_code == 200
    assert client.get(reverse("audits:proposal", args=[proposal.pk])).status_code == 200
    assert client.get(NEW_PROGRAMME).status_code == 403
    assert client.get(NEW_PROPOSAL).status_code == 403
    assert client.get(reverse("audits:programme_edit", args=[running.pk])).status_code == 403
    assert client.get(reverse("audits:proposal_edit", args=[proposal.pk])).status_code == 403
    client.post(reverse("audits:programme_move", args=[running.pk, "close"]))
    running.refresh_from_db()
    assert running.status == "in_execution"


def test_the_quality_manager_creates_approves_and_runs_a_programme(client, quality_manager):
    client.force_login(quality_manager)

    response = client.post(NEW_PROGRAMME, _programme_post())
    programme = AuditProgramme.objects.get()
    assert response["Location"] == reverse("audits:programme", args=[programme.pk])
    for step in ("approve", "start"):
        client.post(reverse("audits:programme_move", args=[programme.pk, step]))
    client.post(reverse("audits:programme_review", args=[programme.pk]), {"notes": "Bien."})
    client.post(reverse("audits:programme_move", args=[programme.pk, "close"]))

    programme.refresh_from_db()
    assert programme.status == "closed"
    page = client.get(reverse("audits:programme", args=[programme.pk])).content.decode()
    assert "Bien." in page
    assert (
        client.post(reverse("audits:programme_move", args=[programme.pk, "x"])).status_code == 404
    )


def test_hostile_programme_input_is_refused_and_kept(client, quality_manager, other_organization):
    client.force_login(quality_manager)
    from compromiso.organizations.tests.factories import MembershipFactory, UserFactory

    foreigner = UserFactory(username="forastero")
    MembershipFactory(user=foreigner, organization=other_organization, role="quality_manager")
    for fields in (
        {"objectives": "x" * 5001},
        {"title": "t" * 201},
        {"period_start": "2027-02-30"},
        {"period_end": "9999-12-31"},
        {"period_start": "0001-01-01"},
        {"period_end": "2026-01-01"},
        {"cycle_months": "0"},
        {"budget_amount": "-5"},
        {"person_days": "1e99"},
        {"manager": str(foreigner.pk)},
        {"manager": "99999999999999999999999"},
        {"title": "nul\x00l"},
    ):
        response = client.post(NEW_PROGRAMME, _programme_post(**fields))
        assert response.status_code == 200, fields
        assert "data-error-summary" in response.content.decode(), fields
    assert not AuditProgramme.objects.exists()


def test_markup_in_titles_is_shown_escaped(client, quality_manager, auditor, service, running):
    client.force_login(quality_manager)
    client.post(NEW_PROGRAMME, _programme_post(title=HOSTILE))
    services.create_proposal(
        running.organization, by=auditor, title=HOSTILE, services=[service], need=HOSTILE
    )

    for url in (HOME, reverse("audits:proposal", args=[AuditProposal.objects.get().pk])):
        page = client.get(url).content.decode()
        assert "<script>alert" not in page
        assert "&lt;script&gt;" in page


def test_a_proposal_is_written_linked_submitted_and_accepted(
    client, auditor, quality_manager, service, running, organization
):
    client.force_login(auditor)
    response = client.post(
        NEW_PROPOSAL,
        {
            "title": "Auditar licencias",
            "programme": str(running.pk),
            "reasons": ["equity", "funded"],
            "need": "Dos sucursales con plazos distintos.",
            "services": [str(service.pk)],
            "service_kind": "funded",
            "supporters": "Asociación de usuarios.",
            "budget_amount": "2500",
            "person_days": "6",
        },
    )
    proposal = AuditProposal.objects.get()
    assert response["Location"] == reverse("audits:proposal", args=[proposal.pk])
    assert proposal.reasons == ["equity", "funded"]
    cause = RootCause.objects.create(organization=organization, code="TIE", name="Espera")
    response = client.post(
        reverse("audits:signal_new", args=[proposal.pk]),
        {"kind": "complaint_cause", "root_cause": str(cause.pk), "note": "Sube."},
    )
    assert response.status_code == 302
    assert proposal.signals.get().figures["root_cause"] == "Espera"
    client.post(reverse("audits:proposal_submit", args=[proposal.pk]))
    assert client.get(reverse("audits:proposal_accept", args=[proposal.pk])).status_code == 403

    client.force_login(quality_manager)
    response = client.post(
        reverse("audits:proposal_accept", args=[proposal.pk]),
        {
            "programme": str(running.pk),
            "planned_start": "2027-02-01",
            "planned_end": "2027-02-05",
            "note": "",
        },
    )
    proposal.refresh_from_db()
    audit = proposal.audits.get()
    assert proposal.status == ProposalStatus.ACCEPTED
    assert response["Location"] == reverse("audits:audit", args=[audit.pk])


def test_hostile_proposal_and_sign_input_is_refused(
    client, auditor, proposal, other_organization, organization
):
    client.force_login(auditor)
    foreign_service = ServiceFactory(organization=other_organization)
    foreign_cause = RootCause.objects.create(organization=other_organization, code="X", name="X")
    for fields in (
        {"title": "Otra", "services": [str(foreign_service.pk)]},
        {"title": "Otra", "reasons": ["gossip"]},
        {"title": "Otra", "need": "n" * 5001},
        {"title": "Otra", "programme": "abc"},
        {"title": ""},
    ):
        response = client.post(NEW_PROPOSAL, fields)
        assert response.status_code == 200, fields
        assert "data-error-summary" in response.content.decode(), fields
    url = reverse("audits:signal_new", args=[proposal.pk])
    for fields in (
        {"kind": "complaint_cause", "root_cause": str(foreign_cause.pk)},
        {"kind": "complaint_cause"},
        {"kind": "survey_segment", "segment": "s" * 201},
        {"kind": "unknown"},
        {"kind": "commitment", "commitment": "-1"},
    ):
        response = client.post(url, fields)
        assert response.status_code == 200, fields
        assert "data-error-summary" in response.content.decode(), fields
    assert AuditProposal.objects.filter(organization=organization).count() == 1
    assert not proposal.signals.exists()


def test_a_rejection_without_a_note_is_refused_with_a_message(
    client, auditor, quality_manager, proposal
):
    services.submit_proposal(proposal, by=auditor)
    client.force_login(quality_manager)
    url = reverse("audits:proposal_reject", args=[proposal.pk])

    response = client.post(url, {"note": ""}, follow=True)
    assert proposal.title in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.SUBMITTED

    client.post(url, {"note": "Fuera de alcance."})
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.REJECTED


def test_the_cycles_one_click_proposes_an_audit(client, quality_manager, running, service):
    client.force_login(quality_manager)
    page = client.get(reverse("audits:programme", args=[running.pk])).content.decode()
    assert reverse("audits:programme_propose", args=[running.pk]) in page

    response = client.post(
        reverse("audits:programme_propose", args=[running.pk]), {"service": str(service.pk)}
    )

    proposal = AuditProposal.objects.get()
    assert response["Location"] == reverse("audits:proposal", args=[proposal.pk])
    assert list(proposal.services.all()) == [service]
    bad = client.post(reverse("audits:programme_propose", args=[running.pk]), {"service": "x"})
    assert bad.status_code == 404


def test_the_network_page_is_for_the_network_analyst_and_shows_counts_only(
    client, viewer, planned, major, organization
):
    from compromiso.audits.models import Finding
    from compromiso.organizations.tests.factories import UserFactory

    Finding.objects.create(audit=planned, number=1, grade=major, statement="Texto secreto")
    client.force_login(viewer)
    assert client.get(reverse("audits:network")).status_code == 404

    analyst = UserFactory(username="red")
    NetworkMember.objects.create(user=analyst)
    client.force_login(analyst)
    response = client.get(reverse("audits:network"), {"year": "99999999999999"})

    page = response.content.decode()
    assert response.status_code == 200
    assert organization.name in page
    assert "No conformidad mayor: 1" in page
    assert "Texto secreto" not in page


def test_the_network_figures_by_hand(organization, other_organization, major):
    from compromiso.audits.models import Finding
    from compromiso.audits.network import network_figures
    from compromiso.audits.tests.factories import AuditFactory

    closed = AuditFactory(
        organization=organization, status="closed", actual_end=dt.date(2026, 3, 1)
    )
    AuditFactory(organization=organization, status="closed", actual_end=dt.date(2025, 12, 31))
    open_one = AuditFactory(organization=organization, status="fieldwork")
    cancelled = AuditFactory(organization=organization, status="cancelled")
    for number, (audit, status) in enumerate(
        [(closed, "closed"), (open_one, "open"), (open_one, "accepted"), (cancelled, "open")],
        start=1,
    ):
        Finding.objects.create(
            audit=audit, number=number, grade=major, statement="x", status=status
        )

    rows = {row.organization: row for row in network_figures(2026)}

    mine = rows[organization]
    assert (mine.closed_in_year, mine.open_audits) == (1, 1)
    assert mine.open_nonconformities == [("No conformidad mayor", 2)]
    assert not mine.seal  # never held a certificate: the page shows "—"
    assert (rows[other_organization].closed_in_year, rows[other_organization].open_audits) == (0, 0)
