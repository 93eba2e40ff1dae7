"""Forms of the checklist: the answer to an item (also posted by the page's script, with a
client id and the revision it last saw) and an item the auditor adds. Saving always goes through
audits.services."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from compromiso.audits.models import Audit
from compromiso.audits.services.checklists import MAX_SCORE, RESULTS
from compromiso.audits.services.files import MAX_FILES_PER_UPLOAD
from compromiso.catalog.models import TouchPoint
from compromiso.core.forms import MultipleFileField, StyledFormMixin

SCORES = [("", "—"), *[(str(n), str(n)) for n in range(MAX_SCORE + 1)]]


class AnswerForm(forms.Form):
    result = forms.ChoiceField(label=_("Result"), choices=[(r.value, r.label) for r in RESULTS])
    score = forms.TypedChoiceField(
        label=_("Score"), choices=SCORES, coerce=int, empty_value=None, required=False
    )
    notes = forms.CharField(label=_("Notes"), max_length=5000, required=False)
    client_id = forms.UUIDField()
    revision = forms.IntegerField(min_value=0, max_value=2**31 - 1)
    attachments = MultipleFileField(label=_("Photos and files"), max_files=MAX_FILES_PER_UPLOAD)


class ItemForm(StyledFormMixin, forms.Form):
    text = forms.CharField(
        label=_("What to check"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    section = forms.CharField(label=_("Section"), max_length=200, required=False)
    guidance = forms.CharField(
        label=_("How to check it"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    touch_point = forms.ModelChoiceField(
        label=_("Touch point"),
        queryset=TouchPoint.objects.none(),
        required=False,
        empty_label=_("The whole audit"),
    )

    def __init__(self, *args: Any, audit: Audit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["touch_point"].queryset = audit.touch_points.all()  # type: ignore[attr-defined]
