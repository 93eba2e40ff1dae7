"""The questionnaire editor: survey managers see their questionnaires and each one's questions,
add, edit, reorder and delete questions of a draft, and make a new version of one in use. Hostile
input is refused or rendered inert, and what is edited here can be answered on the public page."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from compromiso.catalog.tests.factories import AttributeFactory, ServiceFactory
from compromiso.core.actors import SYSTEM
from compromiso.core.models import AuditEntry
from compromiso.surveys import services
from compromiso.surveys.models import Question, Questionnaire, Response
from compromiso.surveys.services import SurveyError, questionnaires

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert('x')</script>"


def _url(name, *args):
    return reverse(f"surveys:{name}", args=args)


def _actions(questionnaire):
    return list(
        AuditEntry.objects.for_object(questionnaire).order_by("pk").values_list("action", flat=True)
    )


def _snapshot(questionnaire):
    return list(
        Question.objects.filter(questionnaire=questionnaire)
        .order_by("pk")
        .values_list("order", "texts", "required", "is_overall", "choices", "satisfied_min")
    )


def _choice_post(**extra):
    data = {
        "text_es": "¿Cómo nos conoció?",
        "text_ca": "Com ens va conèixer?",
        "text_en": "How did you hear about us?",
        "required": "on",
        "options": (
            "web | Por internet | Per internet | Online\nfriend | Por un amigo | Per un amic"
        ),
    }
    data.update(extra)
    return data


def _scale_post(**extra):
    data = {"text_es": "Amabilidad", "required": "on", "scale": "1:7"}
    data.update(extra)
    return data


def _publish(questionnaire, organization, by, services_):
    wave = services.create_wave(
        organization,
        by=by,
        questionnaire=questionnaire,
        title="Medición editada",
        kind="baseline",
        services=services_,
        opens_on=dt.date(2026, 1, 1),
        closes_on=dt.date(2027, 12, 31),
    )
    return services.open_wave(wave, by=by)


# Who may do what


def test_anonymous_visitors_are_sent_to_log_in(client, questionnaire):
    response = client.get(_url("questionnaire", questionnaire.pk))

    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_a_viewer_gets_403_on_every_editor_page(client, viewer, questionnaire):
    question = questionnaire.questions.last()
    client.force_login(viewer)

    responses = [
        client.get(_url("questionnaires")),
        client.get(_url("questionnaire", questionnaire.pk)),
        client.get(_url("question_add", questionnaire.pk, "scale")),
        client.post(_url("question_edit", questionnaire.pk, question.pk), _scale_post()),
        client.post(_url("question_move", questionnaire.pk, question.pk, "up")),
        client.post(_url("question_delete", questionnaire.pk, question.pk)),
        client.post(_url("questionnaire_new_version", questionnaire.pk)),
    ]

    assert [r.status_code for r in responses] == [403] * 7
    assert questionnaire.questions.count() == 4


def test_another_organisations_manager_gets_404(client, outsider, questionnaire):
    question = questionnaire.questions.last()
    before = _snapshot(questionnaire)
    client.force_login(outsider)

    listing = client.get(_url("questionnaires"))
    responses = [
        client.get(_url("questionnaire", questionnaire.pk)),
        client.post(_url("question_add", questionnaire.pk, "text"), {"text_es": "x"}),
        client.post(_url("question_move", questionnaire.pk, question.pk, "up")),
        client.post(_url("question_delete", questionnaire.pk, question.pk)),
        client.post(_url("questionnaire_new_version", questionnaire.pk)),
    ]

    assert listing.status_code == 200
    assert listing.context["rows"] == []
    assert [r.status_code for r in responses] == [404] * 5
    assert _snapshot(questionnaire) == before


# Seeing questionnaires


def test_the_list_shows_versions_state_and_the_waves_using_each(
    client, quality_manager, wave, organization
):
    draft = services.create_questionnaire(
        organization, by=quality_manager, title="Borrador", language="ca", questions=[]
    )
    client.force_login(quality_manager)

    page = client.get(_url("questionnaires"))
    rows = {
        q.pk: (q.version, q.is_locked, [w.pk for w in waves], n)
        for q, waves, n in page.context["rows"]
    }

    assert page.status_code == 200
    assert rows[wave.questionnaire_id] == (1, True, [wave.pk], 4)
    assert rows[draft.pk] == (1, False, [], 0)
    assert "Medición 2026" in page.content.decode()
    assert _url("questionnaires") in client.get(_url("waves")).content.decode()


def test_the_questionnaire_page_shows_every_question_and_flags_missing_translations(
    client, quality_manager, questionnaire
):
    client.force_login(quality_manager)

    page = client.get(_url("questionnaire", questionnaire.pk))
    rows = page.context["rows"]
    html = page.content.decode()

    assert page.status_code == 200
    assert [r["question"].kind for r in rows] == ["scale", "scale", "yes_no", "text"]
    assert rows[0]["question"].is_overall
    assert [t for _c, _n, t in rows[0]["texts"]] == [
        "Satisfacción general",
        "Satisfacció general",
        "",
    ]
    assert all(r["missing"] for r in rows)
    assert "Satisfacció general" in html
    assert rows[1]["question"].attribute.name == "Rapidez"
    assert _url("question_add", questionnaire.pk, "single") in html
    assert _url("question_edit", questionnaire.pk, rows[0]["question"].pk) in html


# Adding questions


def test_a_manager_adds_a_single_choice_question_with_its_options(
    client, quality_manager, questionnaire
):
    client.force_login(quality_manager)

    response = client.post(_url("question_add", questionnaire.pk, "single"), _choice_post())
    question = questionnaire.questions.order_by("-pk").first()

    assert response.status_code == 302
    assert response["Location"].endswith(f"#question-{question.pk}")
    assert question.kind == "single"
    assert question.order == 5
    assert question.texts == {
        "es": "¿Cómo nos conoció?",
        "ca": "Com ens va conèixer?",
        "en": "How did you hear about us?",
    }
    assert question.choices == [
        {"value": "web", "texts": {"es": "Por internet", "ca": "Per internet", "en": "Online"}},
        {"value": "friend", "texts": {"es": "Por un amigo", "ca": "Per un amic"}},
    ]
    assert _actions(questionnaire)[-1] == "surveys.questionnaire.question_added"


@pytest.mark.parametrize(
    ("scale", "expected"),
    [("1:7", (1, 7, 4, 6)), ("1:5", (1, 5, 2, 4)), ("0:10", (0, 10, 6, 9))],
)
def test_a_scale_question_takes_the_default_bands_of_its_preset(
    client, quality_manager, questionnaire, scale, expected
):
    client.force_login(quality_manager)

    client.post(_url("question_add", questionnaire.pk, "scale"), _scale_post(scale=scale))
    question = questionnaire.questions.order_by("-pk").first()

    assert (
        question.scale_min,
        question.scale_max,
        question.dissatisfied_max,
        question.satisfied_min,
    ) == expected
    assert not question.is_overall


def test_every_kind_can_be_added(client, quality_manager, questionnaire):
    client.force_login(quality_manager)

    for kind, data in [
        ("yes_no", {"text_es": "¿Volvería?"}),
        ("text", {"text_es": "Comentarios"}),
        ("multiple", _choice_post()),
        ("scale", _scale_post(dissatisfied_max="2", satisfied_min="7", scale="0:10")),
    ]:
        assert client.post(_url("question_add", questionnaire.pk, kind), data).status_code == 302

    added = list(questionnaire.questions.filter(order__gt=4).values_list("kind", "required"))
    assert added == [("yes_no", False), ("text", False), ("multiple", True), ("scale", True)]
    assert client.get(_url("question_add", questionnaire.pk, "nonsense")).status_code == 404


def test_a_new_overall_question_takes_the_mark_from_the_old_one(
    client, quality_manager, questionnaire
):
    client.force_login(quality_manager)

    client.post(_url("question_add", questionnaire.pk, "scale"), _scale_post(is_overall="on"))

    overall = list(questionnaire.questions.filter(is_overall=True).values_list("order", flat=True))
    assert overall == [5]


# Hostile and wrong input


def test_a_10000_character_wording_is_refused_with_a_form_error(
    client, quality_manager, questionnaire
):
    client.force_login(quality_manager)

    response = client.post(
        _url("question_add", questionnaire.pk, "text"), {"text_es": "a" * 10_000}
    )

    assert response.status_code == 200
    assert "text_es" in response.context["form"].errors
    assert questionnaire.questions.count() == 4


def test_bands_out_of_order_are_refused(client, quality_manager, questionnaire):
    client.force_login(quality_manager)
    url = _url("question_add", questionnaire.pk, "scale")

    crossed = client.post(url, _scale_post(dissatisfied_max="6", satisfied_min="5"))
    outside = client.post(url, _scale_post(dissatisfied_max="0", satisfied_min="6"))
    half = client.post(url, _scale_post(dissatisfied_max="3"))
    top = client.post(url, _scale_post(dissatisfied_max="4", satisfied_min="8"))

    for response in (crossed, outside, half, top):
        assert response.status_code == 200
        assert response.context["form"].errors
    assert questionnaire.questions.count() == 4


@pytest.mark.parametrize(
    "options",
    [
        "a | Uno\na | Otro",  # the same value twice
        "a | Uno",  # a single option
        "\n".join(f"v{n} | Opción {n}" for n in range(31)),  # too many
        "a | Uno\nb | " + "x" * 201,  # too long a text
        "a | Uno\nb",  # no text
        "a b | Uno\nc | Dos",  # a value with a space
        "a | Uno | Un | One | extra\nb | Dos",  # too many parts
        "<b> | Uno\nc | Dos",  # markup as the value
    ],
)
def test_bad_options_are_refused_with_a_form_error(client, quality_manager, questionnaire, options):
    client.force_login(quality_manager)

    response = client.post(
        _url("question_add", questionnaire.pk, "multiple"), _choice_post(options=options)
    )

    assert response.status_code == 200
    assert "options" in response.context["form"].errors
    assert questionnaire.questions.count() == 4


def test_the_main_language_wording_is_required(client, quality_manager, questionnaire):
    client.force_login(quality_manager)

    response = client.post(
        _url("question_add", questionnaire.pk, "text"), {"text_ca": "Comentaris"}
    )

    assert "text_es" in response.context["form"].errors


def test_an_attribute_of_another_organisation_is_refused(
    client, quality_manager, questionnaire, other_organization
):
    foreign = AttributeFactory(service=ServiceFactory(organization=other_organization))
    client.force_login(quality_manager)

    response = client.post(
        _url("question_add", questionnaire.pk, "scale"), _scale_post(attribute=foreign.pk)
    )

    assert "attribute" in response.context["form"].errors
    with pytest.raises(ValidationError):
        questionnaires.add_question(
            questionnaire,
            by=SYSTEM,
            spec={
                "kind": "scale",
                "texts": {"es": "x"},
                "scale_min": 1,
                "scale_max": 7,
                "satisfied_min": 6,
                "dissatisfied_max": 4,
                "attribute": foreign,
            },
        )
    assert questionnaire.questions.count() == 4


def test_the_services_refuse_what_the_forms_would_not_send(quality_manager, questionnaire):
    yes_no = questionnaire.questions.get(kind="yes_no")
    scale = questionnaire.questions.filter(kind="scale", is_overall=False).get()

    with pytest.raises(ValidationError):
        questionnaires.update_question(yes_no, by=quality_manager, is_overall=True)
    with pytest.raises(ValidationError):
        questionnaires.update_question(scale, by=quality_manager, satisfied_min=3)
    with pytest.raises(ValidationError):
        questionnaires.update_question(yes_no, by=quality_manager, texts={"es": "x" * 10_000})
    with pytest.raises(ValidationError):
        questionnaires.add_question(
            questionnaire,
            by=quality_manager,
            spec={"kind": "single", "texts": {"es": "x"}, "choices": [{"value": "a"}] * 2},
        )

    assert questionnaire.questions.get(pk=scale.pk).satisfied_min == 6
    assert questionnaire.questions.filter(is_overall=True).count() == 1


def test_a_question_id_of_another_questionnaire_is_refused(
    client, quality_manager, questionnaire, organization
):
    other = services.create_questionnaire(
        organization,
        by=quality_manager,
        title="Otra",
        language="es",
        questions=[{"kind": "text", "texts": {"es": "Otra pregunta"}}],
    )
    foreign = other.questions.get()
    before = _snapshot(other)
    client.force_login(quality_manager)

    responses = [
        client.get(_url("question_edit", questionnaire.pk, foreign.pk)),
        client.post(_url("question_edit", questionnaire.pk, foreign.pk), {"text_es": "Cambio"}),
        client.post(_url("question_move", questionnaire.pk, foreign.pk, "up")),
        client.post(_url("question_delete", questionnaire.pk, foreign.pk)),
    ]

    assert [r.status_code for r in responses] == [404] * 4
    assert _snapshot(other) == before


def test_html_in_texts_is_inert_on_the_staff_page_and_the_public_page(
    client, quality_manager, organization, licences
):
    questionnaire = services.create_questionnaire(
        organization,
        by=quality_manager,
        title="Encuesta",
        language="es",
        questions=[
            {
                "kind": "scale",
                "texts": {"es": "General"},
                "scale_min": 1,
                "scale_max": 7,
                "satisfied_min": 6,
                "dissatisfied_max": 4,
                "is_overall": True,
            }
        ],
    )
    client.force_login(quality_manager)
    client.post(
        _url("question_add", questionnaire.pk, "single"),
        _choice_post(text_es=SCRIPT, options=f"a | {SCRIPT}\nb | <img src=x onerror=alert(1)>"),
    )
    staff = client.get(_url("questionnaire", questionnaire.pk)).content.decode()
    wave = _publish(questionnaire, organization, quality_manager, [licences])
    client.logout()
    public = client.get(reverse("portal:survey", args=[wave.token])).content.decode()

    assert questionnaire.questions.filter(texts__es=SCRIPT).exists()
    for html in (staff, public):
        assert SCRIPT not in html
        assert "<img src=x" not in html
        assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html


# Editing, moving, deleting


def test_a_manager_edits_wording_translations_required_and_bands(
    client, quality_manager, questionnaire
):
    speed = questionnaire.questions.get(order=2)
    client.force_login(quality_manager)
    form = client.get(_url("question_edit", questionnaire.pk, speed.pk)).context["form"]

    response = client.post(
        _url("question_edit", questionnaire.pk, speed.pk),
        {
            "text_es": "Rapidez",
            "text_ca": "Rapidesa",
            "text_en": "Speed",
            "scale": "1:7",
            "dissatisfied_max": "3",
            "satisfied_min": "7",
            "attribute": speed.attribute_id,
        },
    )
    speed.refresh_from_db()
    entry = AuditEntry.objects.for_object(questionnaire).first()

    assert form["text_es"].value() == "Rapidez de la atención"
    assert response.status_code == 302
    assert speed.texts == {"es": "Rapidez", "ca": "Rapidesa", "en": "Speed"}
    assert not speed.required
    assert (speed.dissatisfied_max, speed.satisfied_min) == (3, 7)
    assert entry.action == "surveys.questionnaire.question_updated"
    assert entry.data["changes"]["satisfied_min"] == [6, 7]


def test_marking_another_question_overall_moves_the_mark(client, quality_manager, questionnaire):
    first, speed = questionnaire.questions.filter(kind="scale")
    client.force_login(quality_manager)

    client.post(
        _url("question_edit", questionnaire.pk, speed.pk),
        _scale_post(text_es="Rapidez", is_overall="on"),
    )
    refused = client.post(
        _url("question_edit", questionnaire.pk, speed.pk), _scale_post(text_es="Rapidez")
    )

    assert list(questionnaire.questions.filter(is_overall=True)) == [speed]
    assert refused.status_code == 200
    assert refused.context["form"].errors
    assert AuditEntry.objects.for_object(questionnaire).first().data["overall_from"] == [first.pk]


def test_the_choice_options_of_a_question_are_edited_as_lines(
    client, quality_manager, questionnaire
):
    client.force_login(quality_manager)
    client.post(_url("question_add", questionnaire.pk, "single"), _choice_post())
    question = questionnaire.questions.get(kind="single")

    form = client.get(_url("question_edit", questionnaire.pk, question.pk)).context["form"]
    client.post(
        _url("question_edit", questionnaire.pk, question.pk),
        _choice_post(options="friend | Por un amigo | Per un amic\nweb | Internet\nx | Otro"),
    )
    question.refresh_from_db()

    assert form["options"].value().splitlines() == [
        "web | Por internet | Per internet | Online",
        "friend | Por un amigo | Per un amic",
    ]
    assert [c["value"] for c in question.choices] == ["friend", "web", "x"]


def test_questions_move_up_and_down(client, quality_manager, questionnaire):
    ids = list(questionnaire.questions.values_list("pk", flat=True))
    client.force_login(quality_manager)

    client.post(_url("question_move", questionnaire.pk, ids[2], "up"))
    client.post(_url("question_move", questionnaire.pk, ids[0], "down"))
    client.post(_url("question_move", questionnaire.pk, ids[3], "down"))  # already last
    bad = client.post(_url("question_move", questionnaire.pk, ids[3], "sideways"))
    get = client.get(_url("question_move", questionnaire.pk, ids[3], "up"))

    assert list(questionnaire.questions.values_list("pk", flat=True)) == [
        ids[2],
        ids[0],
        ids[1],
        ids[3],
    ]
    assert list(questionnaire.questions.values_list("order", flat=True)) == [1, 2, 3, 4]
    assert bad.status_code == 404
    assert get.status_code == 405
    assert _actions(questionnaire).count("surveys.questionnaire.question_moved") == 2


def test_a_question_is_deleted_but_not_the_overall_one(client, quality_manager, questionnaire):
    overall, speed, solved, improve = questionnaire.questions.all()
    client.force_login(quality_manager)

    client.post(_url("question_delete", questionnaire.pk, speed.pk))
    refused = client.post(_url("question_delete", questionnaire.pk, overall.pk), follow=True)

    assert list(questionnaire.questions.values_list("pk", "order")) == [
        (overall.pk, 1),
        (solved.pk, 2),
        (improve.pk, 3),
    ]
    assert [m.level_tag for m in refused.context["messages"]] == ["success", "error"]
    assert "surveys.questionnaire.question_removed" in _actions(questionnaire)


# Locked questionnaires and versions


def test_a_locked_questionnaire_has_no_edit_controls_and_refuses_crafted_posts(
    client, quality_manager, wave
):
    questionnaire = wave.questionnaire
    questionnaire.refresh_from_db()
    question = questionnaire.questions.get(kind="text")
    before = _snapshot(questionnaire)
    client.force_login(quality_manager)

    page = client.get(_url("questionnaire", questionnaire.pk))
    html = page.content.decode()
    edit = client.post(
        _url("question_edit", questionnaire.pk, question.pk), {"text_es": "Cambiado"}, follow=True
    )
    add = client.post(
        _url("question_add", questionnaire.pk, "text"), {"text_es": "Nueva"}, follow=True
    )
    move = client.post(_url("question_move", questionnaire.pk, question.pk, "up"), follow=True)
    delete = client.post(_url("question_delete", questionnaire.pk, question.pk), follow=True)

    assert questionnaire.is_locked
    assert not page.context["editable"]
    assert _url("question_edit", questionnaire.pk, question.pk) not in html
    assert _url("question_add", questionnaire.pk, "text") not in html
    assert _url("questionnaire_new_version", questionnaire.pk) in html
    for response in (edit, add, move, delete):
        assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert _snapshot(questionnaire) == before
    assert not [a for a in _actions(questionnaire) if "question_" in a]
    with pytest.raises(SurveyError):
        questionnaires.remove_question(question, by=quality_manager)


def test_a_new_version_of_a_locked_questionnaire_opens_as_a_draft_to_edit(
    client, quality_manager, wave
):
    questionnaire = wave.questionnaire
    client.force_login(quality_manager)

    response = client.post(_url("questionnaire_new_version", questionnaire.pk))
    copy = Questionnaire.objects.get(lineage=questionnaire.lineage, version=2)
    again = client.post(_url("questionnaire_new_version", questionnaire.pk))
    edited = client.post(
        _url("question_add", copy.pk, "text"), {"text_es": "¿Algo más?", "required": "on"}
    )

    assert response.status_code == 302
    assert response["Location"] == _url("questionnaire", copy.pk)
    assert again["Location"] == _url("questionnaire", copy.pk)
    assert Questionnaire.objects.filter(lineage=questionnaire.lineage).count() == 2
    assert not copy.is_locked
    assert edited.status_code == 302
    assert copy.questions.count() == 5
    assert questionnaire.questions.count() == 4
    assert "surveys.questionnaire.versioned" in _actions(copy)


def test_a_draft_questionnaire_is_not_versioned(client, quality_manager, questionnaire):
    client.force_login(quality_manager)

    response = client.post(_url("questionnaire_new_version", questionnaire.pk))

    assert response["Location"] == _url("questionnaire", questionnaire.pk)
    assert Questionnaire.objects.count() == 1


# Answering what was edited here


def test_an_edited_questionnaire_is_answered_in_catalan_on_the_public_page(
    client, quality_manager, organization, licences
):
    questionnaire = services.create_questionnaire(
        organization,
        by=quality_manager,
        title="Enquesta",
        language="es",
        questions=[
            {
                "kind": "scale",
                "texts": {"es": "Valoración general"},
                "scale_min": 0,
                "scale_max": 10,
                "satisfied_min": 9,
                "dissatisfied_max": 6,
                "is_overall": True,
            }
        ],
    )
    overall = questionnaire.questions.get()
    client.force_login(quality_manager)
    client.post(
        _url("question_edit", questionnaire.pk, overall.pk),
        {
            "text_es": "Valoración general",
            "text_ca": "Valoració general",
            "required": "on",
            "scale": "0:10",
            "dissatisfied_max": "6",
            "satisfied_min": "9",
            "is_overall": "on",
        },
    )
    client.post(_url("question_add", questionnaire.pk, "single"), _choice_post())
    client.post(_url("question_add", questionnaire.pk, "multiple"), _choice_post())
    client.post(_url("question_add", questionnaire.pk, "yes_no"), {"text_es": "¿Volvería?"})
    wave = _publish(questionnaire, organization, quality_manager, [licences])
    client.logout()
    single, multiple, yes_no = questionnaire.questions.filter(order__gt=1)

    page = client.get(reverse("portal:survey", args=[wave.token]), HTTP_ACCEPT_LANGUAGE="ca")
    html = page.content.decode()
    sent = client.post(
        reverse("portal:survey", args=[wave.token]),
        {
            "service": licences.pk,
            f"q{overall.pk}": "10",
            f"q{single.pk}": "friend",
            f"q{multiple.pk}": ["web", "friend"],
            f"q{yes_no.pk}": "yes",
        },
    )

    assert page.status_code == 200
    assert "Valoració general" in html
    assert "Com ens va conèixer?" in html
    assert "Per un amic" in html
    assert "Valoración general" not in html
    assert sent.status_code == 302
    response = Response.objects.get()
    assert response.grades == {str(overall.pk): 10}
    assert [a.choices for a in response.answers.order_by("question__order")] == [
        ["friend"],
        ["web", "friend"],
        ["yes"],
    ]
