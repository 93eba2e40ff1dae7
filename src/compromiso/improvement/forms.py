"""Forms for improvement actions. Saving always goes through improvement.services."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from compromiso.cases.models import Category, RootCause
from compromiso.catalog.models import Service, TouchPoint
from compromiso.charters.models import CharterStatus, Commitment
from compromiso.core.forms import StyledFormMixin
from compromiso.improvement.models import (
    ActionStatus,
    Effort,
    MetricKind,
    OriginKind,
    RemedyKind,
)
from compromiso.organizations.models import Unit, User
from compromiso.servicemodel.models import Protocol, ProtocolStatus, TrainingProgramme
from compromiso.surveys.models import Question, Wave

# The service model's figures an action's effect can be checked on, whatever its origin.
CHECK_ON = [
    (MetricKind.PROTOCOL.value, MetricKind.PROTOCOL.label),
    (MetricKind.TRAINING.value, MetricKind.TRAINING.label),
]


class ActionForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("What will be done"), max_length=10000, widget=forms.Textarea(attrs={"rows": 5})
    )
    owner_unit = forms.ModelChoiceField(label=_("Owner unit"), queryset=Unit.objects.none())
    responsible = forms.ModelChoiceField(
        label=_("Responsible person"), queryset=User.objects.none(), required=False
    )
    services = forms.ModelMultipleChoiceField(
        label=_("Services concerned"), queryset=Service.objects.none(), required=False
    )
    due_date = forms.DateField(
        label=_("Due date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    effort = forms.ChoiceField(label=_("Effort"), choices=Effort.choices, initial=Effort.MEDIUM)
    root_cause = forms.ModelChoiceField(
        label=_("Origin: complaints with this root cause"),
        queryset=RootCause.objects.none(),
        required=False,
    )
    category = forms.ModelChoiceField(
        label=_("Origin: cases in this category"), queryset=Category.objects.none(), required=False
    )
    case_code = forms.CharField(
        label=_("Origin: a single case (tracking code)"), max_length=32, required=False
    )
    commitment = forms.ModelChoiceField(
        label=_("Origin: a breached charter commitment"),
        queryset=Commitment.objects.none(),
        required=False,
    )
    remedy = forms.ChoiceField(
        label=_("Kind of action"),
        choices=RemedyKind.choices,
        initial=RemedyKind.OTHER,
        required=False,
    )
    remedy_protocol = forms.ModelChoiceField(
        label=_("Protocol to change"), queryset=Protocol.objects.none(), required=False
    )
    remedy_programme = forms.ModelChoiceField(
        label=_("Training programme"), queryset=TrainingProgramme.objects.none(), required=False
    )
    touch_points = forms.ModelMultipleChoiceField(
        label=_("Touch points concerned"), queryset=TouchPoint.objects.none(), required=False
    )
    check_on = forms.ChoiceField(
        label=_("Check the effect on"),
        choices=[("", _("The figure its origin brings")), *CHECK_ON],
        required=False,
    )
    # A survey driver comes from the wave dashboard's link (hidden fields).
    driver_wave = forms.ModelChoiceField(
        queryset=Wave.objects.none(), required=False, widget=forms.HiddenInput
    )
    driver_question = forms.ModelChoiceField(
        queryset=Question.objects.none(), required=False, widget=forms.HiddenInput
    )

    def __init__(
        self, *args: Any, organization: Any, units: Any, people: Any, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["owner_unit"].queryset = units
        fields["responsible"].queryset = people
        fields["services"].queryset = Service.objects.filter(
            organization=organization, is_active=True
        )
        fields["root_cause"].queryset = RootCause.objects.filter(
            organization=organization, is_active=True
        )
        fields["category"].queryset = Category.objects.filter(
            organization=organization, is_active=True
        ).select_related("parent")
        fields["driver_wave"].queryset = Wave.objects.filter(organization=organization)
        fields["driver_question"].queryset = Question.objects.filter(
            questionnaire__organization=organization, kind="scale"
        )
        fields["remedy_protocol"].queryset = Protocol.objects.filter(
            organization=organization
        ).exclude(status=ProtocolStatus.RETIRED)
        fields["remedy_programme"].queryset = TrainingProgramme.objects.filter(
            organization=organization, is_active=True
        )
        fields["touch_points"].queryset = TouchPoint.objects.filter(
            organization=organization, is_active=True
        ).select_related("unit", "channel")
        fields["commitment"].queryset = Commitment.objects.filter(
            charter__organization=organization, charter__status=CharterStatus.PUBLISHED
        ).select_related("charter")


class MoveForm(StyledFormMixin, forms.Form):
    comment = forms.CharField(
        label=_("Comment"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class CheckForm(StyledFormMixin, forms.Form):
    effective = forms.TypedChoiceField(
        label=_("Did it work?"),
        choices=[("yes", _("Effective")), ("no", _("Not effective"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    evidence = forms.CharField(
        label=_("Evidence"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


class PriorityForm(StyledFormMixin, forms.Form):
    priority = forms.IntegerField(label=_("Priority"), min_value=0, max_value=100000)
    reason = forms.CharField(label=_("Why"), max_length=300)


class PublishForm(StyledFormMixin, forms.Form):
    is_public = forms.BooleanField(label=_("Publish once effective"), required=False)
    summary = forms.CharField(
        label=_("What changed, in plain words for the public"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ActionFilterForm(StyledFormMixin, forms.Form):
    unit = forms.ModelChoiceField(
        label=_("Unit"), queryset=Unit.objects.none(), required=False, empty_label=_("All")
    )
    service = forms.ModelChoiceField(
        label=_("Service"), queryset=Service.objects.none(), required=False, empty_label=_("All")
    )
    origin = forms.ChoiceField(
        label=_("Origin"), required=False, choices=[("", _("All")), *OriginKind.choices]
    )
    status = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("All")), *ActionStatus.choices]
    )
    overdue = forms.BooleanField(label=_("Overdue"), required=False)

    def __init__(self, *args: Any, units: Any, services: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["unit"].queryset = units
        fields["service"].queryset = services
