"""Staff case pages: the inbox, intake, the timeline and actions, scoping."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from compromiso.cases import services
from compromiso.cases.models import TRANSITIONS, Case, Status
from compromiso.catalog.tests.factories import ChannelFactory, ServiceFactory
from compromiso.core.actors import PUBLIC, SYSTEM
from compromiso.core.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def counter(organization):
    return ChannelFactory(organization=organization, kind="in_person", name="Mesón")


@pytest.fixture
def arica_case(organization, branch, counter):
    service = ServiceFactory(organization=organization, provider_unit=branch, name="Certificados")
    case, _secret = services.receive_case(
        organization=organization,
        kind="complaint",
        channel=counter,
        service=service,
        subject="Fila de dos horas",
        description="Esperé dos horas.",
        requester_name="Ana Pérez",
        requester_email="ana@example.org",
        by=PUBLIC,
    )
    return case


@pytest.fixture
def temuco_case(organization, other_branch, counter):
    service = ServiceFactory(organization=organization, provider_unit=other_branch, name="Pagos")
    case, _secret = services.receive_case(
        organization=organization,
        kind="complaint",
        channel=counter,
        service=service,
        subject="Caja cerrada",
        description="No había atención.",
        requester_name="Luis Soto",
        by=PUBLIC,
    )
    return case


@pytest.mark.parametrize("name", ["cases:inbox", "cases:new"])
def test_anonymous_visitors_are_sent_to_log_in(client, name):
    assert client.get(reverse(name)).status_code == 302


def test_officer_sees_own_branchs_cases_only(client, officer, arica_case, temuco_case):
    client.force_login(officer)

    html = client.get(reverse("cases:inbox")).content.decode()

    assert arica_case.tracking_code in html
    assert temuco_case.tracking_code not in html
    assert client.get(reverse("cases:detail", args=[temuco_case.pk])).status_code == 404
    assert (
        client.post(
            reverse("cases:act", args=[temuco_case.pk, "answer"]), {"text": "x"}
        ).status_code
        == 404
    )


def test_outsider_sees_nothing(client, outsider, arica_case):
    client.force_login(outsider)

    assert arica_case.tracking_code not in client.get(reverse("cases:inbox")).content.decode()
    assert client.get(reverse("cases:detail", args=[arica_case.pk])).status_code == 404


def test_viewing_a_case_is_recorded(client, officer, arica_case):
    client.force_login(officer)

    client.get(reverse("cases:detail", args=[arica_case.pk]))

    assert AuditEntry.objects.filter(action="cases.case.viewed", actor=officer).exists()


def test_inbox_filters_flag_overdue_and_paginate(
    client, quality_manager, arica_case, temuco_case, monkeypatch
):
    Case.objects.filter(pk=arica_case.pk).update(due_at=timezone.now() - dt.timedelta(days=1))
    client.force_login(quality_manager)

    overdue = client.get(reverse("cases:inbox"), {"due": "overdue"})
    assert [c.pk for c in overdue.context["cases"]] == [arica_case.pk]
    assert "vencido" in overdue.content.decode()  # "overdue" badge, in Spanish

    monkeypatch.setattr("compromiso.cases.views.inbox.PAGE_SIZE", 1)
    first = client.get(reverse("cases:inbox"))
    second = client.get(reverse("cases:inbox"), {"after": first.context["next_cursor"]})
    assert [c.pk for c in first.context["cases"]] == [temuco_case.pk]
    assert [c.pk for c in second.context["cases"]] == [arica_case.pk]
    assert second.context["next_cursor"] is None


def test_nonsense_filters_and_cursors_do_no_harm(client, quality_manager, arica_case):
    client.force_login(quality_manager)

    for params in (
        {"after": "garbage"},
        {"after": "2026-01-01T00:00:00_x"},
        {"status": "<b>"},
        {"unit": "99999"},
    ):
        assert client.get(reverse("cases:inbox"), params).status_code == 200


def test_officer_works_a_case_through_the_page(client, officer, arica_case):
    client.force_login(officer)

    def act(action, text=""):
        return client.post(reverse("cases:act", args=[arica_case.pk, action]), {"text": text})

    client.post(reverse("cases:act", args=[arica_case.pk, "assign"]), {"assignee": officer.pk})
    act("start")
    act("note", "Revisar cámaras")
    act("answer", "Reforzamos la atención en horas punta.")
    act("close")

    arica_case.refresh_from_db()
    assert arica_case.status == Status.CLOSED
    assert arica_case.assignee == officer
    page = client.get(reverse("cases:detail", args=[arica_case.pk])).content.decode()
    assert "Reforzamos la atención" in page
    assert "Revisar cámaras" in page


def test_refused_actions_explain_why_and_change_nothing(client, officer, arica_case):
    client.force_login(officer)

    closed = client.post(reverse("cases:act", args=[arica_case.pk, "close"]), follow=True)
    empty_answer = client.post(
        reverse("cases:act", args=[arica_case.pk, "answer"]), {"text": ""}, follow=True
    )
    unknown = client.post(reverse("cases:act", args=[arica_case.pk, "explode"]))

    arica_case.refresh_from_db()
    assert arica_case.status == Status.RECEIVED
    assert "no es posible en un caso en estado" in closed.content.decode()
    assert "no puede estar vacía" in empty_answer.content.decode()
    assert unknown.status_code == 404


def test_viewers_read_but_cannot_act(client, viewer, arica_case):
    client.force_login(viewer)

    assert client.get(reverse("cases:detail", args=[arica_case.pk])).status_code == 200
    assert client.post(reverse("cases:act", args=[arica_case.pk, "start"])).status_code == 403
    assert client.get(reverse("cases:new")).status_code == 403


def test_counter_intake_by_staff(client, officer, organization, counter, branch):
    client.force_login(officer)
    service = ServiceFactory(organization=organization, provider_unit=branch)

    response = client.post(
        reverse("cases:new"),
        {
            "kind": "inquiry",
            "channel": counter.pk,
            "service": service.pk,
            "priority": "normal",
            "subject": "Horario",
            "description": "¿Abren el sábado?",
            "requester_name": "Rosa",
            "reply_channel": "phone",
            "requester_phone": "+56 9 1234 5678",
        },
    )

    case = Case.objects.get()
    assert response["Location"] == reverse("cases:detail", args=[case.pk])
    assert case.channel == counter
    assert case.events.get().actor == officer


def test_legal_deadlines_are_listed_and_edited_by_quality_managers(
    client, quality_manager, viewer, organization
):
    from compromiso.cases.models import DeadlinePolicy

    services.install_deadline_presets(organization, by=SYSTEM)
    client.force_login(viewer)
    listing = client.get(reverse("cases:policies"))
    policy = DeadlinePolicy.objects.get(organization=organization, kind="complaint")
    assert listing.status_code == 200
    assert client.get(reverse("cases:policy_edit", args=[policy.pk])).status_code == 403

    client.force_login(quality_manager)
    bad = client.post(
        reverse("cases:policy_edit", args=[policy.pk]),
        {"amount": "0", "unit": "business_days", "extension": "0", "legal_basis": "x"},
    )
    good = client.post(
        reverse("cases:policy_edit", args=[policy.pk]),
        {
            "amount": "15",
            "unit": "business_days",
            "extension": "5",
            "legal_basis": "Política propia",
        },
    )

    assert "amount" in bad.context["form"].errors
    assert good.status_code == 302
    policy.refresh_from_db()
    assert (policy.amount, policy.extension) == (15, 5)
    assert (
        AuditEntry.objects.for_object(policy)
        .filter(action="cases.deadline_policy.updated")
        .exists()
    )


def test_reading_the_deadlines_page_installs_nothing_and_shows_what_would_be_installed(
    client, quality_manager, organization
):
    from compromiso.cases.models import DeadlinePolicy

    client.force_login(quality_manager)
    page = client.get(reverse("cases:policies"))

    assert page.status_code == 200
    assert not DeadlinePolicy.objects.filter(organization=organization).exists()
    assert not AuditEntry.objects.filter(action="cases.deadline_policy.created").exists()
    assert {policy.kind for policy in page.context["missing"]} >= {"complaint", "suggestion"}
    assert escape(page.context["missing"][0].legal_basis) in page.content.decode()
    assert "Instalar estos plazos legales" in page.content.decode()


def test_a_quality_manager_installs_the_legal_deadlines_with_the_button(
    client, quality_manager, organization
):
    from compromiso.cases.models import DeadlinePolicy

    client.force_login(quality_manager)
    response = client.post(reverse("cases:policies"))

    assert response.status_code == 302
    installed = DeadlinePolicy.objects.filter(organization=organization)
    assert installed.filter(kind="complaint").exists()
    entries = AuditEntry.objects.filter(action="cases.deadline_policy.created")
    assert entries.count() == installed.count()
    assert set(entries.values_list("actor", flat=True)) == {quality_manager.pk}
    assert client.get(reverse("cases:policies")).context["missing"] == []


def test_people_who_cannot_manage_the_organisation_cannot_install_deadlines(
    client, viewer, officer, organization
):
    from compromiso.cases.models import DeadlinePolicy

    for person in (viewer, officer):
        client.force_login(person)
        assert client.post(reverse("cases:policies")).status_code == 403
        with pytest.raises(PermissionDenied):
            services.install_deadline_presets(organization, by=person)

    assert not DeadlinePolicy.objects.filter(organization=organization).exists()


def test_the_assign_form_follows_the_actions_the_case_allows(client, officer, arica_case):
    client.force_login(officer)
    url = reverse("cases:detail", args=[arica_case.pk])
    assign = reverse("cases:act", args=[arica_case.pk, "assign"])
    assert assign in client.get(url).content.decode()

    services.withdraw_case(arica_case, reason="Ya no lo necesito.", by=officer)
    page = client.get(url)

    assert "assign" not in arica_case.allowed_actions()
    assert assign not in page.content.decode()
    assert page.context["actions"] == []


def test_policy_changes_do_not_move_cases_already_received(client, quality_manager, arica_case):
    from compromiso.cases.models import DeadlinePolicy

    before = arica_case.due_at
    policy = DeadlinePolicy.objects.get(organization=arica_case.organization, kind="complaint")
    services.update_deadline_policy(policy, amount=5, by=quality_manager)

    services.recompute_deadline(arica_case)
    assert arica_case.due_at == before


def test_outsider_cannot_edit_another_organisations_deadlines(client, outsider, organization):
    from compromiso.cases.models import DeadlinePolicy

    services.install_deadline_presets(organization, by=SYSTEM)
    policy = DeadlinePolicy.objects.filter(organization=organization).first()
    client.force_login(outsider)

    assert client.get(reverse("cases:policy_edit", args=[policy.pk])).status_code == 404


def test_an_answer_date_is_corrected_with_a_reason_and_bad_dates_are_refused(
    client, officer, viewer, arica_case
):
    Case.objects.filter(pk=arica_case.pk).update(received_at=timezone.now() - dt.timedelta(days=2))
    arica_case.refresh_from_db()
    services.answer_case(arica_case, answer="Le respondemos.", by=officer)
    answered = Case.objects.get(pk=arica_case.pk).answered_at
    url = reverse("cases:answer_date", args=[arica_case.pk])
    client.force_login(viewer)
    assert client.post(url, {"answered_at": "2020-01-01T10:00", "reason": "x"}).status_code == 403
    client.force_login(officer)

    future = client.post(url, {"answered_at": "2999-01-01T10:00", "reason": "Error"}, follow=True)
    before = client.post(url, {"answered_at": "2000-01-01T10:00", "reason": "Error"}, follow=True)
    garbage = client.post(url, {"answered_at": "ayer", "reason": ""}, follow=True)

    assert "no puede estar en el futuro" in future.content.decode()
    assert "no puede ser anterior al caso" in before.content.decode()
    assert garbage.status_code == 200
    assert Case.objects.get(pk=arica_case.pk).answered_at == answered
    earlier = timezone.localtime(answered) - dt.timedelta(days=1)
    client.post(
        url,
        {"answered_at": earlier.strftime("%Y-%m-%dT%H:%M"), "reason": "Carta enviada antes."},
    )
    case = Case.objects.get(pk=arica_case.pk)
    assert case.answered_at < answered
    assert case.events.filter(kind="note", comment__contains="Carta enviada antes.").exists()


def test_inbox_state_filter_lists_only_case_states(client, quality_manager, arica_case):
    """Redress, reminders, escalations and verdicts are things that happen to a case, never a
    state it is in: the state filter does not offer them."""
    client.force_login(quality_manager)

    form = client.get(reverse("cases:inbox")).context["form"]
    offered = {value for value, _label in form.fields["status"].choices} - {"", "all"}

    assert offered == set(TRANSITIONS)
    assert not offered & {"redress", "reminder", "escalated", "accepted", "rejected"}


def _waiting(case, officer):
    services.assign_case(case, assignee=officer, by=officer)
    services.request_information(case, message="Adjunte la boleta.", by=officer)


def test_the_page_refuses_start_on_a_case_waiting_for_the_requester(client, officer, arica_case):
    _waiting(arica_case, officer)
    client.force_login(officer)

    page = client.get(reverse("cases:detail", args=[arica_case.pk]))
    offered = [action["name"] for action in page.context["actions"]]
    refused = client.post(
        reverse("cases:act", args=[arica_case.pk, "start"]), {"text": "Lo que escribí"}
    )

    assert "start" not in offered
    assert "resume" in offered
    assert refused.status_code == 409
    html = refused.content.decode()
    assert "«Empezar a tramitar» no es posible en un caso en estado «En espera" in html
    assert "Lo que escribí" in html  # nothing typed is lost
    arica_case.refresh_from_db()
    assert arica_case.status == Status.WAITING
    assert arica_case.due_at is None  # still paused: resuming restarts the clock


def test_the_page_refuses_start_on_a_long_closed_case(client, officer, arica_case):
    services.assign_case(arica_case, assignee=officer, by=officer)
    services.answer_case(arica_case, answer="Resuelto.", by=officer)
    services.close_case(arica_case, by=SYSTEM)
    Case.objects.filter(pk=arica_case.pk).update(closed_at=timezone.now() - dt.timedelta(days=400))
    client.force_login(officer)

    refused = client.post(reverse("cases:act", args=[arica_case.pk, "start"]), {"text": ""})

    assert refused.status_code == 409
    assert "no es posible" in refused.content.decode()
    assert refused.context["actions"] == []
    arica_case.refresh_from_db()
    assert arica_case.status == Status.CLOSED


def test_htmx_refusal_returns_the_actions_panel_with_the_reason(client, officer, arica_case):
    _waiting(arica_case, officer)
    client.force_login(officer)

    refused = client.post(
        reverse("cases:act", args=[arica_case.pk, "start"]),
        {"text": "Texto"},
        headers={"HX-Request": "true"},
    )
    done = client.post(
        reverse("cases:act", args=[arica_case.pk, "resume"]),
        {"text": "Recibido"},
        headers={"HX-Request": "true"},
    )

    html = refused.content.decode()
    assert refused.status_code == 200  # htmx swaps only successful answers
    assert html.lstrip().startswith('<section id="case-actions-panel">')
    assert "no es posible en un caso en estado" in html
    assert "<html" not in html
    assert done.headers["HX-Redirect"] == reverse("cases:detail", args=[arica_case.pk])
    arica_case.refresh_from_db()
    assert arica_case.status == Status.IN_PROGRESS


def test_the_assignee_list_offers_only_people_who_can_handle_the_cases_unit(
    client, organization, region, other_branch, officer, quality_manager, viewer, arica_case
):
    from compromiso.core.permissions import Role
    from compromiso.organizations.tests.factories import MembershipFactory, UserFactory

    temuco = UserFactory(username="temuco")
    MembershipFactory(
        user=temuco, organization=organization, unit=other_branch, role="case_officer"
    )
    regional = UserFactory(username="regional")
    MembershipFactory(user=regional, organization=organization, unit=region, role=Role.UNIT_HEAD)
    client.force_login(quality_manager)

    form = client.get(reverse("cases:detail", args=[arica_case.pk])).context["assign_form"]
    offered = {user.username for user in form.fields["assignee"].queryset}
    refused = client.post(
        reverse("cases:act", args=[arica_case.pk, "assign"]), {"assignee": temuco.pk}
    )

    assert offered == {"officer", "quality", "regional"}  # not Temuco's officer, not the viewer
    assert refused.status_code == 422
    arica_case.refresh_from_db()
    assert arica_case.assignee is None


def test_a_case_routed_outside_the_officers_scope_ends_on_a_receipt(
    client, officer, organization, counter, other_branch, unit_head
):
    """Recorded at the Arica counter about a Temuco service: the officer gets the tracking code
    and where it went, not a 404, and still cannot open the case."""
    client.force_login(officer)
    service = ServiceFactory(organization=organization, provider_unit=other_branch)

    response = client.post(
        reverse("cases:new"),
        {
            "kind": "complaint",
            "channel": counter.pk,
            "service": service.pk,
            "priority": "normal",
            "subject": "Caja cerrada en Temuco",
            "description": "No había atención.",
            "requester_name": "Rosa",
            "reply_channel": "phone",
            "requester_phone": "+56 9 1234 5678",
        },
        follow=True,
    )

    case = Case.objects.get()
    html = response.content.decode()
    assert response.status_code == 200
    assert case.tracking_code in html
    assert "Sucursal Temuco" in html
    assert "No había atención" not in html
    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 404
    receipt = response.redirect_chain[-1][0]
    client.force_login(unit_head)  # someone else cannot read another person's receipt
    assert client.get(receipt).status_code == 404
    assert client.get(reverse("cases:received", args=["forged"])).status_code == 404
