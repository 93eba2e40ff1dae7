"""Forms for the service model. Saving always goes through servicemodel.services."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from compromiso.core.forms import StyledFormMixin
from compromiso.servicemodel.models import MAX_AXES, MAX_PROMISES, ServiceModel

# The longest a line of the lists may be, as a whole (name and value of an axis together).
AXIS_LINE = 2300
TEXTAREA = forms.Textarea(attrs={"rows": 4})


class ServiceModelForm(StyledFormMixin, forms.Form):
    project_name = forms.CharField(label=_("Name of the project"), max_length=200)
    slogans = forms.CharField(
        label=_("Slogans"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line."),
    )
    value_proposition = forms.CharField(
        label=_("Value proposition"), max_length=5000, required=False, widget=TEXTAREA
    )
    axes = forms.CharField(
        label=_("Axes and values"),
        max_length=MAX_AXES * AXIS_LINE,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One axis per line: the axis, a colon, then the value it stands for."),
    )
    promises = forms.CharField(
        label=_("Promises to users"),
        max_length=MAX_PROMISES * 501,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One promise per line."),
    )
    quality_policy = forms.CharField(
        label=_("Quality policy"),
        max_length=20000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    tangible_arguments = forms.CharField(
        label=_("Tangible arguments"),
        max_length=5000,
        required=False,
        widget=TEXTAREA,
        help_text=_("What users can see and check."),
    )
    intangible_arguments = forms.CharField(
        label=_("Intangible arguments"),
        max_length=5000,
        required=False,
        widget=TEXTAREA,
        help_text=_("How users are treated and made to feel."),
    )

    def clean_axes(self) -> list[tuple[str, str]]:
        axes = []
        for line in self.cleaned_data["axes"].splitlines():
            if not line.strip():
                continue
            name, _sep, value = line.partition(":")
            name, value = name.strip(), value.strip()
            if not name:
                raise forms.ValidationError(_("Each axis needs a name before the colon."))
            if len(name) > 200:
                raise forms.ValidationError(_("An axis name has at most 200 characters."))
            if len(value) > 2000:
                raise forms.ValidationError(_("An axis value has at most 2000 characters."))
            axes.append((name, value))
        if len(axes) > MAX_AXES:
            raise forms.ValidationError(_("At most %(count)d axes.") % {"count": MAX_AXES})
        return axes

    def clean_promises(self) -> list[str]:
        promises = [line.strip() for line in self.cleaned_data["promises"].splitlines()]
        promises = [p for p in promises if p]
        if any(len(p) > 500 for p in promises):
            raise forms.ValidationError(_("A promise has at most 500 characters."))
        if len(promises) > MAX_PROMISES:
            raise forms.ValidationError(_("At most %(count)d promises.") % {"count": MAX_PROMISES})
        return promises

    @staticmethod
    def initial_from(model: ServiceModel) -> dict[str, Any]:
        return {
            "project_name": model.project_name,
            "slogans": model.slogans,
            "value_proposition": model.value_proposition,
            "quality_policy": model.quality_policy,
            "tangible_arguments": model.tangible_arguments,
            "intangible_arguments": model.intangible_arguments,
            "axes": "\n".join(
                f"{a.name}: {a.description}" if a.description else a.name for a in model.axes.all()
            ),
            "promises": "\n".join(p.text for p in model.promises.all()),
        }


class ApproveForm(StyledFormMixin, forms.Form):
    reference = forms.CharField(
        label=_("Act or resolution that approves it"),
        max_length=300,
        help_text=_(
            "E.g. the resolution number, or the binding report of the body that approves it."
        ),
    )
