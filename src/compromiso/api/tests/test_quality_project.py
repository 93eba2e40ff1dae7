"""The quality project through the API: milestones and communication plan, in the token's
organisation only."""

import datetime as dt

import pytest
import time_machine

from compromiso.core.actors import SYSTEM
from compromiso.servicemodel import services

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 6, 15, 15, 0, tzinfo=dt.UTC)


@pytest.fixture
def project(organization, quality_manager):
    project = services.create_quality_project(
        organization,
        by=SYSTEM,
        name='Contigo <b>"siempre"</b>',
        leader=quality_manager,
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2027, 6, 30),
    )
    team = services.add_project_team(project, by=SYSTEM, name="Comité", kind="steering")
    services.add_team_member(team, by=SYSTEM, user=quality_manager, role="chair")
    design = services.add_milestone(
        project, by=SYSTEM, kind="design", title="Diseño", planned_on=dt.date(2026, 3, 1)
    )
    services.add_milestone(
        project, by=SYSTEM, kind="certification", title="Sello", planned_on=dt.date(2027, 6, 1)
    )
    item = services.add_communication_item(
        project,
        by=SYSTEM,
        title="Lanzamiento",
        direction="internal",
        audience="all_staff",
        channel="email",
        planned_on=dt.date(2026, 2, 1),
        milestone=design,
        owner=quality_manager,
    )
    with time_machine.travel(NOW, tick=False):
        services.mark_communication_sent(item, by=SYSTEM, sent_on=dt.date(2026, 2, 2), reach=412)
    return project


@time_machine.travel(NOW, tick=False)
def test_the_api_gives_the_project_its_milestones_and_plan(api_as, viewer, project):
    body = api_as(viewer).get("/quality-project").json()

    assert body["name"] == 'Contigo <b>"siempre"</b>'  # JSON carries the text as written
    assert body["today"] == "2026-06-15"
    assert [(m["title"], m["late"]) for m in body["milestones"]] == [
        ("Diseño", True),
        ("Sello", False),
    ]
    assert body["teams"][0]["members"][0]["role"] == "chair"
    message = body["communication_plan"][0]
    assert (message["status"], message["sent_on"], message["reach"]) == ("sent", "2026-02-02", 412)
    assert message["milestone"] == body["milestones"][0]["id"]
    assert message["late"] is False


def test_without_a_project_the_api_answers_404_json(api_as, viewer):
    response = api_as(viewer).get("/quality-project")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_another_organisations_project_is_invisible(api_as, outsider, anonymous_api, project):
    assert api_as(outsider).get("/quality-project").status_code == 404
    assert anonymous_api.get("/quality-project").status_code == 401


def test_the_schema_names_the_endpoint(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]

    assert "/api/v1/quality-project" in paths
