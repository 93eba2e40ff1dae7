"""The service model's staff pages: who sees, who edits, who approves, who reads."""

import pytest
from django.urls import reverse

from compromiso.servicemodel import services
from compromiso.servicemodel.models import Acknowledgement, ModelStatus, ServiceModel
from compromiso.servicemodel.tests.conftest import TEXT

pytestmark = pytest.mark.django_db

HOME = reverse("servicemodel:home")


def _form(**changes):
    data = {
        **{k: v for k, v in TEXT.items() if k not in ("axes", "promises")},
        "axes": "Acogida: Recibimos con prontitud.\nResolución",
        "promises": "Le atenderemos en 15 minutos.\n\nResponderemos en plazo.",
    }
    return {**data, **changes}


def test_anonymous_visitors_are_sent_to_log_in(client, published):
    for url in (HOME, reverse("servicemodel:detail", args=[published.pk])):
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("login") in response["Location"]


def test_a_person_of_another_organisation_gets_404(client, outsider, published):
    client.force_login(outsider)

    assert client.get(reverse("servicemodel:detail", args=[published.pk])).status_code == 404
    assert client.get(reverse("servicemodel:edit", args=[published.pk])).status_code == 404
    response = client.post(reverse("servicemodel:move", args=[published.pk, "renew"]))
    assert response.status_code == 404


def test_a_crafted_id_gets_404(client, quality_manager, published):
    client.force_login(quality_manager)

    assert client.get("/staff/service-model/999999/").status_code == 404
    assert client.get("/staff/service-model/99999999999999999999999/").status_code == 404
    response = client.post(reverse("servicemodel:move", args=[published.pk, "explode"]))
    assert response.status_code == 404


def test_a_viewer_reads_the_model_in_force_and_acknowledges_it_once(client, viewer, published):
    client.force_login(viewer)

    page = client.get(HOME).content.decode()
    assert "Contigo, siempre" in page
    assert "Le atenderemos en 15 minutos." in page
    assert reverse("servicemodel:acknowledge") in page
    assert reverse("servicemodel:new") not in page

    client.post(reverse("servicemodel:acknowledge"))
    client.post(reverse("servicemodel:acknowledge"))

    assert Acknowledgement.objects.filter(user=viewer, service_model=published).count() == 1
    page = client.get(HOME).content.decode()
    assert reverse("servicemodel:acknowledge") not in page
    assert "coverage-title" not in page  # the coverage is for those who draft the model


def test_a_viewer_cannot_edit_approve_or_publish(client, viewer, draft):
    client.force_login(viewer)

    page = client.get(reverse("servicemodel:detail", args=[draft.pk])).content.decode()
    assert reverse("servicemodel:edit", args=[draft.pk]) not in page
    assert reverse("servicemodel:move", args=[draft.pk, "approve"]) not in page
    assert client.get(reverse("servicemodel:edit", args=[draft.pk])).status_code == 403
    assert client.get(reverse("servicemodel:new")).status_code == 403
    response = client.post(
        reverse("servicemodel:move", args=[draft.pk, "approve"]), {"reference": "R 1"}
    )
    assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.status == ModelStatus.DRAFT


def test_a_quality_manager_drafts_approves_and_publishes_from_the_pages(client, quality_manager):
    client.force_login(quality_manager)
    assert reverse("servicemodel:new") in client.get(HOME).content.decode()

    response = client.post(reverse("servicemodel:new"), _form())
    model = ServiceModel.objects.get()
    assert response["Location"] == reverse("servicemodel:detail", args=[model.pk])
    assert [a.name for a in model.axes.all()] == ["Acogida", "Resolución"]
    assert [p.text for p in model.promises.all()] == [
        "Le atenderemos en 15 minutos.",
        "Responderemos en plazo.",
    ]
    page = client.get(reverse("servicemodel:detail", args=[model.pk])).content.decode()
    assert reverse("servicemodel:move", args=[model.pk, "approve"]) in page
    assert reverse("servicemodel:move", args=[model.pk, "publish"]) not in page

    client.post(reverse("servicemodel:move", args=[model.pk, "approve"]), {"reference": "R 7"})
    page = client.get(reverse("servicemodel:detail", args=[model.pk])).content.decode()
    assert reverse("servicemodel:move", args=[model.pk, "publish"]) in page
    client.post(reverse("servicemodel:move", args=[model.pk, "publish"]))

    model.refresh_from_db()
    assert model.status == ModelStatus.PUBLISHED
    assert "coverage-title" in client.get(HOME).content.decode()


def test_the_edit_form_shows_the_draft_and_saves_it(client, quality_manager, draft):
    client.force_login(quality_manager)
    url = reverse("servicemodel:edit", args=[draft.pk])

    assert "Acogida: Recibimos con prontitud." in client.get(url).content.decode()
    response = client.post(url, _form(project_name="Siempre contigo"))

    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.project_name == "Siempre contigo"


def test_an_oversized_text_is_refused_with_a_clear_message(client, quality_manager, draft):
    client.force_login(quality_manager)

    response = client.post(
        reverse("servicemodel:edit", args=[draft.pk]), _form(quality_policy="x" * 20001)
    )

    assert response.status_code == 200
    assert "20000" in response.content.decode()
    draft.refresh_from_db()
    assert draft.quality_policy == TEXT["quality_policy"]


def test_an_axis_line_without_a_name_is_refused(client, quality_manager, draft):
    client.force_login(quality_manager)

    response = client.post(
        reverse("servicemodel:edit", args=[draft.pk]), _form(axes=": solo valor")
    )

    assert response.status_code == 200
    assert draft.axes.count() == 2


def test_a_published_version_redirects_from_its_edit_page(client, quality_manager, published):
    client.force_login(quality_manager)

    response = client.get(reverse("servicemodel:edit", args=[published.pk]))

    assert response["Location"] == reverse("servicemodel:detail", args=[published.pk])


def test_a_new_version_is_made_from_the_published_page(client, quality_manager, published):
    client.force_login(quality_manager)

    response = client.post(reverse("servicemodel:move", args=[published.pk, "renew"]))

    draft = ServiceModel.objects.get(version=2)
    assert response["Location"] == reverse("servicemodel:detail", args=[draft.pk])


def test_the_coverage_table_shows_numbers_a_bar_and_a_dash_for_an_empty_unit(
    client, quality_manager, officer, other_branch, published
):
    services.acknowledge_service_model(published, by=officer)
    client.force_login(quality_manager)

    page = client.get(HOME).content.decode()

    assert '<progress class="w-50" max="100" value="50"' in page  # 1 of 2 in the organisation
    assert "Sucursal Temuco" in page
    assert '<td class="text-nowrap">—</td>' in page


def test_a_unit_head_sees_the_coverage_of_their_subtree_only(
    client, unit_head, branch, other_branch, published
):
    client.force_login(unit_head)

    page = client.get(HOME).content.decode()

    assert "Sucursal Arica" in page
    assert "Sucursal Temuco" not in page


def test_the_navigation_links_to_the_service_model(client, viewer):
    client.force_login(viewer)

    assert f'href="{HOME}"' in client.get(reverse("organizations:overview")).content.decode()


def test_the_staff_home_reminds_a_member_to_read_the_model_until_they_have(
    client, officer, published
):
    client.force_login(officer)
    overview = reverse("organizations:overview")

    assert "home-service-model" in client.get(overview).content.decode()
    services.acknowledge_service_model(published, by=officer)
    assert "home-service-model" not in client.get(overview).content.decode()


def test_the_staff_home_says_nothing_without_a_model_in_force(client, officer, draft):
    client.force_login(officer)

    assert (
        "home-service-model" not in client.get(reverse("organizations:overview")).content.decode()
    )
