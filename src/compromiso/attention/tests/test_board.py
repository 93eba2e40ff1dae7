"""The manager's board: who may open it, and what it shows."""

import pytest
from django.urls import reverse

from compromiso.attention import services
from compromiso.core.actors import PUBLIC
from compromiso.organizations.models import Role
from compromiso.organizations.tests.factories import MembershipFactory, UnitFactory, UserFactory


@pytest.fixture
def board_url(office):
    return reverse("attention:board", args=[office.pk])


def test_a_manager_sees_waiting_desks_and_the_service_level(
    client, quality_manager, office, general_queue, desk_one, officer, board_url
):
    visit = services.issue_ticket(general_queue, by=PUBLIC)
    services.sit_at(desk_one, by=officer)
    client.force_login(quality_manager)
    page = client.get(board_url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Atención general" in html
    assert "Módulo 1" in html
    assert reverse("portal:queue_display", args=[office.display_key]) in html
    assert visit.number not in html  # waiting numbers are counted, not listed
    fragment = client.get(board_url, headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert b'id="board-live"' in fragment.content
    assert b"<html" not in fragment.content


def test_the_home_page_links_each_branch_to_its_board(client, quality_manager, office, board_url):
    client.force_login(quality_manager)
    assert board_url in client.get(reverse("attention:home")).content.decode()


def test_the_unit_head_of_the_branch_sees_it(client, unit_head, office, general_queue, board_url):
    client.force_login(unit_head)
    assert client.get(board_url).status_code == 200


def test_a_viewer_sees_the_board_but_not_the_display_key(
    client, viewer, office, general_queue, board_url
):
    client.force_login(viewer)
    page = client.get(board_url)
    assert page.status_code == 200
    assert office.display_key not in page.content.decode()


def test_another_organisation_gets_404(client, outsider, office, board_url):
    client.force_login(outsider)
    assert client.get(board_url).status_code == 404


def test_the_unit_head_of_another_unit_gets_404(client, organization, office, board_url):
    head = UserFactory(username="otherhead")
    other = UnitFactory(organization=organization, name="Sucursal Temuco", kind="branch")
    MembershipFactory(user=head, organization=organization, unit=other, role=Role.UNIT_HEAD)
    client.force_login(head)
    assert client.get(board_url).status_code == 404


def test_anonymous_is_sent_to_log_in(client, board_url):
    assert client.get(board_url).status_code == 302


def test_an_unknown_branch_is_404(client, quality_manager, office):
    client.force_login(quality_manager)
    assert client.get(f"/staff/attention/branches/{office.pk + 999}/board/").status_code == 404
    assert client.get("/staff/attention/branches/99999999999999999999/board/").status_code == 404
