"""Staff pages of the questionnaire editor: the questionnaires and their versions, a
questionnaire's questions, and adding, editing, moving and deleting questions while it is a draft.
A questionnaire in use is shown read-only, with a button to make a new version. No JavaScript."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from compromiso.core.errors import DomainError
from compromiso.core.forms import add_service_error
from compromiso.core.http import AuthenticatedHttpRequest, report
from compromiso.core.permissions import Perm, scope_for
from compromiso.organizations.current import require_organization
from compromiso.organizations.models import Organization
from compromiso.surveys import services
from compromiso.surveys.forms import (
    SCALES,
    QuestionForm,
    QuestionnaireForm,
)
from compromiso.surveys.models import Question, QuestionKind, Questionnaire, Wave
from compromiso.surveys.services import questionnaires
from compromiso.surveys.views.access import managed_organization


def _manager_organization(request: AuthenticatedHttpRequest) -> Organization:
    organization = require_organization(request)
    if not scope_for(request.user, Perm.MANAGE_SURVEYS).covers_organization(organization.pk):
        raise PermissionDenied
    return organization


def _questionnaire(request: AuthenticatedHttpRequest, pk: int) -> Questionnaire:
    """A questionnaire of the current organisation, for a survey manager (404 for another
    organisation's, 403 for someone who does not manage surveys)."""
    organization = _manager_organization(request)
    found: Questionnaire = get_object_or_404(
        Questionnaire.objects.filter(organization=organization).select_related("organization"),
        pk=pk,
    )
    return found


def _question(questionnaire: Questionnaire, pk: int) -> Question:
    """A question of this questionnaire only: another questionnaire's question id is a 404."""
    found: Question = get_object_or_404(
        questionnaire.questions.select_related("attribute__service"), pk=pk
    )
    found.questionnaire = questionnaire
    return found


def _page(questionnaire: Questionnaire, question: Question | None = None) -> str:
    url = reverse("surveys:questionnaire", args=[questionnaire.pk])
    return f"{url}#question-{question.pk}" if question is not None else url


def _refuse_locked(request: AuthenticatedHttpRequest, questionnaire: Questionnaire) -> bool:
    if questionnaire.is_locked:
        messages.error(
            request,
            _("This questionnaire is in use by a wave and cannot be changed: make a new version."),
        )
        return True
    return False


@login_required
def questionnaire_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    organization = _manager_organization(request)
    items = list(Questionnaire.objects.filter(organization=organization))
    waves: dict[int, list[Wave]] = {}
    for wave in Wave.objects.filter(organization=organization).order_by("-opens_on", "pk"):
        waves.setdefault(wave.questionnaire_id, []).append(wave)
    counts = dict.fromkeys([q.pk for q in items], 0)
    for question_questionnaire in Question.objects.filter(
        questionnaire__organization=organization
    ).values_list("questionnaire_id", flat=True):
        counts[question_questionnaire] = counts.get(question_questionnaire, 0) + 1
    rows = [(item, waves.get(item.pk, []), counts.get(item.pk, 0)) for item in items]
    return render(request, "surveys/questionnaires.html", {"rows": rows})


def _texts(texts: dict[str, str]) -> list[tuple[str, Any, str]]:
    return [(code, name, texts.get(code, "")) for code, name in settings.LANGUAGES]


@login_required
def questionnaire_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    questionnaire = _questionnaire(request, pk)
    questions = list(questionnaire.questions.select_related("attribute__service"))
    rows = []
    for question in questions:
        question.questionnaire = questionnaire
        options = [
            {"value": c.get("value", ""), "texts": _texts(c.get("texts", {}))}
            for c in question.choices or []
        ]
        missing = any(not text for _c, _n, text in _texts(question.texts)) or any(
            not text for option in options for _c, _n, text in option["texts"]
        )
        rows.append(
            {
                "question": question,
                "texts": _texts(question.texts),
                "options": options,
                "missing": missing,
            }
        )
    versions = Questionnaire.objects.filter(lineage=questionnaire.lineage).order_by("version")
    return render(
        request,
        "surveys/questionnaire.html",
        {
            "questionnaire": questionnaire,
            "rows": rows,
            "waves": Wave.objects.filter(questionnaire=questionnaire).order_by("-opens_on"),
            "versions": versions,
            "has_overall": any(q.is_overall for q in questions),
            "kinds": QuestionKind.choices,
            "editable": not questionnaire.is_locked,
        },
    )


@login_required
def question_add(request: AuthenticatedHttpRequest, pk: int, kind: str) -> HttpResponse:
    questionnaire = _questionnaire(request, pk)
    if kind not in QuestionKind.values:
        raise Http404
    if _refuse_locked(request, questionnaire):
        return redirect(_page(questionnaire))
    form = QuestionForm(request.POST or None, questionnaire=questionnaire, kind=kind)
    if request.method == "POST" and form.is_valid():
        try:
            question = questionnaires.add_question(
                questionnaire, by=request.user, spec={"kind": kind, **form.spec()}
            )
        except (ValidationError, DomainError) as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Question added."))
            return redirect(_page(questionnaire, question))
    return render(
        request,
        "surveys/questionnaire_question.html",
        {
            "questionnaire": questionnaire,
            "form": form,
            "kind_label": QuestionKind(kind).label,
            "question": None,
        },
    )


@login_required
def question_edit(request: AuthenticatedHttpRequest, pk: int, question: int) -> HttpResponse:
    questionnaire = _questionnaire(request, pk)
    found = _question(questionnaire, question)
    if _refuse_locked(request, questionnaire):
        return redirect(_page(questionnaire, found))
    form = QuestionForm(
        request.POST or None, questionnaire=questionnaire, kind=found.kind, question=found
    )
    if request.method == "POST" and form.is_valid():
        try:
            questionnaires.update_question(found, by=request.user, **form.spec())
        except (ValidationError, DomainError) as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Question saved."))
            return redirect(_page(questionnaire, found))
    return render(
        request,
        "surveys/questionnaire_question.html",
        {
            "questionnaire": questionnaire,
            "form": form,
            "kind_label": found.get_kind_display(),
            "question": found,
        },
    )


@login_required
@require_POST
def question_move(
    request: AuthenticatedHttpRequest, pk: int, question: int, direction: str
) -> HttpResponse:
    questionnaire = _questionnaire(request, pk)
    found = _question(questionnaire, question)
    if direction not in ("up", "down"):
        raise Http404
    report(
        request,
        lambda: questionnaires.move_question(found, by=request.user, direction=direction),
        _("Question moved."),
    )
    return redirect(_page(questionnaire, found))


@login_required
@require_POST
def question_delete(request: AuthenticatedHttpRequest, pk: int, question: int) -> HttpResponse:
    questionnaire = _questionnaire(request, pk)
    found = _question(questionnaire, question)
    report(
        request,
        lambda: questionnaires.remove_question(found, by=request.user),
        _("Question deleted."),
    )
    return redirect(_page(questionnaire))


@login_required
@require_POST
def questionnaire_new_version(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A draft copy of a questionnaire in use, to edit; an existing draft version is reused."""
    questionnaire = _questionnaire(request, pk)
    if not questionnaire.is_locked:
        messages.info(request, _("This questionnaire is a draft: edit it here."))
        return redirect(_page(questionnaire))
    draft = (
        Questionnaire.objects.filter(lineage=questionnaire.lineage, is_locked=False)
        .order_by("-version")
        .first()
    )
    if draft is not None:
        messages.info(request, _("There is already a draft version of this questionnaire."))
        return redirect(_page(draft))
    created = report(
        request,
        lambda: services.new_version(questionnaire, by=request.user),
        _("New version created: edit it, then use it in a new wave."),
    )
    return redirect(_page(created or questionnaire))


@login_required
def new_questionnaire(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A questionnaire from the standard pattern: the overall question, one scale question per
    attribute of the chosen services, whether the user got it done, and what to improve."""
    organization = managed_organization(request)
    form = QuestionnaireForm(request.POST or None, organization=organization)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        low, high, good, bad = SCALES[data["scale"]]
        scale = {
            "kind": "scale",
            "scale_min": low,
            "scale_max": high,
            "satisfied_min": good,
            "dissatisfied_max": bad,
        }
        language = data["language"]
        questions: list[dict[str, Any]] = [
            {**scale, "is_overall": True, "texts": {language: data["overall"]}}
        ]
        for service in data["services"]:
            for attribute in service.attributes.filter(is_active=True):
                questions.append(
                    {**scale, "attribute": attribute, "texts": {language: attribute.name}}
                )
        if data["solved"]:
            questions.append(
                {"kind": "yes_no", "texts": {language: _("Did you get done what you needed?")}}
            )
        if data["open_text"]:
            questions.append(
                {
                    "kind": "text",
                    "required": False,
                    "texts": {language: _("What could we improve?")},
                }
            )
        try:
            services.create_questionnaire(
                organization,
                by=request.user,
                title=data["title"],
                titles=form.titles(),
                language=language,
                questions=questions,
            )
        except (ValidationError, DomainError) as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Questionnaire created."))
            return redirect("surveys:new_wave")
    return render(request, "surveys/form.html", {"form": form, "title": _("New questionnaire")})
