"""Reception: a ticket issued with its priority, shown big for printing; the people in the
branch per queue in call order; someone who went away; a transfer."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from compromiso.attention import services
from compromiso.attention.models import PriorityGroup, Rank, Visit, VisitSource, VisitState
from compromiso.core.actors import PUBLIC


@pytest.fixture(autouse=True)
def _english(client):
    """The pages in English, as the assertions read."""
    client.cookies["compromiso_language"] = "en"


def url(office, name="attention:reception"):
    return reverse(name, kwargs={"pk": office.pk})


@pytest.fixture
def desk_officer(client, officer):
    client.force_login(officer)
    return client


def test_reception_issues_a_priority_ticket_and_shows_it_big(desk_officer, office, general_queue):
    response = desk_officer.post(
        url(office), {"queue": general_queue.pk, "priority_group": PriorityGroup.OLDER}
    )
    visit = Visit.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{url(office)}?ticket={visit.pk}"
    assert (visit.source, visit.priority_group, visit.rank) == (
        VisitSource.RECEPTION,
        PriorityGroup.OLDER,
        Rank.PRIORITY,
    )
    page = desk_officer.get(response["Location"]).content.decode()
    assert 'class="ticket-number' in page
    assert "A001" in page
    assert "data-print" in page
    assert "attention/ticket.css" in page


def test_lines_are_in_call_order_with_left_and_transfer(
    desk_officer, office, general_queue, quick_queue
):
    regular = services.issue_ticket(general_queue, by=PUBLIC)
    older = services.issue_ticket(general_queue, by=PUBLIC, priority_group=PriorityGroup.OLDER)
    page = desk_officer.get(url(office)).content.decode()
    assert page.index(older.number) < page.index(regular.number)

    desk_officer.post(
        url(office, "attention:reception_act"), {"action": "left", "visit": regular.pk}
    )
    regular.refresh_from_db()
    assert regular.state == VisitState.LEFT

    desk_officer.post(
        url(office, "attention:reception_act"),
        {"action": "transfer", "visit": older.pk, "to_queue": quick_queue.pk, "keep_place": "1"},
    )
    older.refresh_from_db()
    assert older.queue == quick_queue
    assert older.queued_at == older.arrived_at


@pytest.mark.parametrize(
    "data",
    [
        {"queue": "<script>alert(1)</script>", "priority_group": ""},
        {"queue": "1" * 40, "priority_group": ""},
        {"queue": "", "priority_group": ""},
        {"queue": "GENERAL", "priority_group": "vip"},
    ],
)
def test_hostile_ticket_forms_save_nothing(desk_officer, office, general_queue, data):
    if data["priority_group"] == "vip":
        data["queue"] = general_queue.pk
    response = desk_officer.post(url(office), data)
    assert response.status_code == 200
    assert "Please correct the following" in response.content.decode()
    assert "<script>alert(1)</script>" not in response.content.decode()
    assert not Visit.objects.exists()


def test_a_queue_of_another_branch_cannot_be_chosen(desk_officer, office, other_organization):
    from compromiso.attention.models import Branch, Queue
    from compromiso.catalog.tests.factories import ChannelFactory, TouchPointFactory

    channel = ChannelFactory(organization=other_organization, kind="in_person")
    point = TouchPointFactory(organization=other_organization, channel=channel)
    branch = Branch.objects.create(organization=other_organization, touch_point=point, code="x")
    foreign = Queue.objects.create(branch=branch, name="OAC", letter="A")
    response = desk_officer.post(url(office), {"queue": foreign.pk, "priority_group": ""})
    assert response.status_code == 200
    assert not Visit.objects.exists()


def test_left_for_a_visit_of_another_branch_or_a_bad_action(desk_officer, office, general_queue):
    visit = services.issue_ticket(general_queue, by=PUBLIC)
    for data in (
        {"action": "left", "visit": "abc"},
        {"action": "left", "visit": visit.pk + 1000},
        {"action": "explode", "visit": visit.pk},
        {"action": "transfer", "visit": visit.pk, "to_queue": general_queue.pk, "keep_place": "1"},
    ):
        response = desk_officer.post(url(office, "attention:reception_act"), data)
        assert response.status_code == 302
        assert list(get_messages(response.wsgi_request))
    visit.refresh_from_db()
    assert visit.state == VisitState.WAITING
    assert visit.transactions.count() == 1


def test_viewer_and_outsider_cannot_open_reception(client, viewer, outsider, office):
    client.force_login(viewer)
    assert client.get(url(office)).status_code == 403
    client.force_login(outsider)
    assert client.get(url(office)).status_code == 404


def test_unit_head_of_another_unit_does_not_see_the_branch(
    client, organization, other_branch, office
):
    from compromiso.core.permissions import Role
    from compromiso.organizations.tests.factories import MembershipFactory, UserFactory

    head = UserFactory(username="temuco")
    MembershipFactory(user=head, organization=organization, unit=other_branch, role=Role.UNIT_HEAD)
    client.force_login(head)
    assert client.get(url(office)).status_code == 404
