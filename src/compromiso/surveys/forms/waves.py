"""Forms of a wave: creating it, its weighting targets and its sample design."""

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from compromiso.catalog.models import Audience, Service, TouchPoint
from compromiso.core.forms import StyledFormMixin
from compromiso.organizations.models import Unit
from compromiso.surveys.models import (
    Questionnaire,
    Wave,
    WaveKind,
)


class WaveForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    questionnaire: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Questionnaire"), queryset=None
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=WaveKind.choices)
    audience = forms.ChoiceField(label=_("Audience"), choices=Audience.choices)
    services = forms.ModelMultipleChoiceField(
        label=_("Services measured"),
        queryset=Service.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    opens_on = forms.DateField(
        label=_("Opens on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    closes_on = forms.DateField(
        label=_("Closes on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    previous: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Compared with (optional)"), queryset=None, required=False
    )
    panel = forms.BooleanField(
        label=_("Panel: compare the same invited respondents with the previous wave"),
        help_text=_(
            "Answers given through a personal invitation keep a pseudonymous key (a keyed hash "
            "of the address, never the address itself), so that the change can be measured "
            "person by person. Say so in the invitation."
        ),
        required=False,
    )
    client_units = forms.ModelMultipleChoiceField(
        label=_("Client units (internal waves)"),
        help_text=_(
            "The units that use these services. They validate the attributes of the services "
            "before the wave opens, and their members are invited."
        ),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, organization: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["questionnaire"].queryset = Questionnaire.objects.filter(organization=organization)
        fields["services"].queryset = Service.objects.filter(
            organization=organization, is_active=True
        ).order_by("code")
        fields["previous"].queryset = Wave.objects.filter(organization=organization)
        fields["client_units"].queryset = Unit.objects.filter(
            organization=organization, is_active=True
        ).order_by("path")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("client_units") and data.get("audience") != Audience.INTERNAL:
            self.add_error("client_units", _("Only internal waves have client units."))
        return data


class WeightTargetsForm(StyledFormMixin, forms.Form):
    """The users' share (%) of each channel and touch point, from the organisation's own
    records, that the answers are raked to; blank shares are not targets."""

    def __init__(self, *args: Any, wave: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from compromiso.catalog.models import Channel

        targets = wave.weight_targets or {}
        self.groups: dict[str, list[str]] = {"channel": [], "touch_point": []}
        options: dict[str, list[tuple[int, str]]] = {
            "channel": list(
                Channel.objects.filter(organization=wave.organization)
                .order_by("name")
                .values_list("pk", "name")
            ),
            "touch_point": list(
                TouchPoint.objects.filter(organization=wave.organization, is_active=True)
                .order_by("name")
                .values_list("pk", "name")
            ),
        }
        for dimension, items in options.items():
            for pk, label in items:
                name = f"{dimension}_{pk}"
                self.fields[name] = forms.DecimalField(
                    label=label,
                    required=False,
                    min_value=0,
                    max_value=100,
                    max_digits=5,
                    decimal_places=1,
                    initial=targets.get(dimension, {}).get(str(pk)),
                )
                self.groups[dimension].append(name)

    def targets(self) -> dict[str, dict[int, float]]:
        return {
            dimension: {
                int(name.rsplit("_", 1)[1]): float(self.cleaned_data[name])
                for name in names
                if self.cleaned_data.get(name) is not None
            }
            for dimension, names in self.groups.items()
        }

    def fields_of(self, dimension: str) -> list[Any]:
        return [self[name] for name in self.groups[dimension]]

    @property
    def channel_fields(self) -> list[Any]:
        return self.fields_of("channel")

    @property
    def touch_point_fields(self) -> list[Any]:
        return self.fields_of("touch_point")


class SampleDesignForm(StyledFormMixin, forms.Form):
    """The target margin of error and the users of each measured service in the period: the
    minimum number of responses per service follows (with the finite-population correction)."""

    margin = forms.DecimalField(
        label=_("Target margin of error (points of a percentage, 95 % confidence)"),
        min_value=Decimal("0.5"),
        max_value=Decimal("50"),
        max_digits=4,
        decimal_places=1,
    )

    def __init__(self, *args: Any, wave: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        populations = dict(
            wave.strata.filter(touch_point__isnull=True).values_list("service_id", "population")
        )
        self.fields["margin"].initial = wave.margin * 100
        self.service_fields: list[str] = []
        for pk, name in wave.services.order_by("code").values_list("pk", "name"):
            field_name = f"population_{pk}"
            self.fields[field_name] = forms.IntegerField(
                label=name,
                required=False,
                min_value=1,
                max_value=100_000_000,
                initial=populations.get(pk),
                widget=forms.NumberInput(attrs={"class": "form-control"}),
            )
            self.service_fields.append(field_name)

    def populations(self) -> dict[int, int | None]:
        return {
            int(name.rsplit("_", 1)[1]): self.cleaned_data.get(name) for name in self.service_fields
        }
