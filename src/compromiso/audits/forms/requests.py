"""Forms of the information-request list: a request, its answer with files, the team's
verdict. Saving always goes through audits.services."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from compromiso.audits.models import Audit, InformationRequest
from compromiso.audits.services.files import MAX_FILES_PER_UPLOAD
from compromiso.audits.services.requests import REVIEW_STATUSES
from compromiso.core.forms import MultipleFileField, StyledFormMixin
from compromiso.core.validators import validate_plausible_date
from compromiso.organizations.models import Unit, User

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PersonChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.get_full_name() or obj.get_username())


class RequestForm(StyledFormMixin, forms.Form):
    text = forms.CharField(
        label=_("What is requested"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    criterion = forms.CharField(label=_("Criterion"), max_length=200, required=False)
    owner = PersonChoiceField(label=_("Who answers"), queryset=User.objects.none(), required=False)
    owner_unit = forms.ModelChoiceField(
        label=_("Unit that answers"), queryset=Unit.objects.none(), required=False
    )
    due_date = forms.DateField(label=_("Due"), widget=DATE, validators=[validate_plausible_date])

    def __init__(self, *args: Any, audit: Audit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = User.objects.filter(
            is_active=True, memberships__organization_id=audit.organization_id
        ).distinct()
        self.fields["owner"].queryset = people.order_by("first_name", "last_name", "pk")  # type: ignore[attr-defined]
        self.fields["owner_unit"].queryset = Unit.objects.filter(  # type: ignore[attr-defined]
            organization_id=audit.organization_id, is_active=True
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("owner") and not data.get("owner_unit") and not self.errors:
            self.add_error("owner", _("Name who answers: a person, a unit or both."))
        return data

    @staticmethod
    def initial_from(request: InformationRequest) -> dict[str, Any]:
        return {
            "text": request.text,
            "criterion": request.criterion,
            "owner": request.owner_id,
            "owner_unit": request.owner_unit_id,
            "due_date": request.due_date,
        }


class AnswerRequestForm(StyledFormMixin, forms.Form):
    answer = forms.CharField(
        label=_("Answer"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    attachments = MultipleFileField(
        label=_("Documents"),
        max_files=MAX_FILES_PER_UPLOAD,
        help_text=_("Up to 5 files of at most 10 MB: PDF, images, text, Office or OpenDocument."),
    )


class ReviewRequestForm(StyledFormMixin, forms.Form):
    status = forms.ChoiceField(
        label=_("Verdict"),
        choices=[(s.value, s.label) for s in REVIEW_STATUSES],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
