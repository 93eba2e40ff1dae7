"""Enrolling people in a planned session from its page, and taking off someone with no
results: who may, who is offered, and what bad input leaves behind."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from compromiso.core.actors import SYSTEM
from compromiso.core.audit import AuditEntry
from compromiso.servicemodel import services
from compromiso.servicemodel.models import Attendance, SessionStatus
from compromiso.servicemodel.tests.training_factories import person, programme

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 3, 2)


@pytest.fixture
def prog(organization):
    return programme(organization, "Protocolos de atención", validity=24)


@pytest.fixture
def planned(prog, branch):
    ana = person(prog.organization, branch, "ana")
    return services.plan_session(
        prog, by=SYSTEM, unit=branch, starts_on=DAY, external_trainer="Consultora", attendees=[ana]
    )


def _enrol(planned):
    return reverse("servicemodel:training_session_enrol", args=[planned.pk])


def _remove(planned, attendance):
    return reverse("servicemodel:training_attendance_remove", args=[planned.pk, attendance.pk])


def _enrolled(session):
    return sorted(session.attendances.values_list("staff_member__code", flat=True))


def test_anonymous_visitors_are_sent_to_log_in(client, planned):
    row = planned.attendances.get()
    for url in (_enrol(planned), _remove(planned, row)):
        response = client.post(url)
        assert response.status_code == 302
        assert reverse("login") in response["Location"]
    assert _enrolled(planned) == ["ana"]


def test_a_person_of_another_organisation_gets_404(client, outsider, planned, branch):
    beto = person(planned.organization, branch, "beto")
    client.force_login(outsider)

    assert client.post(_enrol(planned), {"attendees": [beto.pk]}).status_code == 404
    assert client.post(_remove(planned, planned.attendances.get())).status_code == 404
    assert _enrolled(planned) == ["ana"]


def test_a_reader_sees_no_form_and_cannot_enrol_or_take_off(client, viewer, planned, branch):
    beto = person(planned.organization, branch, "beto")
    client.force_login(viewer)

    page = client.get(reverse("servicemodel:training_session", args=[planned.pk]))
    assert page.context["enrol_form"] is None
    assert _enrol(planned) not in page.content.decode()
    assert client.post(_enrol(planned), {"attendees": [beto.pk]}).status_code == 403
    assert client.post(_remove(planned, planned.attendances.get())).status_code == 403
    assert _enrolled(planned) == ["ana"]


def test_the_form_offers_active_staff_of_the_units_subtree_not_yet_enrolled(
    client, quality_manager, prog, region, branch, other_branch
):
    person(prog.organization, region, "rita")
    person(prog.organization, branch, "beto")
    person(prog.organization, branch, "ciro", active=False)
    person(prog.organization, other_branch, "dora")
    ana = person(prog.organization, branch, "ana")
    session = services.plan_session(
        prog, by=SYSTEM, unit=region, starts_on=DAY, external_trainer="X", attendees=[ana]
    )
    client.force_login(quality_manager)

    response = client.get(reverse("servicemodel:training_session", args=[session.pk]))

    offered = response.context["enrol_form"].fields["attendees"].queryset
    assert sorted(offered.values_list("code", flat=True)) == ["beto", "rita"]
    assert "Inscribir personas" in response.content.decode()


def test_a_unit_head_enrols_staff_of_their_branch_with_an_audit_entry(
    client, unit_head, planned, branch
):
    beto = person(planned.organization, branch, "beto")
    carla = person(planned.organization, branch, "carla")
    client.force_login(unit_head)

    response = client.post(_enrol(planned), {"attendees": [beto.pk, carla.pk]}, follow=True)

    assert _enrolled(planned) == ["ana", "beto", "carla"]
    assert "2 personas inscritas." in response.content.decode()
    entry = AuditEntry.objects.get(action="servicemodel.trainingsession.enrolled")
    assert entry.data == {"added": 2}


def test_a_unit_head_cannot_touch_another_units_session(client, unit_head, prog, other_branch):
    dora = person(prog.organization, other_branch, "dora")
    eva = person(prog.organization, other_branch, "eva")
    theirs = services.plan_session(
        prog, by=SYSTEM, unit=other_branch, starts_on=DAY, external_trainer="X", attendees=[dora]
    )
    client.force_login(unit_head)

    assert client.post(_enrol(theirs), {"attendees": [eva.pk]}).status_code == 404
    assert client.post(_remove(theirs, theirs.attendances.get())).status_code == 404
    assert _enrolled(theirs) == ["dora"]


@pytest.mark.parametrize(
    "attendees",
    [
        [],
        ["999999999"],
        ["abc"],
        ["1' OR '1'='1"],
        ["9" * 40],
        ["<script>alert(1)</script>"],
    ],
)
def test_bad_attendees_are_refused_with_a_message_and_nothing_changes(
    client, quality_manager, planned, attendees
):
    client.force_login(quality_manager)

    response = client.post(_enrol(planned), {"attendees": attendees}, follow=True)

    assert response.status_code == 200
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert "<script>alert(1)</script>" not in response.content.decode()
    assert _enrolled(planned) == ["ana"]


def test_staff_of_another_unit_or_inactive_cannot_be_enrolled(
    client, quality_manager, planned, branch, other_branch
):
    dora = person(planned.organization, other_branch, "dora")
    ciro = person(planned.organization, branch, "ciro", active=False)
    client.force_login(quality_manager)

    for someone in (dora, ciro):
        client.post(_enrol(planned), {"attendees": [someone.pk]})

    assert _enrolled(planned) == ["ana"]
    with pytest.raises(ValidationError):
        services.enrol_in_session(planned, by=SYSTEM, staff_members=[dora])
    with pytest.raises(ValidationError):
        services.enrol_in_session(planned, by=SYSTEM, staff_members=[ciro])


def test_too_many_attendees_at_once_are_refused(client, quality_manager, planned, branch):
    people = [person(planned.organization, branch, f"p{n:03d}") for n in range(201)]
    client.force_login(quality_manager)

    response = client.post(_enrol(planned), {"attendees": [p.pk for p in people]}, follow=True)

    assert "Como máximo 200 personas." in response.content.decode()
    assert _enrolled(planned) == ["ana"]


def test_a_cancelled_or_held_session_takes_nobody_new(client, quality_manager, planned, branch):
    beto = person(planned.organization, branch, "beto")
    client.force_login(quality_manager)
    services.cancel_session(planned, by=SYSTEM)

    assert client.post(_enrol(planned), {"attendees": [beto.pk]}).status_code == 403
    page = client.get(reverse("servicemodel:training_session", args=[planned.pk]))
    assert page.context["enrol_form"] is None
    assert _enrolled(planned) == ["ana"]


def test_someone_with_no_results_is_taken_off_with_an_audit_entry(client, unit_head, planned):
    row = planned.attendances.get()
    client.force_login(unit_head)

    page = client.get(reverse("servicemodel:training_session", args=[planned.pk]))
    assert page.context["removable"] == {row.pk}
    response = client.post(_remove(planned, row), follow=True)

    assert _enrolled(planned) == []
    assert "Ana ya no está inscrito/a." in response.content.decode()
    entry = AuditEntry.objects.get(action="servicemodel.trainingsession.unenrolled")
    assert entry.data == {"staff_member": row.staff_member_id}


def test_nobody_is_taken_off_once_results_are_recorded(client, quality_manager, planned):
    row = planned.attendances.get()
    services.record_session_results(
        planned,
        by=SYSTEM,
        results=[services.Result(row.pk, attended=True, completed=False, score=None, passed=False)],
    )
    client.force_login(quality_manager)

    assert client.post(_remove(planned, row)).status_code == 403
    assert Attendance.objects.filter(pk=row.pk).exists()
    planned.refresh_from_db()
    assert planned.status == SessionStatus.HELD


def test_the_service_refuses_a_row_with_a_result_and_an_actor_outside_the_unit(
    planned, unit_head, other_branch, prog
):
    row = planned.attendances.get()
    row.score = 70
    row.save()
    with pytest.raises(services.TrainingError):
        services.unenrol_from_session(row, by=SYSTEM)
    dora = person(prog.organization, other_branch, "dora")
    theirs = services.plan_session(
        prog, by=SYSTEM, unit=other_branch, starts_on=DAY, external_trainer="X", attendees=[dora]
    )
    with pytest.raises(PermissionDenied):
        services.unenrol_from_session(theirs.attendances.get(), by=unit_head)
    assert Attendance.objects.count() == 2


def test_a_row_of_another_session_or_an_absurd_id_is_not_found(
    client, quality_manager, planned, prog, branch
):
    beto = person(prog.organization, branch, "beto")
    other = services.plan_session(
        prog, by=SYSTEM, unit=branch, starts_on=DAY, external_trainer="X", attendees=[beto]
    )
    client.force_login(quality_manager)

    assert client.post(_remove(planned, other.attendances.get())).status_code == 404
    huge = "9" * 20
    url = f"/staff/service-model/training/sessions/{planned.pk}/attendances/{huge}/remove/"
    assert client.post(url).status_code == 404
    assert Attendance.objects.count() == 2
