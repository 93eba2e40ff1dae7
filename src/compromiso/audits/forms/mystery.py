"""Forms of mystery shopping: a scenario script, a round's settings, drawing its schedule, the
observer's checklist for a visit (one result per protocol step and scenario item, the minutes,
notes), and closing or reassigning a visit. Saving always goes through audits.services."""

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from compromiso.audits.models import (
    Allocation,
    MysteryRound,
    MysteryScenario,
    ScenarioItem,
    VisitStatus,
)
from compromiso.audits.models.mystery import MAX_MINUTES, MAX_VISITS_PER_STRATUM
from compromiso.catalog.models import Channel, ChannelKind, Service, TouchPoint
from compromiso.core.forms import StyledFormMixin
from compromiso.core.validators import validate_plausible_date
from compromiso.organizations.models import User
from compromiso.servicemodel.checklists import ChecklistItem
from compromiso.servicemodel.models import StepOutcome

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
WEEKDAYS = [
    ("0", _("Monday")),
    ("1", _("Tuesday")),
    ("2", _("Wednesday")),
    ("3", _("Thursday")),
    ("4", _("Friday")),
    ("5", _("Saturday")),
    ("6", _("Sunday")),
]
MAX_SEED = 2**31 - 1


class ScenarioForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    service = forms.ModelChoiceField(label=_("Service"), queryset=Service.objects.none())
    channel_kind = forms.ChoiceField(label=_("Channel kind"), choices=ChannelKind.choices)
    channel = forms.ModelChoiceField(
        label=_("Only on the channel (optional)"),
        queryset=Channel.objects.none(),
        required=False,
    )
    persona = forms.CharField(
        label=_("Persona (who the shopper plays)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    script = forms.CharField(
        label=_("Script (what the shopper asks and does)"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    expected_outcome = forms.CharField(
        label=_("Expected outcome"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What a visit attended as promised ends with."),
    )
    active = forms.BooleanField(label=_("In use"), required=False, initial=True)

    def __init__(self, *args: Any, organization_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["service"].queryset = Service.objects.filter(
            organization_id=organization_id, is_active=True
        ).order_by("code")
        fields["channel"].queryset = Channel.objects.filter(
            organization_id=organization_id, is_active=True
        )

    @staticmethod
    def initial_from(scenario: MysteryScenario) -> dict[str, Any]:
        return {
            "title": scenario.title,
            "service": scenario.service_id,
            "channel_kind": scenario.channel_kind,
            "channel": scenario.channel_id,
            "persona": scenario.persona,
            "script": scenario.script,
            "expected_outcome": scenario.expected_outcome,
            "active": scenario.active,
        }


class RoundForm(StyledFormMixin, forms.Form):
    reference = forms.CharField(label=_("Reference"), max_length=30)
    title = forms.CharField(label=_("Title"), max_length=200)
    objectives = forms.CharField(
        label=_("Objectives"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    planned_start = forms.DateField(
        label=_("Visits from"), widget=DATE, validators=[validate_plausible_date]
    )
    planned_end = forms.DateField(
        label=_("Visits to"), widget=DATE, validators=[validate_plausible_date]
    )
    touch_points = forms.ModelMultipleChoiceField(
        label=_("Touch points in scope"),
        queryset=TouchPoint.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    scenarios = forms.ModelMultipleChoiceField(
        label=_("Scenarios"),
        queryset=MysteryScenario.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Each touch point gets the scenarios of its channel kind."),
    )
    observers = forms.ModelMultipleChoiceField(
        label=_("Observers"),
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("People who may conduct the round; visits are shared among them in turn."),
    )
    weekdays = forms.MultipleChoiceField(
        label=_("Visit on"),
        choices=WEEKDAYS,
        widget=forms.CheckboxSelectMultiple,
        initial=["0", "1", "2", "3", "4"],
        help_text=_("Holidays and the organisation's closure days are always left out."),
    )
    morning_from = forms.IntegerField(label=_("From (hour)"), min_value=0, max_value=23, initial=9)
    morning_to = forms.IntegerField(label=_("To (hour)"), min_value=1, max_value=24, initial=14)
    afternoon_from = forms.IntegerField(
        label=_("And from (hour, optional)"), min_value=0, max_value=23, required=False
    )
    afternoon_to = forms.IntegerField(
        label=_("To (hour, optional)"), min_value=1, max_value=24, required=False
    )
    visits_per_stratum = forms.IntegerField(
        label=_("Visits per touch point"), min_value=1, max_value=MAX_VISITS_PER_STRATUM, initial=2
    )
    allocation = forms.ChoiceField(label=_("Visits by touch point"), choices=Allocation.choices)

    def __init__(
        self,
        *args: Any,
        touch_points: QuerySet[TouchPoint],
        scenarios: QuerySet[MysteryScenario],
        observers: QuerySet[User],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["touch_points"].queryset = touch_points
        fields["scenarios"].queryset = scenarios
        fields["observers"].queryset = observers
        fields["observers"].label_from_instance = lambda u: u.get_full_name() or u.username

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("planned_start"), data.get("planned_end")
        if start and end and end < start:
            self.add_error("planned_end", _("An end date is before its start date."))
        for first, last in (("morning_from", "morning_to"), ("afternoon_from", "afternoon_to")):
            low, high = data.get(first), data.get(last)
            if low is not None and high is not None and high <= low:
                self.add_error(last, _("The visiting hours end before they start."))
        return data

    def settings(self) -> dict[str, Any]:
        """The round's settings, as the services take them."""
        data = self.cleaned_data
        days = set(data["weekdays"])
        return {
            "weekdays": "".join("1" if str(i) in days else "0" for i in range(7)),
            "morning_from": data["morning_from"],
            "morning_to": data["morning_to"],
            "afternoon_from": data["afternoon_from"],
            "afternoon_to": data["afternoon_to"],
            "visits_per_stratum": data["visits_per_stratum"],
            "allocation": data["allocation"],
        }

    @staticmethod
    def initial_from(round_: MysteryRound) -> dict[str, Any]:
        audit = round_.audit
        return {
            "reference": audit.reference,
            "title": audit.title,
            "objectives": audit.objectives,
            "planned_start": audit.planned_start,
            "planned_end": audit.planned_end,
            "touch_points": list(audit.touch_points.values_list("pk", flat=True)),
            "scenarios": list(round_.scenarios.values_list("pk", flat=True)),
            "observers": list(round_.observers.values_list("pk", flat=True)),
            "weekdays": [str(i) for i, flag in enumerate(round_.weekdays) if flag == "1"],
            "morning_from": round_.morning_from,
            "morning_to": round_.morning_to,
            "afternoon_from": round_.afternoon_from,
            "afternoon_to": round_.afternoon_to,
            "visits_per_stratum": round_.visits_per_stratum,
            "allocation": round_.allocation,
        }


class ScheduleForm(StyledFormMixin, forms.Form):
    seed = forms.IntegerField(
        label=_("Seed"),
        min_value=0,
        max_value=MAX_SEED,
        help_text=_("The same seed draws the same schedule again."),
    )


def _outcome_field(label: str) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=StepOutcome.choices,
        widget=forms.RadioSelect(attrs={"class": "btn-check"}),
        error_messages={"required": _("Choose a result for this item.")},
    )


def _comment_field() -> forms.CharField:
    field = forms.CharField(label=_("Comment"), max_length=500, required=False)
    field.widget.attrs["class"] = "form-control form-control-sm"
    return field


class VisitForm(StyledFormMixin, forms.Form):
    """The observer's checklist: a result (and comment) for every protocol step in force at the
    touch point and every scenario item, the minutes, notes."""

    visited_at = forms.DateTimeField(
        label=_("Visited at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        validators=[validate_plausible_date],
    )
    wait_minutes = forms.IntegerField(
        label=_("Minutes waiting"), min_value=0, max_value=MAX_MINUTES, required=False
    )
    service_minutes = forms.IntegerField(
        label=_("Minutes being attended"), min_value=0, max_value=MAX_MINUTES, required=False
    )
    notes = forms.CharField(
        label=_("Notes"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(
        self,
        *args: Any,
        items: Sequence[ChecklistItem],
        now: dt.datetime | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.items = list(items)
        if now is not None:
            self.fields["visited_at"].initial = now.replace(second=0, microsecond=0)
        for field in ("wait_minutes", "service_minutes"):
            self.fields[field].widget.attrs.update(inputmode="numeric")
        for item in self.items:
            self.fields[f"step_{item.step.pk}"] = _outcome_field(item.behaviour)
            self.fields[f"comment_{item.step.pk}"] = _comment_field()
        for scenario_item in ScenarioItem:
            self.fields[f"item_{scenario_item.value}"] = _outcome_field(str(scenario_item.label))
            self.fields[f"note_{scenario_item.value}"] = _comment_field()

    def step_rows(self) -> list[tuple[ChecklistItem, forms.BoundField, forms.BoundField]]:
        return [
            (item, self[f"step_{item.step.pk}"], self[f"comment_{item.step.pk}"])
            for item in self.items
        ]

    def item_rows(self) -> list[tuple[str, forms.BoundField, forms.BoundField]]:
        return [
            (str(item.label), self[f"item_{item.value}"], self[f"note_{item.value}"])
            for item in ScenarioItem
        ]

    def steps(self) -> dict[int, tuple[str, str]]:
        data = self.cleaned_data
        return {
            item.step.pk: (data[f"step_{item.step.pk}"], data.get(f"comment_{item.step.pk}") or "")
            for item in self.items
        }

    def answers(self) -> dict[str, tuple[str, str]]:
        data = self.cleaned_data
        return {
            item.value: (data[f"item_{item.value}"], data.get(f"note_{item.value}") or "")
            for item in ScenarioItem
        }


class CloseVisitForm(StyledFormMixin, forms.Form):
    status = forms.ChoiceField(
        label=_("The visit was"),
        choices=[
            (VisitStatus.MISSED, VisitStatus.MISSED.label),
            (VisitStatus.CANCELLED, VisitStatus.CANCELLED.label),
        ],
    )
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)


class AssignForm(StyledFormMixin, forms.Form):
    observer = forms.ModelChoiceField(
        label=_("Observer"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Nobody yet"),
    )

    def __init__(self, *args: Any, observers: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["observer"]
        field.queryset = observers
        field.label_from_instance = lambda u: u.get_full_name() or u.username
