"""Forms of an import: the file, and the mapping of its columns."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from compromiso.core.forms import StyledFormMixin
from compromiso.surveys.models import (
    ImportJob,
)

FIELD_LABELS = {
    "service": _("Service (code or name)"),
    "channel": _("Channel (optional)"),
    "date": _("Date answered (optional)"),
    "touch_point": _("Office or touch point (optional)"),
    "user_type": _("User type (optional)"),
    "age_band": _("Age band (optional)"),
    "respondent": _("Respondent or response identifier (optional)"),
}


class ImportUploadForm(StyledFormMixin, forms.Form):
    file = forms.FileField(
        label=_("File with the responses (CSV or XLSX, up to 100 MB)"),
        help_text=_("One row per response, with a header row."),
    )


class MappingForm(StyledFormMixin, forms.Form):
    """For each field of the wave and each question, which column of the file holds it."""

    def __init__(self, *args: Any, job: ImportJob, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        columns = [("", _("(not in the file)")), *((h, h) for h in job.headers if h)]
        for name, label in FIELD_LABELS.items():
            self.fields[name] = forms.ChoiceField(
                label=label, choices=columns, required=name == "service"
            )
        for question in job.wave.questionnaire.questions.select_related("questionnaire"):
            self.fields[f"q{question.pk}"] = forms.ChoiceField(
                label=question.text, choices=columns, required=False
            )
        # Re-apply the widget classes to the fields added after the mixin ran.
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-select")

    def mapping(self) -> dict[str, str]:
        return {name: column for name, column in self.cleaned_data.items() if column}
