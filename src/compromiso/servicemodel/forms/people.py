"""Forms of the staff list: a person, the list's filters and the upload of a staff list. Saving
always goes through servicemodel.services."""

from pathlib import PurePath
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from compromiso.catalog.models import TouchPoint
from compromiso.core.forms import StyledFormMixin
from compromiso.organizations.models import Unit, User
from compromiso.servicemodel.models import StaffMember, StaffRole
from compromiso.servicemodel.staff_import import MAX_BYTES


class UnitChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{'— ' * obj.depth}{obj.name}"


class TouchPointChoice(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} · {obj.unit.name}"


class UserChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        name = obj.get_full_name()
        return f"{name} ({obj.username})" if name else obj.username


class StaffMemberForm(StyledFormMixin, forms.Form):
    code = forms.CharField(
        label=_("employee number"),
        max_length=40,
        help_text=_("Identifies the person in every import of the staff list."),
    )
    name = forms.CharField(label=_("full name"), max_length=200)
    email = forms.EmailField(label=_("e-mail"), required=False, max_length=254)
    unit = UnitChoice(label=_("unit"), queryset=Unit.objects.none())
    role = forms.ChoiceField(label=_("role with users"), choices=StaffRole.choices)
    is_manager = forms.BooleanField(
        label=_("middle manager"),
        required=False,
        help_text=_("Middle managers are trained as trainers and keep the model alive."),
    )
    touch_points = TouchPointChoice(
        label=_("touch points"),
        queryset=TouchPoint.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("Where the person attends users: touch points of their unit."),
    )
    user = UserChoice(
        label=_("user account"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("Optional: a person is trained and counted without a log-in."),
    )
    is_active = forms.BooleanField(label=_("active"), required=False, initial=True)

    def __init__(
        self,
        *args: Any,
        units: QuerySet[Unit],
        touch_points: QuerySet[TouchPoint],
        users: QuerySet[User],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        self.fields["touch_points"].queryset = touch_points  # type: ignore[attr-defined]
        self.fields["user"].queryset = users  # type: ignore[attr-defined]

    @staticmethod
    def initial_from(member: StaffMember) -> dict[str, Any]:
        return {
            "code": member.code,
            "name": member.name,
            "email": member.email,
            "unit": member.unit_id,
            "role": member.role,
            "is_manager": member.is_manager,
            "touch_points": [tp.pk for tp in member.touch_points.all()],
            "user": member.user_id,
            "is_active": member.is_active,
        }


class StaffFilterForm(forms.Form):
    """The list's filters, read from the query string: a bad value is ignored with a note."""

    ACTIVE = (("yes", _("Active")), ("no", _("Inactive")), ("all", _("All")))

    unit = UnitChoice(label=_("Unit"), queryset=Unit.objects.none(), required=False)
    role = forms.ChoiceField(
        label=_("Role"), choices=[("", _("Any")), *StaffRole.choices], required=False
    )
    touch_point = forms.ModelChoiceField(
        label=_("Touch point"), queryset=TouchPoint.objects.none(), required=False
    )
    active = forms.ChoiceField(label=_("State"), choices=ACTIVE, required=False)

    def __init__(
        self, *args: Any, units: QuerySet[Unit], touch_points: QuerySet[TouchPoint], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        self.fields["touch_point"].queryset = touch_points  # type: ignore[attr-defined]
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select form-select-sm"


class StaffImportForm(StyledFormMixin, forms.Form):
    file = forms.FileField(
        label=_("Staff list (CSV or XLSX)"),
        max_length=200,
        help_text=_(
            "First row: the column names. Columns: employee number, full name, e-mail, unit "
            "(its code or name), role (contact or back office), middle manager (yes or no), "
            "touch points (names separated by |). At most 5 MB."
        ),
    )
    deactivate_missing = forms.BooleanField(
        label=_("Deactivate the people of my units who are not in the file"),
        required=False,
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if PurePath(upload.name).suffix.lower() not in {".csv", ".txt", ".xlsx"}:
            raise forms.ValidationError(_("Upload a CSV or XLSX file."))
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        return upload
