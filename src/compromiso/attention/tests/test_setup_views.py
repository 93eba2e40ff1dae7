"""Setting up a branch: who may, what is saved, and what hostile input gets."""

import pytest
from django.urls import reverse

from compromiso.attention.models import Branch, Desk, DeskSession, OpeningHours, Queue
from compromiso.attention.services import setup
from compromiso.catalog.tests.factories import ChannelFactory, TouchPointFactory
from compromiso.core.models import AuditEntry
from compromiso.core.permissions import Role
from compromiso.organizations.tests.factories import MembershipFactory, UserFactory


@pytest.fixture(autouse=True)
def _english(client):
    """The pages in English, as the assertions read."""
    client.cookies["compromiso_language"] = "en"


@pytest.fixture
def temuco_head(organization, other_branch):
    head = UserFactory(username="temuco")
    MembershipFactory(user=head, organization=organization, unit=other_branch, role=Role.UNIT_HEAD)
    return head


def test_unit_head_creates_a_branch_for_an_in_person_touch_point(client, unit_head, arica_point):
    client.force_login(unit_head)
    page = client.get(reverse("attention:branch_new"))
    assert page.status_code == 200
    assert "Oficina Arica" in page.content.decode()
    response = client.post(
        reverse("attention:branch_new"),
        {
            "touch_point": arica_point.pk,
            "code": "arica",
            "no_show_after_calls": 2,
            "service_level_minutes": 20,
            "accepts_web_queue": "on",
            "is_active": "on",
        },
    )
    branch = Branch.objects.get()
    assert response["Location"] == reverse("attention:branch", kwargs={"pk": branch.pk})
    assert (branch.no_show_after_calls, branch.service_level_minutes) == (2, 20)
    assert not branch.accepts_appointments
    assert AuditEntry.objects.filter(action="attention.branch.created").exists()


def test_a_web_touch_point_cannot_run_a_queue(unit_head, organization, branch):
    web = ChannelFactory(organization=organization, kind="web")
    point = TouchPointFactory(organization=organization, unit=branch, channel=web)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        setup.create_branch(organization=organization, touch_point=point, code="web", by=unit_head)


def test_queues_desks_and_hours_are_set_up(client, unit_head, office, service):
    client.force_login(unit_head)
    client.post(
        reverse("attention:queue_new", kwargs={"pk": office.pk}),
        {"name": "General", "letter": "a", "services": [service.pk], "order": 1, "is_active": "on"},
    )
    queue = Queue.objects.get()
    assert queue.letter == "A"
    assert list(queue.services.all()) == [service]
    client.post(
        reverse("attention:desk_new", kwargs={"pk": office.pk}),
        {"name": "Módulo 1", "queues": [queue.pk], "is_active": "on"},
    )
    desk = Desk.objects.get()
    assert list(desk.queues.all()) == [queue]
    client.post(
        reverse("attention:branch_hours", kwargs={"pk": office.pk}),
        {"d0_opens1": "08:30", "d0_closes1": "13:00", "d0_opens2": "14:30", "d0_closes2": "17:00"},
    )
    assert [
        (h.weekday, f"{h.opens_at:%H:%M}", f"{h.closes_at:%H:%M}")
        for h in OpeningHours.objects.all()
    ] == [(0, "08:30", "13:00"), (0, "14:30", "17:00")]
    client.post(
        reverse("attention:queue_edit", kwargs={"pk": queue.pk}),
        {"name": "General", "letter": "G", "order": 1, "target_wait_minutes": 10},
    )
    queue.refresh_from_db()
    assert (queue.letter, queue.is_active, queue.target_wait_minutes) == ("G", False, 10)
    client.post(reverse("attention:desk_edit", kwargs={"pk": desk.pk}), {"name": "Módulo 9"})
    desk.refresh_from_db()
    assert desk.name == "Módulo 9"
    assert not desk.queues.exists()
    assert not desk.is_active


def test_branch_page_shows_queues_waits_and_desks(client, officer, office, desk_one):
    DeskSession.objects.create(desk=desk_one, user=officer)
    client.force_login(officer)
    body = client.get(reverse("attention:branch", kwargs={"pk": office.pk})).content.decode()
    assert "Atención general" in body
    assert "Módulo 1" in body
    assert "officer" in body
    assert reverse("attention:reception", kwargs={"pk": office.pk}) in body
    assert reverse("attention:desk", kwargs={"pk": desk_one.pk}) in body
    assert reverse("attention:branch_edit", kwargs={"pk": office.pk}) not in body


def test_home_links_branches_and_offers_a_new_one_to_managers(client, unit_head, viewer, office):
    client.force_login(unit_head)
    body = client.get(reverse("attention:home")).content.decode()
    assert reverse("attention:branch", kwargs={"pk": office.pk}) in body
    assert reverse("attention:branch_new") in body
    client.force_login(viewer)
    assert (
        reverse("attention:branch_new")
        not in client.get(reverse("attention:home")).content.decode()
    )


def test_viewer_sees_but_cannot_edit(client, viewer, office, general_queue, desk_one):
    client.force_login(viewer)
    assert client.get(reverse("attention:branch", kwargs={"pk": office.pk})).status_code == 200
    for name, pk in (
        ("attention:branch_edit", office.pk),
        ("attention:branch_hours", office.pk),
        ("attention:queue_new", office.pk),
        ("attention:desk_new", office.pk),
        ("attention:queue_edit", general_queue.pk),
        ("attention:desk_edit", desk_one.pk),
    ):
        assert client.get(reverse(name, kwargs={"pk": pk})).status_code == 403
        assert client.post(reverse(name, kwargs={"pk": pk}), {"name": "x"}).status_code == 403
    assert client.get(reverse("attention:branch_new")).status_code == 403


def test_unit_head_of_another_unit_gets_404(client, temuco_head, office, general_queue, desk_one):
    client.force_login(temuco_head)
    for name, pk in (
        ("attention:branch", office.pk),
        ("attention:branch_edit", office.pk),
        ("attention:queue_edit", general_queue.pk),
        ("attention:desk_edit", desk_one.pk),
    ):
        assert client.get(reverse(name, kwargs={"pk": pk})).status_code == 404
    # Their own new-branch page lists no touch point of Arica.
    body = client.get(reverse("attention:branch_new")).content.decode()
    assert "Oficina Arica" not in body


def test_other_organisation_gets_404(client, outsider, office):
    client.force_login(outsider)
    assert client.get(reverse("attention:branch", kwargs={"pk": office.pk})).status_code == 404
    assert client.get(reverse("attention:branch_edit", kwargs={"pk": office.pk})).status_code == 404


@pytest.mark.parametrize(
    "data",
    [
        {"name": "General", "letter": "<script>", "order": 0},
        {"name": "General", "letter": "<s", "order": 0},
        {"name": "General", "letter": "1", "order": 0},
        {"name": "x" * 500, "letter": "C", "order": 0},
        {"name": "General", "letter": "C", "order": "many"},
        {"name": "General", "letter": "A", "order": 0},  # taken
        {"name": "General", "letter": "C", "order": 0, "services": ["abc"]},
    ],
)
def test_hostile_queue_forms_save_nothing(client, unit_head, office, general_queue, data):
    client.force_login(unit_head)
    response = client.post(reverse("attention:queue_new", kwargs={"pk": office.pk}), data)
    assert response.status_code == 200
    assert "Please correct the following" in response.content.decode()
    assert "<script>" not in response.content.decode().split("<main", 1)[1]
    assert Queue.objects.count() == 1


def test_a_desk_cannot_serve_a_queue_of_another_organisation(
    client, unit_head, office, other_organization
):
    channel = ChannelFactory(organization=other_organization, kind="in_person")
    point = TouchPointFactory(organization=other_organization, channel=channel)
    foreign = Branch.objects.create(organization=other_organization, touch_point=point, code="x")
    queue = Queue.objects.create(branch=foreign, name="OAC", letter="A")
    client.force_login(unit_head)
    response = client.post(
        reverse("attention:desk_new", kwargs={"pk": office.pk}), {"name": "M", "queues": [queue.pk]}
    )
    assert response.status_code == 200
    assert not Desk.objects.filter(branch=office).exists()
    with pytest.raises(Exception, match="another branch"):
        setup.create_desk(office, name="M", queues=[queue], by=unit_head)


def test_overlapping_or_inverted_hours_are_refused(client, unit_head, office):
    client.force_login(unit_head)
    for data in (
        {"d1_opens1": "09:00", "d1_closes1": "13:00", "d1_opens2": "12:00", "d1_closes2": "15:00"},
        {"d2_opens1": "13:00", "d2_closes1": "09:00"},
        {"d3_opens1": "09:00"},
        {"d4_opens1": "25:99", "d4_closes1": "26:00"},
    ):
        response = client.post(reverse("attention:branch_hours", kwargs={"pk": office.pk}), data)
        assert response.status_code == 200
    assert not OpeningHours.objects.exists()


def test_duplicate_branch_code_is_a_field_error(
    client, unit_head, office, organization, branch, in_person
):
    point = TouchPointFactory(
        organization=organization, unit=branch, channel=in_person, name="Anexo"
    )
    client.force_login(unit_head)
    response = client.post(
        reverse("attention:branch_new"),
        {
            "touch_point": point.pk,
            "code": "arica",
            "no_show_after_calls": 3,
            "service_level_minutes": 15,
        },
    )
    assert response.status_code == 200
    assert Branch.objects.count() == 1


def test_an_institution_served_by_a_front_office_is_shown_its_agreement_first(
    client, organization, other_organization
):
    """The institution has no branch: its home names the front office that serves its
    procedures and the target, and leads to its figures there."""
    import datetime as dt

    from compromiso.attention.models import FrontOfficeAgreement

    FrontOfficeAgreement.objects.create(
        front_office=organization,
        institution=other_organization,
        reference="CONV-7",
        valid_from=dt.date(2020, 1, 1),
        target_within_minutes=20,
        target_share=85,
    )
    FrontOfficeAgreement.objects.create(  # expired: not shown
        front_office=organization,
        institution=other_organization,
        reference="CONV-OLD",
        valid_from=dt.date(2010, 1, 1),
        valid_until=dt.date(2012, 1, 1),
    )
    manager = UserFactory()
    MembershipFactory(user=manager, organization=other_organization, role=Role.QUALITY_MANAGER)
    client.force_login(manager)
    client.cookies["compromiso_language"] = "es"

    body = client.get(reverse("attention:home")).content.decode()

    assert "Atendido por una red de atención" in body
    assert (
        f"{organization.name} atiende sus trámites en sus oficinas: meta 85 % de sus "
        "visitantes atendidos en 20 minutos."
    ) in body
    assert "CONV-7" in body
    assert "CONV-OLD" not in body
    assert reverse("attention:institution") in body
    assert "Su organización no tiene oficinas propias." in body
    assert "Todavía ninguna oficina gestiona una fila." not in body


def test_the_appointment_windows_are_set_on_the_branch_form(client, unit_head, office):
    client.force_login(unit_head)
    url = reverse("attention:branch_edit", kwargs={"pk": office.pk})
    data = {
        "code": office.code,
        "no_show_after_calls": 3,
        "service_level_minutes": 15,
        "accepts_appointments": "on",
        "is_active": "on",
        "check_in_opens_minutes": 20,
        "check_in_closes_minutes": 10,
        "no_show_after_minutes": 5,
    }
    refused = client.post(url, data)
    assert refused.status_code == 200
    assert "An appointment can only be a no-show once its check-in has closed." in (
        refused.content.decode()
    )
    office.refresh_from_db()
    assert office.check_in_opens_minutes == 60  # nothing saved

    client.post(url, {**data, "no_show_after_minutes": 40})
    office.refresh_from_db()
    assert (
        office.check_in_opens_minutes,
        office.check_in_closes_minutes,
        office.no_show_after_minutes,
    ) == (20, 10, 40)
    page = client.get(reverse("attention:branch", kwargs={"pk": office.pk})).content.decode()
    assert "Appointment check-in opens (minutes before the time)" in page
