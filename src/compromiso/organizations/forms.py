"""Input forms for the organisation pages. Saving always goes through organizations.services."""

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from compromiso.core.calendar import DeadlineUnit
from compromiso.core.forms import StyledFormMixin
from compromiso.core.permissions import Role
from compromiso.organizations.models import Organization, Unit, UnitKind, User


class UnitForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=UnitKind.choices)
    code = forms.CharField(label=_("Code"), max_length=30, required=False)
    parent = forms.ModelChoiceField(
        label=_("Part of"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("— top of the tree —"),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = units  # type: ignore[attr-defined]
        self.fields["parent"].label_from_instance = lambda u: "— " * u.depth + u.name  # type: ignore[attr-defined]


class StaffUserForm(StyledFormMixin, forms.Form):
    username = forms.RegexField(
        label=_("User name"),
        max_length=150,
        regex=r"^[\w.@+-]+\Z",
        error_messages={"invalid": _("Use letters, digits and @ . + - _ only.")},
    )
    email = forms.EmailField(label=_("E-mail"), max_length=254)
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    unit = forms.ModelChoiceField(
        label=_("Unit"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("— whole organisation —"),
    )

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]

    def clean_username(self) -> str:
        username: str = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("This user name is taken."))
        return username


class MembershipForm(StyledFormMixin, forms.Form):
    user = forms.ModelChoiceField(label=_("Person"), queryset=User.objects.none())
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    unit = forms.ModelChoiceField(
        label=_("Unit"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("— whole organisation —"),
    )

    def __init__(self, *args: Any, units: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        self.fields["user"].queryset = people  # type: ignore[attr-defined]


class ClosureDayForm(StyledFormMixin, forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    name = forms.CharField(label=_("Reason"), max_length=200)

    def clean_date(self) -> dt.date:
        day: dt.date = self.cleaned_data["date"]
        if not 1900 <= day.year <= 2200:
            raise forms.ValidationError(_("Enter a date between 1900 and 2200."))
        return day


class OrganizationForm(StyledFormMixin, forms.ModelForm[Organization]):
    class Meta:
        model = Organization
        fields = [
            "name",
            "country",
            "subdivision",
            "time_zone",
            "language",
            "jurisdiction",
            "office_opens_at",
            "office_closes_at",
            "weekmask",
            "case_retention_days",
            "two_factor_required_for",
        ]
        widgets = {
            "office_opens_at": forms.TimeInput(attrs={"type": "time"}),
            "office_closes_at": forms.TimeInput(attrs={"type": "time"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A form sent without the choice (an older page, a script) keeps the current one.
        self.fields["two_factor_required_for"].required = False

    def clean_two_factor_required_for(self) -> str:
        chosen: str = self.cleaned_data.get("two_factor_required_for") or ""
        return chosen or self.instance.two_factor_required_for


class ApiTokenForm(StyledFormMixin, forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=100, help_text=_("What the token is for, e.g. “Call centre”.")
    )
    expires_on = forms.DateField(
        label=_("Expires on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty for a token that does not expire."),
    )


class DeadlineForm(StyledFormMixin, forms.Form):
    received_at = forms.DateTimeField(
        label=_("Received at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    amount = forms.IntegerField(label=_("Amount"), min_value=0, max_value=1000, initial=20)
    unit = forms.ChoiceField(
        label=_("Counted in"),
        choices=[
            (DeadlineUnit.BUSINESS_DAYS.value, _("business days")),
            (DeadlineUnit.CALENDAR_DAYS.value, _("calendar days")),
            (DeadlineUnit.MONTHS.value, _("months")),
            (DeadlineUnit.HOURS.value, _("business hours")),
        ],
        initial=DeadlineUnit.BUSINESS_DAYS.value,
    )
