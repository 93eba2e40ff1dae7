"""Forms of the quality bonus: a scheme and its yearly result."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from compromiso.core.forms import StyledFormMixin
from compromiso.organizations.models import Unit
from compromiso.surveys.models import (
    BonusMetric,
    Wave,
)


def _pairs(text: str, first: str, second: str) -> list[dict[str, str]]:
    """Lines "a: b" (or "a = b", "a b") into [{first: a, second: b}]."""
    pairs = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        parts = line.replace("=", ":").replace("%", "").replace(",", ".").split(":")
        if len(parts) != 2:
            parts = line.split()
        if len(parts) != 2:
            raise forms.ValidationError(
                _("Write one “%(a)s: %(b)s” pair per line.") % {"a": first, "b": second}
            )
        pairs.append({first: parts[0].strip(), second: parts[1].strip()})
    return pairs


class SchemeForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    legal_basis = forms.CharField(label=_("Legal basis"), max_length=300, required=False)
    scope_unit = forms.ModelChoiceField(
        label=_("Scope"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("The whole organisation (national)"),
    )
    metric = forms.ChoiceField(label=_("Metric"), choices=BonusMetric.choices)
    baseline_wave = forms.ModelChoiceField(label=_("Baseline wave"), queryset=Wave.objects.none())
    target_path = forms.CharField(
        label=_("Target path: year and increase in points, one per line"),
        widget=forms.Textarea(attrs={"rows": 3}),
        initial="2026: 1.5\n2027: 1.0\n2028: 0.5",
        max_length=2000,
    )
    tranches = forms.CharField(
        label=_("Tranches: % of the target reached and % of the bonus, one per line"),
        widget=forms.Textarea(attrs={"rows": 3}),
        initial="100: 100\n75: 50",
        max_length=2000,
    )
    eligibility = forms.CharField(
        label=_("Eligibility rules"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, organization: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["scope_unit"].queryset = Unit.objects.filter(organization=organization).order_by(
            "path"
        )
        fields["baseline_wave"].queryset = Wave.objects.filter(organization=organization)

    def clean_target_path(self) -> list[dict[str, str]]:
        return _pairs(self.cleaned_data["target_path"], "year", "increase")

    def clean_tranches(self) -> list[dict[str, str]]:
        return _pairs(self.cleaned_data["tranches"], "achievement", "share")


class ResultForm(StyledFormMixin, forms.Form):
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, choices=[])
    wave = forms.ModelChoiceField(label=_("Wave that measured it"), queryset=Wave.objects.none())

    def __init__(self, *args: Any, scheme: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["year"].choices = [(y, str(y)) for y in years]
        fields["wave"].queryset = Wave.objects.filter(organization=scheme.organization).exclude(
            pk=scheme.baseline_wave_id
        )
