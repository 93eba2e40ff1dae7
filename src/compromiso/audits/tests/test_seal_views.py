"""The seal's staff pages: who sees them (anonymous → log-in, another organisation → 404, a
member without an audit role → 403), the steps a quality manager and an auditor take through
them, and hostile input on every form."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from compromiso.audits import services
from compromiso.audits.frameworks import CSE, SEAL
from compromiso.audits.models import (
    Certificate,
    CertificateReview,
    CertificateStatus,
    CertificationBody,
    ElementRating,
    Framework,
    FrameworkNode,
    SelfAssessment,
)
from compromiso.audits.tests.seal_fixtures import (
    END,
    START,
    audit_in,
    build_world,
    evidence,
    hand_worked_events,
)
from compromiso.core.actors import SYSTEM

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 7, 1, 15, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _on_1_july_2026():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def world(organization):
    return build_world(organization)


@pytest.fixture
def framework(organization):
    return services.install_framework(organization, SEAL.code, by=SYSTEM)


@pytest.fixture
def assessment(organization, framework):
    return services.create_self_assessment(
        organization,
        by=SYSTEM,
        framework=framework,
        title="Autoevaluación 2026",
        started=START,
        cycle_start=START,
        cycle_end=END,
    )


@pytest.fixture
def certificate(organization, framework, quality_manager):
    body = services.save_certification_body(organization, by=SYSTEM, name="Certificadora")
    certificate = services.create_certificate(
        organization, by=SYSTEM, framework=framework, body=body, scope="Todo el servicio"
    )
    services.record_review(
        certificate,
        by=SYSTEM,
        kind="initial",
        date=dt.date(2026, 6, 10),
        result="confirmed",
        assessor="Ana Pérez",
        notes="Hallazgo interno: falta señalética",
    )
    return services.grant_certificate(
        certificate, by=SYSTEM, issued_on=dt.date(2026, 6, 15), number="SNTC-2026-TEST1"
    )


def _element(framework, ref="1.1.1"):
    return FrameworkNode.objects.get(framework=framework, ref=ref)


def _pages(framework, assessment, certificate):
    review = certificate.reviews.first()
    return [
        reverse("audits:seal"),
        reverse("audits:seal_framework", args=[framework.pk]),
        reverse("audits:seal_assessment", args=[assessment.pk]),
        reverse("audits:seal_matrix"),
        reverse("audits:seal_certificate", args=[certificate.pk]),
        reverse("audits:seal_certificate_matrix", args=[certificate.pk]),
        reverse("audits:seal_review", args=[review.pk]),
    ]


def test_anonymous_is_sent_to_log_in(client, framework, assessment, certificate):
    for url in _pages(framework, assessment, certificate):
        response = client.get(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


def test_a_member_without_an_audit_role_gets_403(
    client, viewer, framework, assessment, certificate
):
    client.force_login(viewer)
    for url in _pages(framework, assessment, certificate):
        assert client.get(url).status_code == 403, url


def test_another_organisations_member_gets_404_for_our_rows(
    client, other_organization, framework, assessment, certificate
):
    from compromiso.core.permissions import Role
    from compromiso.organizations.tests.factories import MembershipFactory, UserFactory

    manager = UserFactory(username="their-quality")
    MembershipFactory(user=manager, organization=other_organization, role=Role.QUALITY_MANAGER)
    client.force_login(manager)
    for url in _pages(framework, assessment, certificate)[1:]:
        if url == reverse("audits:seal_matrix"):
            continue
        assert client.get(url).status_code == 404, url
    assert client.get(reverse("audits:seal")).status_code == 200
    node = _element(framework)
    response = client.post(
        reverse("audits:seal_node_edit", args=[node.pk]), {"title": "x", "text": ""}
    )
    assert response.status_code == 404


def test_an_auditor_reads_and_rates_but_does_not_manage(
    client, auditor, framework, assessment, certificate
):
    client.force_login(auditor)
    for url in _pages(framework, assessment, certificate):
        assert client.get(url).status_code == 200, url
    node = _element(framework)
    response = client.post(
        reverse("audits:seal_rate", args=[assessment.pk, node.pk]),
        {"rating": "full", "note": "Visto en el modelo vigente"},
    )
    assert response.status_code == 302
    assert ElementRating.objects.get(assessment=assessment, node=node).rating == "full"
    for url, data in (
        (reverse("audits:seal_install"), {"code": CSE.code}),
        (reverse("audits:seal_node_edit", args=[node.pk]), {"title": "x"}),
        (reverse("audits:seal_assessment_submit", args=[assessment.pk]), {}),
        (reverse("audits:seal_grant", args=[certificate.pk]), {"issued_on": "2026-06-20"}),
        (reverse("audits:seal_status_change", args=[certificate.pk, "withdraw"]), {"reason": "x"}),
        (reverse("audits:seal_certificate_new"), {}),
        (reverse("audits:seal_body_new"), {"name": "Otra"}),
    ):
        assert client.post(url, data).status_code == 403, url
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.ACTIVE


def test_the_quality_manager_installs_edits_and_adds_elements(client, quality_manager):
    client.force_login(quality_manager)

    response = client.post(reverse("audits:seal_install"), {"code": CSE.code})

    cse = Framework.objects.get(code=CSE.code)
    assert response["Location"] == reverse("audits:seal_framework", args=[cse.pk])
    page = client.get(response["Location"]).content.decode()
    assert "Texto que debe introducir la organización." in page
    element = _element(cse, "4.3.5")
    response = client.post(
        reverse("audits:seal_node_edit", args=[element.pk]),
        {"title": "Tratamos los reclamos", "text": "<script>alert(1)</script> texto con licencia"},
    )
    assert response.status_code == 302
    page = client.get(reverse("audits:seal_framework", args=[cse.pk])).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page
    sub = FrameworkNode.objects.get(framework=cse, ref="4.3")
    response = client.post(
        reverse("audits:seal_element_add", args=[sub.pk]),
        {"ref": "4.3.6", "title": "Nuevo elemento", "text": ""},
    )
    assert response.status_code == 302
    assert FrameworkNode.objects.filter(framework=cse, assessable=True).count() == 58
    assert client.post(reverse("audits:seal_install"), {"code": "nope"}).status_code == 302
    assert Framework.objects.filter(code="nope").count() == 0


def test_hostile_input_on_the_framework_forms_is_refused_without_a_500(
    client, quality_manager, framework
):
    client.force_login(quality_manager)
    node = _element(framework)
    sub = FrameworkNode.objects.get(framework=framework, ref="1.1")
    for data in (
        {"title": "", "text": ""},
        {"title": "x" * 301, "text": ""},
        {"title": "ok", "text": "y" * 4001},
        {"title": "nul\x00byte", "text": ""},
    ):
        response = client.post(reverse("audits:seal_node_edit", args=[node.pk]), data)
        assert response.status_code == 200, data
    for data in (
        {"ref": "1.1.1", "title": "Repetida"},
        {"ref": "' OR 1=1 --", "title": "x"},
        {"ref": "<b>", "title": "x"},
        {"ref": "9" * 21, "title": "x"},
    ):
        response = client.post(reverse("audits:seal_element_add", args=[sub.pk]), data)
        assert response.status_code == 200, data
    leaf = _element(framework)
    assert client.get(reverse("audits:seal_element_add", args=[leaf.pk])).status_code == 404
    assert client.get("/staff/audits/seal/criteria/99999999999999999999/edit/").status_code == 404


def test_a_self_assessment_is_started_rated_and_submitted_through_the_pages(
    client, quality_manager, framework, organization, world
):
    client.force_login(quality_manager)
    response = client.post(
        reverse("audits:seal_assessment_new"),
        {
            "framework": framework.pk,
            "title": "Camino al sello",
            "started": "2026-06-01",
            "cycle_start": "2026-01-01",
            "cycle_end": "2026-06-30",
        },
    )
    assessment = SelfAssessment.objects.get(title="Camino al sello")
    assert response["Location"] == reverse("audits:seal_assessment", args=[assessment.pk])
    first, second = _element(framework, "1.1.1"), _element(framework, "1.1.2")
    closed = audit_in(organization)
    piece = evidence(
        closed,
        world.commitments["K1"],
        world.touch_points["T1"],
        when=dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC),
    )

    response = client.post(
        reverse("audits:seal_rate", args=[assessment.pk, first.pk]),
        {"rating": "plus", "note": "Modelo vigente", "evidence": [piece.pk], "next": "1"},
    )

    assert response["Location"] == reverse("audits:seal_rate", args=[assessment.pk, second.pk])
    rating = ElementRating.objects.get(assessment=assessment, node=first)
    assert list(rating.evidence.all()) == [piece]
    at_t1 = (
        reverse("audits:seal_rate", args=[assessment.pk, first.pk])
        + f"?touch_point={world.touch_points['T1'].pk}"
    )
    assert client.post(at_t1, {"rating": "partial"}).status_code == 302
    assert ElementRating.objects.get(node=first, touch_point=world.touch_points["T1"]).rating == (
        "partial"
    )
    page = client.get(reverse("audits:seal_assessment", args=[assessment.pk])).content.decode()
    assert "Preparación por criterio" in page
    assert "<progress" in page
    client.post(reverse("audits:seal_assessment_submit", args=[assessment.pk]))
    assessment.refresh_from_db()
    assert assessment.status == "submitted"
    response = client.post(
        reverse("audits:seal_rate", args=[assessment.pk, second.pk]), {"rating": "full"}
    )
    assert response.status_code == 302
    assert not ElementRating.objects.filter(node=second).exists()


def test_hostile_input_on_the_rating_form_is_refused_without_a_500(
    client, auditor, framework, assessment, other_organization
):
    client.force_login(auditor)
    node = _element(framework)
    url = reverse("audits:seal_rate", args=[assessment.pk, node.pk])
    foreign = evidence(
        audit_in(other_organization),
        None,
        None,
        when=dt.datetime(2026, 3, 1, tzinfo=dt.UTC),
    )
    for data in (
        {"rating": "excellent"},
        {"rating": "<script>"},
        {"rating": "full", "note": "n" * 4001},
        {"rating": "full", "evidence": ["abc"]},
        {"rating": "full", "evidence": [str(foreign.pk)]},
        {"rating": "full", "evidence": ["99999999999999999999999"]},
    ):
        assert client.post(url, data).status_code == 200, data
    assert not ElementRating.objects.exists()
    for query in ("?touch_point=abc", "?touch_point=99999999999999999999999", "?touch_point=-1"):
        assert client.get(url + query).status_code == 404
        assert client.post(url + query, {"rating": "full"}).status_code == 404
    assert not ElementRating.objects.exists()
    assert client.get(url + "?touch_point=").status_code == 200
    assert client.get(url.replace(str(node.pk), "0")).status_code == 404
    sub = FrameworkNode.objects.get(framework=framework, ref="1.1")
    assert client.get(reverse("audits:seal_rate", args=[assessment.pk, sub.pk])).status_code == 404


def test_the_matrix_page_is_a_real_table_with_words_not_only_colours(client, auditor, world):
    hand_worked_events(world)
    client.force_login(auditor)

    page = client.get(
        reverse("audits:seal_matrix"), {"start": "2026-01-01", "end": "2026-06-30"}
    ).content.decode()

    assert "<caption>" in page
    assert '<th scope="col">T1' in page
    assert '<th scope="row" class="fw-normal">Atendemos en 15 minutos.' in page
    assert page.count("Verificado</") == 0  # the state word is followed by its date
    assert "Verificado" in page
    assert "No conforme" in page
    assert "Falta" in page
    assert "3 de 7 verificados · 1 no conformes · 3 sin evidencia" in page
    for query in (
        {"start": "2026-99-01"},
        {"start": "0001-01-01", "end": "9999-12-31"},
        {"certificate": "abc"},
        {"certificate": "99999999999999999999"},
        {"end": "2026-01-01", "start": "2026-06-30"},
    ):
        assert client.get(reverse("audits:seal_matrix"), query).status_code == 200, query


def test_certification_through_the_pages(client, quality_manager, framework, world):
    client.force_login(quality_manager)
    client.post(
        reverse("audits:seal_body_new"),
        {"name": "Certificadora Andina", "accreditation": "INN", "website": "https://example.org"},
    )
    body = CertificationBody.objects.get()
    response = client.post(
        reverse("audits:seal_certificate_new"),
        {
            "framework": framework.pk,
            "body": body.pk,
            "scope": "Atención presencial",
            "touch_points": [world.touch_points["T1"].pk],
        },
    )
    certificate = Certificate.objects.get()
    assert response["Location"] == reverse("audits:seal_certificate", args=[certificate.pk])
    response = client.post(
        reverse("audits:seal_grant", args=[certificate.pk]), {"issued_on": "2026-06-20"}
    )
    assert response.status_code == 200  # no assessment recorded yet: the page says so
    assert "evaluación inicial" in response.content.decode()
    element = _element(framework, "3.2.1")
    response = client.post(
        reverse("audits:seal_review_new", args=[certificate.pk]),
        {
            "kind": "initial",
            "date": "2026-06-18",
            "result": "confirmed",
            "assessor": "Ana Pérez",
            "notes": "Sin observaciones",
            f"rating_{element.pk}": "plus",
        },
    )
    review = CertificateReview.objects.get()
    assert response["Location"] == reverse("audits:seal_review", args=[review.pk])
    assert review.ratings == {"3.2.1": "plus"}
    response = client.post(
        reverse("audits:seal_grant", args=[certificate.pk]),
        {"issued_on": "2026-06-20", "number": "sntc-2026-0001"},
    )
    assert response.status_code == 302
    certificate.refresh_from_db()
    assert certificate.number == "SNTC-2026-0001"
    page = client.get(reverse("audits:seal_certificate", args=[certificate.pk])).content.decode()
    assert "20 jun 2027" in page  # first surveillance review due
    assert "/seal/SNTC-2026-0001/" in page
    response = client.post(
        reverse("audits:seal_status_change", args=[certificate.pk, "suspend"]), {"reason": ""}
    )
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.ACTIVE
    client.post(
        reverse("audits:seal_status_change", args=[certificate.pk, "suspend"]),
        {"reason": "Revisión pendiente"},
    )
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.SUSPENDED
    assert (
        client.post(
            reverse("audits:seal_status_change", args=[certificate.pk, "explode"]), {"reason": "x"}
        ).status_code
        == 404
    )
    assert (
        client.get(
            reverse("audits:seal_status_change", args=[certificate.pk, "suspend"])
        ).status_code
        == 405
    )


def test_hostile_input_on_the_certification_forms_is_refused_without_a_500(
    client, quality_manager, certificate, framework
):
    client.force_login(quality_manager)
    for data in (
        {"kind": "initial", "date": "2026-06-18", "result": "confirmed", "assessor": "x"},
        {"kind": "surveillance", "date": "2026-13-01", "result": "confirmed", "assessor": "x"},
        {"kind": "surveillance", "date": "2026-06-18", "result": "great", "assessor": "x"},
        {
            "kind": "surveillance",
            "date": "2026-06-18",
            "result": "confirmed",
            "assessor": "a" * 201,
        },
        {"kind": "surveillance", "date": "2099-06-18", "result": "confirmed", "assessor": "x"},
        {"kind": "surveillance", "date": "2026-06-18", "result": "confirmed", "assessor": ""},
    ):
        response = client.post(reverse("audits:seal_review_new", args=[certificate.pk]), data)
        assert response.status_code == 200, data
    assert certificate.reviews.count() == 1
    for data in (
        {"name": ""},
        {"name": "n" * 201},
        {"name": "ok", "website": "javascript:alert(1)"},
    ):
        assert client.post(reverse("audits:seal_body_new"), data).status_code == 200, data
    for data in (
        {"framework": "abc", "body": "1", "scope": "x"},
        {"framework": framework.pk, "body": "99999999999999999999", "scope": "x"},
        {"framework": framework.pk, "body": certificate.body_id, "scope": ""},
        {"framework": framework.pk, "body": certificate.body_id, "scope": "s" * 4001},
    ):
        assert client.post(reverse("audits:seal_certificate_new"), data).status_code == 200, data
    assert Certificate.objects.count() == 1
    page = client.get(reverse("audits:seal_review", args=[certificate.reviews.get().pk]))
    assert "coincide con su huella" in page.content.decode()
