"""The quality project's pages: who sees it, who edits it, and what hostile input becomes."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from compromiso.core.actors import SYSTEM
from compromiso.servicemodel import services
from compromiso.servicemodel.models import CommunicationItem, MessageStatus, QualityProject

pytestmark = pytest.mark.django_db

PAGE = reverse("servicemodel:project")
EDIT = reverse("servicemodel:project_edit")
NOW = dt.datetime(2026, 6, 15, 15, 0, tzinfo=dt.UTC)
HOSTILE = '<script>alert("x")</script>'


@pytest.fixture
def project(organization):
    project = services.create_quality_project(
        organization,
        by=SYSTEM,
        name="Contigo",
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2027, 6, 30),
    )
    services.add_milestone(
        project, by=SYSTEM, kind="design", title="Diseño", planned_on=dt.date(2026, 3, 1)
    )
    services.add_communication_item(
        project,
        by=SYSTEM,
        title="Lanzamiento",
        direction="internal",
        audience="all_staff",
        channel="email",
        planned_on=dt.date(2026, 7, 1),
    )
    return project


def response_ok(page):
    """An empty project page: no chart, no table of milestones, no plan."""
    return "<svg" not in page and "plan-title" not in page and "timeline-title" not in page


def _urls(project):
    milestone = project.milestones.get()
    item = project.communications.get()
    team = services.add_project_team(project, by=SYSTEM, name="Comité", kind="steering")
    return [
        EDIT,
        reverse("servicemodel:team_new"),
        reverse("servicemodel:team_edit", args=[team.pk]),
        reverse("servicemodel:member_new", args=[team.pk]),
        reverse("servicemodel:milestone_new"),
        reverse("servicemodel:milestone_edit", args=[milestone.pk]),
        reverse("servicemodel:milestone_done", args=[milestone.pk]),
        reverse("servicemodel:message_new"),
        reverse("servicemodel:message_edit", args=[item.pk]),
        reverse("servicemodel:message_sent", args=[item.pk]),
    ]


def test_anonymous_visitors_are_sent_to_log_in(client, project):
    for url in [PAGE, *_urls(project)]:
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("login") in response["Location"]


def test_a_person_of_another_organisation_gets_404(client, outsider, project):
    client.force_login(outsider)

    assert client.get(PAGE).status_code == 200  # their own organisation: no project yet
    item = project.communications.get()
    for url in _urls(project)[1:]:
        assert client.get(url).status_code == 404, url
    response = client.post(reverse("servicemodel:message_cancel", args=[item.pk]))
    assert response.status_code == 404
    item.refresh_from_db()
    assert item.status == MessageStatus.PLANNED


@time_machine.travel(NOW, tick=False)
def test_a_reader_sees_the_project_but_cannot_edit_it(client, viewer, project):
    client.force_login(viewer)

    page = client.get(PAGE).content.decode()
    assert "Contigo" in page
    assert "<svg" in page
    assert "Lanzamiento" in page
    assert "text-bg-danger" in page  # the design milestone is late
    assert EDIT not in page
    for url in _urls(project):
        assert client.get(url).status_code == 403, url
    item = project.communications.get()
    assert client.post(reverse("servicemodel:message_cancel", args=[item.pk])).status_code == 403


def test_the_page_without_a_project_invites_an_editor_to_set_it_up(
    client, quality_manager, viewer, organization
):
    client.force_login(viewer)
    page = client.get(PAGE).content.decode()
    assert response_ok(page)
    assert EDIT not in page

    client.force_login(quality_manager)
    assert EDIT in client.get(PAGE).content.decode()


def test_a_manager_sets_up_the_project_with_the_models_name(
    client, quality_manager, organization, draft
):
    client.force_login(quality_manager)

    form = client.get(EDIT).content.decode()
    assert 'value="Contigo, siempre"' in form
    response = client.post(
        EDIT,
        {
            "name": "",
            "starts_on": "2026-01-01",
            "ends_on": "2026-12-31",
            "sponsor": quality_manager.pk,
        },
    )

    assert response.status_code == 302
    project = QualityProject.objects.get(organization=organization)
    assert (project.name, project.sponsor) == ("Contigo, siempre", quality_manager)


def test_an_end_before_the_start_is_refused_with_a_message(client, quality_manager, organization):
    client.force_login(quality_manager)

    response = client.post(EDIT, {"name": "X", "starts_on": "2026-12-31", "ends_on": "2026-01-01"})

    assert response.status_code == 200
    assert not QualityProject.objects.exists()
    assert "invalid-feedback" in response.content.decode()


def test_a_person_of_another_organisation_cannot_be_chosen_as_sponsor(
    client, quality_manager, outsider, organization
):
    client.force_login(quality_manager)

    response = client.post(
        EDIT,
        {"name": "X", "starts_on": "2026-01-01", "ends_on": "2026-12-31", "sponsor": outsider.pk},
    )

    assert response.status_code == 200
    assert not QualityProject.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_a_manager_adds_a_team_member_and_marks_things_done_and_sent(
    client, quality_manager, viewer, project
):
    client.force_login(quality_manager)
    milestone = project.milestones.get()
    item = project.communications.get()

    client.post(reverse("servicemodel:team_new"), {"name": "Equipo", "kind": "quality"})
    team = project.teams.get()
    client.post(
        reverse("servicemodel:member_new", args=[team.pk]), {"user": viewer.pk, "role": "chair"}
    )
    client.post(
        reverse("servicemodel:milestone_done", args=[milestone.pk]), {"done_on": "2026-03-02"}
    )
    response = client.post(
        reverse("servicemodel:message_sent", args=[item.pk]),
        {"sent_on": "2026-06-15", "reach": "120", "sent_note": "Todo el personal"},
    )

    assert response.status_code == 302
    assert team.members.get().user == viewer
    milestone.refresh_from_db()
    item.refresh_from_db()
    assert milestone.done_on == dt.date(2026, 3, 2)
    assert (item.status, item.sent_on, item.reach) == ("sent", dt.date(2026, 6, 15), 120)
    page = client.get(PAGE).content.decode()
    assert "text-bg-danger" not in page


@time_machine.travel(NOW, tick=False)
def test_a_sent_date_in_the_future_is_refused_on_the_form(client, quality_manager, project):
    client.force_login(quality_manager)
    item = project.communications.get()

    response = client.post(
        reverse("servicemodel:message_sent", args=[item.pk]), {"sent_on": "2026-06-16"}
    )

    assert response.status_code == 200
    assert "invalid-feedback" in response.content.decode()
    item.refresh_from_db()
    assert item.status == MessageStatus.PLANNED


def test_a_crafted_id_gets_404(client, quality_manager, project):
    client.force_login(quality_manager)

    assert client.get("/staff/service-model/project/milestones/999999/edit/").status_code == 404
    assert (
        client.get("/staff/service-model/project/messages/99999999999999999999/sent/").status_code
        == 404
    )


def test_html_in_titles_is_escaped_in_the_page_and_the_chart(client, quality_manager, project):
    client.force_login(quality_manager)

    client.post(
        reverse("servicemodel:milestone_new"),
        {"kind": "other", "title": HOSTILE, "planned_on": "2026-05-01"},
    )
    client.post(
        reverse("servicemodel:message_new"),
        {
            "title": HOSTILE,
            "direction": "external",
            "audience": "users",
            "channel": "web",
            "planned_on": "2026-05-02",
        },
    )

    assert project.milestones.filter(title=HOSTILE).exists()
    page = client.get(PAGE).content.decode()
    assert HOSTILE not in page
    assert "&lt;script&gt;" in page


def test_oversized_input_is_refused_and_nothing_is_saved(client, quality_manager, project):
    client.force_login(quality_manager)

    response = client.post(
        reverse("servicemodel:message_new"),
        {
            "title": "x" * 5000,
            "text": "y" * 100_000,
            "direction": "sideways",
            "audience": "users",
            "channel": "web",
            "planned_on": "not a date",
        },
    )

    assert response.status_code == 200
    assert CommunicationItem.objects.count() == 1
    response = client.post(
        reverse("servicemodel:message_sent", args=[project.communications.get().pk]),
        {"sent_on": "2026-01-02", "reach": "9" * 40},
    )
    assert response.status_code == 200
