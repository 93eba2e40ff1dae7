"""The demo's quality projects: both organisations, the promised shape, and loading twice
changes nothing."""

import pytest

from compromiso.organizations import demo as organizations_demo
from compromiso.servicemodel import demo
from compromiso.servicemodel.models import (
    CommunicationItem,
    MessageStatus,
    Milestone,
    QualityProject,
    TeamMember,
)

pytestmark = pytest.mark.django_db


def _load():
    context = {"logins": [], "password_hash": "!"}
    organizations_demo.load(context)
    demo.load(context)


def test_both_organisations_get_a_project_with_teams_milestones_and_a_plan():
    _load()
    counts = [m.objects.count() for m in (QualityProject, Milestone, CommunicationItem, TeamMember)]
    _load()

    assert [
        m.objects.count() for m in (QualityProject, Milestone, CommunicationItem, TeamMember)
    ] == counts
    for project in QualityProject.objects.select_related("organization", "sponsor", "leader"):
        today = project.organization.today()
        assert project.sponsor is not None
        assert project.leader is not None
        assert [t.kind for t in project.teams.all()] == ["steering", "quality"]
        milestones = list(project.milestones.all())
        assert {m.kind for m in milestones} == {
            "design",
            "deployment",
            "measurement",
            "certification",
        }
        assert sum(m.is_late(today) for m in milestones) == 1
        assert any(m.unit is not None and m.done_on for m in milestones)
        assert any(m.planned_on > today for m in milestones)
        plan = list(project.communications.all())
        assert len(plan) == 10
        assert {i.direction for i in plan} == {"internal", "external"}
        statuses = [i.status for i in plan]
        assert statuses.count(MessageStatus.CANCELLED) == 1
        assert statuses.count(MessageStatus.SENT) >= 3
        assert all(i.reach for i in plan if i.status == MessageStatus.SENT)
    names = set(QualityProject.objects.values_list("name", flat=True))
    assert names == {"Contigo, siempre", "Al teu costat"}
