"""Forms of the remedies: an action for a nonconformity, the lead's verification, follow-ups
and the follow-up audit. Saving goes through audits.services."""

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from compromiso.audits.models import FollowUpKind, FollowUpResult
from compromiso.core.forms import StyledFormMixin
from compromiso.improvement.models import MetricKind
from compromiso.organizations.models import Unit, User

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RemedyForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("What will be done"), max_length=10000, widget=forms.Textarea(attrs={"rows": 5})
    )
    root_cause = forms.CharField(
        label=_("Root cause"),
        max_length=2000,
        help_text=_("Why it happened, not only what happened."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    owner_unit = forms.ModelChoiceField(label=_("Owner unit"), queryset=Unit.objects.none())
    responsible = forms.ModelChoiceField(
        label=_("Responsible person"), queryset=User.objects.none(), required=False
    )
    due_date = forms.DateField(label=_("Due date"), widget=DATE)
    check_on = forms.ChoiceField(label=_("Check the effect on"), required=False)

    def __init__(
        self,
        *args: Any,
        units: Any,
        people: Any,
        has_commitment: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["owner_unit"].queryset = units
        fields["responsible"].queryset = people
        shares = [
            (MetricKind.PROTOCOL.value, MetricKind.PROTOCOL.label),
            (MetricKind.TRAINING.value, MetricKind.TRAINING.label),
        ]
        if has_commitment:
            fields["check_on"].choices = [("", _("The indicator of the commitment")), *shares]
        else:
            fields["check_on"].choices = shares
            fields["check_on"].required = True


class VerifyForm(StyledFormMixin, forms.Form):
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class FollowUpPlanForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(
        label=_("How"),
        choices=[
            (FollowUpKind.DESK_REVIEW.value, FollowUpKind.DESK_REVIEW.label),
            (FollowUpKind.NEXT_AUDIT.value, FollowUpKind.NEXT_AUDIT.label),
        ],
    )
    scheduled_on = forms.DateField(label=_("Planned for"), widget=DATE)
    notes = forms.CharField(
        label=_("Notes"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class FollowUpRecordForm(StyledFormMixin, forms.Form):
    performed_on = forms.DateField(label=_("Done on"), widget=DATE)
    result = forms.ChoiceField(label=_("Result"), choices=FollowUpResult.choices)
    notes = forms.CharField(
        label=_("What was found"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class FollowUpAuditForm(StyledFormMixin, forms.Form):
    planned_start = forms.DateField(label=_("Fieldwork from"), widget=DATE)
    planned_end = forms.DateField(label=_("Fieldwork to"), widget=DATE)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start: dt.date | None = data.get("planned_start")
        end: dt.date | None = data.get("planned_end")
        if start and end and end < start:
            self.add_error("planned_end", _("An end date is before its start date."))
        return data
