"""Staff forms for cases. Saving always goes through cases.services."""

from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import Model, QuerySet
from django.utils.translation import gettext_lazy as _

from compromiso.cases.models import (
    AssignmentRule,
    CannedAnswer,
    CaseKind,
    Category,
    DeadlinePolicy,
    Priority,
    RedressKind,
    ReplyChannel,
    RootCause,
    Status,
)
from compromiso.catalog.models import Channel, Service
from compromiso.core.forms import MultipleFileField, StyledFormMixin
from compromiso.organizations.models import Organization, Unit, User


class InboxFilterForm(StyledFormMixin, forms.Form):
    q = forms.CharField(label=_("Search"), max_length=100, required=False)
    status = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[("", _("Open")), ("all", _("All")), *Status.choices],
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All")), *CaseKind.choices]
    )
    unit = forms.ModelChoiceField(
        label=_("Unit"), queryset=Unit.objects.none(), required=False, empty_label=_("All")
    )
    service = forms.ModelChoiceField(
        label=_("Service"), queryset=Service.objects.none(), required=False, empty_label=_("All")
    )
    channel = forms.ModelChoiceField(
        label=_("Channel"), queryset=Channel.objects.none(), required=False, empty_label=_("All")
    )
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.none(), required=False, empty_label=_("All")
    )
    assignee = forms.ModelChoiceField(
        label=_("Assignee"), queryset=User.objects.none(), required=False, empty_label=_("All")
    )
    mine = forms.BooleanField(label=_("Assigned to me"), required=False)
    rated_badly = forms.BooleanField(label=_("Rated badly"), required=False)
    due = forms.ChoiceField(
        label=_("Deadline"),
        required=False,
        choices=[("", _("Any")), ("soon", _("Due within 3 days")), ("overdue", _("Overdue"))],
    )

    def __init__(
        self,
        *args: Any,
        units: QuerySet[Unit],
        services: QuerySet[Service] | None = None,
        channels: QuerySet[Channel] | None = None,
        categories: QuerySet[Category] | None = None,
        people: QuerySet[User] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        for name, queryset in (
            ("service", services),
            ("channel", channels),
            ("category", categories),
            ("assignee", people),
        ):
            if queryset is not None:
                self.fields[name].queryset = queryset  # type: ignore[attr-defined]


class StaffCaseForm(StyledFormMixin, forms.Form):
    """Counter and phone intake by staff."""

    kind = forms.ChoiceField(label=_("Kind"), choices=CaseKind.choices)
    channel = forms.ModelChoiceField(label=_("Channel"), queryset=Unit.objects.none())
    service = forms.ModelChoiceField(
        label=_("Service"), queryset=Unit.objects.none(), required=False
    )
    priority = forms.ChoiceField(
        label=_("Priority"), choices=Priority.choices, initial=Priority.NORMAL
    )
    subject = forms.CharField(label=_("Subject"), max_length=200)
    description = forms.CharField(
        label=_("Description"), max_length=20000, widget=forms.Textarea(attrs={"rows": 5})
    )
    is_anonymous = forms.BooleanField(label=_("Anonymous"), required=False)
    requester_name = forms.CharField(label=_("Requester's name"), max_length=200, required=False)
    requester_national_id = forms.CharField(label=_("National ID"), max_length=20, required=False)
    requester_email = forms.EmailField(label=_("E-mail"), required=False)
    requester_phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    requester_address = forms.CharField(label=_("Postal address"), max_length=300, required=False)
    reply_channel = forms.ChoiceField(label=_("Reply by"), choices=ReplyChannel.choices)
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.none(), required=False
    )
    attachments = MultipleFileField(label=_("Attach files (optional)"))

    def __init__(
        self,
        *args: Any,
        channels: QuerySet[Channel],
        services: QuerySet[Service],
        categories: QuerySet[Category] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["channel"].queryset = channels  # type: ignore[attr-defined]
        self.fields["service"].queryset = services  # type: ignore[attr-defined]
        if categories is not None:
            self.fields["category"].queryset = categories  # type: ignore[attr-defined]


class CommentForm(StyledFormMixin, forms.Form):
    text = forms.CharField(
        label=_("Text"), max_length=20000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class AssignForm(StyledFormMixin, forms.Form):
    assignee = forms.ModelChoiceField(label=_("Assign to"), queryset=User.objects.none())

    def __init__(self, *args: Any, people: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = people  # type: ignore[attr-defined]


class DeadlinePolicyForm(StyledFormMixin, forms.ModelForm[DeadlinePolicy]):
    class Meta:
        model = DeadlinePolicy
        fields = [
            "amount",
            "unit",
            "extension",
            "extension_unit",
            "extension_requires_notice",
            "legal_basis",
            "external_recourse",
        ]
        widgets = {
            "legal_basis": forms.Textarea(attrs={"rows": 3}),
            "external_recourse": forms.Textarea(attrs={"rows": 3}),
        }


class ClassifyForm(StyledFormMixin, forms.Form):
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.none(), required=False
    )
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices)
    root_cause = forms.ModelChoiceField(
        label=_("Root cause"), queryset=RootCause.objects.none(), required=False
    )

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(  # type: ignore[attr-defined]
            organization=organization, is_active=True
        ).select_related("parent")
        self.fields["root_cause"].queryset = RootCause.objects.filter(  # type: ignore[attr-defined]
            organization=organization, is_active=True
        )


class RedressForm(StyledFormMixin, forms.Form):
    breached = forms.BooleanField(label=_("A service commitment was breached"), required=False)
    kind = forms.ChoiceField(label=_("Redress given"), choices=RedressKind.choices)
    amount = forms.DecimalField(
        label=_("Amount"),
        required=False,
        min_value=Decimal("0"),
        max_digits=12,
        decimal_places=2,
    )
    description = forms.CharField(label=_("Details"), max_length=500, required=False)
    commitment: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Charter guarantee breached (optional)"),
        queryset=None,
        required=False,
    )

    def __init__(self, *args: Any, guarantees: QuerySet[Model], **kwargs: Any) -> None:
        """`guarantees`: the charter guarantees this case's redress may be linked to, chosen by
        the caller (`services.redress_guarantees(case)`)."""
        super().__init__(*args, **kwargs)
        self.fields["commitment"].queryset = guarantees  # type: ignore[attr-defined]


class AnswerDateForm(StyledFormMixin, forms.Form):
    answered_at = forms.DateTimeField(
        label=_("When the answer was really given"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    reason = forms.CharField(label=_("Why it is corrected"), max_length=1000)


class AttachmentForm(StyledFormMixin, forms.Form):
    attachments = MultipleFileField(label=_("Attach files"))
    public = forms.BooleanField(label=_("The requester can see them"), required=False)


class CategoryForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    parent = forms.ModelChoiceField(
        label=_("Subcategory of"),
        queryset=Category.objects.none(),
        required=False,
        empty_label=_("— none: a main category —"),
    )

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = Category.objects.filter(  # type: ignore[attr-defined]
            organization=organization, parent__isnull=True, is_active=True
        )


class RootCauseForm(StyledFormMixin, forms.Form):
    code = forms.CharField(label=_("Code"), max_length=12)
    name = forms.CharField(label=_("Name"), max_length=120)


class CannedAnswerForm(StyledFormMixin, forms.ModelForm[CannedAnswer]):
    class Meta:
        model = CannedAnswer
        fields = ["title", "kind", "body", "is_active"]
        widgets = {"body": forms.Textarea(attrs={"rows": 6})}
        help_texts = {
            "body": _("Placeholders: {code}, {name}, {service}, {due}, {officer}."),
        }


class AssignmentRuleForm(StyledFormMixin, forms.ModelForm[AssignmentRule]):
    class Meta:
        model = AssignmentRule
        fields = ["position", "kind", "service", "unit", "target_unit", "officers", "is_active"]
        widgets = {"officers": forms.CheckboxSelectMultiple}

    def __init__(
        self, *args: Any, organization: Organization, people: QuerySet[User], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        units = Unit.objects.filter(organization=organization, is_active=True).order_by("path")
        self.fields["service"].queryset = Service.objects.filter(  # type: ignore[attr-defined]
            organization=organization, is_active=True
        )
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        self.fields["target_unit"].queryset = units  # type: ignore[attr-defined]
        self.fields["officers"].queryset = people  # type: ignore[attr-defined]


class RequesterLookupForm(StyledFormMixin, forms.Form):
    email = forms.EmailField(label=_("Requester's e-mail"), required=False)
    national_id = forms.CharField(label=_("National ID"), max_length=20, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("email") and not data.get("national_id", "").strip():
            raise forms.ValidationError(_("Give an e-mail address or a national ID."))
        return data
