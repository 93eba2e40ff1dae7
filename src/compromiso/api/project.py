"""The quality project of the token's organisation: its structure (sponsor, leader, teams and
members), its milestones (late ones flagged, in the organisation's date) and the communication
plan with what was actually sent."""

import datetime as dt
from typing import Any

from django.http import Http404
from ninja import Field, Router, Schema

from compromiso.api.scoping import organization_of
from compromiso.core.http import AuthenticatedHttpRequest
from compromiso.core.permissions import Perm, scope_for
from compromiso.servicemodel import services

router = Router(tags=["service model"])


class TeamMemberOut(Schema):
    name: str
    role: str = Field(..., description="chair, secretary or member")
    staff_member: int | None
    user: int | None


class TeamOut(Schema):
    id: int
    name: str
    kind: str = Field(..., description="steering, quality, improvement, trainers or other")
    purpose: str
    members: list[TeamMemberOut]


class MilestoneOut(Schema):
    id: int
    kind: str = Field(..., description="design, deployment, measurement, certification or other")
    title: str
    unit: int | None = Field(..., description="Null: the whole organisation")
    unit_name: str | None
    planned_on: dt.date
    done_on: dt.date | None
    late: bool = Field(..., description="Planned before today (organisation's date), not done")
    note: str


class MessageOut(Schema):
    id: int
    title: str
    text: str
    direction: str = Field(..., description="internal or external")
    audience: str
    audience_detail: str
    channel: str
    planned_on: dt.date
    milestone: int | None
    owner: str | None
    status: str = Field(..., description="planned, sent or cancelled")
    late: bool = Field(..., description="Still planned for a day before today")
    sent_on: dt.date | None
    sent_text: str = Field(..., description="The text as sent, when it differs from `text`")
    reach: int | None = Field(..., description="E.g. the number of recipients")
    sent_note: str


class QualityProjectOut(Schema):
    id: int
    name: str
    objective: str
    sponsor: str
    sponsor_position: str
    leader: str
    starts_on: dt.date
    ends_on: dt.date
    today: dt.date = Field(..., description="The organisation's date, against which `late` is")
    teams: list[TeamOut]
    milestones: list[MilestoneOut]
    communication_plan: list[MessageOut]


def _name(user: Any) -> str | None:
    return (user.get_full_name() or user.get_username()) if user is not None else None


@router.get(
    "/quality-project",
    response=QualityProjectOut,
    summary="The quality project, its milestones and communication plan (404: none)",
)
def get_quality_project(request: AuthenticatedHttpRequest) -> dict[str, Any]:
    organization = organization_of(request)
    if not scope_for(request.user, Perm.VIEW).touches(organization.pk):
        raise Http404
    project = services.project_of(organization)
    if project is None:
        raise Http404
    today = organization.today()
    teams = project.teams.prefetch_related("members__staff_member", "members__user")
    return {
        "id": project.pk,
        "name": project.name,
        "objective": project.objective,
        "sponsor": project.sponsor_label,
        "sponsor_position": project.sponsor_position,
        "leader": project.leader_label,
        "starts_on": project.starts_on,
        "ends_on": project.ends_on,
        "today": today,
        "teams": [
            {
                "id": team.pk,
                "name": team.name,
                "kind": team.kind,
                "purpose": team.purpose,
                "members": [
                    {
                        "name": member.label,
                        "role": member.role,
                        "staff_member": member.staff_member_id,
                        "user": member.user_id,
                    }
                    for member in team.members.all()
                ],
            }
            for team in teams
        ],
        "milestones": [
            {
                "id": m.pk,
                "kind": m.kind,
                "title": m.title,
                "unit": m.unit_id,
                "unit_name": m.unit.name if m.unit else None,
                "planned_on": m.planned_on,
                "done_on": m.done_on,
                "late": m.is_late(today),
                "note": m.note,
            }
            for m in project.milestones.select_related("unit")
        ],
        "communication_plan": [
            {
                "id": i.pk,
                "title": i.title,
                "text": i.text,
                "direction": i.direction,
                "audience": i.audience,
                "audience_detail": i.audience_detail,
                "channel": i.channel,
                "planned_on": i.planned_on,
                "milestone": i.milestone_id,
                "owner": _name(i.owner),
                "status": i.status,
                "late": i.is_late(today),
                "sent_on": i.sent_on,
                "sent_text": i.sent_text,
                "reach": i.reach,
                "sent_note": i.sent_note,
            }
            for i in project.communications.select_related("owner")
        ],
    }
