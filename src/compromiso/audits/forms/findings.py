"""Forms of an audit's findings: the finding itself (only this audit's checklist and evidence,
the organisation's scale), the audited side's answer, the team's resolution of a divergence,
the root cause, and the levels of the scale."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from compromiso.audits import snapshots
from compromiso.audits.models import (
    Audit,
    ChecklistItem,
    Evidence,
    Finding,
    FindingStatus,
    Grade,
    GradeKind,
)
from compromiso.audits.services.grades import MAX_DAYS, MAX_SEVERITY
from compromiso.catalog.models import TouchPoint
from compromiso.charters.models import Commitment
from compromiso.core.forms import StyledFormMixin

TEXTAREA = {"rows": 4}


class FindingForm(StyledFormMixin, forms.Form):
    grade = forms.ModelChoiceField(label=_("Grade"), queryset=Grade.objects.none())
    statement = forms.CharField(
        label=_("Finding"),
        max_length=4000,
        widget=forms.Textarea(attrs=TEXTAREA),
        help_text=_("What was found, compared with the criterion."),
    )
    criterion = forms.CharField(
        label=_("Criterion"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "The requirement, commitment or protocol step the finding is measured against."
        ),
    )
    checklist_item = forms.ModelChoiceField(
        label=_("Checklist item"),
        queryset=ChecklistItem.objects.none(),
        required=False,
        help_text=_("Its commitment and touch point are used when those below are left empty."),
    )
    touch_point = forms.ModelChoiceField(
        label=_("Touch point"), queryset=TouchPoint.objects.none(), required=False
    )
    commitment = forms.ModelChoiceField(
        label=_("Commitment"), queryset=Commitment.objects.none(), required=False
    )
    evidence = forms.ModelMultipleChoiceField(
        label=_("Evidence"),
        queryset=Evidence.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("A nonconformity needs at least one piece of evidence or a checklist item."),
    )
    root_cause = forms.CharField(
        label=_("Root cause"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, audit: Audit, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: dict[str, Any] = self.fields
        fields["grade"].queryset = Grade.objects.filter(
            organization_id=audit.organization_id
        ).order_by("order", "pk")
        fields["checklist_item"].queryset = audit.checklist.all()
        fields["touch_point"].queryset = snapshots.touch_points_in_scope(audit)
        fields["commitment"].queryset = snapshots.commitments_in_scope(audit)
        fields["evidence"].queryset = audit.evidence.order_by("taken_at", "pk")

    @staticmethod
    def initial_from(finding: Finding) -> dict[str, Any]:
        return {
            "grade": finding.grade_id,
            "statement": finding.statement,
            "criterion": finding.criterion,
            "checklist_item": finding.checklist_item_id,
            "touch_point": finding.touch_point_id,
            "commitment": finding.commitment_id,
            "evidence": list(finding.evidence.values_list("pk", flat=True)),
            "root_cause": finding.root_cause,
        }

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            name: data[name]
            for name in (
                "grade",
                "statement",
                "criterion",
                "checklist_item",
                "touch_point",
                "commitment",
            )
        }


class AnswerForm(StyledFormMixin, forms.Form):
    """The audited side's answer to a finding."""

    decision = forms.ChoiceField(
        label=_("The audited side"),
        choices=(
            (FindingStatus.ACCEPTED.value, _("Accepts the finding")),
            (FindingStatus.DISPUTED.value, _("Disagrees with the finding")),
        ),
        widget=forms.RadioSelect,
    )
    response = forms.CharField(
        label=_("Answer"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    diverging_opinion = forms.CharField(
        label=_("Diverging opinion"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when disagreeing: where and why the audited side disagrees."),
    )
    root_cause = forms.CharField(
        label=_("Root cause"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class DivergenceForm(StyledFormMixin, forms.Form):
    note = forms.CharField(
        label=_("How the divergence was resolved"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RootCauseForm(StyledFormMixin, forms.Form):
    root_cause = forms.CharField(
        label=_("Root cause"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class FindingFilterForm(StyledFormMixin, forms.Form):
    grade = forms.ModelChoiceField(
        label=_("Grade"),
        queryset=Grade.objects.none(),
        required=False,
        empty_label=_("Every grade"),
    )
    status = forms.ChoiceField(
        label=_("State"), choices=[("", _("Every state")), *FindingStatus.choices], required=False
    )

    def __init__(self, audit: Audit, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["grade"]
        field.queryset = Grade.objects.filter(organization_id=audit.organization_id)


class GradeForm(StyledFormMixin, forms.Form):
    code = forms.SlugField(
        label=_("Code"), max_length=20, help_text=_("Letters, digits and hyphens; never changes.")
    )
    label = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=GradeKind.choices)
    severity = forms.IntegerField(
        label=_("Severity"),
        min_value=0,
        max_value=MAX_SEVERITY,
        help_text=_("Higher is more serious; 0 for no problem."),
    )
    action_within_days = forms.IntegerField(
        label=_("Corrective plan within (days)"),
        min_value=1,
        max_value=MAX_DAYS,
        required=False,
    )
    order = forms.IntegerField(label=_("Order"), min_value=0, max_value=999, initial=10)

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["code"]

    @staticmethod
    def initial_from(grade: Grade) -> dict[str, Any]:
        return {
            "label": grade.label,
            "kind": grade.kind,
            "severity": grade.severity,
            "action_within_days": grade.action_within_days,
            "order": grade.order,
        }

    def service_fields(self) -> dict[str, Any]:
        return {
            name: self.cleaned_data[name]
            for name in ("label", "kind", "severity", "action_within_days", "order")
        }
