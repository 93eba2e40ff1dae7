"""The remedies page and its forms, and the improvement action's page naming its audit finding."""

import datetime as dt

import pytest
from django.urls import reverse

from compromiso.audits import services
from compromiso.audits.models import Audit, AuditKind, Finding, FollowUp, Report
from compromiso.audits.tests import report_data
from compromiso.improvement import services as improvement
from compromiso.improvement.models import ActionStatus, ImprovementAction

pytestmark = pytest.mark.django_db


@pytest.fixture
def built(organization, auditor, branch):
    built = report_data.build(organization, lead=auditor, unit=branch)
    Report.objects.create(audit=built.audit, conclusions="Cumple en lo esencial.")
    services.issue_report(built.audit, by=auditor)
    built.audit.refresh_from_db()
    return built


def _form(branch, **extra):
    data = {
        "title": "Entregar el número de seguimiento",
        "description": "Imprimir el comprobante.",
        "root_cause": "El sistema no imprime el número.",
        "owner_unit": branch.pk,
        "due_date": "2099-01-31",
        "check_on": "protocol",
    }
    data.update(extra)
    return data


def _url(name, built, *args):
    return reverse(f"audits:{name}", args=[built.audit.pk, *args])


def test_anonymous_outsider_and_viewer(client, built, outsider, viewer):
    assert client.get(_url("remedies", built)).status_code == 302
    client.force_login(outsider)
    assert client.get(_url("remedies", built)).status_code == 404
    finding = built.findings[0].pk
    assert client.get(_url("remedy_new", built, finding)).status_code == 404
    client.force_login(viewer)
    assert client.get(_url("remedies", built)).status_code == 403
    assert client.get(_url("remedy_new", built, finding)).status_code == 403


def test_the_audited_side_proposes_the_remedy_from_the_page(client, built, unit_head, branch):
    client.force_login(unit_head)
    finding = built.findings[0]

    page = client.get(_url("remedies", built)).content.decode()
    form = client.get(_url("remedy_new", built, finding.pk))
    posted = client.post(_url("remedy_new", built, finding.pk), _form(branch))

    assert _url("remedy_new", built, finding.pk) in page
    assert form.status_code == 200
    assert posted.status_code == 302
    finding.refresh_from_db()
    assert finding.action is not None
    assert finding.action.due_date == dt.date(2099, 1, 31)
    page = client.get(_url("remedies", built)).content.decode()
    assert reverse("improvement:detail", args=[finding.action_id]) in page


def test_the_form_refuses_oversized_and_missing_input_and_keeps_what_was_typed(
    client, built, unit_head, branch
):
    client.force_login(unit_head)
    finding = built.findings[0]

    url = _url("remedy_new", built, finding.pk)
    too_long = client.post(url, _form(branch, title="x" * 201, description="Se queda"))
    no_cause = client.post(_url("remedy_new", built, finding.pk), _form(branch, root_cause=""))
    bad_unit = client.post(_url("remedy_new", built, finding.pk), _form(branch, owner_unit="999"))
    bad_date = client.post(
        _url("remedy_new", built, finding.pk), _form(branch, due_date="31/31/2099")
    )

    for response in (too_long, no_cause, bad_unit, bad_date):
        assert response.status_code == 200
    assert "Se queda" in too_long.content.decode()
    assert not ImprovementAction.objects.exists()


def test_a_past_due_date_comes_back_as_a_field_error(client, built, unit_head, branch):
    client.force_login(unit_head)

    response = client.post(
        _url("remedy_new", built, built.findings[0].pk), _form(branch, due_date="2001-01-01")
    )

    assert response.status_code == 200
    assert not ImprovementAction.objects.exists()


def test_no_remedy_for_an_observation_and_no_form_for_the_auditors(
    client, built, unit_head, auditor
):
    client.force_login(unit_head)
    assert client.get(_url("remedy_new", built, built.findings[2].pk)).status_code == 404
    client.force_login(auditor)
    assert client.get(_url("remedy_new", built, built.findings[0].pk)).status_code == 403
    assert _url("remedy_new", built, built.findings[0].pk) not in (
        client.get(_url("remedies", built)).content.decode()
    )


def test_hostile_text_stays_text(client, built, unit_head, branch):
    client.force_login(unit_head)
    client.post(
        _url("remedy_new", built, built.findings[0].pk),
        _form(branch, title="<img src=x onerror=alert(1)>", root_cause="<b>causa</b>"),
    )

    page = client.get(_url("remedies", built)).content.decode()

    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "&lt;b&gt;causa&lt;/b&gt;" in page


def test_the_lead_verifies_and_closes_from_the_page(client, built, unit_head, auditor, branch):
    action = services.propose_remedy(
        built.findings[0],
        by=unit_head,
        title="Arreglo",
        description="Arreglo.",
        root_cause="Causa.",
        owner_unit=branch,
        check_on="protocol",
    )
    for step in ("approved", "in_progress", "checking"):
        action = improvement.move_action(action, step, by=unit_head)
    improvement.record_check(action, effective=True, evidence="Visita.", by=unit_head)
    finding = built.findings[0]

    client.force_login(unit_head)
    assert client.post(_url("finding_verify", built, finding.pk)).status_code == 403
    client.force_login(auditor)
    page = client.get(_url("remedies", built)).content.decode()
    verified = client.post(_url("finding_verify", built, finding.pk), {"note": "Bien."})
    closed = client.post(_url("finding_close", built, finding.pk))

    assert _url("finding_verify", built, finding.pk) in page
    assert verified.status_code == closed.status_code == 302
    finding.refresh_from_db()
    assert finding.status == "closed"


def test_verifying_too_early_is_a_message_not_a_change(client, built, auditor):
    client.force_login(auditor)

    response = client.post(_url("finding_verify", built, built.findings[0].pk), follow=True)

    assert response.status_code == 200
    assert Finding.objects.get(pk=built.findings[0].pk).status == "accepted"
    assert list(response.context["messages"])


def test_follow_ups_from_the_page(client, built, auditor, quality_manager, organization):
    today = organization.today()
    client.force_login(auditor)

    bad = client.post(
        _url("follow_up_plan", built), {"plan-kind": "desk_review", "plan-scheduled_on": "nope"}
    )
    planned = client.post(
        _url("follow_up_plan", built),
        {"plan-kind": "desk_review", "plan-scheduled_on": today.isoformat(), "plan-notes": "Ver"},
    )
    follow_up = FollowUp.objects.get(audit=built.audit)
    recorded = client.post(
        _url("follow_up_record", built, follow_up.pk),
        {
            f"record-{follow_up.pk}-performed_on": today.isoformat(),
            f"record-{follow_up.pk}-result": "effective",
        },
    )
    client.force_login(quality_manager)
    scheduled = client.post(
        _url("remedy_follow_up_audit", built),
        {
            "audit-planned_start": (today + dt.timedelta(10)).isoformat(),
            "audit-planned_end": (today + dt.timedelta(12)).isoformat(),
        },
    )

    assert bad.status_code == planned.status_code == recorded.status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.result == "effective"
    assert scheduled.status_code == 302
    assert Audit.objects.get(follow_up_of=built.audit).kind == AuditKind.FOLLOW_UP
    assert FollowUp.objects.filter(audit=built.audit).count() == 2


def test_the_action_page_names_its_audit_finding_and_links_it_for_who_may_read_it(
    client, built, unit_head, quality_manager, officer, branch
):
    action = services.propose_remedy(
        built.findings[0],
        by=unit_head,
        title="Arreglo",
        description="Arreglo.",
        root_cause="Causa.",
        owner_unit=branch,
        check_on="protocol",
    )
    detail = reverse("improvement:detail", args=[action.pk])
    remedies = _url("remedies", built) + "#finding-1"

    client.force_login(quality_manager)
    page = client.get(detail).content.decode()
    client.force_login(officer)
    officer_page = client.get(detail).content.decode()

    assert f"hallazgo 1 de la auditoría {built.audit.reference}" in page
    assert remedies in page
    assert built.audit.reference in officer_page
    assert remedies not in officer_page


def test_the_improvement_board_filters_by_the_audit_finding_origin(
    client, built, unit_head, branch
):
    services.propose_remedy(
        built.findings[0],
        by=unit_head,
        title="Acción de auditoría",
        description="Arreglo.",
        root_cause="Causa.",
        owner_unit=branch,
        check_on="protocol",
    )
    client.force_login(unit_head)

    found = client.get(reverse("improvement:board"), {"origin": "audit_finding", "view": "list"})
    other = client.get(reverse("improvement:board"), {"origin": "case", "view": "list"})

    assert "Acción de auditoría" in found.content.decode()
    assert "Acción de auditoría" not in other.content.decode()


def test_a_rejected_action_shows_no_remedy_yet(client, built, unit_head, auditor, branch):
    action = services.propose_remedy(
        built.findings[0],
        by=unit_head,
        title="Arreglo",
        description="Arreglo.",
        root_cause="Causa.",
        owner_unit=branch,
        check_on="protocol",
    )
    improvement.move_action(action, ActionStatus.REJECTED, by=unit_head, comment="No.")
    client.force_login(auditor)

    page = client.get(_url("report", built)).content.decode()

    assert page.count("text-danger fw-semibold") >= 2  # both nonconformities in red
