"""The findings pages: the list with the counts by grade and the unresolved divergences, the
form (only this audit's evidence and checklist), the audited side's answer and the team's
resolution, the grading scale's settings; and who may do what."""

import pytest
from django.urls import reverse

from compromiso.audits import services
from compromiso.audits.models import Finding, FindingStatus, Grade
from compromiso.audits.tests.factories import AuditFactory
from compromiso.audits.tests.test_snapshots_fixtures import *  # noqa: F403 (fixtures)

pytestmark = pytest.mark.django_db


@pytest.fixture
def grades(organization):
    return {g.code: g for g in services.ensure_grades(organization)}


@pytest.fixture
def audited(audit, branch):
    audit.unit = branch
    audit.save()
    return audit


@pytest.fixture
def snapshot(audited, auditor, web_point):
    return services.take_snapshot(audited, "tp_cases", by=auditor, touch_point=web_point)


def _url(audit, name="audits:findings", **kwargs):
    return reverse(name, kwargs={"pk": audit.pk, **kwargs})


def test_who_sees_the_findings(client, audited, outsider, viewer, auditor, unit_head, officer):
    client.force_login(outsider)
    assert client.get(_url(audited)).status_code == 404
    for person, status in ((viewer, 403), (officer, 403), (auditor, 200), (unit_head, 200)):
        client.force_login(person)
        assert client.get(_url(audited)).status_code == status


def test_the_auditor_records_a_nonconformity_on_evidence(
    client, audited, auditor, grades, snapshot, web_point
):
    client.force_login(auditor)
    form = client.get(_url(audited, "audits:finding_new"), {"evidence": str(snapshot.pk)})
    assert form.status_code == 200
    assert "checked" in form.content.decode()  # the evidence it came from is ticked

    response = client.post(
        _url(audited, "audits:finding_new"),
        {
            "grade": grades["major_nc"].pk,
            "statement": "Un tercio de los reclamos se responde fuera de plazo.",
            "criterion": "Compromiso 1",
            "touch_point": web_point.pk,
            "evidence": [snapshot.pk],
        },
    )

    finding = Finding.objects.get()
    assert response["Location"] == _url(audited, "audits:finding", finding_pk=finding.pk)
    assert finding.number == 1
    page = client.get(_url(audited)).content.decode()
    assert "No conformidad mayor: <strong>1</strong>" in page


def test_a_nonconformity_without_evidence_is_refused_clearly(client, audited, auditor, grades):
    client.force_login(auditor)

    response = client.post(
        _url(audited, "audits:finding_new"),
        {"grade": grades["minor_nc"].pk, "statement": "Sin respaldo."},
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "debe apoyarse en evidencia objetiva" in html
    assert "Sin respaldo." in html  # nothing typed is lost
    assert not Finding.objects.exists()


def test_evidence_of_another_audit_is_not_a_choice(
    client, audited, auditor, grades, organization, web_point
):
    other = AuditFactory(organization=organization)
    foreign = services.take_snapshot(other, "tp_cases", by=auditor, touch_point=web_point)
    client.force_login(auditor)

    response = client.post(
        _url(audited, "audits:finding_new"),
        {"grade": grades["major_nc"].pk, "statement": "X", "evidence": [foreign.pk]},
    )

    assert response.status_code == 200
    assert not Finding.objects.exists()


def test_the_answerer_cannot_record_and_the_auditor_cannot_answer(
    client, audited, auditor, unit_head, grades
):
    finding = services.record_finding(
        audited, by=auditor, grade=grades["observation"], statement="Folletos agotados."
    )
    client.force_login(unit_head)
    assert client.get(_url(audited, "audits:finding_new")).status_code == 403
    assert client.post(_url(audited, "audits:finding_new"), {}).status_code == 403

    client.force_login(auditor)
    answer = _url(audited, "audits:finding_answer", finding_pk=finding.pk)
    assert client.post(answer, {"decision": "accepted"}).status_code == 403
    finding.refresh_from_db()
    assert finding.status == FindingStatus.OPEN


def test_the_audited_side_disputes_and_the_team_resolves(
    client, audited, auditor, unit_head, grades, snapshot
):
    finding = services.record_finding(
        audited, by=auditor, grade=grades["minor_nc"], statement="Atrasos.", evidence=[snapshot]
    )
    detail = _url(audited, "audits:finding", finding_pk=finding.pk)
    client.force_login(unit_head)
    assert 'name="decision"' in client.get(detail).content.decode()

    client.post(
        _url(audited, "audits:finding_answer", finding_pk=finding.pk), {"decision": "disputed"}
    )
    finding.refresh_from_db()
    assert finding.status == FindingStatus.OPEN  # a dispute needs the diverging opinion

    client.post(
        _url(audited, "audits:finding_answer", finding_pk=finding.pk),
        {"decision": "disputed", "diverging_opinion": "<b>Marzo</b> tuvo un paro."},
    )
    finding.refresh_from_db()
    assert finding.status == FindingStatus.DISPUTED
    assert "&lt;b&gt;Marzo&lt;/b&gt;" in client.get(detail).content.decode()
    assert (
        client.post(
            _url(audited, "audits:finding_divergence", finding_pk=finding.pk), {"note": "Yo."}
        ).status_code
        == 403
    )

    client.force_login(auditor)
    listing = client.get(_url(audited)).content.decode()
    assert "Atrasos." in listing.split('id="unresolved"')[1].split("</ul>")[0]
    client.post(
        _url(audited, "audits:finding_divergence", finding_pk=finding.pk),
        {"note": "Se mantiene: abril confirma el atraso."},
    )
    finding.refresh_from_db()
    assert finding.divergence_resolved
    assert list(services.unresolved_divergences(audited)) == []


def test_the_auditor_corrects_a_finding(client, audited, auditor, grades):
    finding = services.record_finding(
        audited, by=auditor, grade=grades["observation"], statement="Borrador."
    )
    client.force_login(auditor)
    edit = _url(audited, "audits:finding_edit", finding_pk=finding.pk)
    assert "Borrador." in client.get(edit).content.decode()

    client.post(
        edit,
        {"grade": grades["improvement"].pk, "statement": "Final.", "root_cause": "Causa."},
    )

    finding.refresh_from_db()
    assert (finding.grade, finding.statement, finding.root_cause) == (
        grades["improvement"],
        "Final.",
        "Causa.",
    )


def test_pages_of_a_finding_of_another_audit_are_404(
    client, audited, auditor, grades, organization
):
    other = AuditFactory(organization=organization)
    finding = services.record_finding(
        other, by=auditor, grade=grades["observation"], statement="Ajeno."
    )
    client.force_login(auditor)

    assert client.get(_url(audited, "audits:finding", finding_pk=finding.pk)).status_code == 404
    assert (
        client.get(_url(audited, "audits:finding_edit", finding_pk=finding.pk)).status_code == 404
    )


def test_the_scale_settings(client, organization, quality_manager, auditor, audit, grades):
    client.force_login(auditor)
    assert client.get(reverse("audits:grades")).status_code == 403
    client.force_login(quality_manager)
    assert client.get(reverse("audits:grades")).status_code == 200

    client.post(
        reverse("audits:grade_new"),
        {
            "code": "critical",
            "label": "<i>Crítica</i>",
            "kind": "nonconformity",
            "severity": 4,
            "action_within_days": 10,
            "order": 0,
        },
    )
    critical = Grade.objects.get(code="critical")
    page = client.get(reverse("audits:grades")).content.decode()
    assert "&lt;i&gt;Crítica&lt;/i&gt;" in page

    client.post(
        reverse("audits:grade_edit", args=[grades["observation"].pk]),
        {"label": "Observación leve", "kind": "observation", "severity": 1, "order": 3},
    )
    assert Grade.objects.get(pk=grades["observation"].pk).label == "Observación leve"

    services.record_finding(audit, by=quality_manager, grade=grades["observation"], statement="X")
    client.post(reverse("audits:grade_delete", args=[grades["observation"].pk]))
    assert Grade.objects.filter(pk=grades["observation"].pk).exists()  # in use
    client.post(reverse("audits:grade_delete", args=[critical.pk]))
    assert not Grade.objects.filter(pk=critical.pk).exists()


def test_a_grade_of_another_organisation_is_404(client, quality_manager, other_organization):
    foreign = services.ensure_grades(other_organization)[0]
    client.force_login(quality_manager)

    assert client.get(reverse("audits:grade_edit", args=[foreign.pk])).status_code == 404
    assert client.post(reverse("audits:grade_delete", args=[foreign.pk])).status_code == 404


def test_malformed_grade_input_is_refused(client, quality_manager, grades):
    client.force_login(quality_manager)

    response = client.post(
        reverse("audits:grade_new"),
        {"code": "../x", "label": "x" * 300, "kind": "bogus", "severity": "-1", "order": "z"},
    )

    assert response.status_code == 200
    assert Grade.objects.count() == 5
