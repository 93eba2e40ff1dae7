"""The desk page: every step through its POST forms, the state it leaves behind, and what a
hostile or mistaken form gets (a message, nothing changed)."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from compromiso.attention import services
from compromiso.attention.models import (
    Branch,
    Desk,
    DeskSession,
    EventKind,
    Outcome,
    PriorityGroup,
    Queue,
    Transaction,
    Visit,
    VisitState,
)
from compromiso.catalog.tests.factories import ChannelFactory, TouchPointFactory
from compromiso.core.actors import PUBLIC


@pytest.fixture(autouse=True)
def _english(client):
    """The pages in English, as the assertions read."""
    client.cookies["compromiso_language"] = "en"


def act(client, desk, **data):
    return client.post(reverse("attention:desk_act", kwargs={"pk": desk.pk}), data)


def said(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def seated(client, officer, desk_one):
    client.force_login(officer)
    act(client, desk_one, action="sit")
    return client


def test_officer_sits_at_the_desk_and_leaves_it(client, officer, desk_one):
    client.force_login(officer)
    response = act(client, desk_one, action="sit")
    assert response.status_code == 302
    assert response["Location"] == reverse("attention:desk", kwargs={"pk": desk_one.pk})
    assert DeskSession.objects.get(ended_at__isnull=True).user == officer
    page = client.get(reverse("attention:desk", kwargs={"pk": desk_one.pk}))
    assert "You are at this desk." in page.content.decode()
    act(client, desk_one, action="leave")
    assert not DeskSession.objects.filter(ended_at__isnull=True).exists()


def test_call_next_serve_and_finish(seated, desk_one, general_queue, officer):
    visit = services.issue_ticket(general_queue, by=PUBLIC)
    response = act(seated, desk_one, action="call_next")
    assert "Ticket A001 called." in said(response)
    visit.refresh_from_db()
    assert (visit.state, visit.desk, visit.calls) == (VisitState.CALLED, desk_one, 1)

    page = seated.get(reverse("attention:desk", kwargs={"pk": desk_one.pk})).content.decode()
    assert "A001" in page
    assert "1 of 3" in page

    act(seated, desk_one, action="start", visit=visit.pk)
    visit.refresh_from_db()
    assert visit.state == VisitState.SERVING

    act(seated, desk_one, action="finish", **{"f-visit": visit.pk, "f-outcome": "resolved"})
    visit.refresh_from_db()
    assert visit.state == VisitState.FINISHED
    step = visit.transactions.get()
    assert step.outcome == Outcome.RESOLVED
    assert step.served_by == officer


def test_nobody_waiting_is_said(seated, desk_one):
    assert "Nobody is waiting." in said(act(seated, desk_one, action="call_next"))


def test_recall_up_to_the_limit_then_no_show(seated, desk_one, general_queue):
    visit = services.issue_ticket(general_queue, by=PUBLIC)
    act(seated, desk_one, action="call_next")
    early = act(seated, desk_one, action="no_show", visit=visit.pk)
    assert any("before marking it as a no-show" in m for m in said(early))
    visit.refresh_from_db()
    assert visit.state == VisitState.CALLED

    act(seated, desk_one, action="recall", visit=visit.pk)
    act(seated, desk_one, action="recall", visit=visit.pk)
    visit.refresh_from_db()
    assert visit.calls == 3
    page = seated.get(reverse("attention:desk", kwargs={"pk": desk_one.pk})).content.decode()
    assert "3 of 3" in page
    assert "Call again" not in page
    assert "No-show" in page
    refused = act(seated, desk_one, action="recall", visit=visit.pk)
    assert any("mark it as a no-show" in m for m in said(refused))

    act(seated, desk_one, action="no_show", visit=visit.pk)
    visit.refresh_from_db()
    assert visit.state == VisitState.NO_SHOW
    assert visit.events.filter(kind=EventKind.RECALLED).count() == 2


def test_hold_and_resume(seated, desk_one, general_queue):
    visit = services.issue_ticket(general_queue, by=PUBLIC)
    act(seated, desk_one, action="call_next")
    act(seated, desk_one, action="start", visit=visit.pk)
    act(seated, desk_one, action="hold", visit=visit.pk)
    visit.refresh_from_db()
    assert visit.state == VisitState.ON_HOLD
    page = seated.get(reverse("attention:desk", kwargs={"pk": desk_one.pk})).content.decode()
    assert "On hold at this desk" in page
    assert "Resume" in page
    act(seated, desk_one, action="resume", visit=visit.pk)
    visit.refresh_from_db()
    assert visit.state == VisitState.SERVING


def test_pick_a_particular_ticket(seated, desk_one, general_queue, quick_queue):
    first = services.issue_ticket(general_queue, by=PUBLIC)
    quick = services.issue_ticket(quick_queue, by=PUBLIC)
    page = seated.get(reverse("attention:desk", kwargs={"pk": desk_one.pk})).content.decode()
    assert page.index("A001") < page.index("B001")
    act(seated, desk_one, action="pick", visit=quick.pk)
    quick.refresh_from_db()
    first.refresh_from_db()
    assert quick.state == VisitState.CALLED
    assert first.state == VisitState.WAITING


def test_transfer_keeping_the_place_or_going_last(seated, desk_one, general_queue, quick_queue):
    early = services.issue_ticket(quick_queue, by=PUBLIC)
    visit = services.issue_ticket(general_queue, by=PUBLIC)
    act(seated, desk_one, action="pick", visit=visit.pk)
    act(seated, desk_one, action="start", visit=visit.pk)
    act(
        seated,
        desk_one,
        action="transfer",
        **{"t-visit": visit.pk, "t-to_queue": quick_queue.pk, "t-keep_place": "0"},
    )
    visit.refresh_from_db()
    assert (visit.state, visit.queue, visit.desk) == (VisitState.WAITING, quick_queue, None)
    assert visit.queued_at > early.queued_at  # went to the end
    assert [s.outcome for s in visit.transactions.all()] == [Outcome.TRANSFERRED, ""]


def test_finish_with_another_service(seated, desk_one, general_queue, quick_queue):
    visit = services.issue_ticket(general_queue, by=PUBLIC)
    act(seated, desk_one, action="call_next")
    act(seated, desk_one, action="start", visit=visit.pk)
    act(
        seated,
        desk_one,
        action="finish",
        **{"f-visit": visit.pk, "f-outcome": "pending", "f-next_queue": quick_queue.pk},
    )
    visit.refresh_from_db()
    assert (visit.state, visit.queue) == (VisitState.WAITING, quick_queue)
    assert visit.events.filter(kind=EventKind.SERVICE_ADDED).exists()


def test_steps_need_someone_sitting_at_the_desk(client, officer, desk_one, general_queue):
    client.force_login(officer)
    services.issue_ticket(general_queue, by=PUBLIC)
    response = act(client, desk_one, action="call_next")
    assert "Sit at this desk first." in said(response)
    assert Visit.objects.get().state == VisitState.WAITING


def test_desk_messages_in_the_user_s_language(seated, desk_one):
    seated.cookies["compromiso_language"] = "ca"
    response = act(seated, desk_one, action="bogus")
    assert said(response)[-1] == "Acció desconeguda."
    response = act(seated, desk_one, action="start", visit="999")
    assert said(response)
    assert "Select a valid choice" not in said(response)[0]


# Hostile input ---------------------------------------------------------------------------------


@pytest.fixture
def elsewhere(organization, other_branch, in_person):
    """Another branch of the same organisation, with a queue and a desk."""
    point = TouchPointFactory(
        organization=organization, unit=other_branch, channel=in_person, name="Oficina Temuco"
    )
    branch = Branch.objects.create(organization=organization, touch_point=point, code="temuco")
    queue = Queue.objects.create(branch=branch, name="General", letter="T")
    desk = Desk.objects.create(branch=branch, name="Módulo T")
    desk.queues.add(queue)
    return queue


def test_transfer_to_a_queue_of_another_branch_is_refused(
    seated, desk_one, general_queue, elsewhere
):
    visit = services.issue_ticket(general_queue, by=PUBLIC)
    act(seated, desk_one, action="call_next")
    response = act(
        seated,
        desk_one,
        action="transfer",
        **{"t-visit": visit.pk, "t-to_queue": elsewhere.pk, "t-keep_place": "1"},
    )
    assert response.status_code == 302
    assert said(response)
    visit.refresh_from_db()
    assert (visit.queue, visit.state) == (general_queue, VisitState.CALLED)
    assert Transaction.objects.count() == 1


def test_a_visit_of_another_branch_cannot_be_picked(seated, desk_one, elsewhere):
    visit = services.issue_ticket(elsewhere, by=PUBLIC)
    response = act(seated, desk_one, action="pick", visit=visit.pk)
    assert said(response)
    visit.refresh_from_db()
    assert visit.state == VisitState.WAITING


@pytest.mark.parametrize("value", ["abc", "-1", "0", "1" * 30, "<script>", ""])
def test_non_numeric_visit_ids_are_a_message(seated, desk_one, general_queue, value):
    services.issue_ticket(general_queue, by=PUBLIC)
    response = act(seated, desk_one, action="pick", visit=value)
    assert response.status_code == 302
    assert said(response)
    assert Visit.objects.get().state == VisitState.WAITING


def test_finish_with_a_made_up_outcome_is_refused(seated, desk_one, general_queue):
    visit = services.issue_ticket(general_queue, by=PUBLIC)
    act(seated, desk_one, action="call_next")
    act(seated, desk_one, action="start", visit=visit.pk)
    act(seated, desk_one, action="finish", **{"f-visit": visit.pk, "f-outcome": "no_show"})
    visit.refresh_from_db()
    assert visit.state == VisitState.SERVING


def test_desk_of_another_organisation_is_404(client, officer, other_organization):
    channel = ChannelFactory(organization=other_organization, kind="in_person")
    point = TouchPointFactory(organization=other_organization, channel=channel)
    branch = Branch.objects.create(organization=other_organization, touch_point=point, code="oac")
    desk = Desk.objects.create(branch=branch, name="Taulell 1")
    client.force_login(officer)
    assert client.get(reverse("attention:desk", kwargs={"pk": desk.pk})).status_code == 404
    assert act(client, desk, action="sit").status_code == 404
    assert not DeskSession.objects.exists()


def test_non_numeric_desk_ids_are_404(client, officer):
    client.force_login(officer)
    assert client.get("/staff/attention/desks/abc/").status_code == 404
    assert client.get("/staff/attention/desks/99999999999999999999999/").status_code == 404


def test_viewer_cannot_work_a_desk(client, viewer, desk_one):
    client.force_login(viewer)
    assert client.get(reverse("attention:desk", kwargs={"pk": desk_one.pk})).status_code == 403
    assert act(client, desk_one, action="sit").status_code == 403


def test_anonymous_is_sent_to_log_in(client, desk_one):
    response = client.get(reverse("attention:desk", kwargs={"pk": desk_one.pk}))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_desk_action_needs_post(seated, desk_one):
    response = seated.get(reverse("attention:desk_act", kwargs={"pk": desk_one.pk}))
    assert response.status_code == 405


def test_waiting_fragment_lists_the_desk_s_queues(seated, desk_two, general_queue, quick_queue):
    services.issue_ticket(general_queue, by=PUBLIC, priority_group=PriorityGroup.OLDER)
    services.issue_ticket(quick_queue, by=PUBLIC)
    response = seated.get(reverse("attention:desk_waiting", kwargs={"pk": desk_two.pk}))
    body = response.content.decode()
    assert response.status_code == 200
    assert "A001" in body
    assert "B001" not in body
    assert "<html" not in body
