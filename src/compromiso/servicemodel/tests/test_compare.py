"""Comparing two versions of the service model: fields word by word, slogans line by line,
axes and promises added, removed and changed; only versions of the same model the reader's
organisation holds; every text escaped."""

import pytest
from django.urls import reverse

from compromiso.core.actors import SYSTEM
from compromiso.servicemodel import services
from compromiso.servicemodel.tests.conftest import TEXT
from compromiso.servicemodel.versions import compare_models, line_diff, word_diff

pytestmark = pytest.mark.django_db


@pytest.fixture
def renewed(published):
    draft = services.new_service_model_version(published, by=SYSTEM)
    return services.update_service_model(
        draft,
        by=SYSTEM,
        slogans="Te recibimos, te resolvemos.\nCerca de ti.",
        value_proposition="Le recibimos con amabilidad y le resolvemos a la primera.",
        tangible_arguments="",
        axes=[("Acogida", "Recibimos con calidez."), ("Cercanía", "Estamos donde está.")],
        promises=["Le atenderemos en 10 minutos.", "Responderemos su reclamo en plazo."],
    )


def test_word_and_line_diffs_mark_what_was_added_and_removed():
    assert word_diff("a b c", "a x c") == [
        ("same", "a "),
        ("removed", "b"),
        ("added", "x"),
        ("same", " c"),
    ]
    assert word_diff("", "") == []
    assert line_diff("uno\ndos\n\n", "uno\ntres") == [
        ("same", "uno\n"),
        ("removed", "dos\n"),
        ("added", "tres\n"),
    ]


def test_two_hand_made_versions_differ_where_they_were_edited(published, renewed):
    diff = compare_models(published, renewed)

    fields = {str(item.label): item for item in diff.fields}
    # the labels are in the default language, Spanish
    assert set(fields) == {"eslóganes", "propuesta de valor", "argumentos tangibles"}
    assert fields["eslóganes"].pieces == [
        ("same", "Te recibimos, te resolvemos.\n"),
        ("removed", "Un mismo trato.\n"),
        ("added", "Cerca de ti.\n"),
    ]
    assert ("removed", "prontitud") in fields["propuesta de valor"].pieces
    assert ("added", "amabilidad") in fields["propuesta de valor"].pieces
    assert fields["argumentos tangibles"].change == "removed"
    axes = {(item.change, item.label) for item in diff.axes}
    assert axes == {("changed", "Acogida"), ("added", "Cercanía"), ("removed", "Resolución")}
    promises = [(item.change, item.before, item.after) for item in diff.promises]
    assert promises == [
        ("changed", TEXT["promises"][0], "Le atenderemos en 10 minutos."),
    ]
    assert not compare_models(published, published).fields
    assert compare_models(published, published).same


def test_the_compare_page_shows_the_changes_from_either_side(client, viewer, published, renewed):
    client.force_login(viewer)
    for pk, other in ((renewed.pk, published.pk), (published.pk, renewed.pk)):
        page = client.get(reverse("servicemodel:compare", args=[pk, other])).content.decode()
        assert "prontitud</del>" in page
        assert "amabilidad</ins>" in page
        assert "Cercanía" in page
        assert "versión 1" in page.lower() or "version 1" in page.lower()


def test_the_detail_page_links_to_the_comparisons(client, viewer, published, renewed):
    client.force_login(viewer)

    page = client.get(reverse("servicemodel:detail", args=[renewed.pk])).content.decode()
    assert reverse("servicemodel:compare", args=[renewed.pk, published.pk]) in page
    first = client.get(reverse("servicemodel:detail", args=[published.pk])).content.decode()
    assert reverse("servicemodel:compare", args=[published.pk, renewed.pk]) not in first


def test_html_in_the_texts_is_escaped(client, viewer, published):
    draft = services.new_service_model_version(published, by=SYSTEM)
    services.update_service_model(
        draft,
        by=SYSTEM,
        value_proposition='<script>alert("x")</script> <b>nuevo</b>',
        promises=["<img src=x onerror=alert(1)>"],
    )
    client.force_login(viewer)

    page = client.get(reverse("servicemodel:compare", args=[draft.pk, published.pk])).content
    assert b"<script>alert" not in page
    assert b"<img src=x" not in page
    assert b"&lt;script&gt;" in page


def test_anonymous_visitors_log_in_and_other_organisations_get_404(
    client, published, renewed, outsider, other_organization
):
    url = reverse("servicemodel:compare", args=[renewed.pk, published.pk])
    response = client.get(url)
    assert response.status_code == 302
    assert "login" in response.url

    foreign = services.create_service_model(other_organization, by=SYSTEM, **TEXT)
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    assert client.get(
        reverse("servicemodel:compare", args=[foreign.pk, foreign.pk])
    ).status_code in (
        200,
        404,
    )


def test_another_organisations_or_lineages_version_is_not_found(
    client, viewer, published, other_organization, organization
):
    foreign = services.create_service_model(other_organization, by=SYSTEM, **TEXT)
    client.force_login(viewer)

    assert (
        client.get(reverse("servicemodel:compare", args=[published.pk, foreign.pk])).status_code
        == 404
    )
    assert (
        client.get(reverse("servicemodel:compare", args=[foreign.pk, published.pk])).status_code
        == 404
    )
    assert client.get(f"/staff/service-model/{published.pk}/compare/{'9' * 30}/").status_code == 404
    assert client.get(f"/staff/service-model/{published.pk}/compare/x%00/").status_code == 404


def test_a_reader_cannot_change_anything_from_the_compare_page(client, viewer, published, renewed):
    client.force_login(viewer)
    url = reverse("servicemodel:compare", args=[renewed.pk, published.pk])

    page = client.get(url).content.decode()
    assert '<form method="post"' not in page
    assert client.post(url).status_code in (200, 405)
