"""Input forms for the catalogue pages. Saving always goes through catalog.services."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from compromiso.catalog.models import Audience, ChannelKind, ServqualDimension
from compromiso.core.forms import StyledFormMixin
from compromiso.organizations.models import Unit


class ChannelForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ChannelKind.choices)
    name = forms.CharField(label=_("Name"), max_length=120)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class TouchPointForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    channel = forms.ModelChoiceField(label=_("Channel"), queryset=Unit.objects.none())
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    opening_hours = forms.CharField(
        label=_("Opening hours"),
        max_length=300,
        required=False,
        help_text=_("E.g. Mon–Fri 8:30–14:00"),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, units: Any, channels: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        self.fields["channel"].queryset = channels  # type: ignore[attr-defined]


class ServiceForm(StyledFormMixin, forms.Form):
    code = forms.CharField(label=_("Code"), max_length=30)
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    provider_unit = forms.ModelChoiceField(label=_("Provider unit"), queryset=Unit.objects.none())
    audience = forms.ChoiceField(label=_("Audience"), choices=Audience.choices)
    channels = forms.ModelMultipleChoiceField(
        label=_("Channels offered"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, units: Any, channels: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["provider_unit"].queryset = units  # type: ignore[attr-defined]
        self.fields["channels"].queryset = channels  # type: ignore[attr-defined]


class AttributeForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("Attribute"), max_length=200)
    description = forms.CharField(label=_("Description"), max_length=500, required=False)
    dimension = forms.ChoiceField(
        label=_("SERVQUAL dimension"),
        choices=[("", _("— none —")), *ServqualDimension.choices],
        required=False,
    )
    position = forms.IntegerField(label=_("Order"), min_value=0, max_value=32767, required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class NewAttributeForm(StyledFormMixin, forms.Form):
    """One attribute typed in together with a new service; blank rows are ignored."""

    name = forms.CharField(label=_("Attribute"), max_length=200)
    description = forms.CharField(label=_("Description"), max_length=500, required=False)
    dimension = forms.ChoiceField(
        label=_("SERVQUAL dimension"),
        choices=[("", _("— none —")), *ServqualDimension.choices],
        required=False,
    )


NEW_SERVICE_ATTRIBUTE_ROWS = 4
AttributeRowsFormSet = forms.formset_factory(
    NewAttributeForm, extra=NEW_SERVICE_ATTRIBUTE_ROWS, max_num=30, validate_max=True
)
