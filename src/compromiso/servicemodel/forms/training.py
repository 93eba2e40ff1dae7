"""Forms for training: a programme of the catalogue, planning a session, one row of results per
attendee, certifying a trainer, and the date of the coverage figures. Saving always goes through
servicemodel.services."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from compromiso.core.forms import StyledFormMixin
from compromiso.organizations.models import Unit
from compromiso.servicemodel.models import (
    Attendance,
    ProgrammeKind,
    Protocol,
    StaffMember,
    TrainingProgramme,
)
from compromiso.servicemodel.models.training import MAX_REASON, MAX_VALIDITY_MONTHS
from compromiso.servicemodel.services.training import MAX_ATTENDEES


class StaffChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    """A person by name and employee number: two people may share a name."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} · {obj.code}"


class StaffChoices(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} · {obj.code}"

    def _check_values(self, value: Any) -> Any:
        """Refuse ids the database cannot hold before asking it (huge numbers overflow)."""
        for pk in value:
            if not str(pk).isdigit() or len(str(pk)) > 18:
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        return super()._check_values(value)  # type: ignore[misc]


DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ProgrammeForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=ProgrammeKind.choices)
    description = forms.CharField(
        label=_("Description"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    hours = forms.IntegerField(label=_("Hours"), min_value=0, max_value=1000, required=False)
    validity_months = forms.IntegerField(
        label=_("Valid for (months)"),
        min_value=1,
        max_value=MAX_VALIDITY_MONTHS,
        required=False,
        help_text=_("After this the person needs a refresher. Empty: it never lapses."),
    )
    covers_protocols = forms.ModelMultipleChoiceField(
        label=_("Trains in the protocols"),
        queryset=Protocol.objects.none(),
        required=False,
        help_text=_("Completing it makes a person trained in these attention protocols."),
    )
    is_active = forms.BooleanField(label=_("Offered"), required=False, initial=True)

    def __init__(self, *args: Any, protocols: QuerySet[Protocol], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["covers_protocols"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = protocols

    @staticmethod
    def initial_from(programme: TrainingProgramme) -> dict[str, Any]:
        return {
            "name": programme.name,
            "kind": programme.kind,
            "description": programme.description,
            "hours": programme.hours,
            "validity_months": programme.validity_months,
            "covers_protocols": list(programme.covers_protocols.all()),
            "is_active": programme.is_active,
        }


class SessionForm(StyledFormMixin, forms.Form):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    starts_on = forms.DateField(label=_("Starts on"), widget=DATE)
    ends_on = forms.DateField(label=_("Ends on"), widget=DATE, required=False)
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    trainer = StaffChoice(
        label=_("Trainer"),
        queryset=StaffMember.objects.none(),
        required=False,
        help_text=_("A trainer certified for this programme."),
    )
    external_trainer = forms.CharField(
        label=_("Or an external provider"), max_length=200, required=False
    )
    attendees = StaffChoices(
        label=_("Attendees"),
        queryset=StaffMember.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 10}),
        help_text=_("Hold Ctrl (or Cmd) to choose several."),
    )

    def __init__(
        self,
        *args: Any,
        units: QuerySet[Unit],
        trainers: QuerySet[StaffMember],
        staff: QuerySet[StaffMember],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        for name, queryset in (("unit", units), ("trainer", trainers), ("attendees", staff)):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = queryset

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if len(data.get("attendees") or []) > MAX_ATTENDEES:
            self.add_error("attendees", _("At most %(count)d people.") % {"count": MAX_ATTENDEES})
        return data


class ResultsForm(StyledFormMixin, forms.Form):
    """One row per attendee: attended, completed, score and passed, named by the row's id."""

    def __init__(self, *args: Any, attendances: list[Attendance], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.attendances = attendances
        for a in attendances:
            self.fields[f"attended_{a.pk}"] = forms.BooleanField(
                label=_("Attended"), required=False, initial=a.attended
            )
            self.fields[f"completed_{a.pk}"] = forms.BooleanField(
                label=_("Completed"), required=False, initial=a.completed
            )
            self.fields[f"score_{a.pk}"] = forms.IntegerField(
                label=_("Score (0–100)"),
                min_value=0,
                max_value=100,
                required=False,
                initial=a.score,
            )
            self.fields[f"passed_{a.pk}"] = forms.BooleanField(
                label=_("Passed"), required=False, initial=a.passed
            )
        for field in self.fields.values():
            is_box = isinstance(field.widget, forms.CheckboxInput)
            field.widget.attrs["class"] = "form-check-input" if is_box else "form-control"

    def rows(self) -> list[tuple[Attendance, list[forms.BoundField]]]:
        names = ("attended", "completed", "score", "passed")
        return [(a, [self[f"{n}_{a.pk}"] for n in names]) for a in self.attendances]

    def results(self) -> list[tuple[int, bool, bool, int | None, bool]]:
        data = self.cleaned_data
        return [
            (
                a.pk,
                data[f"attended_{a.pk}"],
                data[f"completed_{a.pk}"],
                data[f"score_{a.pk}"],
                data[f"passed_{a.pk}"],
            )
            for a in self.attendances
        ]


class CertifyForm(StyledFormMixin, forms.Form):
    staff_member = StaffChoice(
        label=_("New trainer"),
        queryset=StaffMember.objects.none(),
        help_text=_("People who completed the programme."),
    )
    certifier = StaffChoice(
        label=_("Certified by"),
        queryset=StaffMember.objects.none(),
        required=False,
        help_text=_("A trainer certified for this programme."),
    )
    external_body = forms.CharField(
        label=_("Or an external certifying body"), max_length=200, required=False
    )
    certified_on = forms.DateField(label=_("Certified on"), widget=DATE)

    def __init__(
        self,
        *args: Any,
        trainees: QuerySet[StaffMember],
        certifiers: QuerySet[StaffMember],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        for name, queryset in (("staff_member", trainees), ("certifier", certifiers)):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = queryset


class CoverageDateForm(StyledFormMixin, forms.Form):
    on = forms.DateField(label=_("On"), widget=DATE, required=False)


class EnrolForm(StyledFormMixin, forms.Form):
    """People to add to a planned session: active staff of its unit's subtree not enrolled."""

    attendees = StaffChoices(
        label=_("Add attendees"),
        queryset=StaffMember.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Hold Ctrl (or Cmd) to choose several."),
    )

    def __init__(self, *args: Any, staff: QuerySet[StaffMember], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["attendees"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = staff

    def clean_attendees(self) -> Any:
        chosen = self.cleaned_data["attendees"]
        if len(chosen) > MAX_ATTENDEES:
            raise forms.ValidationError(_("At most %(count)d people.") % {"count": MAX_ATTENDEES})
        return chosen


class RevokeForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason for revoking"),
        max_length=MAX_REASON,
        widget=forms.TextInput(attrs={"maxlength": MAX_REASON}),
    )


class CascadeUnitForm(StyledFormMixin, forms.Form):
    unit = forms.ModelChoiceField(
        label=_("Unit"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("The whole organisation"),
    )

    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = units
