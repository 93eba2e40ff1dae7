"""Forms of the quality project: the project, a team, a team member, a milestone, a message of
the communication plan, and the two records of what happened (done, sent). Saving always goes
through servicemodel.services; choices are limited to the organisation's own rows."""

from typing import Any

from django import forms
from django.db.models import Model
from django.utils.translation import gettext_lazy as _

from compromiso.core.forms import StyledFormMixin
from compromiso.organizations.models import Organization, Unit, User
from compromiso.servicemodel.models import (
    CommunicationItem,
    Direction,
    MessageAudience,
    MessageChannel,
    Milestone,
    MilestoneKind,
    ProjectTeam,
    QualityProject,
    StaffMember,
    TeamKind,
    TeamRole,
)
from compromiso.servicemodel.services.project import (
    MESSAGE_FIELDS,
    MILESTONE_FIELDS,
    PROJECT_FIELDS,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TEXTAREA = forms.Textarea(attrs={"rows": 4})


class PersonChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Model) -> str:
        assert isinstance(obj, User)
        return obj.get_full_name() or obj.get_username()


def people_of(organization: Organization) -> Any:
    return (
        User.objects.filter(memberships__organization=organization, is_active=True)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def _initial(obj: Model, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in names}


class ProjectForm(StyledFormMixin, forms.Form):
    name = forms.CharField(
        label=_("Name of the project"),
        max_length=200,
        required=False,
        help_text=_("Empty: the name given in the service model."),
    )
    objective = forms.CharField(
        label=_("Objective"), max_length=5000, required=False, widget=TEXTAREA
    )
    sponsor = PersonChoiceField(label=_("Sponsor"), queryset=User.objects.none(), required=False)
    sponsor_name = forms.CharField(
        label=_("Sponsor (name)"),
        max_length=200,
        required=False,
        help_text=_("When the sponsor has no user account."),
    )
    sponsor_position = forms.CharField(
        label=_("Sponsor's position"), max_length=200, required=False
    )
    leader = PersonChoiceField(
        label=_("Project leader"), queryset=User.objects.none(), required=False
    )
    leader_name = forms.CharField(
        label=_("Project leader (name)"),
        max_length=200,
        required=False,
        help_text=_("When the leader has no user account."),
    )
    starts_on = forms.DateField(label=_("Starts on"), widget=DATE)
    ends_on = forms.DateField(label=_("Ends on"), widget=DATE)

    FIELDS = PROJECT_FIELDS

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = people_of(organization)
        self.fields["sponsor"].queryset = people  # type: ignore[attr-defined]
        self.fields["leader"].queryset = people  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("The project cannot end before it starts."))
        return data

    @classmethod
    def initial_from(cls, project: QualityProject) -> dict[str, Any]:
        return _initial(project, cls.FIELDS)


class TeamForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=TeamKind.choices)
    purpose = forms.CharField(label=_("Purpose"), max_length=2000, required=False, widget=TEXTAREA)

    @staticmethod
    def initial_from(team: ProjectTeam) -> dict[str, Any]:
        return _initial(team, ("name", "kind", "purpose"))


class StaffChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Model) -> str:
        assert isinstance(obj, StaffMember)
        return f"{obj.name} · {obj.unit.name}"


class TeamMemberForm(StyledFormMixin, forms.Form):
    staff_member = StaffChoiceField(
        label=_("Staff member"),
        queryset=StaffMember.objects.none(),
        required=False,
        help_text=_("A person of the staff list, who may have no user account."),
    )
    user = PersonChoiceField(label=_("User"), queryset=User.objects.none(), required=False)
    role = forms.ChoiceField(label=_("Role in the team"), choices=TeamRole.choices)

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["staff_member"].queryset = (  # type: ignore[attr-defined]
            StaffMember.objects.filter(organization=organization, is_active=True).select_related(
                "unit"
            )
        )
        self.fields["user"].queryset = people_of(organization)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("staff_member") and not data.get("user") and not self.errors:
            raise forms.ValidationError(_("Choose a staff member or a user."))
        return data


class MilestoneForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=MilestoneKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    unit = forms.ModelChoiceField(
        label=_("Unit"),
        queryset=Unit.objects.none(),
        required=False,
        help_text=_("For a deployment in one unit; empty for the whole organisation."),
    )
    planned_on = forms.DateField(label=_("Planned for"), widget=DATE)
    note = forms.CharField(label=_("Note"), max_length=2000, required=False, widget=TEXTAREA)

    FIELDS = MILESTONE_FIELDS

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(  # type: ignore[attr-defined]
            organization=organization, is_active=True
        ).order_by("path")

    @classmethod
    def initial_from(cls, milestone: Milestone) -> dict[str, Any]:
        return _initial(milestone, cls.FIELDS)


class DoneForm(StyledFormMixin, forms.Form):
    done_on = forms.DateField(label=_("Done on"), widget=DATE)


class MessageForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label=_("Message"), max_length=200)
    text = forms.CharField(label=_("Text"), max_length=5000, required=False, widget=TEXTAREA)
    direction = forms.ChoiceField(label=_("Direction"), choices=Direction.choices)
    audience = forms.ChoiceField(label=_("Audience"), choices=MessageAudience.choices)
    audience_detail = forms.CharField(
        label=_("Audience in detail"),
        max_length=200,
        required=False,
        help_text=_("E.g. the staff of the Arica branch."),
    )
    channel = forms.ChoiceField(label=_("Channel"), choices=MessageChannel.choices)
    planned_on = forms.DateField(label=_("Planned for"), widget=DATE)
    milestone = forms.ModelChoiceField(
        label=_("Milestone"), queryset=Milestone.objects.none(), required=False
    )
    owner = PersonChoiceField(label=_("Owner"), queryset=User.objects.none(), required=False)

    FIELDS = MESSAGE_FIELDS

    def __init__(self, *args: Any, project: QualityProject, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["milestone"].queryset = project.milestones.all()  # type: ignore[attr-defined]
        self.fields["owner"].queryset = people_of(project.organization)  # type: ignore[attr-defined]

    @classmethod
    def initial_from(cls, item: CommunicationItem) -> dict[str, Any]:
        return _initial(item, cls.FIELDS)


class SentForm(StyledFormMixin, forms.Form):
    sent_on = forms.DateField(label=_("Sent on"), widget=DATE)
    sent_text = forms.CharField(
        label=_("Text as sent"),
        max_length=5000,
        required=False,
        widget=TEXTAREA,
        help_text=_("Only when it differs from the planned text."),
    )
    reach = forms.IntegerField(
        label=_("Reach"),
        min_value=0,
        max_value=100_000_000,
        required=False,
        help_text=_("E.g. the number of recipients."),
    )
    sent_note = forms.CharField(label=_("Note on the sending"), max_length=500, required=False)
