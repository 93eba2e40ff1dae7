"""Forms of an audit's evidence: taking a snapshot (the one-click buttons post hidden fields,
the choosers post the same names), recording a file, an observation or an interview, the
review, and the filters of the list. Every id is checked again by the services."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from compromiso.audits import snapshots
from compromiso.audits.models import (
    Audit,
    ChecklistItem,
    EvidenceKind,
    ReviewStatus,
    SnapshotKind,
)
from compromiso.audits.services.evidence import MAX_FILES_PER_EVIDENCE
from compromiso.catalog.models import Channel, TouchPoint
from compromiso.charters.models import Commitment
from compromiso.core.forms import MultipleFileField, StyledFormMixin
from compromiso.core.validators import validate_plausible_date
from compromiso.surveys.models import AgeBand, UserType, Wave

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
PARAMETERS = ("commitment", "touch_point", "wave", "segment", "sample", "protocol")
BACK = (("detail", "detail"), ("list", "list"), ("checklist", "checklist"))


class SnapshotForm(forms.Form):
    """What every snapshot button posts: the kind, its parameters as ids (checked by the
    service against the audit), the checklist item to link and where to go back."""

    snapshot_kind = forms.ChoiceField(choices=SnapshotKind.choices)
    commitment = forms.CharField(required=False, max_length=20)
    touch_point = forms.CharField(required=False, max_length=20)
    wave = forms.CharField(required=False, max_length=20)
    segment = forms.CharField(required=False, max_length=100)
    sample = forms.CharField(required=False, max_length=20)
    protocol = forms.CharField(required=False, max_length=20)
    checklist_item = forms.CharField(required=False, max_length=20)
    back = forms.ChoiceField(choices=BACK, required=False)

    def params(self) -> dict[str, Any]:
        """The parameters the chosen kind takes, as given (empty ones left out)."""
        kind = self.cleaned_data["snapshot_kind"]
        _builder, accepted = snapshots.BUILDERS[kind]
        return {
            name: self.cleaned_data[name]
            for name in PARAMETERS
            if name in accepted and self.cleaned_data.get(name)
        }


def segment_choices(audit: Audit) -> list[tuple[str, Any]]:
    """The segments a survey snapshot can take: every answer, a channel, a touch point in
    scope, a user type or an age band (written "dimension:value")."""
    choices: list[tuple[str, Any]] = [("all", _("All answers"))]
    for point in snapshots.touch_points_in_scope(audit).order_by("name")[:100]:
        choices.append((f"touch_point:{point.pk}", f"{_('Touch point')}: {point.name}"))
    for channel in Channel.objects.filter(organization_id=audit.organization_id).order_by("name"):
        choices.append((f"channel:{channel.pk}", f"{_('Channel')}: {channel.name}"))
    for value, label in UserType.choices:
        choices.append((f"user_type:{value}", f"{_('User type')}: {label}"))
    for value, label in AgeBand.choices:
        choices.append((f"age_band:{value}", f"{_('Age band')}: {label}"))
    return choices


class ChooseSnapshotForm(StyledFormMixin, forms.Form):
    """The choosers on the evidence page: one kind each, with the audit's own choices."""

    def __init__(self, audit: Audit, kind: str, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"id_{kind}_%s")
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.fields["snapshot_kind"] = forms.CharField(widget=forms.HiddenInput, initial=kind)
        if kind == SnapshotKind.COMMITMENT:
            self.fields["commitment"] = forms.ModelChoiceField(
                label=_("Commitment"),
                queryset=snapshots.commitments_in_scope(audit).select_related("charter"),
            )
        if kind in (SnapshotKind.TOUCH_POINT_CASES, SnapshotKind.PROTOCOL_COMPLIANCE):
            self.fields["touch_point"] = forms.ModelChoiceField(
                label=_("Touch point"),
                queryset=snapshots.touch_points_in_scope(audit).select_related("unit"),
            )
        if kind == SnapshotKind.SURVEY_SEGMENT:
            self.fields["wave"] = forms.ModelChoiceField(
                label=_("Survey wave"),
                queryset=Wave.objects.filter(organization_id=audit.organization_id).order_by(
                    "-opens_on", "-pk"
                ),
            )
            self.fields["segment"] = forms.ChoiceField(
                label=_("Segment"), choices=segment_choices(audit)
            )
        if kind == SnapshotKind.CASE_SAMPLE:
            self.fields["sample"] = forms.ModelChoiceField(
                label=_("Sample of cases"), queryset=snapshots.case_samples(audit)
            )


class EvidenceForm(StyledFormMixin, forms.Form):
    """A document or file, an observation or an interview note."""

    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("What was observed, said or shown"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    touch_point = forms.ModelChoiceField(
        label=_("Touch point"),
        queryset=TouchPoint.objects.none(),
        required=False,
    )
    commitment = forms.ModelChoiceField(
        label=_("Commitment"),
        queryset=Commitment.objects.none(),
        required=False,
    )
    checklist_item = forms.ModelChoiceField(
        label=_("Checklist item"),
        queryset=ChecklistItem.objects.none(),
        required=False,
    )
    expires_on = forms.DateField(
        label=_("Valid until"),
        required=False,
        widget=DATE,
        validators=[validate_plausible_date],
        help_text=_("After this date the evidence no longer counts as valid."),
    )
    uploads = MultipleFileField(
        label=_("Files"),
        max_files=MAX_FILES_PER_EVIDENCE,
        help_text=_("PDF, images, text, Office or OpenDocument files; at most 10 MB each."),
    )

    def __init__(self, audit: Audit, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: dict[str, Any] = self.fields
        fields["touch_point"].queryset = snapshots.touch_points_in_scope(audit)
        fields["commitment"].queryset = snapshots.commitments_in_scope(audit)
        items: QuerySet[Any] = audit.checklist.all()
        fields["checklist_item"].queryset = items

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            name: data[name]
            for name in ("title", "description", "touch_point", "commitment", "checklist_item")
        }


class ReviewForm(StyledFormMixin, forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=(("approve", _("Approve")), ("reject", _("Reject"))),
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required to reject: say what is wrong."),
    )
    expires_on = forms.DateField(
        label=_("Valid until"), required=False, widget=DATE, validators=[validate_plausible_date]
    )


class EvidenceFilterForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("Every kind")), *EvidenceKind.choices], required=False
    )
    status = forms.ChoiceField(
        label=_("Review"),
        choices=[("", _("Every state")), *ReviewStatus.choices, ("expired", _("Expired"))],
        required=False,
    )
    touch_point = forms.ModelChoiceField(
        label=_("Touch point"),
        queryset=TouchPoint.objects.none(),
        required=False,
        empty_label=_("Every touch point"),
    )

    def __init__(self, audit: Audit, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["touch_point"]
        field.queryset = snapshots.touch_points_in_scope(audit)
