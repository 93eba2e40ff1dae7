"""The procedure directory: the services that keep it, the search that ignores accents and case,
and the staff pages (who may read, who may edit)."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from compromiso.attention import directory
from compromiso.attention.models import Branch, BranchProcedure, Procedure
from compromiso.attention.services import directory as services
from compromiso.catalog.tests.factories import ChannelFactory, TouchPointFactory
from compromiso.core.actors import SYSTEM
from compromiso.core.errors import DomainError
from compromiso.core.models import AuditEntry
from compromiso.core.permissions import Role
from compromiso.organizations.tests.factories import (
    MembershipFactory,
    OrganizationFactory,
    UnitFactory,
    UserFactory,
)


def member(organization, role=Role.ADMINISTRATOR, **fields):
    user = UserFactory(**fields)
    MembershipFactory(user=user, organization=organization, role=role)
    return user


def procedure(organization, code, name, **fields):
    fields.setdefault("is_published", True)
    return services.create_procedure(
        organization=organization, code=code, name=name, by=SYSTEM, **fields
    )


def make_branch(organization, code, **fields):
    unit = UnitFactory(organization=organization, name=f"Unidad {code}")
    channel = ChannelFactory(organization=organization, kind="in_person")
    point = TouchPointFactory(
        organization=organization, unit=unit, channel=channel, name=f"Oficina {code}"
    )
    return Branch.objects.create(organization=organization, touch_point=point, code=code, **fields)


def make_agreement(front_office, institution, procedures, **fields):
    fields.setdefault("valid_from", dt.date(2020, 1, 1))
    return services.create_agreement(
        front_office=front_office,
        institution=institution,
        procedures=procedures,
        by=SYSTEM,
        **fields,
    )


@pytest.fixture
def institution(db):
    return OrganizationFactory(name="Instituto de Previsión Social", slug="ips")


@pytest.fixture
def catalogue(organization, other_organization, institution):
    """Chile's own procedures, a Catalan one, and the institution's (one unpublished)."""
    return {
        "cert": procedure(
            organization,
            "CERT",
            "Trámite de certificado de nacimiento",
            keywords="partida, acta",
            summary="Obtén tu certificado.",
        ),
        "renew": procedure(
            organization,
            "RENEW",
            "Renovación de beneficio",
            requirements="Cédula de identidad vigente",
        ),
        "draft": procedure(organization, "DRAFT", "Borrador interno", is_published=False),
        "cedula": procedure(other_organization, "CED", "Cèdula d'habitabilitat"),
        "pension": procedure(institution, "PGU", "Pensión Garantizada Universal"),
        "secret": procedure(institution, "HIDDEN", "Pensión secreta", is_published=False),
    }


# Services ------------------------------------------------------------------------------------


def test_a_procedure_is_added_and_logged(organization, quality_manager):
    item = services.create_procedure(
        organization=organization, code="A1", name="Algo", by=quality_manager, cost="Gratis"
    )
    assert item.cost == "Gratis"
    assert not item.is_published
    assert AuditEntry.objects.filter(action="attention.procedure.created").count() == 1
    services.update_procedure(item, by=quality_manager, is_published=True)
    entry = AuditEntry.objects.get(action="attention.procedure.updated")
    assert entry.data == {"is_published": [False, True]}


def test_a_unit_head_or_viewer_cannot_keep_the_directory(organization, unit_head, viewer):
    for user in (unit_head, viewer):
        with pytest.raises(PermissionDenied):
            services.create_procedure(organization=organization, code="X", name="X", by=user)
    assert not Procedure.objects.exists()


def test_the_code_is_unique_per_institution(organization):
    procedure(organization, "A1", "Uno")
    with pytest.raises(ValidationError):
        procedure(organization, "A1", "Otro")


def test_branches_serve_a_procedure_in_one_of_their_queues(
    organization, office, general_queue, quick_queue, quality_manager
):
    item = procedure(organization, "A1", "Uno")
    services.set_branch_procedures(
        item, organization=organization, queues={office: quick_queue}, by=quality_manager
    )
    assert BranchProcedure.objects.get(procedure=item).queue == quick_queue
    services.set_branch_procedures(
        item, organization=organization, queues={office: None}, by=quality_manager
    )
    assert not BranchProcedure.objects.exists()


def test_a_queue_of_another_branch_is_refused(
    organization, office, general_queue, other_organization, quality_manager
):
    item = procedure(organization, "A1", "Uno")
    elsewhere = make_branch(organization, "temuco")
    with pytest.raises(ValidationError):
        services.set_branch_procedures(
            item, organization=organization, queues={elsewhere: general_queue}, by=SYSTEM
        )


def test_a_front_office_serves_only_procedures_under_an_agreement_in_force(
    organization, institution, office, general_queue, catalogue
):
    with pytest.raises(DomainError):
        services.set_branch_procedures(
            catalogue["pension"],
            organization=organization,
            queues={office: general_queue},
            by=SYSTEM,
        )
    make_agreement(organization, institution, [catalogue["pension"]])
    services.set_branch_procedures(
        catalogue["pension"], organization=organization, queues={office: general_queue}, by=SYSTEM
    )
    assert BranchProcedure.objects.filter(procedure=catalogue["pension"]).count() == 1


# Search --------------------------------------------------------------------------------------


def names(hits):
    return [h.procedure.name for h in hits]


def test_normalize_drops_accents_and_case():
    assert directory.normalize("Cèdula  TRÁMITE") == "cedula tramite"
    assert directory.normalize("Col·legi") == "collegi"


def test_search_ignores_accents_and_case(organization, catalogue):
    assert names(directory.search("tramite", [organization])) == [
        "Trámite de certificado de nacimiento"
    ]
    assert names(directory.search("TRÁMITE", [organization])) == [
        "Trámite de certificado de nacimiento"
    ]


def test_search_finds_catalan_words_with_or_without_accents(other_organization, catalogue):
    for query in ("cedula", "cèdula", "CÈDULA"):
        assert names(directory.search(query, [other_organization])) == ["Cèdula d'habitabilitat"]


def test_search_finds_keywords_and_requirements(organization, catalogue):
    assert names(directory.search("partida", [organization])) == [
        "Trámite de certificado de nacimiento"
    ]
    # "cedula" is only in a requirement of Chile's renewal
    assert names(directory.search("cedula", [organization])) == ["Renovación de beneficio"]


def test_name_matches_rank_before_other_fields(organization):
    procedure(organization, "B", "Beneficio escolar")
    procedure(organization, "A", "Aporte familiar", keywords="beneficio")
    procedure(organization, "C", "Credencial", summary="Un beneficio para todos")
    assert names(directory.search("beneficio", [organization])) == [
        "Beneficio escolar",
        "Aporte familiar",
        "Credencial",
    ]


def test_every_word_must_be_found(organization, catalogue):
    assert directory.search("certificado inexistente", [organization]) == []


def test_unpublished_procedures_of_others_are_never_found(organization, institution, catalogue):
    make_agreement(organization, institution, [catalogue["pension"], catalogue["secret"]])
    found = names(directory.search("pension", [organization]))
    assert found == ["Pensión Garantizada Universal"]
    assert "Borrador interno" not in names(directory.search("", [organization]))
    # staff reading their own directory see their drafts, still not others'
    staff = names(directory.search("", [organization], own_unpublished=True))
    assert "Borrador interno" in staff
    assert "Pensión secreta" not in staff
    assert "Pensión secreta" not in names(directory.search("pension"))


def test_the_network_search_covers_every_active_organisation(
    organization, other_organization, catalogue
):
    assert names(directory.search("cedula")) == [
        "Cèdula d'habitabilitat",  # in the name
        "Renovación de beneficio",  # in a requirement
    ]
    other_organization.is_active = False
    other_organization.save()
    assert "Cèdula d'habitabilitat" not in names(directory.search("cedula"))


@pytest.mark.parametrize(
    "query",
    [
        "x" * 10_000,
        "'; DROP TABLE attention_procedure; --",
        "<script>alert(1)</script>",
        "%_%",
        "\x00\u202e",
    ],
)
def test_hostile_queries_find_nothing_and_break_nothing(organization, catalogue, query):
    assert directory.search(query, [organization]) == []
    assert Procedure.objects.count() == 6


# Staff pages ---------------------------------------------------------------------------------


def test_staff_list_search_and_detail(client, organization, quality_manager, catalogue):
    client.force_login(quality_manager)
    page = client.get(reverse("attention:procedures"), {"q": "tramite"})
    assert page.status_code == 200
    assert "Trámite de certificado" in page.text
    assert "Renovación" not in page.text
    detail = client.get(reverse("attention:procedure", args=[catalogue["cert"].pk]))
    assert detail.status_code == 200
    assert "Obtén tu certificado." in detail.text


def test_a_viewer_reads_but_cannot_edit(client, viewer, catalogue):
    client.force_login(viewer)
    assert client.get(reverse("attention:procedures")).status_code == 200
    assert client.get(reverse("attention:procedure_new")).status_code == 403
    item = catalogue["cert"]
    assert client.get(reverse("attention:procedure_edit", args=[item.pk])).status_code == 403
    assert client.post(reverse("attention:procedure", args=[item.pk]), {}).status_code == 403


def test_another_organisation_gets_404(client, outsider, catalogue):
    client.force_login(outsider)
    for name in ("attention:procedure", "attention:procedure_edit"):
        assert client.get(reverse(name, args=[catalogue["cert"].pk])).status_code == 404


def test_anonymous_is_sent_to_log_in(client, catalogue):
    assert client.get(reverse("attention:procedures")).status_code == 302


def test_a_manager_adds_and_edits_a_procedure(client, organization, quality_manager):
    client.force_login(quality_manager)
    response = client.post(
        reverse("attention:procedure_new"),
        {"code": "N1", "name": "Nuevo <b>trámite</b>", "summary": "Algo", "is_published": "on"},
    )
    item = Procedure.objects.get(code="N1")
    assert response.status_code == 302
    assert item.organization == organization
    response = client.post(
        reverse("attention:procedure_edit", args=[item.pk]),
        {"code": "N1", "name": "Otro nombre", "cost": "Gratis"},
    )
    item.refresh_from_db()
    assert response.status_code == 302
    assert item.name == "Otro nombre"
    assert not item.is_published
    page = client.get(reverse("attention:procedures"))
    assert "<b>" not in page.text


def test_a_duplicate_code_is_shown_on_the_form(client, quality_manager, catalogue):
    client.force_login(quality_manager)
    response = client.post(reverse("attention:procedure_new"), {"code": "CERT", "name": "Dup"})
    assert response.status_code == 200
    assert Procedure.objects.filter(code="CERT").count() == 1


def test_an_oversized_form_is_refused_with_nothing_saved(client, quality_manager):
    client.force_login(quality_manager)
    response = client.post(
        reverse("attention:procedure_new"),
        {"code": "X" * 500, "name": "N" * 5000, "online_url": "javascript:alert(1)"},
    )
    assert response.status_code == 200
    assert not Procedure.objects.exists()


def test_a_manager_chooses_the_branches_and_queues(
    client, organization, quality_manager, office, general_queue, quick_queue, catalogue
):
    client.force_login(quality_manager)
    item = catalogue["cert"]
    url = reverse("attention:procedure", args=[item.pk])
    assert client.post(url, {f"branch_{office.pk}": str(quick_queue.pk)}).status_code == 302
    assert BranchProcedure.objects.get(procedure=item).queue == quick_queue
    # a queue id of nowhere is a field error, nothing changes
    assert client.post(url, {f"branch_{office.pk}": "999999"}).status_code == 200
    assert BranchProcedure.objects.get(procedure=item).queue == quick_queue


def test_the_agent_search_shows_where_each_procedure_is_done(
    client, organization, institution, officer, office, general_queue, catalogue
):
    make_agreement(organization, institution, [catalogue["pension"]])
    services.set_branch_procedures(
        catalogue["pension"], organization=organization, queues={office: general_queue}, by=SYSTEM
    )
    client.force_login(officer)
    page = client.get(reverse("attention:directory_search"), {"q": "pension"})
    assert page.status_code == 200
    assert "Pensión Garantizada Universal" in page.text
    assert "Oficina Arica" in page.text
    assert "21 de Mayo 123" in page.text
    assert "Pensión secreta" not in page.text
    hostile = client.get(reverse("attention:directory_search"), {"q": "<script>x</script>" * 500})
    assert hostile.status_code == 200
    assert "<script>x" not in hostile.text
