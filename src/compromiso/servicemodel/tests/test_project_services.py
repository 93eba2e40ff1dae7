"""The quality project's services: who may change it, what they refuse, what they record."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from compromiso.core.actors import SYSTEM
from compromiso.core.models import AuditEntry
from compromiso.organizations.tests.factories import UnitFactory
from compromiso.servicemodel import services
from compromiso.servicemodel.models import MessageStatus, StaffMember, TeamRole

pytestmark = pytest.mark.django_db

START, END = dt.date(2026, 1, 1), dt.date(2027, 6, 30)
# 23:30 on 10 March 2026 in Santiago (UTC−3) is already 11 March in UTC.
LATE_EVENING_IN_SANTIAGO = dt.datetime(2026, 3, 11, 2, 30, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _in_english():
    """Messages are checked in English (the catalogues translate them)."""
    with translation.override("en"):
        yield


@pytest.fixture
def project(organization):
    return services.create_quality_project(
        organization, by=SYSTEM, name="Contigo", starts_on=START, ends_on=END
    )


def _milestone(project, by=SYSTEM, **changes):
    fields = {"kind": "deployment", "title": "Despliegue Norte", "planned_on": dt.date(2026, 3, 10)}
    return services.add_milestone(project, by=by, **{**fields, **changes})


def _message(project, **changes):
    fields = {
        "title": "Lanzamiento",
        "text": "Comenzamos.",
        "direction": "internal",
        "audience": "all_staff",
        "channel": "email",
        "planned_on": dt.date(2026, 2, 1),
    }
    return services.add_communication_item(project, by=SYSTEM, **{**fields, **changes})


def test_the_project_takes_the_service_models_name_by_default(organization, draft):
    project = services.create_quality_project(organization, by=SYSTEM, starts_on=START, ends_on=END)

    assert project.name == "Contigo, siempre"
    assert AuditEntry.objects.filter(action="servicemodel.qualityproject.created").count() == 1


def test_an_organisation_has_one_project(organization, project):
    with pytest.raises(services.ProjectError):
        services.create_quality_project(organization, by=SYSTEM, starts_on=START, ends_on=END)


def test_a_project_cannot_end_before_it_starts(organization):
    with pytest.raises(ValidationError) as error:
        services.create_quality_project(
            organization, by=SYSTEM, name="X", starts_on=END, ends_on=START
        )
    assert "The project cannot end before it starts." in str(error.value)


def test_only_editors_of_the_whole_organisation_change_the_project(
    project, quality_manager, viewer, unit_head, outsider
):
    for person in (viewer, unit_head, outsider):
        with pytest.raises(PermissionDenied):
            _milestone(project, by=person, title="No")
        with pytest.raises(PermissionDenied):
            services.update_quality_project(project, by=person, objective="No")
    _milestone(project, by=quality_manager, title="Sí")
    services.update_quality_project(project, by=quality_manager, objective="Certificarnos")

    assert [m.title for m in project.milestones.all()] == ["Sí"]
    project.refresh_from_db()
    assert project.objective == "Certificarnos"


def test_the_sponsor_must_belong_to_the_organisation(project, outsider, quality_manager):
    with pytest.raises(ValidationError):
        services.update_quality_project(project, by=SYSTEM, sponsor=outsider)

    services.update_quality_project(project, by=SYSTEM, sponsor=quality_manager)
    assert project.sponsor_label == (quality_manager.get_full_name() or "quality")


def test_a_team_gathers_staff_members_and_users_once(project, organization, branch, viewer):
    team = services.add_project_team(project, by=SYSTEM, name="Comité", kind="steering")
    clerk = StaffMember.objects.create(organization=organization, unit=branch, code="1", name="Ana")

    services.add_team_member(team, by=SYSTEM, staff_member=clerk, role=TeamRole.SECRETARY)
    services.add_team_member(team, by=SYSTEM, user=viewer, role=TeamRole.CHAIR)
    with pytest.raises(services.ProjectError):
        services.add_team_member(team, by=SYSTEM, staff_member=clerk, role=TeamRole.MEMBER)
    with pytest.raises(ValidationError):
        services.add_team_member(team, by=SYSTEM, role=TeamRole.MEMBER)

    assert [(m.label, m.role) for m in team.members.all()] == [
        ("Ana", "secretary"),
        (viewer.get_full_name() or viewer.username, "chair"),
    ]


def test_a_staff_member_of_another_organisation_cannot_join(project, other_organization):
    team = services.add_project_team(project, by=SYSTEM, name="Comité", kind="steering")
    stranger = StaffMember.objects.create(
        organization=other_organization,
        unit=UnitFactory(organization=other_organization),
        code="9",
        name="Pau",
    )

    with pytest.raises(ValidationError):
        services.add_team_member(team, by=SYSTEM, staff_member=stranger, role="member")


def test_a_deployment_unit_must_belong_to_the_organisation(project, other_organization):
    with pytest.raises(ValidationError):
        _milestone(project, unit=UnitFactory(organization=other_organization))


@time_machine.travel(LATE_EVENING_IN_SANTIAGO, tick=False)
def test_a_milestone_is_late_only_once_its_day_is_over_where_the_organisation_is(project):
    milestone = _milestone(project, planned_on=dt.date(2026, 3, 10))
    earlier = _milestone(project, planned_on=dt.date(2026, 3, 9))
    today = project.organization.today()

    assert today == dt.date(2026, 3, 10)
    assert not milestone.is_late(today)  # in UTC it would already be the 11th
    assert earlier.is_late(today)


@time_machine.travel(LATE_EVENING_IN_SANTIAGO, tick=False)
def test_marking_a_milestone_done_records_the_day_and_refuses_nonsense(project):
    milestone = _milestone(project)

    with pytest.raises(ValidationError, match="future"):
        services.mark_milestone_done(milestone, by=SYSTEM, done_on=dt.date(2026, 3, 11))
    with pytest.raises(ValidationError, match="before the project started"):
        services.mark_milestone_done(milestone, by=SYSTEM, done_on=dt.date(2025, 12, 31))
    services.mark_milestone_done(milestone, by=SYSTEM, done_on=dt.date(2026, 3, 10))

    milestone.refresh_from_db()
    assert milestone.done_on == dt.date(2026, 3, 10)
    assert not milestone.is_late(dt.date(2026, 12, 1))
    entry = AuditEntry.objects.get(action="servicemodel.milestone.done")
    assert entry.data["done_on"] == "2026-03-10"

    services.reopen_milestone(milestone, by=SYSTEM)
    assert milestone.done_on is None


@time_machine.travel(LATE_EVENING_IN_SANTIAGO, tick=False)
def test_the_project_cannot_start_after_something_was_done(project):
    services.mark_milestone_done(_milestone(project), by=SYSTEM, done_on=dt.date(2026, 2, 1))

    with pytest.raises(ValidationError):
        services.update_quality_project(project, by=SYSTEM, starts_on=dt.date(2026, 2, 2))


@time_machine.travel(LATE_EVENING_IN_SANTIAGO, tick=False)
def test_marking_a_message_sent_records_what_was_actually_sent(project, quality_manager):
    item = _message(project, owner=quality_manager)

    with pytest.raises(ValidationError, match="future"):
        services.mark_communication_sent(item, by=SYSTEM, sent_on=dt.date(2026, 3, 11))
    services.mark_communication_sent(
        item,
        by=quality_manager,
        sent_on=dt.date(2026, 2, 3),
        sent_text="Comenzamos hoy.",
        reach=412,
        sent_note="Lista de todo el personal",
    )

    item.refresh_from_db()
    assert (item.status, item.sent_on, item.reach) == ("sent", dt.date(2026, 2, 3), 412)
    assert item.sent_text == "Comenzamos hoy."
    assert not item.is_late(dt.date(2026, 3, 10))
    with pytest.raises(services.ProjectError):
        services.cancel_communication_item(item, by=SYSTEM)
    with pytest.raises(services.ProjectError):
        services.update_communication_item(item, by=SYSTEM, title="Otro")


@time_machine.travel(LATE_EVENING_IN_SANTIAGO, tick=False)
def test_a_text_sent_unchanged_is_not_stored_twice(project):
    item = _message(project)

    services.mark_communication_sent(
        item, by=SYSTEM, sent_on=dt.date(2026, 2, 1), sent_text=" Comenzamos. "
    )

    assert item.sent_text == ""


def test_a_planned_message_can_be_cancelled_and_is_never_late(project):
    item = _message(project)

    services.cancel_communication_item(item, by=SYSTEM)

    assert item.status == MessageStatus.CANCELLED
    assert not item.is_late(dt.date(2030, 1, 1))
    assert AuditEntry.objects.filter(action="servicemodel.communicationitem.cancelled").exists()


def test_a_message_refuses_a_milestone_of_another_project(project, other_organization):
    other = services.create_quality_project(
        other_organization, by=SYSTEM, name="Al teu costat", starts_on=START, ends_on=END
    )
    foreign = _milestone(other)

    with pytest.raises(ValidationError):
        _message(project, milestone=foreign)


def test_oversized_texts_are_refused_and_nothing_is_saved(project):
    with pytest.raises(ValidationError):
        _message(project, title="x" * 201)
    with pytest.raises(ValidationError):
        _milestone(project, note="x" * 2001)

    assert not project.communications.exists()
    assert not project.milestones.exists()
