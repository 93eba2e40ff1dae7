"""The visit page: the events in the organisation's time and each service's times computed from
them, checked against figures worked out by hand."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from compromiso.attention import services
from compromiso.attention.views.visits import clock
from compromiso.core.actors import PUBLIC


@pytest.fixture(autouse=True)
def _english(client):
    """The pages in English, as the assertions read."""
    client.cookies["compromiso_language"] = "en"


SANTIAGO = ZoneInfo("America/Santiago")
T0 = dt.datetime(2026, 11, 2, 9, 0, tzinfo=SANTIAGO)


def at(minutes, seconds=0):
    return T0 + dt.timedelta(minutes=minutes, seconds=seconds)


def test_clock():
    assert [clock(0), clock(75), clock(3600.9), clock(None), clock(-1)] == [
        "0:00",
        "1:15",
        "60:00",
        None,
        None,
    ]


def test_visit_times_with_a_hold_and_a_second_service(
    client, officer, organization, general_queue, quick_queue, desk_one
):
    organization.time_zone = "America/Santiago"
    organization.save()
    visit = services.issue_ticket(general_queue, by=PUBLIC, at=at(0))
    services.call(visit, desk=desk_one, by=officer, at=at(12, 30))
    services.start(visit, by=officer, at=at(13, 15))
    services.hold(visit, by=officer, at=at(15))
    services.resume(visit, by=officer, at=at(19, 20))
    services.finish(visit, outcome="pending", next_queue=quick_queue, by=officer, at=at(25))
    services.call(visit, desk=desk_one, by=officer, at=at(27))
    services.start(visit, by=officer, at=at(27, 40))
    services.finish(visit, outcome="resolved", by=officer, at=at(31, 10))

    client.force_login(officer)
    response = client.get(reverse("attention:visit", kwargs={"pk": visit.pk}))
    assert response.status_code == 200
    first, second = response.context["steps"]
    # First service: queued 09:00:00, called 09:12:30, started 09:13:15, held 09:15:00 to
    # 09:19:20 (4:20), ended 09:25:00. Wait 12:30; walk 0:45; service 11:45 − 4:20 = 7:25;
    # total 25:00.
    assert (first["wait"], first["walk"], first["hold"], first["service"], first["total"]) == (
        "12:30",
        "0:45",
        "4:20",
        "7:25",
        "25:00",
    )
    # Second service: queued 09:25:00, called 09:27:00, started 09:27:40, ended 09:31:10.
    assert (second["wait"], second["walk"], second["service"], second["total"]) == (
        "2:00",
        "0:40",
        "3:30",
        "6:10",
    )
    assert response.context["visit_total"] == "31:10"
    body = response.content.decode()
    assert "09:12:30" in body
    assert "09:31:10" in body
    assert "America/Santiago" in body


def test_visit_of_another_organisation_or_unit_is_404(
    client, outsider, organization, other_branch, general_queue
):
    from compromiso.core.permissions import Role
    from compromiso.organizations.tests.factories import MembershipFactory, UserFactory

    visit = services.issue_ticket(general_queue, by=PUBLIC)
    client.force_login(outsider)
    assert client.get(reverse("attention:visit", kwargs={"pk": visit.pk})).status_code == 404
    head = UserFactory(username="temuco")
    MembershipFactory(user=head, organization=organization, unit=other_branch, role=Role.UNIT_HEAD)
    client.force_login(head)
    assert client.get(reverse("attention:visit", kwargs={"pk": visit.pk})).status_code == 404


def test_viewer_reads_a_waiting_visit(client, viewer, general_queue):
    visit = services.issue_ticket(general_queue, by=PUBLIC)
    client.force_login(viewer)
    response = client.get(reverse("attention:visit", kwargs={"pk": visit.pk}))
    assert response.status_code == 200
    assert response.context["steps"][0]["wait"] is None
