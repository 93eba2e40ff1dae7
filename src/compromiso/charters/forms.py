"""Forms for charters. Saving always goes through charters.services."""

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from compromiso.cases.models import CaseKind
from compromiso.catalog.models import Channel, Service, TouchPoint
from compromiso.charters.models import (
    Comparator,
    IndicatorSource,
    Periodicity,
    SectionKind,
    validate_validity,
)
from compromiso.core.forms import StyledFormMixin
from compromiso.organizations.models import JurisdictionProfile, Unit
from compromiso.servicemodel.models import CheckMethod, Protocol, ProtocolStatus

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CharterForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    unit = forms.ModelChoiceField(
        label=_("Unit"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("The whole organisation"),
    )
    profile = forms.ChoiceField(
        label=_("Jurisdiction profile"), choices=JurisdictionProfile.choices
    )
    language = forms.ChoiceField(label=_("Language of the text"), choices=settings.LANGUAGES)
    valid_from = forms.DateField(label=_("Valid from"), widget=DATE)
    valid_to = forms.DateField(label=_("Valid until"), widget=DATE)
    services = forms.ModelMultipleChoiceField(
        label=_("Services covered"),
        queryset=Service.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, organization: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["unit"].queryset = units
        fields["services"].queryset = Service.objects.filter(
            organization=organization, is_active=True
        ).order_by("code")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("valid_from") and data.get("valid_to"):
            try:
                validate_validity(data["valid_from"], data["valid_to"])
            except ValidationError as error:
                self.add_error(None, error)
        return data


class SectionsForm(StyledFormMixin, forms.Form):
    def __init__(self, *args: Any, bodies: dict[str, str], required: frozenset[str], **kwargs: Any):
        super().__init__(*args, **kwargs)
        for kind in SectionKind:
            label = kind.label
            self.fields[kind.value] = forms.CharField(
                label=label,
                required=False,
                max_length=20000,
                initial=bodies.get(kind.value, ""),
                widget=forms.Textarea(attrs={"rows": 4}),
                help_text=_("Required by the charter's profile.") if kind in required else "",
            )


class CommitmentForm(StyledFormMixin, forms.Form):
    service = forms.ModelChoiceField(label=_("Service"), queryset=Service.objects.none())
    channel = forms.ModelChoiceField(
        label=_("Channel (optional)"), queryset=Channel.objects.none(), required=False
    )
    touch_point = forms.ModelChoiceField(
        label=_("Touch point (optional: manual, protocol and training indicators)"),
        queryset=TouchPoint.objects.none(),
        required=False,
    )
    text = forms.CharField(
        label=_("Commitment"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The promise, as the public will read it."),
    )
    is_minimum_standard = forms.BooleanField(label=_("Minimum service standard"), required=False)
    is_guarantee = forms.BooleanField(label=_("Guarantee (redress when breached)"), required=False)
    redress_policy = forms.CharField(
        label=_("Redress when breached"), max_length=500, required=False
    )
    indicator = forms.CharField(label=_("Indicator"), max_length=300)
    source = forms.ChoiceField(label=_("Data source"), choices=IndicatorSource.choices)
    case_kind = forms.ChoiceField(
        label=_("Cases of kind"),
        choices=[("", _("Every kind")), *CaseKind.choices],
        required=False,
    )
    threshold_days = forms.IntegerField(
        label=_("N business days"), min_value=1, max_value=365, required=False
    )
    threshold_minutes = forms.IntegerField(
        label=_("N minutes (visitors served within N minutes)"),
        min_value=1,
        max_value=240,
        required=False,
    )
    threshold_seconds = forms.IntegerField(
        label=_("N seconds (calls answered within N seconds)"),
        min_value=1,
        max_value=600,
        required=False,
        help_text=_(
            "Answered within N ÷ (answered + abandoned − short abandons), from the contact "
            "centre's intervals with this threshold, or from the calls logged one by one."
        ),
    )
    protocol = forms.ModelChoiceField(
        label=_("Attention protocol (protocol compliance indicators)"),
        queryset=Protocol.objects.none(),
        required=False,
        empty_label=_("Every protocol in force"),
    )
    check_method = forms.ChoiceField(
        label=_("Observed by (protocol compliance indicators)"),
        choices=[("", _("Every way of observing")), *CheckMethod.choices],
        required=False,
    )
    comparator = forms.ChoiceField(label=_("Comparator"), choices=Comparator.choices)
    target = forms.DecimalField(
        label=_("Target"), min_value=0, max_value=99999999, max_digits=10, decimal_places=2
    )
    periodicity = forms.ChoiceField(label=_("Periodicity"), choices=Periodicity.choices)
    note = forms.CharField(label=_("Clarification for the public"), max_length=500, required=False)
    unit = forms.CharField(
        label=_("Unit (manual indicators)"),
        max_length=30,
        required=False,
        help_text=_("What the value counts, shown beside it: percent, minutes, calls…"),
    )

    def __init__(self, *args: Any, charter: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["service"].queryset = charter.services.order_by("code")
        fields["channel"].queryset = Channel.objects.filter(
            organization=charter.organization, is_active=True
        )
        fields["touch_point"].queryset = TouchPoint.objects.filter(
            organization=charter.organization
        ).select_related("unit", "channel")
        fields["protocol"].queryset = Protocol.objects.filter(
            organization=charter.organization
        ).exclude(status=ProtocolStatus.DRAFT)


class ApproveForm(StyledFormMixin, forms.Form):
    reference = forms.CharField(
        label=_("Act or resolution that approves it"),
        max_length=300,
        help_text=_(
            "E.g. the resolution number, or the binding report of the body that approves it."
        ),
    )


class CommentForm(StyledFormMixin, forms.Form):
    comment = forms.CharField(
        label=_("Comment"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ManualMeasurementForm(StyledFormMixin, forms.Form):
    period_start = forms.DateField(
        label=_("A day of the period"), widget=DATE, help_text=_("Any day inside the period.")
    )
    value = forms.DecimalField(
        label=_("Value"), min_value=0, max_value=9999999999, max_digits=12, decimal_places=2
    )
    evidence = forms.CharField(
        label=_("Evidence"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Where the figure comes from: the record, the count, the document."),
    )


class DashboardFilterForm(StyledFormMixin, forms.Form):
    unit = forms.ModelChoiceField(
        label=_("Unit"), queryset=Unit.objects.none(), required=False, empty_label=_("All")
    )
    service = forms.ModelChoiceField(
        label=_("Service"), queryset=Service.objects.none(), required=False, empty_label=_("All")
    )

    def __init__(self, *args: Any, units: Any, services: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["unit"].queryset = units
        fields["service"].queryset = services
