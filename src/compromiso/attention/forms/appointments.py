"""Forms of appointments: slot plans (staff), a booking (public or for a caller), finding a
booking by code and e-mail, and a check-in code. Fields are validated here and again by the
services."""

import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from compromiso.attention.models import Queue, SlotPlan
from compromiso.attention.services.appointments import CODE_LENGTH, normalize_code
from compromiso.core.forms import StyledFormMixin


class SlotPlanForm(StyledFormMixin, forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = SlotPlan
        fields = ["queue", "slot_minutes", "capacity", "horizon_days", "valid_from", "valid_until"]
        widgets = {
            "valid_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "valid_until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args: Any, queues: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["queue"].queryset = queues  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("valid_from"), data.get("valid_until")
        if start and end and end < start:
            self.add_error("valid_until", _("The plan must end on or after the day it starts."))
        return data


class ContactFields(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=200)
    email = forms.EmailField(
        label=_("E-mail"),
        required=False,
        max_length=254,
        help_text=_("We send the confirmation and a reminder here."),
    )
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and not data.get("email") and not data.get("phone", "").strip():
            raise forms.ValidationError(
                _("Give an e-mail address or a phone number so we can reach you."),
                code="no_contact",
            )
        return data


class BookingForm(ContactFields):
    """The public booking: the chosen slot, who comes, consent, and the anti-spam fields."""

    slot = forms.CharField(widget=forms.HiddenInput, max_length=20)
    consent = forms.BooleanField(
        label=_(
            "I agree that my name and contact details are used to manage this appointment "
            "and deleted afterwards as the privacy notice says."
        )
    )
    website = forms.CharField(required=False, label=_("Leave this field empty"))
    submission_id = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("submission_id", uuid.uuid4())
        super().__init__(*args, **kwargs)
        self.fields["slot"].widget = forms.RadioSelect()  # choices set by the view
        self.fields["website"].widget.attrs.update(
            {"tabindex": "-1", "autocomplete": "off", "class": "form-control"}
        )

    def clean(self) -> dict[str, Any]:
        if self.data.get("website"):
            raise forms.ValidationError(_("Your request could not be sent."), code="spam")
        return super().clean()


class StaffBookingForm(ContactFields):
    """A booking taken by phone or at the counter for a caller."""

    queue = forms.ModelChoiceField(label=_("Queue"), queryset=Queue.objects.none())
    slot = forms.CharField(label=_("Time"), max_length=20)

    def __init__(
        self, *args: Any, queues: Any, slot_choices: list[tuple[str, str]], **kw: Any
    ) -> None:
        super().__init__(*args, **kw)
        self.fields["queue"].queryset = queues  # type: ignore[attr-defined]
        self.fields["slot"].widget = forms.Select(
            choices=slot_choices, attrs={"class": "form-select"}
        )
        self.fields["name"].label = _("Name")


class LookupForm(StyledFormMixin, forms.Form):
    code = forms.CharField(label=_("Confirmation code"), max_length=20)
    email = forms.EmailField(label=_("E-mail you booked with"), max_length=254)

    def clean_code(self) -> str:
        return normalize_code(self.cleaned_data["code"])


class CodeForm(StyledFormMixin, forms.Form):
    code = forms.CharField(
        label=_("Confirmation code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )

    def clean_code(self) -> str:
        code = normalize_code(self.cleaned_data["code"])
        if len(code) != CODE_LENGTH:
            raise forms.ValidationError(
                _("A confirmation code has %(n)s letters and digits.") % {"n": CODE_LENGTH},
                code="invalid",
            )
        return code
