"""Forms of the seal's staff pages: installing a framework and editing its texts, starting and
rating a self-assessment, the matrix's window, certification bodies, certificates, the body's
assessments, granting, and the reason for a suspension or withdrawal. Saving always goes through
the audits services."""

import datetime as dt
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from compromiso.audits.frameworks import SHIPPED
from compromiso.audits.models import (
    Certificate,
    CertificationBody,
    Evidence,
    Framework,
    FrameworkKind,
    FrameworkNode,
    Rating,
    ReviewKind,
    ReviewResult,
    ReviewStatus,
    SelfAssessment,
)
from compromiso.catalog.models import Service, TouchPoint
from compromiso.core.forms import StyledFormMixin
from compromiso.core.ids import parse_id
from compromiso.core.validators import validate_plausible_date
from compromiso.organizations.models import Organization

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _date(label: Any, **options: Any) -> forms.DateField:
    return forms.DateField(
        label=label, widget=DATE, validators=[validate_plausible_date], **options
    )


def _text(label: Any, limit: int, *, required: bool = False, rows: int = 3) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=limit,
        required=required,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class InstallForm(forms.Form):
    code = forms.ChoiceField(choices=[(code, code) for code in SHIPPED])


class NodeForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    text = _text(_("Text"), 4000, rows=5)


class ElementForm(StyledFormMixin, forms.Form):
    ref = forms.RegexField(
        label=_("Reference"),
        max_length=20,
        regex=r"^[0-9A-Za-z][0-9A-Za-z.\-]*$",
        error_messages={"invalid": _("Use digits, letters, dots and hyphens, e.g. 1.1.4.")},
    )
    title = forms.CharField(label=_("Title"), max_length=300)
    text = _text(_("Text"), 4000, rows=5)


class AssessmentForm(StyledFormMixin, forms.Form):
    framework = forms.ModelChoiceField(label=_("Framework"), queryset=Framework.objects.none())
    title = forms.CharField(label=_("Title"), max_length=200)
    started = _date(_("Started"))
    cycle_start = _date(
        _("Cycle from"),
        help_text=_("The verification matrix looks for evidence between these dates."),
    )
    cycle_end = _date(_("Cycle to"))

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["framework"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Framework.objects.filter(
            organization=organization, kind=FrameworkKind.SEAL
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("cycle_start"), data.get("cycle_end")
        if start and end and end < start:
            self.add_error("cycle_end", _("The cycle ends before it starts."))
        return data


class IdsField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    """Several rows by id; anything that is no id (letters, huge numbers) is refused before the
    database is asked."""

    def _check_values(self, value: Any) -> Any:
        for pk in value:
            if parse_id(str(pk)) is None:
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        return super()._check_values(value)  # type: ignore[misc]


class EvidenceField(IdsField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.audit.reference} · {obj.title} ({obj.taken_at:%Y-%m-%d})"


class RatingForm(StyledFormMixin, forms.Form):
    rating = forms.ChoiceField(label=_("Rating"), choices=Rating.choices, widget=forms.RadioSelect)
    note = _text(_("Why this rating"), 4000, rows=4)
    evidence = EvidenceField(
        label=_("Evidence from audits"),
        queryset=Evidence.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["evidence"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = (
            Evidence.objects.filter(audit__organization=organization)
            .exclude(review_status=ReviewStatus.REJECTED)
            .select_related("audit")
            .order_by("-taken_at", "-pk")
        )


class TouchPointChoiceForm(StyledFormMixin, forms.Form):
    """Which touch point a rating is given at (none: the whole organisation)."""

    touch_point = forms.ModelChoiceField(
        label=_("At a touch point (optional)"),
        queryset=TouchPoint.objects.none(),
        required=False,
        empty_label=_("The whole organisation"),
    )

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["touch_point"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = TouchPoint.objects.filter(
            organization=organization, is_active=True
        ).select_related("unit")


class MatrixForm(StyledFormMixin, forms.Form):
    start = _date(_("From"), required=False)
    end = _date(_("To"), required=False)
    certificate = forms.ModelChoiceField(
        label=_("Within the scope of"),
        queryset=Certificate.objects.none(),
        required=False,
        empty_label=_("Every service and touch point"),
    )

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organization = organization
        field = self.fields["certificate"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Certificate.objects.filter(organization=organization)

    def window(self) -> tuple[dt.date, dt.date]:
        """The dates asked for, or the twelve months up to today."""
        today = self.organization.today()
        data = self.cleaned_data if self.is_valid() else {}
        end = data.get("end") or today
        start = data.get("start") or end.replace(year=end.year - 1) + dt.timedelta(days=1)
        if start > end:
            start, end = end, start
        return start, end


class BodyForm(StyledFormMixin, forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = CertificationBody
        fields = ["name", "accreditation", "website"]


class CertificateForm(StyledFormMixin, forms.Form):
    framework = forms.ModelChoiceField(label=_("Framework"), queryset=Framework.objects.none())
    body = forms.ModelChoiceField(
        label=_("Certification body"), queryset=CertificationBody.objects.none()
    )
    assessment = forms.ModelChoiceField(
        label=_("Self-assessment"), queryset=SelfAssessment.objects.none(), required=False
    )
    scope = _text(_("Scope"), 4000, required=True, rows=4)
    services = IdsField(
        label=_("Services"),
        queryset=Service.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: every service."),
    )
    touch_points = IdsField(
        label=_("Touch points"),
        queryset=TouchPoint.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: every touch point."),
    )

    def __init__(
        self, *args: Any, organization: Organization, pending: bool = True, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        querysets: dict[str, QuerySet[Any]] = {
            "framework": Framework.objects.filter(
                organization=organization, kind=FrameworkKind.SEAL
            ),
            "body": CertificationBody.objects.filter(organization=organization),
            "assessment": SelfAssessment.objects.filter(organization=organization),
            "services": Service.objects.filter(organization=organization, is_active=True),
            "touch_points": TouchPoint.objects.filter(
                organization=organization, is_active=True
            ).select_related("unit"),
        }
        for name, queryset in querysets.items():
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = queryset
        if not pending:
            for name in ("framework", "body", "assessment"):
                del self.fields[name]


class ReviewForm(StyledFormMixin, forms.Form):
    """The body's assessment; optionally, the body's rating of each element."""

    kind = forms.ChoiceField(label=_("Kind"), choices=ReviewKind.choices)
    date = _date(_("Date of the assessment"))
    result = forms.ChoiceField(label=_("Result"), choices=ReviewResult.choices)
    assessor = forms.CharField(label=_("Lead assessor"), max_length=200)
    notes = _text(_("The body's conclusions"), 5000, rows=5)

    def __init__(self, *args: Any, elements: list[FrameworkNode], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.elements = elements
        for node in elements:
            self.fields[f"rating_{node.pk}"] = forms.ChoiceField(
                label=f"{node.ref} {node.title}",
                choices=[("", "—"), *Rating.choices],
                required=False,
            )
            self.fields[f"rating_{node.pk}"].widget.attrs["class"] = "form-select form-select-sm"

    def rating_fields(self) -> list[Any]:
        return [self[f"rating_{node.pk}"] for node in self.elements]

    def main_fields(self) -> list[Any]:
        return [self[name] for name in ("kind", "date", "result", "assessor", "notes")]

    def ratings(self) -> dict[str, str]:
        return {
            node.ref: self.cleaned_data[f"rating_{node.pk}"]
            for node in self.elements
            if self.cleaned_data.get(f"rating_{node.pk}")
        }


class GrantForm(StyledFormMixin, forms.Form):
    issued_on = _date(_("Issued on"))
    number = forms.CharField(
        label=_("Certificate number"),
        max_length=40,
        required=False,
        help_text=_("The number the body gave it; leave empty to have one made up."),
    )


class ReasonForm(StyledFormMixin, forms.Form):
    reason = _text(_("Reason"), 2000, rows=2)
