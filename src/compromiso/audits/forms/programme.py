"""Forms of the audit programme and of the proposals. Choices are always the organisation's own
rows (an id of another organisation is an invalid choice); saving goes through the services."""

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from compromiso.audits.models import (
    AuditProgramme,
    AuditProposal,
    NeedReason,
    ProgrammeStatus,
    ServiceKind,
    SignalKind,
)
from compromiso.audits.services.programme import PROGRAMME_FIELDS
from compromiso.cases.models import RootCause
from compromiso.catalog.models import Service, TouchPoint
from compromiso.charters.models import CharterStatus, Commitment
from compromiso.core.forms import StyledFormMixin
from compromiso.core.validators import validate_plausible_date
from compromiso.organizations.models import Organization, Unit, User
from compromiso.surveys.models import Question, Wave

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def date_field(label: Any, **options: Any) -> forms.DateField:
    return forms.DateField(
        label=label, widget=DATE, validators=[validate_plausible_date], **options
    )


def text_field(label: Any, limit: int, rows: int = 3, **options: Any) -> forms.CharField:
    options.setdefault("required", False)
    return forms.CharField(
        label=label, max_length=limit, widget=forms.Textarea(attrs={"rows": rows}), **options
    )


def money_field(label: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        max_digits=14,
        decimal_places=2,
        min_value=Decimal(0),
        required=False,
        initial=Decimal(0),
    )


def days_field(label: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        max_digits=7,
        decimal_places=1,
        min_value=Decimal(0),
        required=False,
        initial=Decimal(0),
    )


class PersonChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.get_full_name() or obj.username)


def members_of(organization: Organization) -> Any:
    return (
        User.objects.filter(memberships__organization=organization, is_active=True)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


class ProgrammeForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    period_start = date_field(_("From"))
    period_end = date_field(_("To"))
    objectives = text_field(_("Objectives"), 5000, 4)
    extent = text_field(_("Extent (number of audits, units, places, duration)"), 5000)
    risks = text_field(_("Risks and opportunities"), 5000)
    resources = text_field(_("Resources"), 5000)
    budget_amount = money_field(_("Budget"))
    person_days = days_field(_("Person-days planned"))
    cycle_months = forms.IntegerField(
        label=_("Audit each service every (months)"), min_value=1, max_value=120, initial=24
    )
    manager = PersonChoice(
        label=_("Programme manager"), queryset=User.objects.none(), required=False
    )

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["manager"].queryset = members_of(organization)  # type: ignore[attr-defined]

    @staticmethod
    def initial_from(programme: AuditProgramme) -> dict[str, Any]:
        return {name: getattr(programme, name) for name in PROGRAMME_FIELDS}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The programme ends before it starts."))
        for name in ("budget_amount", "person_days"):
            if data.get(name) is None:
                data[name] = Decimal(0)
        return data


class ReviewForm(StyledFormMixin, forms.Form):
    notes = text_field(
        _("What the review found (objectives met, schedule, team, feedback, changes)"),
        5000,
        6,
        required=True,
    )


class ProposalForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    programme = forms.ModelChoiceField(
        label=_("Programme"), queryset=AuditProgramme.objects.none(), required=False
    )
    reasons = forms.MultipleChoiceField(
        label=_("Why audit"),
        choices=NeedReason.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    need = text_field(_("Evidence of the need"), 5000, 5)
    services = forms.ModelMultipleChoiceField(
        label=_("Services audited"),
        queryset=Service.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    service_kind = forms.ChoiceField(
        label=_("Kind of service"),
        choices=[("", _("Not said")), *ServiceKind.choices],
        required=False,
    )
    supporters = text_field(_("Who supports it"), 2000, 2)
    budget_amount = money_field(_("Budget"))
    person_days = days_field(_("Person-days"))

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["programme"].queryset = AuditProgramme.objects.filter(
            organization=organization
        ).exclude(status=ProgrammeStatus.CLOSED)
        fields["services"].queryset = Service.objects.filter(
            organization=organization, is_active=True
        ).order_by("name")

    @staticmethod
    def initial_from(proposal: AuditProposal) -> dict[str, Any]:
        return {
            "title": proposal.title,
            "programme": proposal.programme_id,
            "reasons": proposal.reasons,
            "need": proposal.need,
            "services": list(proposal.services.all()),
            "service_kind": proposal.service_kind,
            "supporters": proposal.supporters,
            "budget_amount": proposal.budget_amount,
            "person_days": proposal.person_days,
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("budget_amount", "person_days"):
            if data.get(name) is None:
                data[name] = Decimal(0)
        return data

    def fields_for_service(self) -> tuple[dict[str, Any], list[Service]]:
        data = dict(self.cleaned_data)
        services = list(data.pop("services", []))
        return data, services


class SignalForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("What shows it"), choices=SignalKind.choices)
    commitment = forms.ModelChoiceField(
        label=_("Breached commitment"), queryset=Commitment.objects.none(), required=False
    )
    root_cause = forms.ModelChoiceField(
        label=_("Complaint cause"), queryset=RootCause.objects.none(), required=False
    )
    wave = forms.ModelChoiceField(
        label=_("Survey wave"), queryset=Wave.objects.none(), required=False
    )
    question = forms.ModelChoiceField(
        label=_("Question (the overall one when empty)"),
        queryset=Question.objects.none(),
        required=False,
    )
    segment = forms.CharField(
        label=_("Segment (e.g. user_type=business)"), max_length=200, required=False
    )
    unit = forms.ModelChoiceField(
        label=_("Unit (equity gap)"), queryset=Unit.objects.none(), required=False
    )
    touch_point = forms.ModelChoiceField(
        label=_("Touch point (equity gap)"), queryset=TouchPoint.objects.none(), required=False
    )
    note = text_field(_("Note"), 2000, 2)

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["commitment"].queryset = Commitment.objects.filter(
            charter__organization=organization, charter__status=CharterStatus.PUBLISHED
        ).select_related("charter")
        fields["root_cause"].queryset = RootCause.objects.filter(
            organization=organization, is_active=True
        )
        fields["wave"].queryset = Wave.objects.filter(organization=organization)
        fields["question"].queryset = Question.objects.filter(
            questionnaire__organization=organization, kind="scale"
        ).select_related("questionnaire")
        fields["unit"].queryset = Unit.objects.filter(
            organization=organization, is_active=True
        ).order_by("path")
        fields["touch_point"].queryset = TouchPoint.objects.filter(
            organization=organization, is_active=True
        ).select_related("unit")

    def links(self) -> dict[str, Any]:
        """The fields the chosen kind uses (the others are left out)."""
        data = self.cleaned_data
        kind = data["kind"]
        used = {
            SignalKind.BREACHED_COMMITMENT: ("commitment",),
            SignalKind.COMPLAINT_CAUSE: ("root_cause",),
            SignalKind.SURVEY_SEGMENT: ("wave", "question", "segment"),
            SignalKind.EQUITY_GAP: ("unit", "touch_point"),
            SignalKind.OTHER: (),
        }[SignalKind(kind)]
        links = {name: data.get(name) for name in used}
        if "segment" in links:
            links["segment"] = links["segment"] or ""
        links["note"] = data.get("note") or ""
        return links


class AcceptForm(StyledFormMixin, forms.Form):
    programme = forms.ModelChoiceField(
        label=_("Into the programme"), queryset=AuditProgramme.objects.none()
    )
    planned_start = date_field(_("Fieldwork from"))
    planned_end = date_field(_("Fieldwork to"))
    note = text_field(_("Note on the decision"), 2000, 2)

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = AuditProgramme.objects.filter(  # type: ignore[attr-defined]
            organization=organization,
            status__in=(ProgrammeStatus.APPROVED, ProgrammeStatus.IN_EXECUTION),
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("planned_start"), data.get("planned_end")
        if start and end and end < start:
            self.add_error("planned_end", _("An end date is before its start date."))
        return data


class RejectForm(StyledFormMixin, forms.Form):
    note = text_field(_("Why it is rejected"), 2000, 2, required=True)
