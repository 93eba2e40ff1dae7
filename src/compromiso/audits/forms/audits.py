"""Forms of an audit: its scope and plan, the lifecycle's reasons, the results decision, a
follow-up audit, the team and its declarations, the agreement, access grants and outside
auditors' accounts. Choices are the organisation's own rows; saving goes through the
services."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from compromiso.audits.forms.programme import (
    PersonChoice,
    date_field,
    days_field,
    money_field,
    text_field,
)
from compromiso.audits.models import (
    SELF_CHECK_QUESTIONS,
    Audit,
    AuditAccess,
    AuditKind,
    AuditorKind,
    Framework,
    ResultsDecision,
    TeamMember,
    TeamRole,
)
from compromiso.audits.services.engagement import AUDIT_FIELDS, SCOPE_SETS
from compromiso.catalog.models import Service, TouchPoint
from compromiso.charters.models import Charter
from compromiso.core.forms import StyledFormMixin
from compromiso.organizations.models import Organization, Unit, User

SCOPE_FIELDS = AUDIT_FIELDS  # the fields the service takes: one list
SETS = SCOPE_SETS


def people_for(audit: Audit | None, organization: Organization) -> Any:
    """Members of the organisation, and whoever holds a grant to this audit not yet ended."""
    members = Q(memberships__organization=organization)
    if audit is not None and audit.pk is not None:
        granted = AuditAccess.objects.filter(
            audit=audit, revoked_at__isnull=True, valid_until__gt=timezone.now()
        ).values("user_id")
        members |= Q(pk__in=granted)
    return (
        User.objects.filter(members, is_active=True)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


class TouchPointChoices(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} · {obj.unit.name}"


class AuditForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind of audit"), choices=AuditKind.choices)
    auditor_kind = forms.ChoiceField(label=_("Kind of auditor"), choices=AuditorKind.choices)
    objectives = text_field(_("Objectives"), 5000)
    scope = text_field(_("Scope"), 5000)
    criteria = text_field(_("Criteria"), 5000)
    methods = text_field(_("Methods"), 2000, 2)
    unit = forms.ModelChoiceField(
        label=_("Audited unit"), queryset=Unit.objects.none(), required=False
    )
    services = forms.ModelMultipleChoiceField(
        label=_("Services"),
        queryset=Service.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    charters = forms.ModelMultipleChoiceField(
        label=_("Charters"),
        queryset=Charter.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    touch_points = TouchPointChoices(
        label=_("Touch points in scope"),
        queryset=TouchPoint.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    framework = forms.ModelChoiceField(
        label=_("Criteria framework"), queryset=Framework.objects.none(), required=False
    )
    period_start = date_field(_("Period audited from"))
    period_end = date_field(_("Period audited to"))
    planned_start = date_field(_("Fieldwork from"))
    planned_end = date_field(_("Fieldwork to"))
    actual_start = date_field(_("Fieldwork started on"), required=False)
    actual_end = date_field(_("Fieldwork ended on"), required=False)
    places = text_field(_("Places"), 2000, 2)
    budget_amount = money_field(_("Budget"))
    person_days_planned = days_field(_("Person-days planned"))
    person_days_actual = days_field(_("Person-days spent"))
    lead = PersonChoice(label=_("Lead auditor"), queryset=User.objects.none(), required=False)

    def __init__(
        self, *args: Any, organization: Organization, audit: Audit | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["unit"].queryset = Unit.objects.filter(
            organization=organization, is_active=True
        ).order_by("path")
        fields["services"].queryset = Service.objects.filter(
            organization=organization, is_active=True
        ).order_by("name")
        fields["charters"].queryset = Charter.objects.filter(organization=organization).order_by(
            "title", "-version"
        )
        fields["touch_points"].queryset = (
            TouchPoint.objects.filter(organization=organization, is_active=True)
            .select_related("unit")
            .order_by("unit__path", "name")
        )
        fields["framework"].queryset = Framework.objects.filter(organization=organization)
        fields["lead"].queryset = people_for(audit, organization)

    @staticmethod
    def initial_from(audit: Audit) -> dict[str, Any]:
        initial = {name: getattr(audit, name) for name in SCOPE_FIELDS}
        for name in SETS:
            initial[name] = list(getattr(audit, name).all())
        return initial

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for start, end in (
            ("period_start", "period_end"),
            ("planned_start", "planned_end"),
            ("actual_start", "actual_end"),
        ):
            if data.get(start) and data.get(end) and data[end] < data[start]:
                self.add_error(end, _("An end date is before its start date."))
        for name in ("budget_amount", "person_days_planned", "person_days_actual"):
            if data.get(name) is None:
                data[name] = Decimal(0)
        return data

    def split(self) -> tuple[dict[str, Any], dict[str, list[Any]]]:
        data = dict(self.cleaned_data)
        sets = {name: list(data.pop(name, [])) for name in SETS}
        return data, sets


class CancelForm(StyledFormMixin, forms.Form):
    reason = text_field(_("Why the audit is cancelled"), 500, 2, required=True)


class ResultsForm(StyledFormMixin, forms.Form):
    decision = forms.ChoiceField(
        label=_("What is done with the results"), choices=ResultsDecision.choices
    )
    note = text_field(_("Note on the results"), 2000, 2)


class FollowUpAuditForm(StyledFormMixin, forms.Form):
    planned_start = date_field(_("Fieldwork from"))
    planned_end = date_field(_("Fieldwork to"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("planned_start"), data.get("planned_end")
        if start and end and end < start:
            self.add_error("planned_end", _("An end date is before its start date."))
        return data


# The team ---------------------------------------------------------------------------------


class TeamMemberForm(StyledFormMixin, forms.Form):
    user = PersonChoice(label=_("Person"), queryset=User.objects.none())
    role = forms.ChoiceField(label=_("Role"), choices=TeamRole.choices, initial=TeamRole.AUDITOR)
    affiliation = forms.CharField(
        label=_("Organisation they come from"), max_length=200, required=False
    )
    competence = text_field(_("Competence"), 2000, 2)

    def __init__(self, *args: Any, audit: Audit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        on_team = TeamMember.objects.filter(audit=audit).values("user_id")
        self.fields["user"].queryset = people_for(  # type: ignore[attr-defined]
            audit, audit.organization
        ).exclude(pk__in=on_team)


class RoleForm(StyledFormMixin, forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=TeamRole.choices)


ANSWERS = [("", _("Not answered")), ("yes", _("Yes")), ("no", _("No"))]
INDEPENDENCE = [
    ("", _("Not declared")),
    ("yes", _("I declare that I am independent of what is audited")),
    ("no", _("I am not independent of what is audited")),
]


def _answer(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


def _choice(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


class DeclarationForm(StyledFormMixin, forms.Form):
    """The seed's self-check (a yes/no and a note per question), independence, conflicts of
    interest and competence."""

    independent = forms.ChoiceField(label=_("Independence"), choices=INDEPENDENCE, required=False)
    conflicts = text_field(_("Conflicts of interest declared"), 2000, 2)
    competence = text_field(_("Competence"), 2000, 2)

    def __init__(self, *args: Any, member: TeamMember | None = None, **kwargs: Any) -> None:
        if member is not None and not args and "initial" not in kwargs:
            initial: dict[str, Any] = {
                "independent": _choice(member.independent),
                "conflicts": member.conflicts,
                "competence": member.competence,
            }
            for key, _question in SELF_CHECK_QUESTIONS:
                given = member.self_check.get(key) or {}
                initial[f"answer_{key}"] = _choice(given.get("answer"))
                initial[f"note_{key}"] = given.get("note", "")
            kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        for key, question in SELF_CHECK_QUESTIONS:
            self.fields[f"answer_{key}"] = forms.ChoiceField(
                label=question, choices=ANSWERS, required=False, widget=forms.RadioSelect
            )
            self.fields[f"note_{key}"] = forms.CharField(
                label=_("Note"), max_length=1000, required=False
            )
            self.fields[f"note_{key}"].widget.attrs["class"] = "form-control"

    def questions(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"answer_{key}"], self[f"note_{key}"]) for key, _q in SELF_CHECK_QUESTIONS]

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "self_check": {
                key: (_answer(data.get(f"answer_{key}") or ""), data.get(f"note_{key}") or "")
                for key, _question in SELF_CHECK_QUESTIONS
            },
            "independent": _answer(data.get("independent") or ""),
            "conflicts": data.get("conflicts") or "",
            "competence": data.get("competence") or "",
        }


# The agreement ----------------------------------------------------------------------------


class AgreementForm(StyledFormMixin, forms.Form):
    scope = text_field(_("Agreed scope"), 5000, 4)
    criteria = text_field(_("Agreed criteria"), 5000, 3)
    dates = text_field(_("Agreed dates"), 2000, 2)
    access = text_field(_("Access to people, places and records"), 5000, 3)
    publication = text_field(_("What will be published"), 2000, 2)


# Access -----------------------------------------------------------------------------------


class GrantForm(StyledFormMixin, forms.Form):
    person = forms.CharField(
        label=_("User name or e-mail address of the auditor"),
        max_length=254,
        help_text=_("Exactly as in their account; an auditor without one: create it below."),
    )
    valid_from = date_field(_("From"))
    valid_until = date_field(_("Until (inclusive)"))
    role = forms.ChoiceField(
        label=_("Also put them on the team as"),
        choices=[("", _("Not on the team")), *TeamRole.choices],
        required=False,
    )

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        self.organization = organization
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("valid_from"), data.get("valid_until")
        if start and end and end < start:
            self.add_error("valid_until", _("The access ends before it starts."))
        return data

    def window(self) -> tuple[dt.datetime, dt.datetime]:
        """From the start of the first day to the end of the last, in the organisation's zone."""
        zone = self.organization.zone
        start = dt.datetime.combine(self.cleaned_data["valid_from"], dt.time.min, zone)
        end_day = self.cleaned_data["valid_until"] + dt.timedelta(days=1)
        return start, dt.datetime.combine(end_day, dt.time.min, zone)


class RevokeForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label=_("Why the access is revoked"), max_length=300)


class OutsideAuditorForm(StyledFormMixin, forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
