"""The form of a sampling record: the population (with its filters or the pasted list), the
method, the size and the seed. Drawing always goes through audits.services."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from compromiso.audits.models import Audit, Population, SamplingMethod
from compromiso.audits.sampling import MAX_SEED
from compromiso.audits.services.sampling import (
    MAX_KEY_LENGTH,
    MAX_KEYS,
    STRATA_BY_CHANNEL,
    STRATA_BY_TOUCH_POINT,
)
from compromiso.cases.models import CaseKind
from compromiso.catalog.models import TouchPoint
from compromiso.core.forms import StyledFormMixin
from compromiso.organizations.models import Unit

# A pasted list of 10,000 keys of up to 100 characters, with its line ends; anything longer is
# refused before it is read.
MAX_PASTE = MAX_KEYS * (MAX_KEY_LENGTH + 2)


class SampleForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    population = forms.ChoiceField(label=_("Population"), choices=Population.choices)
    touch_point = forms.ModelChoiceField(
        label=_("Only cases at the touch point"),
        queryset=TouchPoint.objects.none(),
        required=False,
    )
    unit = forms.ModelChoiceField(
        label=_("Only cases of the unit (and its units)"),
        queryset=Unit.objects.none(),
        required=False,
    )
    kind = forms.ChoiceField(
        label=_("Only cases of kind"), choices=[("", "—"), *CaseKind.choices], required=False
    )
    keys = forms.CharField(
        label=_("The population's keys, one per line"),
        help_text=_("For another population: at most 10,000 lines."),
        required=False,
        max_length=MAX_PASTE,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    method = forms.ChoiceField(
        label=_("Method"), choices=SamplingMethod.choices, widget=forms.RadioSelect
    )
    strata = forms.ChoiceField(
        label=_("Strata"),
        choices=[
            ("", "—"),
            (STRATA_BY_TOUCH_POINT, _("Touch point")),
            (STRATA_BY_CHANNEL, _("Channel")),
        ],
        required=False,
        help_text=_("For a stratified sample."),
    )
    sample_size = forms.IntegerField(
        label=_("Sample size"),
        min_value=1,
        max_value=1_000_000,
        required=False,
        help_text=_("Not needed for a judgement sample: the items you list are the sample."),
    )
    chosen = forms.CharField(
        label=_("Items chosen by judgement, one per line"),
        help_text=_("Case tracking codes or the population's keys."),
        required=False,
        max_length=MAX_PASTE,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    seed = forms.IntegerField(
        label=_("Seed"),
        min_value=0,
        max_value=MAX_SEED,
        required=False,
        help_text=_("Leave empty for a new random seed. The same seed draws the same sample."),
    )
    rationale = forms.CharField(
        label=_("Why this sample"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, audit: Audit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["touch_point"].queryset = TouchPoint.objects.filter(  # type: ignore[attr-defined]
            organization_id=audit.organization_id
        ).select_related("unit")
        self.fields["unit"].queryset = Unit.objects.filter(  # type: ignore[attr-defined]
            organization_id=audit.organization_id
        )

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "population": data["population"],
            "method": data["method"],
            "sample_size": data.get("sample_size"),
            "seed": data.get("seed"),
            "strata": data.get("strata") or "",
            "filters": {
                "touch_point": data["touch_point"].pk if data.get("touch_point") else None,
                "unit": data["unit"].pk if data.get("unit") else None,
                "kind": data.get("kind") or "",
            },
            "keys_text": data.get("keys") or "",
            "chosen_text": data.get("chosen") or "",
            "rationale": data.get("rationale") or "",
        }
