"""Forms of the client units' validation of the attributes, and of opening a wave anyway."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from compromiso.catalog.models import Attribute, Service
from compromiso.core.forms import StyledFormMixin
from compromiso.organizations.models import Unit
from compromiso.surveys.models import (
    REVIEW_COMMENT_LIMIT,
    ReviewDecision,
)
from compromiso.surveys.services.validation import OVERRIDE_REASON_LIMIT


class ClientUnitsForm(StyledFormMixin, forms.Form):
    client_units = forms.ModelMultipleChoiceField(
        label=_("Client units"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, wave: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"client_units": list(wave.client_units.all())})
        super().__init__(*args, **kwargs)
        self.fields["client_units"].queryset = Unit.objects.filter(  # type: ignore[attr-defined]
            organization=wave.organization, is_active=True
        ).order_by("path")


class AttributeReviewForm(StyledFormMixin, forms.Form):
    """A client unit's say on one attribute. The attribute must be an active one of the wave's
    services: any other id is refused as an invalid choice."""

    attribute = forms.ModelChoiceField(queryset=Attribute.objects.none(), widget=forms.HiddenInput)
    decision = forms.ChoiceField(
        label=_("The unit's view"),
        choices=ReviewDecision.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    comment = forms.CharField(
        label=_("Comment"),
        help_text=_("Required when the unit disagrees."),
        required=False,
        max_length=REVIEW_COMMENT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    proposed_name = forms.CharField(
        label=_("Suggested wording (optional)"), required=False, max_length=200
    )

    def __init__(self, *args: Any, attributes: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attribute"].queryset = attributes  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        decision = data.get("decision")
        if decision == ReviewDecision.DISAGREE and not data.get("comment"):
            self.add_error("comment", _("Say why the unit disagrees."))
        if (
            decision == ReviewDecision.SUGGEST
            and not data.get("comment")
            and not data.get("proposed_name")
        ):
            self.add_error("proposed_name", _("Write the change the unit suggests."))
        return data


class AttributeProposalForm(StyledFormMixin, forms.Form):
    service = forms.ModelChoiceField(label=_("Service"), queryset=Service.objects.none())
    name = forms.CharField(label=_("Attribute the unit misses"), max_length=200)
    comment = forms.CharField(
        label=_("Why it matters (optional)"),
        required=False,
        max_length=REVIEW_COMMENT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, wave: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "proposal")
        super().__init__(*args, **kwargs)
        services = wave.services.order_by("code")
        field: Any = self.fields["service"]
        field.queryset = services
        if len(services) == 1:
            field.initial = services[0]


class OverrideForm(StyledFormMixin, forms.Form):
    override_reason = forms.CharField(
        label=_("Reason to open the wave before the client units have validated it"),
        max_length=OVERRIDE_REASON_LIMIT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
