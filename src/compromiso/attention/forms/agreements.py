"""The front-office agreement form: the institution (another organisation of the installation),
its procedures served, the target and the validity."""

from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from compromiso.attention.models import FrontOfficeAgreement, Procedure
from compromiso.core.forms import StyledFormMixin
from compromiso.organizations.models import Organization


class InstitutionChoiceForm(StyledFormMixin, forms.Form):
    institution = forms.ModelChoiceField(
        label=_("Institution whose procedures you serve"), queryset=Organization.objects.none()
    )

    def __init__(self, *args: Any, front_office: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["institution"].queryset = institutions_for(front_office)


def institutions_for(front_office: Organization) -> QuerySet[Organization]:
    return Organization.objects.filter(is_active=True).exclude(pk=front_office.pk).order_by("name")


class AgreementForm(StyledFormMixin, forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = FrontOfficeAgreement
        fields = [
            "reference",
            "procedures",
            "target_within_minutes",
            "target_share",
            "valid_from",
            "valid_until",
            "notes",
        ]
        widgets = {
            "procedures": forms.CheckboxSelectMultiple,
            "valid_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "valid_until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(
        self,
        *args: Any,
        institution: Organization,
        agreement: FrontOfficeAgreement | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        # The institution's published procedures, and any the agreement already names.
        listed = Q(is_published=True)
        if agreement is not None:
            listed |= Q(agreements=agreement)
        fields["procedures"].queryset = (
            Procedure.objects.filter(organization=institution).filter(listed).distinct()
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("valid_from"), data.get("valid_until")
        if start and end and end < start:
            self.add_error("valid_until", _("The agreement cannot end before it comes into force."))
        return data

    def _post_clean(self) -> None:
        """Model validation needs both organisations: the service runs it."""
