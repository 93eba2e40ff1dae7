"""Internal waves: the provider proposes the attributes of its service, the client units validate
them, and the wave opens only once they all agree — or when a survey manager overrides it with
a reason the audit log keeps. Reviews are for members of the client unit, inside one organisation,
while the wave is a draft; what they write is shown inert."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from compromiso.catalog import services as catalog_services
from compromiso.catalog.tests.factories import AttributeFactory, ServiceFactory
from compromiso.core.models import AuditEntry
from compromiso.core.permissions import Role
from compromiso.organizations.tests.factories import MembershipFactory, UnitFactory, UserFactory
from compromiso.surveys import services
from compromiso.surveys.models import AttributeProposal, AttributeReview, Wave
from compromiso.surveys.services import validation
from compromiso.surveys.services.validation import ReviewState

pytestmark = pytest.mark.django_db


@pytest.fixture
def it_unit(organization):
    return UnitFactory(organization=organization, name="Informática")


@pytest.fixture
def it_support(organization, it_unit):
    return ServiceFactory(
        organization=organization, provider_unit=it_unit, name="Soporte", audience="internal"
    )


@pytest.fixture
def speed(it_support):
    return AttributeFactory(service=it_support, name="Rapidez de respuesta", position=1)


@pytest.fixture
def courtesy(it_support):
    return AttributeFactory(service=it_support, name="Trato", position=2)


@pytest.fixture
def draft(
    organization, quality_manager, questionnaire, it_support, speed, courtesy, branch, other_branch
):
    """A draft internal wave whose client units are the Arica and Temuco branches."""
    return services.create_wave(
        organization,
        by=quality_manager,
        questionnaire=questionnaire,
        title="Clientes internos 2027",
        kind="baseline",
        audience="internal",
        services=[it_support],
        opens_on=dt.date(2026, 1, 1),
        closes_on=dt.date(2027, 12, 31),
        client_units=[branch, other_branch],
    )


def _member(organization, unit, role=Role.UNIT_HEAD, username=None):
    user = UserFactory(**({"username": username} if username else {}))
    MembershipFactory(user=user, organization=organization, unit=unit, role=role)
    return user


@pytest.fixture
def temuco_head(organization, other_branch):
    return _member(organization, other_branch, username="head-temuco")


@pytest.fixture
def stranger(organization, it_unit):
    """A member of the provider unit, which is not a client unit of the wave."""
    return _member(organization, it_unit, role=Role.VIEWER, username="stranger")


def _review_url(wave, unit):
    return reverse("surveys:review", args=[wave.pk, unit.pk])


def _post_review(client, wave, unit, attribute, decision, comment="", proposed_name=""):
    return client.post(
        _review_url(wave, unit),
        {
            "action": "review",
            "attribute": attribute.pk,
            "decision": decision,
            "comment": comment,
            "proposed_name": proposed_name,
        },
    )


def test_the_wave_opens_once_every_client_unit_agrees(
    quality_manager, unit_head, temuco_head, draft, speed, courtesy, branch, other_branch
):
    with pytest.raises(services.SurveyError) as pending:
        services.open_wave(draft, by=quality_manager)

    validation.review_attribute(draft, speed, branch, by=unit_head, decision="agree")
    validation.review_attribute(draft, courtesy, branch, by=unit_head, decision="agree")
    validation.review_attribute(draft, speed, other_branch, by=temuco_head, decision="agree")
    validation.review_attribute(
        draft,
        courtesy,
        other_branch,
        by=temuco_head,
        decision="disagree",
        comment="El trato no depende de Informática.",
    )
    with pytest.raises(services.SurveyError) as disagreed:
        services.open_wave(draft, by=quality_manager)
    status = validation.validation_status(draft)

    assert pending.value.code == "attributes_not_validated"
    assert "Sucursal Arica" in pending.value.message
    assert "Sucursal Temuco" in pending.value.message
    assert "Sucursal Arica" not in disagreed.value.message
    assert "Sucursal Temuco" in disagreed.value.message
    assert status.cell(courtesy, other_branch).state == ReviewState.DISAGREED
    assert (status.agreed, status.total, status.complete) == (3, 4, False)
    assert Wave.objects.get(pk=draft.pk).status == "draft"

    validation.review_attribute(draft, courtesy, other_branch, by=temuco_head, decision="agree")
    opened = services.open_wave(draft, by=quality_manager)

    assert opened.status == "open"
    assert validation.validation_status(draft).complete
    assert AttributeReview.objects.filter(wave=draft).count() == 4
    assert AuditEntry.objects.filter(action="surveys.wave.attribute_reviewed").count() == 5
    assert not AuditEntry.objects.filter(action="surveys.wave.validation_overridden").exists()


def test_a_review_given_by_the_page_counts_and_can_be_changed(
    client, unit_head, draft, speed, branch
):
    client.force_login(unit_head)

    first = _post_review(
        client, draft, branch, speed, "suggest", proposed_name="Plazo de respuesta"
    )
    second = _post_review(client, draft, branch, speed, "agree")
    review = AttributeReview.objects.get()

    assert first.status_code == second.status_code == 302
    assert second["Location"].endswith(f"#attribute-{speed.pk}")
    assert (review.decision, review.proposed_name, review.decided_by) == ("agree", "", unit_head)


def test_an_agreement_to_an_attribute_reworded_afterwards_is_pending_again(
    quality_manager, unit_head, draft, speed, branch
):
    validation.review_attribute(draft, speed, branch, by=unit_head, decision="agree")
    catalog_services.update_attribute(speed, by=quality_manager, name="Tiempo de respuesta")

    cell = validation.validation_status(draft).cell(speed, branch)

    assert (cell.state, cell.changed) == (ReviewState.PENDING, True)


def test_a_new_attribute_of_the_service_is_pending_for_every_unit(
    quality_manager,
    unit_head,
    temuco_head,
    draft,
    speed,
    courtesy,
    it_support,
    branch,
    other_branch,
):
    for attribute in (speed, courtesy):
        validation.review_attribute(draft, attribute, branch, by=unit_head, decision="agree")
        validation.review_attribute(
            draft, attribute, other_branch, by=temuco_head, decision="agree"
        )
    assert validation.validation_status(draft).complete

    added = catalog_services.add_attribute(it_support, name="Seguimiento", by=quality_manager)
    status = validation.validation_status(draft)

    assert not status.complete
    assert status.cell(added, branch).state == ReviewState.PENDING
    assert {u.pk for u in status.pending_units} == {branch.pk, other_branch.pk}


def test_a_survey_manager_opens_it_anyway_with_a_reason_and_the_log_keeps_it(
    client, quality_manager, unit_head, draft, speed, branch, other_branch
):
    validation.review_attribute(draft, speed, branch, by=unit_head, decision="agree")
    client.force_login(quality_manager)

    refused = client.post(reverse("surveys:step", args=[draft.pk, "open"]), {"override_reason": ""})
    still_draft = Wave.objects.get(pk=draft.pk).status
    opened = client.post(
        reverse("surveys:step", args=[draft.pk, "open"]),
        {"override_reason": "El plazo legal de la medición vence este mes."},
    )
    entry = AuditEntry.objects.get(action="surveys.wave.validation_overridden")

    assert refused.status_code == opened.status_code == 302
    assert still_draft == "draft"
    assert Wave.objects.get(pk=draft.pk).status == "open"
    assert entry.actor == quality_manager
    assert entry.data["reason"] == "El plazo legal de la medición vence este mes."
    assert set(entry.data["pending_units"]) == {branch.pk, other_branch.pk}
    assert AuditEntry.objects.get(action="surveys.wave.opened").data == {
        "validation_overridden": True
    }


def test_opening_without_a_reason_from_the_page_names_the_pending_units(
    client, quality_manager, draft
):
    client.force_login(quality_manager)

    page = client.post(reverse("surveys:step", args=[draft.pk, "open"]), follow=True)

    assert Wave.objects.get(pk=draft.pk).status == "draft"
    assert "Sucursal Arica, Sucursal Temuco" in page.content.decode()


def test_an_override_reason_is_limited(quality_manager, draft):
    with pytest.raises(ValidationError):
        services.open_wave(draft, by=quality_manager, override_reason="x" * 1001)

    assert Wave.objects.get(pk=draft.pk).status == "draft"


def test_a_unit_head_cannot_open_or_override(unit_head, draft):
    with pytest.raises(PermissionDenied):
        services.open_wave(draft, by=unit_head, override_reason="Tengo prisa")


def test_reviews_are_refused_once_the_wave_is_open(
    client, quality_manager, unit_head, draft, speed, branch
):
    services.open_wave(draft, by=quality_manager, override_reason="Urgente")

    with pytest.raises(services.SurveyError):
        validation.review_attribute(draft, speed, branch, by=unit_head, decision="agree")
    client.force_login(unit_head)
    page = _post_review(client, draft, branch, speed, "agree")
    content = client.get(_review_url(draft, branch)).content.decode()

    assert page.status_code == 302
    assert not AttributeReview.objects.exists()
    assert 'name="decision"' not in content
    assert content.count("ya no se pueden revisar") == 2  # the notice and the refusal


def test_only_members_of_the_client_unit_review_for_it(
    client,
    unit_head,
    temuco_head,
    stranger,
    draft,
    speed,
    branch,
    other_branch,
    region,
    organization,
):
    region_head = _member(organization, region, username="head-region")
    validation.review_attribute(draft, speed, branch, by=region_head, decision="agree")

    with pytest.raises(PermissionDenied):
        validation.review_attribute(draft, speed, other_branch, by=unit_head, decision="agree")
    with pytest.raises(PermissionDenied):
        validation.review_attribute(draft, speed, branch, by=stranger, decision="agree")
    client.force_login(stranger)
    forbidden = client.get(_review_url(draft, branch))
    posted = _post_review(client, draft, branch, speed, "agree")
    client.force_login(unit_head)
    not_client = client.get(reverse("surveys:review", args=[draft.pk, region.pk]))
    other_unit = client.get(_review_url(draft, other_branch))

    assert forbidden.status_code == posted.status_code == 403
    assert not_client.status_code == 404  # the region is not a client unit of the wave
    assert other_unit.status_code == 403
    assert AttributeReview.objects.get().client_unit == branch  # only the region head's


def test_another_organisation_sees_nothing(client, outsider, draft, speed, branch):
    client.force_login(outsider)

    assert client.get(_review_url(draft, branch)).status_code == 404
    assert _post_review(client, draft, branch, speed, "agree").status_code == 404
    assert client.get(reverse("surveys:wave", args=[draft.pk])).status_code == 404
    assert client.post(reverse("surveys:client_units", args=[draft.pk])).status_code == 404
    with pytest.raises(PermissionDenied):
        validation.review_attribute(draft, speed, branch, by=outsider, decision="agree")
    assert not AttributeReview.objects.exists()


def test_what_a_unit_writes_is_shown_inert(
    client, quality_manager, unit_head, draft, speed, branch
):
    client.force_login(unit_head)
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'

    _post_review(client, draft, branch, speed, "disagree", comment=hostile, proposed_name=hostile)
    review_page = client.get(_review_url(draft, branch)).content.decode()
    client.force_login(quality_manager)
    wave_page = client.get(reverse("surveys:wave", args=[draft.pk])).content.decode()

    assert AttributeReview.objects.get().comment == hostile
    for page in (review_page, wave_page):
        assert '<script>alert("x")' not in page
        assert "<img src=x" not in page
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page


def test_a_comment_too_long_is_explained_and_nothing_saved(client, unit_head, draft, speed, branch):
    client.force_login(unit_head)

    page = _post_review(client, draft, branch, speed, "disagree", comment="a" * 10_000)
    form = next(e["form"] for e in page.context["entries"] if e["attribute"] == speed)

    assert page.status_code == 200
    assert "comment" in form.errors
    assert "1000" in form.errors["comment"][0]
    assert form.errors["comment"][0] in page.content.decode()
    assert f'id="a{speed.pk}_comment_error"' in page.content.decode()
    assert not AttributeReview.objects.exists()
    with pytest.raises(ValidationError):
        validation.review_attribute(
            draft, speed, branch, by=unit_head, decision="disagree", comment="a" * 10_000
        )
    assert not AttributeReview.objects.exists()


def test_a_disagreement_needs_its_reason(client, unit_head, draft, speed, branch):
    client.force_login(unit_head)

    page = _post_review(client, draft, branch, speed, "disagree")

    assert page.status_code == 200
    assert not AttributeReview.objects.exists()
    with pytest.raises(ValidationError):
        validation.review_attribute(draft, speed, branch, by=unit_head, decision="disagree")


def test_attributes_of_other_services_or_organisations_are_refused(
    client, unit_head, draft, branch, licences, other_organization
):
    not_measured = AttributeFactory(service=licences, name="Claridad")
    foreign = AttributeFactory(
        service=ServiceFactory(organization=other_organization), name="Ajena"
    )
    client.force_login(unit_head)

    pages = [_post_review(client, draft, branch, a, "agree") for a in (not_measured, foreign)]
    garbage = client.post(
        _review_url(draft, branch),
        {"action": "review", "attribute": "1 OR 1=1", "decision": "agree"},
    )

    assert [p.status_code for p in pages] == [200, 200]
    assert garbage.status_code == 200
    assert all(p.context["unbound_error"] is not None for p in [*pages, garbage])
    assert not AttributeReview.objects.exists()
    for attribute in (not_measured, foreign):
        with pytest.raises(ValidationError):
            validation.review_attribute(draft, attribute, branch, by=unit_head, decision="agree")
    assert not AttributeReview.objects.exists()


def test_a_unit_proposes_a_missing_attribute_and_the_provider_adds_it(
    client, quality_manager, unit_head, draft, it_support, branch
):
    client.force_login(unit_head)

    sent = client.post(
        _review_url(draft, branch),
        {
            "action": "propose",
            "proposal-service": it_support.pk,
            "proposal-name": "Seguimiento de incidencias",
            "proposal-comment": "Saber en qué estado está la solicitud.",
        },
    )
    again = client.post(
        _review_url(draft, branch),
        {
            "action": "propose",
            "proposal-service": it_support.pk,
            "proposal-name": "seguimiento de INCIDENCIAS",
        },
    )
    proposal = AttributeProposal.objects.get()
    catalog_services.add_attribute(
        it_support, name="Seguimiento de incidencias", by=quality_manager
    )
    status = validation.validation_status(draft)

    assert sent.status_code == again.status_code == 302
    assert (proposal.client_unit, proposal.proposed_by) == (branch, unit_head)
    assert [row.added for row in status.proposals] == [True]
    assert len(status.attributes) == 3


def test_the_review_page_works_without_javascript(
    client, unit_head, draft, speed, courtesy, branch
):
    client.force_login(unit_head)

    page = client.get(_review_url(draft, branch))
    content = page.content.decode()

    assert page.status_code == 200
    # One plain form per attribute and one to propose a missing attribute, all posting here.
    assert content.count(f'<form method="post" action="{_review_url(draft, branch)}#') == 3
    assert "hx-post" not in content
    assert "hx-get" not in content
    for attribute in (speed, courtesy):
        assert f'id="attribute-{attribute.pk}"' in content
        assert f'id="a{attribute.pk}_decision_0"' in content
        assert f'name="attribute" value="{attribute.pk}"' in content
    assert content.count('name="decision" value="agree"') == 2


def test_the_wave_page_shows_the_matrix_and_where_to_review(
    client, quality_manager, unit_head, temuco_head, draft, speed, courtesy, branch, other_branch
):
    validation.review_attribute(draft, speed, branch, by=unit_head, decision="agree")
    validation.review_attribute(
        draft, courtesy, other_branch, by=temuco_head, decision="disagree", comment="No aplica"
    )
    client.force_login(unit_head)
    head_page = client.get(reverse("surveys:wave", args=[draft.pk]))
    client.force_login(quality_manager)
    manager_page = client.get(reverse("surveys:wave", args=[draft.pk]))
    status = manager_page.context["validation"]

    assert head_page.status_code == manager_page.status_code == 200
    assert [u.pk for u in head_page.context["reviewable_units"]] == [branch.pk]
    assert _review_url(draft, branch) in head_page.content.decode()
    assert _review_url(draft, other_branch) not in head_page.content.decode()
    assert head_page.context["client_units_form"] is None
    assert (status.agreed, status.total) == (1, 4)
    assert "No aplica" in manager_page.content.decode()
    assert manager_page.context["override_form"] is not None
    assert 'name="override_reason"' in manager_page.content.decode()


def test_the_waves_list_shows_a_member_the_waves_awaiting_their_unit(
    client, unit_head, stranger, draft, speed, branch
):
    validation.review_attribute(draft, speed, branch, by=unit_head, decision="agree")
    client.force_login(unit_head)
    mine = client.get(reverse("surveys:waves"))
    client.force_login(stranger)
    theirs = client.get(reverse("surveys:waves"))

    assert [(w.pk, u.pk, left) for w, u, left in mine.context["awaiting"]] == [
        (draft.pk, branch.pk, 1)
    ]
    assert _review_url(draft, branch) in mine.content.decode()
    assert theirs.context["awaiting"] == []


def test_the_client_units_are_chosen_by_survey_managers_while_a_draft(
    client, quality_manager, unit_head, draft, branch, region, other_organization
):
    client.force_login(unit_head)
    forbidden = client.post(
        reverse("surveys:client_units", args=[draft.pk]), {"client_units": [region.pk]}
    )
    client.force_login(quality_manager)
    saved = client.post(
        reverse("surveys:client_units", args=[draft.pk]),
        {"client_units": [branch.pk, region.pk]},
    )
    foreign = UnitFactory(organization=other_organization)
    refused = client.post(
        reverse("surveys:client_units", args=[draft.pk]), {"client_units": [foreign.pk]}
    )

    assert forbidden.status_code == 403
    assert saved.status_code == refused.status_code == 302
    assert {u.pk for u in draft.client_units.all()} == {branch.pk, region.pk}
    assert AuditEntry.objects.filter(action="surveys.wave.client_units_set").count() == 1


def test_client_units_belong_to_internal_waves_of_the_organisation(
    organization, quality_manager, questionnaire, licences, branch, other_organization
):
    common = {
        "by": quality_manager,
        "questionnaire": questionnaire,
        "title": "Medición",
        "kind": "baseline",
        "services": [licences],
        "opens_on": dt.date(2026, 1, 1),
        "closes_on": dt.date(2026, 12, 31),
    }

    with pytest.raises(ValidationError):
        services.create_wave(organization, audience="external", client_units=[branch], **common)
    with pytest.raises(ValidationError):
        services.create_wave(
            organization,
            audience="internal",
            client_units=[UnitFactory(organization=other_organization)],
            **common,
        )
    assert not Wave.objects.exists()


def test_invitations_go_to_the_wave_client_units(
    organization,
    quality_manager,
    draft,
    branch,
    other_branch,
    region,
    django_capture_on_commit_callbacks,
):
    for unit in (branch, other_branch):
        _member(organization, unit, role=Role.VIEWER)
    services.open_wave(draft, by=quality_manager, override_reason="Prueba")

    with pytest.raises(ValidationError):
        services.invite_client_units(draft, by=quality_manager, units=[region])
    with django_capture_on_commit_callbacks(execute=True):
        made = services.invite_client_units(draft, by=quality_manager)

    assert {i.client_unit_id for i in made} == {branch.pk, other_branch.pk}


def test_an_internal_wave_without_client_units_opens_as_before(
    organization, quality_manager, questionnaire, it_support
):
    wave = services.create_wave(
        organization,
        by=quality_manager,
        questionnaire=questionnaire,
        title="Sin unidades cliente",
        kind="baseline",
        audience="internal",
        services=[it_support],
        opens_on=dt.date(2026, 1, 1),
        closes_on=dt.date(2026, 12, 31),
    )

    assert services.open_wave(wave, by=quality_manager).status == "open"


def test_an_internal_wave_is_set_up_with_its_client_units_from_the_page(
    client, quality_manager, questionnaire, it_support, branch, other_branch
):
    client.force_login(quality_manager)
    fields = {
        "title": "Clientes internos",
        "questionnaire": questionnaire.pk,
        "kind": "baseline",
        "services": [it_support.pk],
        "opens_on": "2026-06-01",
        "closes_on": "2026-12-31",
        "client_units": [branch.pk, other_branch.pk],
    }

    external = client.post(reverse("surveys:new_wave"), {**fields, "audience": "external"})
    internal = client.post(reverse("surveys:new_wave"), {**fields, "audience": "internal"})
    wave = Wave.objects.get()

    assert external.status_code == 200
    assert "client_units" in external.context["form"].errors
    assert internal.status_code == 302
    assert {u.pk for u in wave.client_units.all()} == {branch.pk, other_branch.pk}
