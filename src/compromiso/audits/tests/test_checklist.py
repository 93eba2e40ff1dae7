"""The checklist generated from what the organisation promised: commitments × touch points where
they apply, the protocol steps in force at each touch point, the legal requirements of the
jurisdiction profile, the criteria of the framework; regenerated without losing answers."""

import datetime as dt
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from compromiso.audits import legal, services
from compromiso.audits.checklist_builder import build_checklist, commitment_applies
from compromiso.audits.models import ChecklistItem, Framework, FrameworkNode, ItemSource
from compromiso.charters.models import Charter, CharterStatus, Commitment
from compromiso.core.actors import SYSTEM
from compromiso.servicemodel import services as servicemodel
from compromiso.servicemodel.services import StepInput

pytestmark = pytest.mark.usefixtures("in_english")


@pytest.fixture
def counter_protocol(organization):
    protocol = servicemodel.create_protocol(
        organization,
        by=SYSTEM,
        name="Atención presencial",
        channel_kind="in_person",
        steps=[
            StepInput("Saludar e identificarse", "En 10 segundos.", {"in_person": "De pie."}),
            StepInput("Escuchar sin interrumpir"),
            StepInput("Ofrecer la encuesta"),
        ],
    )
    return servicemodel.activate_protocol(protocol, by=SYSTEM)


@pytest.fixture
def framework(organization):
    framework = Framework.objects.create(
        organization=organization, code="sello", name="Sello de calidad", kind="seal"
    )
    parent = FrameworkNode.objects.create(framework=framework, ref="1", title="Compromisos")
    FrameworkNode.objects.create(
        framework=framework, parent=parent, ref="1.1", title="Se miden", assessable=True, order=1
    )
    FrameworkNode.objects.create(
        framework=framework, parent=parent, ref="1.2", title="Se publican", assessable=True, order=2
    )
    return framework


@pytest.fixture
def scoped(field_audit, charter, counter_protocol, framework, organization):
    organization.jurisdiction = "cl_public"
    organization.save()
    field_audit.charters.set([charter])
    field_audit.framework = framework
    field_audit.save()
    field_audit.organization.refresh_from_db()
    return field_audit


def counts(audit):
    return {
        source: ChecklistItem.objects.filter(audit=audit, source=source).count()
        for source in ItemSource.values
    }


def test_generated_counts_computed_by_hand(scoped, team_auditor):
    result = services.generate_checklist(scoped, by=team_auditor)
    # Commitments: the general one at the counter and at the phone line (2), the phone one at
    # the phone line only (1), the Temuco one nowhere in scope (0) → 3.
    # Protocol: three steps at the counter (in person), none on the phone → 3.
    # Legal: the five of the Chilean public administration. Framework: two assessable criteria.
    assert counts(scoped) == {
        "commitment": 3,
        "protocol": 3,
        "legal": 5,
        "framework": 2,
        "free": 0,
    }
    assert result.added == 13
    assert result.removed == 0


def test_items_read_what_they_check(scoped, team_auditor, arica_counter, arica_phone):
    services.generate_checklist(scoped, by=team_auditor)
    at_phone = ChecklistItem.objects.filter(audit=scoped, touch_point=arica_phone)
    assert sorted(i.text for i in at_phone) == [
        "Contestamos el 90 % de las llamadas.",
        "Le atendemos en menos de 15 minutos.",
    ]
    step = ChecklistItem.objects.get(audit=scoped, source="protocol", text__startswith="1.")
    assert step.text == "1. Saludar e identificarse"
    assert step.guidance == "En 10 segundos. · De pie."
    assert step.touch_point == arica_counter
    assert step.section == "Atención presencial"
    oirs = ChecklistItem.objects.get(audit=scoped, key="l:cl_public:oirs")
    assert "Decreto Supremo 680/1990" in oirs.guidance
    node = ChecklistItem.objects.get(audit=scoped, source="framework", text__startswith="1.1")
    assert node.section == "1 Compromisos"


def test_legal_items_are_written_in_the_organisations_language(scoped, team_auditor):
    services.generate_checklist(scoped, by=team_auditor)  # the organisation writes Spanish
    item = ChecklistItem.objects.get(audit=scoped, key="l:cl_public:answer-20")
    assert item.text == "Las solicitudes se resuelven y responden en un plazo de 20 días hábiles."


def test_every_profile_has_cited_requirements():
    for profile in ("es_public", "es_ct_public", "cl_public", "es_company", "cl_company", "other"):
        requirements = legal.requirements_for(profile)
        assert len(requirements) >= 2
        assert all(r.citation for r in requirements)
        assert len({r.code for r in requirements}) == len(requirements)
    assert legal.requirements_for("unknown") == legal.requirements_for("other")
    assert any("951/2005" in r.citation for r in legal.requirements_for("es_public"))
    assert any("19/2014" in r.citation for r in legal.requirements_for("es_ct_public"))
    assert any("19.880" in r.citation for r in legal.requirements_for("cl_public"))


def test_generating_again_changes_nothing(scoped, team_auditor):
    services.generate_checklist(scoped, by=team_auditor)
    before = list(ChecklistItem.objects.filter(audit=scoped).values_list("pk", "key", "order"))
    result = services.generate_checklist(scoped, by=team_auditor)
    assert (result.added, result.removed, result.kept_out_of_scope) == (0, 0, 0)
    after = list(ChecklistItem.objects.filter(audit=scoped).values_list("pk", "key", "order"))
    assert before == after


def test_scope_changes_add_items_and_never_delete_answered_ones(
    scoped, team_auditor, arica_phone, temuco_counter
):
    services.generate_checklist(scoped, by=team_auditor)
    general, phone_only = ChecklistItem.objects.filter(
        audit=scoped, touch_point=arica_phone
    ).order_by("order")
    services.save_answer(
        general, by=team_auditor, result="nonconform", client_id=uuid.uuid4(), revision=0
    )
    scoped.touch_points.remove(arica_phone)
    scoped.touch_points.add(temuco_counter)
    result = services.generate_checklist(scoped, by=team_auditor)
    # Temuco: the general commitment, its own commitment and the three protocol steps.
    assert result.added == 5
    assert result.removed == 1  # the phone line's unanswered item
    assert result.kept_out_of_scope == 1  # its answered one
    assert ChecklistItem.objects.filter(pk=general.pk).exists()
    assert not ChecklistItem.objects.filter(pk=phone_only.pk).exists()


def test_the_version_in_force_of_a_charter_gives_the_commitments(
    scoped, team_auditor, charter, organization
):
    renewed = Charter.objects.create(
        organization=organization,
        lineage=charter.lineage,
        version=2,
        title="Carta de servicios",
        status=CharterStatus.PUBLISHED,
        profile="cl_public",
        language="es",
        valid_from=dt.date(2026, 6, 1),
        valid_to=dt.date(2028, 5, 31),
    )
    charter.status = CharterStatus.SUPERSEDED
    charter.save()
    for commitment in charter.commitments.all():
        commitment.pk = None
        commitment.charter = renewed
        commitment.save()
    Commitment.objects.create(
        charter=renewed,
        service=commitment.service,
        text="Nuevo: cita previa en 48 horas.",
        indicator="%",
        source="manual",
        target=90,
    )
    services.generate_checklist(scoped, by=team_auditor)  # the audit still names version 1
    items = ChecklistItem.objects.filter(audit=scoped, source="commitment")
    assert items.count() == 5  # the new commitment at both touch points
    assert {i.commitment.charter_id for i in items} == {renewed.pk}


def test_applicability_of_a_commitment(
    charter, arica_counter, arica_phone, temuco_counter, other_branch
):
    general, by_channel, at_temuco = charter.commitments.order_by("order")
    assert commitment_applies(general, charter, arica_counter, set())
    assert not commitment_applies(by_channel, charter, arica_counter, set())
    assert commitment_applies(by_channel, charter, arica_phone, set())
    assert commitment_applies(at_temuco, charter, temuco_counter, set())
    assert not commitment_applies(at_temuco, charter, arica_counter, set())
    # A service offered only by phone: its general commitments apply only on the phone.
    assert not commitment_applies(general, charter, arica_counter, {arica_phone.channel_id})
    assert commitment_applies(general, charter, arica_phone, {arica_phone.channel_id})
    # A charter of the Temuco branch: not at Arica's touch points.
    charter.unit = other_branch
    assert not commitment_applies(general, charter, arica_counter, set())
    assert commitment_applies(general, charter, temuco_counter, set())


def test_an_audit_with_nothing_in_scope_has_only_its_legal_items(field_audit, team_auditor):
    field_audit.touch_points.clear()
    assert [spec.source for spec in build_checklist(field_audit)] == ["legal"] * 3


def test_free_items_at_a_touch_point_in_scope(scoped, team_auditor, arica_counter, temuco_counter):
    item = services.add_checklist_item(
        scoped, by=team_auditor, text="Señalética visible", touch_point=arica_counter
    )
    assert item.source == "free"
    assert item.section == "Added by the auditor"
    with pytest.raises(ValidationError):
        services.add_checklist_item(
            scoped, by=team_auditor, text="Fuera", touch_point=temuco_counter
        )
    with pytest.raises(ValidationError):
        services.add_checklist_item(scoped, by=team_auditor, text="x" * 2001)
    services.generate_checklist(scoped, by=team_auditor)
    assert ChecklistItem.objects.filter(pk=item.pk).exists()


def test_only_the_audit_team_generates(scoped, unit_head, viewer):
    for person in (unit_head, viewer):
        with pytest.raises(PermissionDenied):
            services.generate_checklist(scoped, by=person)


def test_generate_and_add_on_the_pages(client, scoped, team_auditor, arica_counter):
    client.force_login(team_auditor)
    response = client.post(reverse("audits:checklist_generate", args=[scoped.pk]), follow=True)
    assert "13 items added" in response.content.decode()
    url = reverse("audits:checklist_item_new", args=[scoped.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"text": "Baños accesibles", "touch_point": arica_counter.pk})
    assert response.status_code == 302
    assert client.post(url, {"text": ""}).status_code == 400
    assert client.post(url, {"text": "x", "touch_point": "999999"}).status_code == 400


def test_generating_on_the_page_needs_the_audit_team(client, scoped, unit_head, outsider):
    client.force_login(unit_head)
    assert client.post(reverse("audits:checklist_generate", args=[scoped.pk])).status_code == 403
    client.force_login(outsider)
    assert client.post(reverse("audits:checklist_generate", args=[scoped.pk])).status_code == 404
