"""Every change of the quality project: the project itself, its teams and their members, its
milestones (one done records the date) and the communication plan (a message sent records the
actual date, the text as sent and its reach; a planned one may be cancelled). Editing needs
`EDIT_CHARTERS` on the whole organisation; each change writes an audit entry and refuses
nonsense dates with a translated message."""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from compromiso.core.actors import Actor
from compromiso.core.audit import log_action
from compromiso.core.errors import DomainError
from compromiso.core.permissions import Perm, require
from compromiso.organizations.models import Organization, Unit, User
from compromiso.servicemodel.models import (
    CommunicationItem,
    MessageStatus,
    Milestone,
    ProjectTeam,
    QualityProject,
    ServiceModel,
    StaffMember,
    TeamMember,
)

PROJECT_FIELDS = (
    "name",
    "objective",
    "sponsor",
    "sponsor_name",
    "sponsor_position",
    "leader",
    "leader_name",
    "starts_on",
    "ends_on",
)
TEAM_FIELDS = ("name", "kind", "purpose")
MILESTONE_FIELDS = ("kind", "title", "unit", "planned_on", "note")
MESSAGE_FIELDS = (
    "title",
    "text",
    "direction",
    "audience",
    "audience_detail",
    "channel",
    "planned_on",
    "milestone",
    "owner",
)


class ProjectError(DomainError):
    pass


def _require(organization_id: int, by: Actor) -> None:
    require(by, Perm.EDIT_CHARTERS, organization_id=organization_id)


def _is_member(user: User | None, organization_id: int) -> bool:
    return user is None or user.memberships.filter(organization_id=organization_id).exists()


def _set(obj: Any, allowed: tuple[str, ...], fields: dict[str, Any]) -> list[str]:
    changed = []
    for name, value in fields.items():
        if name not in allowed:
            raise TypeError(name)
        if getattr(obj, name) != value:
            changed.append(name)
        setattr(obj, name, value)
    return changed


def _check_people(project: QualityProject) -> None:
    for field in ("sponsor", "leader"):
        if not _is_member(getattr(project, field), project.organization_id):
            raise ValidationError({field: _("Choose a person of this organisation.")})


def default_project_name(organization: Organization) -> str:
    """The name of the project given in the newest service model, if any."""
    model = ServiceModel.objects.filter(organization=organization).order_by("-version").first()
    return model.project_name if model else ""


@transaction.atomic
def create_quality_project(
    organization: Organization, *, by: Actor, **fields: Any
) -> QualityProject:
    """The organisation's quality project (one per organisation); its name defaults to the
    service model's project name."""
    _require(organization.pk, by)
    if QualityProject.objects.filter(organization=organization).exists():
        raise ProjectError(_("This organisation already has a quality project."), code="exists")
    project = QualityProject(organization=organization)
    _set(project, PROJECT_FIELDS, fields)
    if not project.name:
        project.name = default_project_name(organization)
    _check_people(project)
    project.full_clean()
    project.save()
    log_action(project, "servicemodel.qualityproject.created", by=by, data={})
    return project


@transaction.atomic
def update_quality_project(project: QualityProject, *, by: Actor, **fields: Any) -> QualityProject:
    _require(project.organization_id, by)
    changed = _set(project, PROJECT_FIELDS, fields)
    _check_people(project)
    project.full_clean()
    done_before = project.milestones.filter(done_on__lt=project.starts_on).exists()
    sent_before = project.communications.filter(sent_on__lt=project.starts_on).exists()
    if done_before or sent_before:
        raise ValidationError(
            {"starts_on": _("Some milestones were done or messages sent before that date.")}
        )
    project.save()
    log_action(
        project, "servicemodel.qualityproject.updated", by=by, data={"fields": sorted(changed)}
    )
    return project


# Teams and their members.


@transaction.atomic
def add_project_team(project: QualityProject, *, by: Actor, **fields: Any) -> ProjectTeam:
    _require(project.organization_id, by)
    team = ProjectTeam(project=project)
    _set(team, TEAM_FIELDS, fields)
    team.full_clean()
    team.save()
    log_action(team, "servicemodel.projectteam.created", by=by, data={"kind": team.kind})
    return team


@transaction.atomic
def update_project_team(team: ProjectTeam, *, by: Actor, **fields: Any) -> ProjectTeam:
    _require(team.project.organization_id, by)
    changed = _set(team, TEAM_FIELDS, fields)
    team.full_clean()
    team.save()
    log_action(team, "servicemodel.projectteam.updated", by=by, data={"fields": sorted(changed)})
    return team


@transaction.atomic
def remove_project_team(team: ProjectTeam, *, by: Actor) -> None:
    _require(team.project.organization_id, by)
    log_action(
        team.project,
        "servicemodel.projectteam.deleted",
        by=by,
        data={"team": team.pk, "name": team.name},
    )
    team.delete()


@transaction.atomic
def add_team_member(
    team: ProjectTeam,
    *,
    by: Actor,
    role: str,
    staff_member: StaffMember | None = None,
    user: User | None = None,
) -> TeamMember:
    """Put someone in a team: a person of the staff list (who may have no log-in), a user, or
    both; once per team."""
    organization_id = team.project.organization_id
    _require(organization_id, by)
    if staff_member is None and user is None:
        raise ValidationError(_("Choose a staff member or a user."))
    if staff_member is not None and staff_member.organization_id != organization_id:
        raise ValidationError({"staff_member": _("Choose a person of this organisation.")})
    if not _is_member(user, organization_id):
        raise ValidationError({"user": _("Choose a person of this organisation.")})
    if staff_member is not None and user is None:
        user = staff_member.user
    already = team.members.all()
    if (staff_member is not None and already.filter(staff_member=staff_member).exists()) or (
        user is not None and already.filter(user=user).exists()
    ):
        raise ProjectError(_("This person is already in the team."), code="already_member")
    member = TeamMember(team=team, staff_member=staff_member, user=user, role=role)
    member.full_clean()
    member.save()
    log_action(
        member,
        "servicemodel.teammember.created",
        by=by,
        data={"team": team.pk, "role": role},
    )
    return member


@transaction.atomic
def remove_team_member(member: TeamMember, *, by: Actor) -> None:
    team = member.team
    _require(team.project.organization_id, by)
    log_action(
        team, "servicemodel.teammember.deleted", by=by, data={"member": member.pk, "team": team.pk}
    )
    member.delete()


# Milestones.


def _check_milestone(milestone: Milestone) -> None:
    unit: Unit | None = milestone.unit
    if unit is not None and unit.organization_id != milestone.project.organization_id:
        raise ValidationError({"unit": _("Choose a unit of this organisation.")})


@transaction.atomic
def add_milestone(project: QualityProject, *, by: Actor, **fields: Any) -> Milestone:
    _require(project.organization_id, by)
    milestone = Milestone(project=project)
    _set(milestone, MILESTONE_FIELDS, fields)
    _check_milestone(milestone)
    milestone.full_clean()
    milestone.save()
    log_action(
        milestone,
        "servicemodel.milestone.created",
        by=by,
        data={"kind": milestone.kind, "planned_on": milestone.planned_on.isoformat()},
    )
    return milestone


@transaction.atomic
def update_milestone(milestone: Milestone, *, by: Actor, **fields: Any) -> Milestone:
    _require(milestone.project.organization_id, by)
    changed = _set(milestone, MILESTONE_FIELDS, fields)
    _check_milestone(milestone)
    milestone.full_clean()
    milestone.save()
    log_action(milestone, "servicemodel.milestone.updated", by=by, data={"fields": sorted(changed)})
    return milestone


def _check_past_date(project: QualityProject, day: dt.date | None, field: str) -> dt.date:
    if day is None:
        raise ValidationError({field: _("Give the date.")})
    if day > project.organization.today():
        raise ValidationError({field: _("The date cannot be in the future.")})
    if day < project.starts_on:
        raise ValidationError({field: _("The date cannot be before the project started.")})
    return day


@transaction.atomic
def mark_milestone_done(milestone: Milestone, *, by: Actor, done_on: dt.date) -> Milestone:
    """Record the day the milestone was reached (the organisation's date; not in the future,
    not before the project started)."""
    project = milestone.project
    _require(project.organization_id, by)
    milestone.done_on = _check_past_date(project, done_on, "done_on")
    milestone.save(update_fields=["done_on"])
    log_action(
        milestone,
        "servicemodel.milestone.done",
        by=by,
        data={"done_on": done_on.isoformat(), "planned_on": milestone.planned_on.isoformat()},
    )
    return milestone


@transaction.atomic
def reopen_milestone(milestone: Milestone, *, by: Actor) -> Milestone:
    """A milestone marked done by mistake is pending again."""
    _require(milestone.project.organization_id, by)
    if milestone.done_on is None:
        raise ProjectError(_("This milestone is not done."))
    previous = milestone.done_on
    milestone.done_on = None
    milestone.save(update_fields=["done_on"])
    log_action(
        milestone,
        "servicemodel.milestone.reopened",
        by=by,
        data={"done_on": previous.isoformat()},
    )
    return milestone


# The communication plan.


def _check_message(item: CommunicationItem) -> None:
    organization_id = item.project.organization_id
    if item.milestone is not None and item.milestone.project_id != item.project_id:
        raise ValidationError({"milestone": _("Choose a milestone of this project.")})
    if not _is_member(item.owner, organization_id):
        raise ValidationError({"owner": _("Choose a person of this organisation.")})


@transaction.atomic
def add_communication_item(
    project: QualityProject, *, by: Actor, **fields: Any
) -> CommunicationItem:
    """A message of the communication plan, planned."""
    _require(project.organization_id, by)
    item = CommunicationItem(project=project)
    _set(item, MESSAGE_FIELDS, fields)
    _check_message(item)
    item.full_clean()
    item.save()
    log_action(
        item,
        "servicemodel.communicationitem.created",
        by=by,
        data={"direction": item.direction, "channel": item.channel},
    )
    return item


@transaction.atomic
def update_communication_item(
    item: CommunicationItem, *, by: Actor, **fields: Any
) -> CommunicationItem:
    _require(item.project.organization_id, by)
    if item.status != MessageStatus.PLANNED:
        raise ProjectError(_("Only a planned message can be changed."), code="not_planned")
    changed = _set(item, MESSAGE_FIELDS, fields)
    _check_message(item)
    item.full_clean()
    item.save()
    log_action(
        item,
        "servicemodel.communicationitem.updated",
        by=by,
        data={"fields": sorted(changed)},
    )
    return item


@transaction.atomic
def mark_communication_sent(
    item: CommunicationItem,
    *,
    by: Actor,
    sent_on: dt.date,
    sent_text: str = "",
    reach: int | None = None,
    sent_note: str = "",
) -> CommunicationItem:
    """Record what was actually sent: the day (not in the future, not before the project
    started), the text as sent when it changed, and the reach (e.g. recipients)."""
    project = item.project
    _require(project.organization_id, by)
    if item.status != MessageStatus.PLANNED:
        raise ProjectError(_("Only a planned message can be marked as sent."), code="not_planned")
    item.sent_on = _check_past_date(project, sent_on, "sent_on")
    if reach is not None and reach < 0:
        raise ValidationError({"reach": _("The reach cannot be negative.")})
    item.sent_text = sent_text.strip() if sent_text.strip() != item.text.strip() else ""
    item.reach = reach
    item.sent_note = sent_note.strip()
    item.status = MessageStatus.SENT
    item.full_clean()
    item.save()
    log_action(
        item,
        "servicemodel.communicationitem.sent",
        by=by,
        data={"sent_on": sent_on.isoformat(), "reach": reach, "text_changed": bool(item.sent_text)},
    )
    return item


@transaction.atomic
def cancel_communication_item(item: CommunicationItem, *, by: Actor) -> CommunicationItem:
    _require(item.project.organization_id, by)
    if item.status != MessageStatus.PLANNED:
        raise ProjectError(_("Only a planned message can be cancelled."), code="not_planned")
    item.status = MessageStatus.CANCELLED
    item.save(update_fields=["status", "updated_at"])
    log_action(item, "servicemodel.communicationitem.cancelled", by=by, data={})
    return item


def project_of(organization: Organization) -> QualityProject | None:
    return (
        QualityProject.objects.filter(organization=organization)
        .select_related("sponsor", "leader", "organization")
        .first()
    )
