"""Forms of the contacts log: recording a contact, filtering the log, choosing the figures'
period and service-level convention."""

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from compromiso.attention.contact_figures import (
    CONVENTIONS,
    DEFAULT_CONVENTION,
    DEFAULT_SHORT_ABANDON,
    DEFAULT_THRESHOLD,
    convention_labels,
)
from compromiso.attention.models import ContactKind, ContactOutcome, Procedure
from compromiso.attention.services.contacts import MAX_SECONDS
from compromiso.catalog.models import Channel, Service, TouchPoint
from compromiso.core.forms import StyledFormMixin
from compromiso.organizations.models import Organization

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MAX_DAYS = 366


class ContactForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ContactKind.choices)
    channel = forms.ModelChoiceField(
        label=_("Channel"), queryset=Channel.objects.none(), required=False
    )
    touch_point = forms.ModelChoiceField(
        label=_("Touch point"), queryset=TouchPoint.objects.none(), required=False
    )
    service = forms.ModelChoiceField(
        label=_("Service"), queryset=Service.objects.none(), required=False
    )
    procedure = forms.ModelChoiceField(
        label=_("Procedure"), queryset=Procedure.objects.none(), required=False
    )
    started_at = forms.DateTimeField(
        label=_("Started"),
        required=False,
        help_text=_("Leave empty for now."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    wait_seconds = forms.IntegerField(
        label=_("Seconds to answer"), required=False, min_value=0, max_value=MAX_SECONDS
    )
    handle_seconds = forms.IntegerField(
        label=_("Handling seconds"), required=False, min_value=0, max_value=MAX_SECONDS
    )
    outcome = forms.ChoiceField(label=_("Outcome"), choices=ContactOutcome.choices)
    first_contact_resolution = forms.NullBooleanField(
        label=_("Resolved at the first contact"),
        required=False,
        widget=forms.Select(
            choices=[("unknown", _("Not known")), ("true", _("Yes")), ("false", _("No"))]
        ),
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(
        self, *args: Any, organization: Organization, touch_points: Any, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["channel"].queryset = Channel.objects.filter(
            organization=organization, is_active=True
        )
        fields["touch_point"].queryset = touch_points.filter(is_active=True)
        fields["service"].queryset = Service.objects.filter(organization=organization)
        fields["procedure"].queryset = Procedure.objects.filter(organization=organization)


class ContactFilterForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("All")), *ContactKind.choices], required=False
    )
    channel = forms.ModelChoiceField(
        label=_("Channel"),
        queryset=Channel.objects.none(),
        required=False,
        empty_label=_("All"),
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=[("", _("All")), *ContactOutcome.choices], required=False
    )
    start = forms.DateField(label=_("From"), required=False, widget=DATE)
    end = forms.DateField(label=_("To"), required=False, widget=DATE)

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["channel"].queryset = Channel.objects.filter(organization=organization)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end comes before the start."))
        return data


class FiguresForm(StyledFormMixin, forms.Form):
    start = forms.DateField(label=_("From"), widget=DATE)
    end = forms.DateField(label=_("To"), widget=DATE)
    threshold = forms.IntegerField(
        label=_("Answered within (seconds)"), min_value=1, max_value=3600, initial=DEFAULT_THRESHOLD
    )
    short_abandon = forms.IntegerField(
        label=_("Short abandon under (seconds)"),
        min_value=0,
        max_value=600,
        initial=DEFAULT_SHORT_ABANDON,
    )
    convention = forms.TypedChoiceField(
        label=_("Service level convention"),
        coerce=int,
        choices=[],
        initial=DEFAULT_CONVENTION,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = convention_labels()
        field: Any = self.fields["convention"]
        field.choices = [(n, f"{n}. {labels[n]}") for n in CONVENTIONS]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                self.add_error("end", _("The end comes before the start."))
            elif (end - start).days >= MAX_DAYS:
                self.add_error("end", _("Choose at most one year."))
        return data


def default_period(today: dt.date) -> tuple[dt.date, dt.date]:
    """This month so far."""
    return today.replace(day=1), today


__all__ = ["ContactFilterForm", "ContactForm", "FiguresForm", "default_period"]
