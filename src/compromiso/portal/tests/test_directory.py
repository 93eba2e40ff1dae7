"""The public procedure directory: an organisation's published procedures and those it serves
under an agreement, one procedure in full with where to do it, and the network search."""

import datetime as dt

import pytest
from django.urls import reverse

from compromiso.attention.services import directory as services
from compromiso.attention.tests import conftest as attention_fixtures
from compromiso.attention.tests.test_directory import make_agreement, procedure
from compromiso.core.actors import SYSTEM
from compromiso.organizations.tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db

in_person = attention_fixtures.in_person
service = attention_fixtures.service
arica_point = attention_fixtures.arica_point
office = attention_fixtures.office
general_queue = attention_fixtures.general_queue


@pytest.fixture
def institution(db):
    return OrganizationFactory(name="Instituto de Previsión Social", slug="ips")


@pytest.fixture
def listed(organization, other_organization, institution, office, general_queue):
    cert = procedure(
        organization,
        "CERT",
        "Trámite de certificado",
        requirements="Cédula vigente",
        cost="Gratis",
        online_url="https://example.org/cert",
    )
    services.set_branch_procedures(
        cert, organization=organization, queues={office: general_queue}, by=SYSTEM
    )
    pension = procedure(institution, "PGU", "Pensión Garantizada Universal")
    make_agreement(organization, institution, [pension])
    services.set_branch_procedures(
        pension, organization=organization, queues={office: general_queue}, by=SYSTEM
    )
    return {
        "cert": cert,
        "pension": pension,
        "draft": procedure(organization, "DRAFT", "Borrador", is_published=False),
        "cedula": procedure(other_organization, "CED", "Cèdula d'habitabilitat"),
    }


def test_the_list_shows_own_and_served_procedures_only_published(client, organization, listed):
    page = client.get(reverse("portal:procedures", args=[organization.slug]))
    assert page.status_code == 200
    assert "Trámite de certificado" in page.text
    assert "Pensión Garantizada" in page.text
    assert "Borrador" not in page.text
    assert "Cèdula" not in page.text


def test_the_search_box_ignores_accents(client, organization, listed):
    page = client.get(reverse("portal:procedures", args=[organization.slug]), {"q": "tramite"})
    assert "Trámite de certificado" in page.text
    assert "Pensión" not in page.text


def test_a_procedure_in_full_with_where_to_do_it(client, organization, listed):
    page = client.get(reverse("portal:procedure", args=[organization.slug, "CERT"]))
    assert page.status_code == 200
    for text in ("Cédula vigente", "Gratis", "https://example.org/cert", "Oficina Arica"):
        assert text in page.text
    assert "21 de Mayo 123" in page.text


def test_a_served_procedure_names_its_owning_institution(client, organization, listed):
    page = client.get(reverse("portal:procedure", args=[organization.slug, "PGU"]))
    assert page.status_code == 200
    assert "Instituto de Previsión Social" in page.text
    assert "Oficina Arica" in page.text


def test_the_institution_s_own_page_lists_the_front_office_s_branch(client, listed):
    page = client.get(reverse("portal:procedure", args=["ips", "PGU"]))
    assert page.status_code == 200
    assert "Oficina Arica" in page.text


@pytest.mark.parametrize(
    ("slug", "code"),
    [
        ("nobody", "CERT"),
        (None, "NOPE"),
        (None, "DRAFT"),  # unpublished
        (None, "CED"),  # another organisation's, not served
        (None, "x" * 300),
    ],
)
def test_unknown_or_unpublished_procedures_are_404(client, organization, listed, slug, code):
    url = reverse("portal:procedure", args=[slug or organization.slug, code])
    assert client.get(url).status_code == 404


def test_an_expired_agreement_removes_the_served_procedure(client, organization, listed):
    agreement = listed["pension"].agreements.get()
    services.update_agreement(
        agreement,
        by=SYSTEM,
        valid_from=dt.date(2020, 1, 1),
        valid_until=organization.today() - dt.timedelta(days=1),
    )
    page = client.get(reverse("portal:procedures", args=[organization.slug]))
    assert "Pensión" not in page.text
    url = reverse("portal:procedure", args=[organization.slug, "PGU"])
    assert client.get(url).status_code == 404
    # the institution's own page no longer sends people to the front office's branch
    own = client.get(reverse("portal:procedure", args=["ips", "PGU"]))
    assert own.status_code == 200
    assert "Oficina Arica" not in own.text


def test_the_network_search_covers_every_organisation(client, listed):
    page = client.get(reverse("portal:procedure_search"), {"q": "cedula"})
    assert page.status_code == 200
    assert "Cèdula d&#x27;habitabilitat" in page.text or "Cèdula d'habitabilitat" in page.text
    assert "Trámite de certificado" in page.text  # "Cédula" in its requirements
    assert "Borrador" not in client.get(reverse("portal:procedure_search"), {"q": "borrador"}).text
    assert client.get(reverse("portal:procedure_search")).status_code == 200


@pytest.mark.parametrize(
    "query",
    ["x" * 10_000, "' OR 1=1; --", "<script>alert('x')</script>", "%00%ff", "\u202e"],
)
def test_hostile_queries_are_escaped_and_never_fail(client, organization, listed, query):
    for url in (
        reverse("portal:procedures", args=[organization.slug]),
        reverse("portal:procedure_search"),
    ):
        page = client.get(url, {"q": query})
        assert page.status_code == 200
        assert "<script>alert" not in page.text
