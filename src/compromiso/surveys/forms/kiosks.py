"""The form to enrol a kiosk."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from compromiso.catalog.models import TouchPoint
from compromiso.core.forms import StyledFormMixin


class KioskForm(StyledFormMixin, forms.Form):
    """Enrol the device this form is sent from as a kiosk for a touch point."""

    name = forms.CharField(
        label=_("Name of the kiosk"),
        max_length=100,
        help_text=_("For example “Tablet at the entrance”."),
    )
    touch_point = forms.ModelChoiceField(
        label=_("Touch point where the kiosk stands"), queryset=TouchPoint.objects.none()
    )

    def __init__(self, *args: Any, organization: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["touch_point"]
        field.queryset = TouchPoint.objects.filter(organization=organization).select_related(
            "unit", "channel"
        )
