"""Forms to invite respondents: addresses, or client units."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from compromiso.catalog.models import Service
from compromiso.core.forms import StyledFormMixin
from compromiso.organizations.models import Unit


class InviteUnitsForm(StyledFormMixin, forms.Form):
    units = forms.ModelMultipleChoiceField(
        label=_("Client units (their members are invited)"),
        queryset=Unit.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, wave: Any, **kwargs: Any) -> None:
        """A wave that names its client units invites among them (all ticked at first)."""
        clients = list(wave.client_units.order_by("path"))
        if clients:
            kwargs.setdefault("initial", {"units": clients})
        super().__init__(*args, **kwargs)
        field: Any = self.fields["units"]
        field.queryset = (
            wave.client_units.order_by("path")
            if clients
            else Unit.objects.filter(organization=wave.organization, is_active=True).order_by(
                "path"
            )
        )


class InviteForm(StyledFormMixin, forms.Form):
    service = forms.ModelChoiceField(label=_("Service used"), queryset=Service.objects.none())
    emails = forms.CharField(
        label=_("E-mail addresses, one per line"),
        max_length=200_000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(self, *args: Any, wave: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = wave.services.order_by("name")  # type: ignore[attr-defined]
