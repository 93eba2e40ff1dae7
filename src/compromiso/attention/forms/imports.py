"""Forms of imports: the file with what it holds, then the column of each field."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from compromiso.attention.imports.fields import FIELDS
from compromiso.attention.models import Branch, ImportJob, ImportKind
from compromiso.core.forms import StyledFormMixin


class UploadForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("The file holds"), choices=ImportKind.choices)
    branch = forms.ModelChoiceField(
        label=_("Branch (for visits)"),
        queryset=Branch.objects.none(),
        required=False,
        help_text=_("The branch whose queue system exported the visits."),
    )
    file = forms.FileField(
        label=_("File (CSV or XLSX, up to 20 MB)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.xlsx"}),
    )

    def __init__(self, *args: Any, branches: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["branch"]
        field.queryset = branches

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == ImportKind.VISITS and not data.get("branch"):
            self.add_error("branch", _("Choose the branch the visits belong to."))
        return data


class MappingForm(StyledFormMixin, forms.Form):
    """One choice of column per field of the import's kind."""

    def __init__(self, *args: Any, job: ImportJob, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("(not in the file)"))] + [(h, h) for h in job.headers if h]
        for item in FIELDS[job.kind]:
            self.fields[item.key] = forms.ChoiceField(
                label=item.label, choices=choices, required=item.required
            )

    def mapping(self) -> dict[str, str]:
        return {key: value for key, value in self.cleaned_data.items() if value}
