"""Forms of the attention protocols: the protocol and its steps (one row per step, with the
variant of each channel kind), a touch point's override, the observation checklist and the
compliance period. Saving always goes through servicemodel.services."""

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from compromiso.catalog.models import ChannelKind, TouchPoint
from compromiso.core.forms import StyledFormMixin
from compromiso.core.validators import validate_plausible_date, validate_stored_integer
from compromiso.organizations.models import Unit
from compromiso.servicemodel.checklists import ChecklistItem
from compromiso.servicemodel.models import (
    MAX_STEPS,
    CheckMethod,
    Protocol,
    ProtocolStatus,
    StepOutcome,
)
from compromiso.servicemodel.services import StepInput

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
BLANK_STEP_ROWS = 3
NEW_STEP_ROWS = 6  # a new protocol usually has five to seven steps


class ProtocolForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    purpose = forms.CharField(
        label=_("Purpose"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    channel_kind = forms.ChoiceField(
        label=_("Applies to channels of kind"),
        choices=[("", _("None: only the touch points that add it")), *ChannelKind.choices],
        required=False,
    )
    is_public = forms.BooleanField(label=_("Shown to the public"), required=False, initial=True)

    @staticmethod
    def initial_from(protocol: Protocol) -> dict[str, Any]:
        return {
            "name": protocol.name,
            "purpose": protocol.purpose,
            "channel_kind": protocol.channel_kind,
            "is_public": protocol.is_public,
        }


def variant_field(kind: str) -> str:
    return f"variant_{kind}"


class StepForm(StyledFormMixin, forms.Form):
    """One step; a row left blank is no step."""

    id = forms.IntegerField(
        required=False, widget=forms.HiddenInput, validators=[validate_stored_integer]
    )
    order = forms.IntegerField(label=_("Order"), required=False, min_value=0, max_value=999)
    behaviour = forms.CharField(label=_("Observable behaviour"), max_length=300, required=False)
    standard = forms.CharField(
        label=_("Standard it must meet"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind, label in ChannelKind.choices:
            self.fields[variant_field(kind)] = forms.CharField(
                label=label, max_length=500, required=False
            )
        for kind in ChannelKind.values:
            self.fields[variant_field(kind)].widget.attrs["class"] = "form-control form-control-sm"

    def variant_fields(self) -> list[forms.BoundField]:
        return [self[variant_field(kind)] for kind in ChannelKind.values]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        behaviour = (data.get("behaviour") or "").strip()
        rest = [data.get("standard")] + [data.get(variant_field(k)) for k in ChannelKind.values]
        if not behaviour and any((value or "").strip() for value in rest):
            raise forms.ValidationError(
                _("Give the observable behaviour of this step, or clear the whole row.")
            )
        return data

    def step(self) -> StepInput | None:
        data = self.cleaned_data
        behaviour = (data.get("behaviour") or "").strip()
        if not behaviour:
            return None
        variants = {
            kind: data[variant_field(kind)].strip()
            for kind in ChannelKind.values
            if (data.get(variant_field(kind)) or "").strip()
        }
        return StepInput(behaviour, data.get("standard") or "", variants, data.get("id"))


class BaseStepFormSet(forms.BaseFormSet):  # type: ignore[type-arg]
    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        if len(self.steps()) > MAX_STEPS:
            raise forms.ValidationError(
                _("At most %(count)d steps.") % {"count": MAX_STEPS}, code="too_many"
            )

    def steps(self) -> list[StepInput]:
        """The filled rows, by their order number, then as they come."""
        rows = []
        for position, form in enumerate(self.forms):
            step = form.step()
            if step is not None:
                order = form.cleaned_data.get("order")
                rows.append((order if order is not None else 1000 + position, position, step))
        return [step for _order, _position, step in sorted(rows, key=lambda r: (r[0], r[1]))]


def step_formset(
    data: Any = None, protocol: Protocol | None = None, blank_rows: int = BLANK_STEP_ROWS
) -> BaseStepFormSet:
    """The steps' rows: the protocol's steps, then blank rows for new ones. The number of rows
    read from a post is bounded (no more than MAX_STEPS + the blank rows)."""
    initial = []
    if protocol is None:
        blank_rows = NEW_STEP_ROWS
    else:
        for number, step in enumerate(protocol.steps.prefetch_related("variants"), start=1):
            row: dict[str, Any] = {
                "id": step.pk,
                "order": number,
                "behaviour": step.behaviour,
                "standard": step.standard,
            }
            for variant in step.variants.all():
                row[variant_field(variant.channel_kind)] = variant.text
            initial.append(row)
    factory = forms.formset_factory(
        StepForm,
        formset=BaseStepFormSet,
        extra=blank_rows,
        max_num=MAX_STEPS + NEW_STEP_ROWS,
        absolute_max=MAX_STEPS + NEW_STEP_ROWS,
        validate_max=True,
    )
    formset = factory(data, initial=initial or None, prefix="steps")
    assert isinstance(formset, BaseStepFormSet)
    return formset


class OverrideForm(StyledFormMixin, forms.Form):
    ADD, EXCLUDE, FOLLOW = "add", "exclude", "follow"

    touch_point = forms.ModelChoiceField(label=_("Touch point"), queryset=TouchPoint.objects.none())
    applies = forms.ChoiceField(
        label=_("At this touch point"),
        choices=[
            (ADD, _("Add the protocol")),
            (EXCLUDE, _("Exclude the protocol")),
            (FOLLOW, _("Follow its channel kind")),
        ],
    )

    def __init__(self, *args: Any, touch_points: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["touch_point"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = touch_points

    def applies_value(self) -> bool | None:
        return {self.ADD: True, self.EXCLUDE: False}.get(self.cleaned_data["applies"])


class ChooseForm(StyledFormMixin, forms.Form):
    """Which touch point is observed, and which of the protocols in force there."""

    touch_point = forms.ModelChoiceField(label=_("Touch point"), queryset=TouchPoint.objects.none())
    protocol = forms.ModelChoiceField(label=_("Protocol"), queryset=Protocol.objects.none())

    def __init__(self, *args: Any, touch_points: Any, organization_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        points = self.fields["touch_point"]
        protocols = self.fields["protocol"]
        assert isinstance(points, forms.ModelChoiceField)
        assert isinstance(protocols, forms.ModelChoiceField)
        points.queryset = touch_points
        protocols.queryset = Protocol.objects.filter(
            organization_id=organization_id, status=ProtocolStatus.ACTIVE
        )


class ObservationForm(StyledFormMixin, forms.Form):
    """The checklist: one result (and an optional comment) per step of the protocol."""

    observed_on = forms.DateField(
        label=_("Observed on"), widget=DATE, validators=[validate_plausible_date]
    )
    method = forms.ChoiceField(label=_("How it was observed"), choices=CheckMethod.choices)
    note = forms.CharField(
        label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, items: list[ChecklistItem], today: dt.date, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.items = items
        self.fields["observed_on"].initial = today
        for item in items:
            self.fields[f"step_{item.step.pk}"] = forms.ChoiceField(
                label=item.behaviour,
                choices=StepOutcome.choices,
                widget=forms.RadioSelect,
                error_messages={"required": _("Choose a result for this step.")},
            )
            self.fields[f"comment_{item.step.pk}"] = forms.CharField(
                label=_("Comment"), max_length=500, required=False
            )
            self.fields[f"comment_{item.step.pk}"].widget.attrs["class"] = (
                "form-control form-control-sm"
            )

    def rows(self) -> list[tuple[ChecklistItem, forms.BoundField, forms.BoundField]]:
        return [
            (item, self[f"step_{item.step.pk}"], self[f"comment_{item.step.pk}"])
            for item in self.items
        ]

    def results(self) -> dict[int, tuple[str, str]]:
        data = self.cleaned_data
        return {
            item.step.pk: (data[f"step_{item.step.pk}"], data.get(f"comment_{item.step.pk}") or "")
            for item in self.items
        }


class PeriodForm(StyledFormMixin, forms.Form):
    start = forms.DateField(
        label=_("From"), widget=DATE, required=False, validators=[validate_plausible_date]
    )
    end = forms.DateField(
        label=_("To"), widget=DATE, required=False, validators=[validate_plausible_date]
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and (start > end or (end - start).days > 3660):
            raise forms.ValidationError(
                _("The period must start before it ends and last at most ten years.")
            )
        return data

    def period(self, today: dt.date) -> tuple[dt.date, dt.date]:
        """The chosen period; by default the last 90 days."""
        data = self.cleaned_data if self.is_valid() else {}
        end = data.get("end") or today
        start = data.get("start") or end - dt.timedelta(days=89)
        if start > end:
            start = end - dt.timedelta(days=89)
        return start, end


class ComplianceFilterForm(PeriodForm):
    """The period plus a unit (its subtree), a protocol and a method of observation. A bad
    choice is reported and left out; the other filters still apply."""

    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none(), required=False)
    protocol = forms.ModelChoiceField(
        label=_("Protocol"), queryset=Protocol.objects.none(), required=False
    )
    method = forms.ChoiceField(
        label=_("How it was observed"),
        choices=[("", _("Any method")), *CheckMethod.choices],
        required=False,
    )

    def __init__(self, *args: Any, units: Any, protocols: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit = self.fields["unit"]
        protocol = self.fields["protocol"]
        assert isinstance(unit, forms.ModelChoiceField)
        assert isinstance(protocol, forms.ModelChoiceField)
        unit.queryset = units
        unit.label_from_instance = lambda obj: f"{'— ' * obj.depth}{obj.name}"  # type: ignore[method-assign]
        unit.empty_label = _("Every unit")
        protocol.queryset = protocols
        protocol.empty_label = _("Every protocol")

    def period(self, today: dt.date) -> tuple[dt.date, dt.date]:
        self.is_valid()
        data: dict[str, Any] = getattr(self, "cleaned_data", {})
        if self.has_error("start") or self.has_error("end") or self.non_field_errors():
            data = {}
        end = data.get("end") or today
        start = data.get("start") or end - dt.timedelta(days=89)
        return start, end

    def filters(self) -> dict[str, Any]:
        """The valid filters chosen (unit, protocol, method), each None when not chosen."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            name: (data.get(name) or None) if not self.has_error(name) else None
            for name in ("unit", "protocol", "method")
        }
