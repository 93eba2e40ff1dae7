"""Forms of questionnaires: a new questionnaire, and the editor's form per question kind —
wording per language, the scale and its bands, and the options of choice questions written one
per line. Saving goes through surveys.services.questionnaires."""

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from compromiso.catalog.models import Attribute, Service
from compromiso.core.forms import StyledFormMixin
from compromiso.surveys.models import Question, QuestionKind, Questionnaire
from compromiso.surveys.services.questionnaires import (
    MAX_OPTIONS,
    MIN_OPTIONS,
    OPTION_TEXT_LIMIT,
    OPTION_VALUE_LIMIT,
    QUESTION_TEXT_LIMIT,
    clean_choices,
)

SCALE_LABELS = {
    "1-7": _("1 to 7 (satisfied 6–7, dissatisfied 1–4)"),
    "1-5": _("1 to 5 (satisfied 4–5, dissatisfied 1–2)"),
    "0-10": _("0 to 10 (9–10 and 0–6, as NPS)"),
}
# One option line: value, then its text in each language, separated by "|".
OPTIONS_LIMIT = MAX_OPTIONS * (OPTION_VALUE_LIMIT + 3 * (OPTION_TEXT_LIMIT + 3) + 2)


def options_to_lines(choices: list[dict[str, Any]]) -> str:
    codes = [code for code, _name in settings.LANGUAGES]
    lines = []
    for choice in choices:
        texts = choice.get("texts", {})
        parts = [str(choice.get("value", "")), *(texts.get(code, "") for code in codes)]
        while len(parts) > 2 and not parts[-1]:
            parts.pop()
        lines.append(" | ".join(parts))
    return "\n".join(lines)


def lines_to_options(text: str) -> list[dict[str, Any]]:
    codes = [code for code, _name in settings.LANGUAGES]
    options = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split("|")]
        if len(parts) < 2 or len(parts) > len(codes) + 1:
            raise ValidationError(
                gettext(
                    "Line %(number)s: write the value, then the text in each language, "
                    "separated by “|”."
                )
                % {"number": number}
            )
        value, texts = parts[0], dict(zip(codes, parts[1:], strict=False))
        if any(len(t) > OPTION_TEXT_LIMIT for t in texts.values()):
            raise ValidationError(
                gettext("Line %(number)s: write at most %(limit)s characters per text.")
                % {"number": number, "limit": OPTION_TEXT_LIMIT}
            )
        options.append({"value": value, "texts": texts})
    return options


class QuestionForm(StyledFormMixin, forms.Form):
    """A question of one kind; the fields that do not apply to the kind are left out."""

    required = forms.BooleanField(label=_("Answer required"), required=False, initial=True)

    def __init__(
        self,
        *args: Any,
        questionnaire: Questionnaire,
        kind: str,
        question: Question | None = None,
        **kwargs: Any,
    ) -> None:
        self.questionnaire = questionnaire
        self.kind = kind
        self.question = question
        if question is not None:
            kwargs.setdefault("initial", self._initial(question))
        super().__init__(*args, **kwargs)
        languages = dict(settings.LANGUAGES)
        texts: dict[str, forms.Field] = {}
        for code, name in settings.LANGUAGES:
            main = code == questionnaire.language
            texts[f"text_{code}"] = forms.CharField(
                label=gettext("Wording (%(language)s)") % {"language": name},
                required=main,
                max_length=QUESTION_TEXT_LIMIT,
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text=gettext("The questionnaire's main language.") if main else "",
            )
        # The wording comes first, then "required", then what the kind needs.
        self.fields = {**texts, **self.fields}
        fields: Any = self.fields
        if kind == QuestionKind.SCALE:
            fields["scale"] = forms.ChoiceField(label=_("Scale"), choices=self._scales())
            fields["dissatisfied_max"] = forms.IntegerField(
                label=_("Dissatisfied up to (included)"),
                required=False,
                min_value=-100,
                max_value=100,
                help_text=_("Leave both bands empty to use the scale's default bands."),
            )
            fields["satisfied_min"] = forms.IntegerField(
                label=_("Satisfied from (included)"),
                required=False,
                min_value=-100,
                max_value=100,
            )
            fields["attribute"] = forms.ModelChoiceField(
                label=_("Attribute rated (optional)"),
                queryset=self._attributes(),
                required=False,
            )
            fields["attribute"].label_from_instance = lambda a: f"{a.service.name} · {a.name}"
            fields["is_overall"] = forms.BooleanField(
                label=_("This is the overall satisfaction question"),
                required=False,
                help_text=_("There is one per questionnaire: marking this one unmarks the other."),
            )
        elif kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            if kind == QuestionKind.SINGLE:
                fields["is_segment"] = forms.BooleanField(
                    label=_("Break the overall grade down by this question's answers"),
                    required=False,
                    help_text=_(
                        "A segment of the respondents (first visit or not, how often they use "
                        "the service…): the wave page shows the overall score for each option."
                    ),
                )
            fields["options"] = forms.CharField(
                label=_("Options, one per line"),
                max_length=OPTIONS_LIMIT,
                widget=forms.Textarea(attrs={"rows": 6}),
                help_text=gettext(
                    "Write each option as “value | text in %(languages)s”, for example "
                    "“often | A menudo | Sovint | Often”. Between %(low)s and %(high)s options; "
                    "the values must be different."
                )
                % {
                    "languages": " | ".join(str(languages[c]) for c in languages),
                    "low": MIN_OPTIONS,
                    "high": MAX_OPTIONS,
                },
            )
        # Style the fields added here the way StyledFormMixin styles the declared ones.
        for field in fields.values():
            widget = field.widget
            if "class" in widget.attrs:
                continue
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs["class"] = "form-check-input"
            elif isinstance(widget, forms.Select):
                widget.attrs["class"] = "form-select"
            else:
                widget.attrs["class"] = "form-control"

    @staticmethod
    def _initial(question: Question) -> dict[str, Any]:
        initial: dict[str, Any] = {
            f"text_{code}": question.texts.get(code, "") for code, _name in settings.LANGUAGES
        }
        initial.update(
            required=question.required,
            dissatisfied_max=question.dissatisfied_max,
            satisfied_min=question.satisfied_min,
            attribute=question.attribute_id,
            is_overall=question.is_overall,
            is_segment=question.is_segment,
            options=options_to_lines(question.choices or []),
        )
        if question.scale_min is not None and question.scale_max is not None:
            initial["scale"] = f"{question.scale_min}:{question.scale_max}"
        return initial

    def _scales(self) -> list[tuple[str, Any]]:
        choices: list[tuple[str, Any]] = [
            (f"{low}:{high}", SCALE_LABELS[key]) for key, (low, high, _s, _d) in SCALES.items()
        ]
        question = self.question
        if question is not None and question.scale_min is not None:
            current = f"{question.scale_min}:{question.scale_max}"
            if current not in dict(choices):
                label = gettext("%(low)s to %(high)s (as it is)") % {
                    "low": question.scale_min,
                    "high": question.scale_max,
                }
                choices.insert(0, (current, label))
        return choices

    def _attributes(self) -> Any:
        queryset = Attribute.objects.filter(
            service__organization_id=self.questionnaire.organization_id, is_active=True
        )
        if self.question is not None and self.question.attribute_id is not None:
            queryset = Attribute.objects.filter(
                service__organization_id=self.questionnaire.organization_id
            ).filter(pk__in=[self.question.attribute_id, *queryset.values_list("pk", flat=True)])
        return queryset.select_related("service").order_by("service__code", "position", "pk")

    def clean_options(self) -> list[dict[str, Any]]:
        return clean_choices(lines_to_options(self.cleaned_data["options"]))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.kind != QuestionKind.SCALE or not data.get("scale"):
            return data
        low, high = (int(v) for v in data["scale"].split(":"))
        bad, good = data.get("dissatisfied_max"), data.get("satisfied_min")
        defaults = {(lo, hi): (d, s) for lo, hi, s, d in SCALES.values()}
        if bad is None and good is None and (low, high) in defaults:
            bad, good = defaults[(low, high)]
        elif bad is None or good is None:
            self.add_error(
                "satisfied_min" if good is None else "dissatisfied_max", _("Give both bands.")
            )
            return data
        if not low <= bad < good <= high:
            self.add_error(
                "satisfied_min",
                gettext("The bands must keep %(low)s ≤ dissatisfied < satisfied ≤ %(high)s.")
                % {"low": low, "high": high},
            )
        data.update(scale_min=low, scale_max=high, dissatisfied_max=bad, satisfied_min=good)
        return data

    def spec(self) -> dict[str, Any]:
        """The question's fields for surveys.services.questionnaires."""
        data = self.cleaned_data
        spec: dict[str, Any] = {
            "texts": {
                code: data.get(f"text_{code}", "")
                for code, _name in settings.LANGUAGES
                if data.get(f"text_{code}")
            },
            "required": data.get("required", False),
        }
        if self.kind == QuestionKind.SCALE:
            spec.update(
                {
                    name: data.get(name)
                    for name in (
                        "scale_min",
                        "scale_max",
                        "satisfied_min",
                        "dissatisfied_max",
                        "attribute",
                    )
                }
            )
            spec["is_overall"] = data.get("is_overall", False)
        elif self.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            spec["choices"] = data.get("options", [])
            if self.kind == QuestionKind.SINGLE:
                spec["is_segment"] = data.get("is_segment", False)
        return spec


SCALES = {
    "1-7": (1, 7, 6, 4),
    "1-5": (1, 5, 4, 2),
    "0-10": (0, 10, 9, 6),
}


class QuestionnaireForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    language = forms.ChoiceField(label=_("Main language"), choices=[])
    scale = forms.ChoiceField(
        label=_("Scale"),
        choices=[
            ("1-7", _("1 to 7 (satisfied 6–7, dissatisfied 1–4)")),
            ("1-5", _("1 to 5 (satisfied 4–5, dissatisfied 1–2)")),
            ("0-10", _("0 to 10 (9–10 and 0–6, as NPS)")),
        ],
    )
    overall = forms.CharField(
        label=_("Overall satisfaction question"),
        max_length=300,
        initial=_("Overall, how satisfied are you with the service you received?"),
    )
    services = forms.ModelMultipleChoiceField(
        label=_("Services whose attributes are rated (one question each)"),
        queryset=Service.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    solved = forms.BooleanField(
        label=_("Ask whether the user got done what they needed"), required=False, initial=True
    )
    open_text = forms.BooleanField(
        label=_("Ask what could be improved (open text)"), required=False, initial=True
    )

    def __init__(self, *args: Any, organization: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from django.conf import settings

        fields: Any = self.fields
        fields["language"].choices = settings.LANGUAGES
        fields["language"].initial = organization.language
        fields["services"].queryset = Service.objects.filter(
            organization=organization, is_active=True
        ).order_by("code")
        # The title's translations, shown to respondents in their language like the questions.
        for code, name in settings.LANGUAGES:
            fields[f"title_{code}"] = forms.CharField(
                label=_("Title in %(language)s (if the main language is another)")
                % {"language": name},
                max_length=200,
                required=False,
                widget=forms.TextInput(attrs={"class": "form-control"}),
            )
        self.order_fields(["title", "language", *(f"title_{c}" for c, _n in settings.LANGUAGES)])

    def titles(self) -> dict[str, str]:
        from django.conf import settings

        return {code: self.cleaned_data.get(f"title_{code}", "") for code, _n in settings.LANGUAGES}
