"""The public seal pages: an organisation's certificates and the verify page anyone can use —
what they show and what they never show, unknown numbers, another organisation's certificate,
hostile input in the look-up form, and rate limiting of failed look-ups."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from compromiso.audits import services
from compromiso.audits.frameworks import SEAL
from compromiso.audits.tests.seal_fixtures import build_world
from compromiso.core.actors import SYSTEM
from compromiso.organizations.tests.factories import OrganizationFactory
from compromiso.portal.seal import FAILED_LOOKUPS

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 7, 1, 15, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _on_1_july_2026():
    with time_machine.travel(NOW, tick=False):
        yield


def _certificate(organization, number, *, grant=True, issued_on=dt.date(2026, 6, 15)):
    world = build_world(organization)
    framework = services.install_framework(organization, SEAL.code, by=SYSTEM)
    body = services.save_certification_body(
        organization, by=SYSTEM, name="Certificadora Andina", accreditation="Acreditación OC-7"
    )
    certificate = services.create_certificate(
        organization,
        by=SYSTEM,
        framework=framework,
        body=body,
        scope="Atención presencial <b>y</b> web",
        touch_points=[world.touch_points["T1"]],
        services=[world.services["S1"]],
    )
    if grant:
        services.record_review(
            certificate,
            by=SYSTEM,
            kind="initial",
            date=issued_on - dt.timedelta(days=5),
            result="conditions",
            assessor="Ana Pérez Secreta",
            notes="HALLAZGO INTERNO: la sucursal no tiene señalética",
            ratings={"1.1.1": "partial"},
        )
        certificate = services.grant_certificate(
            certificate, by=SYSTEM, issued_on=issued_on, number=number
        )
    return certificate


@pytest.fixture
def certificate(organization):
    return _certificate(organization, "SNTC-2026-0001")


def test_the_verify_page_shows_what_anyone_may_know(client, certificate):
    response = client.get(reverse("portal:seal_verify", args=["SNTC-2026-0001"]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Este certificado es válido" in page
    assert "<strong>Vigente</strong>" in page
    assert "Servicio Nacional de Ejemplo" in page
    assert "Sello de calidad del servicio" in page
    assert "Certificadora Andina" in page
    assert "T1" in page
    assert "Certificados" in page  # the service
    assert "14 junio 2029" in page  # valid until
    assert "Evaluación inicial, 10 junio 2026" in page  # last review
    assert "Atención presencial &lt;b&gt;y&lt;/b&gt; web" in page  # escaped


def test_nothing_internal_is_shown(client, certificate):
    pages = [
        client.get(reverse("portal:seal_verify", args=["SNTC-2026-0001"])).content.decode(),
        client.get(reverse("portal:seal", args=[certificate.organization.slug])).content.decode(),
    ]
    for page in pages:
        assert "HALLAZGO INTERNO" not in page
        assert "Ana Pérez Secreta" not in page
        assert "Cumplimiento parcial" not in page
        assert certificate.matrix_sha256 not in page
        assert "Atendemos en 15 minutos" not in page  # the matrix's rows


def test_the_organisations_page_lists_its_certificates_only(
    client, certificate, other_organization
):
    theirs = _certificate(other_organization, "CAT-2026-0001")

    ours = client.get(reverse("portal:seal", args=[certificate.organization.slug]))
    other = client.get(reverse("portal:seal", args=[other_organization.slug]))

    assert "SNTC-2026-0001" in ours.content.decode()
    assert "CAT-2026-0001" not in ours.content.decode()
    assert theirs.number in other.content.decode()
    assert "SNTC-2026-0001" not in other.content.decode()
    assert client.get(reverse("portal:seal", args=["no-such-org"])).status_code == 404


def test_an_inactive_organisation_and_a_certificate_not_granted_do_not_exist(
    client, certificate, other_organization
):
    _certificate(other_organization, "", grant=False)
    page = client.get(reverse("portal:seal", args=[other_organization.slug])).content.decode()
    assert "no tiene actualmente ningún sello" in page
    organization = certificate.organization
    organization.is_active = False
    organization.save()
    assert client.get(reverse("portal:seal_verify", args=["SNTC-2026-0001"])).status_code == 404
    assert client.get(reverse("portal:seal", args=[organization.slug])).status_code == 404


def test_states_other_than_valid_are_said_plainly(client, certificate):
    url = reverse("portal:seal_verify", args=["SNTC-2026-0001"])
    services.suspend_certificate(certificate, by=SYSTEM, reason="Motivo interno reservado")
    page = client.get(url).content.decode()
    assert "Este certificado está suspendido." in page
    assert "Motivo interno reservado" not in page
    services.withdraw_certificate(certificate, by=SYSTEM, reason="x")
    page = client.get(url).content.decode()
    assert "Este certificado ha sido retirado." in page
    assert "<strong>Retirado</strong>" in page
    # Withdrawn certificates are verifiable but no longer listed.
    listing = client.get(reverse("portal:seal", args=[certificate.organization.slug]))
    assert "SNTC-2026-0001" not in listing.content.decode()
    with time_machine.travel(dt.datetime(2029, 6, 16, 15, tzinfo=dt.UTC), tick=False):
        other = _certificate(OrganizationFactory(), "OTRA-2026-1", issued_on=dt.date(2026, 6, 15))
        page = client.get(reverse("portal:seal_verify", args=[other.number])).content.decode()
    assert "Este certificado ha vencido." in page


def test_unknown_and_malformed_numbers_are_404(client, certificate):
    for number in ("SNTC-2026-9999", "x", "%3Cscript%3E", "A" * 300, "' OR '1'='1"):
        assert client.get(f"/seal/{number}/").status_code == 404, number


def test_a_lower_case_number_leads_to_the_certificate(client, certificate):
    response = client.get("/seal/sntc-2026-0001/")
    assert response["Location"] == reverse("portal:seal_verify", args=["SNTC-2026-0001"])


def test_the_lookup_form_finds_a_certificate_and_refuses_hostile_input(client, certificate):
    response = client.post(reverse("portal:seal_lookup"), {"number": " sntc-2026-0001 "})
    assert response["Location"] == reverse("portal:seal_verify", args=["SNTC-2026-0001"])
    for number in (
        "",
        "N" * 41,
        "<script>alert(1)</script>",
        "SNTC'; DROP TABLE audits_certificate; --",
        "SNTC-2026-0001\x00",
        "SNTC-2026-9999",
    ):
        response = client.post(reverse("portal:seal_lookup"), {"number": number})
        assert response.status_code == 200, number
        assert "<script>alert(1)</script>" not in response.content.decode()
    assert client.get(reverse("portal:seal_lookup")).status_code == 200


def test_failed_lookups_are_rate_limited(client, certificate):
    for _n in range(FAILED_LOOKUPS):
        response = client.post(reverse("portal:seal_lookup"), {"number": "SNTC-2026-9999"})
        assert response.status_code == 200
    assert (
        client.post(reverse("portal:seal_lookup"), {"number": "SNTC-2026-9999"}).status_code == 429
    )
    # Even a right number now waits; and so does the page itself.
    assert (
        client.post(reverse("portal:seal_lookup"), {"number": "SNTC-2026-0001"}).status_code == 429
    )
    assert client.get(reverse("portal:seal_verify", args=["SNTC-2026-0001"])).status_code == 429


def test_failed_page_lookups_count_too(client, certificate):
    for n in range(FAILED_LOOKUPS):
        assert client.get(f"/seal/SNTC-2026-X{n:03d}/").status_code == 404
    assert client.get(reverse("portal:seal_verify", args=["SNTC-2026-0001"])).status_code == 429


def test_the_home_page_links_an_organisation_with_a_seal(client, certificate, other_organization):
    page = client.get(reverse("portal:home")).content.decode()
    assert reverse("portal:seal", args=[certificate.organization.slug]) in page
    assert reverse("portal:seal", args=[other_organization.slug]) not in page
    assert reverse("portal:seal_lookup") in page
