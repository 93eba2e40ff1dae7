"""Invitations: single-use personal links (a reused or forged token is refused), one reminder,
the post-contact survey after a case is closed, and a dissatisfied respondent who wants to be
contacted becoming a case (closing the loop)."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from compromiso.cases import services as case_services
from compromiso.cases.models import Case
from compromiso.core.actors import PUBLIC
from compromiso.surveys import services
from compromiso.surveys.models import Invitation, Response
from compromiso.surveys.tests.conftest import answers_for

pytestmark = pytest.mark.django_db


def _answer(client, wave, invitation, overall=7, **extra):
    questions = list(wave.questionnaire.questions.all())
    data = {
        "service": invitation.service_id,
        "invitation": invitation.token,
        f"q{questions[0].pk}": overall,
        f"q{questions[1].pk}": 6,
        f"q{questions[2].pk}": "yes",
    }
    data.update(extra)
    return client.post(reverse("portal:survey", args=[wave.token]), data)


def test_an_invitation_is_mailed_and_works_once(
    client, wave, licences, quality_manager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        (invitation,) = services.invite(
            wave, by=quality_manager, service=licences, emails=["ana@example.org", " "]
        )
    link = f"/s/{wave.token}/?i={invitation.token}"

    assert len(mail.outbox) == 1
    assert link in mail.outbox[0].body
    assert client.get(link).status_code == 200
    first = _answer(client, wave, invitation)
    again = _answer(client, wave, invitation)

    assert first.status_code == 302
    assert again.status_code == 410
    assert Response.objects.count() == 1
    used = Invitation.objects.get()
    assert used.used_at is not None
    assert used.email == ""  # erased once used: answers stay anonymous


def test_a_forged_invitation_gets_404(client, wave):
    assert client.get(f"/s/{wave.token}/?i=forged-token").status_code == 404


def test_bad_addresses_are_refused_and_nothing_is_sent(wave, licences, quality_manager):
    with pytest.raises(ValidationError):
        services.invite(wave, by=quality_manager, service=licences, emails=["ana@", "b@x.org"])

    assert not Invitation.objects.exists()


def test_one_reminder_after_five_days(
    wave, licences, quality_manager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.invite(wave, by=quality_manager, service=licences, emails=["ana@example.org"])
    Invitation.objects.update(sent_at=timezone.now() - dt.timedelta(days=6))

    assert services.remind_invitations() == 1
    assert services.remind_invitations() == 0
    assert len(mail.outbox) == 2
    assert mail.outbox[1].subject.startswith("Recordatorio")


def test_closing_a_case_invites_its_requester_once(
    organization, wave, licences, officer, web, django_capture_on_commit_callbacks
):
    case, _secret = case_services.receive_case(
        organization=organization,
        kind="inquiry",
        channel=web,
        service=licences,
        subject="Consulta",
        description="¿Horario?",
        requester_name="Ana",
        requester_email="ana@example.org",
        by=PUBLIC,
    )
    case_services.answer_case(case, answer="De 9 a 14 h.", by=officer)
    with django_capture_on_commit_callbacks(execute=True):
        case_services.close_case(case, by=officer)

    invitation = Invitation.objects.get()
    assert (invitation.case_id_ref, invitation.service) == (case.pk, licences)
    assert any(invitation.token in m.body for m in mail.outbox)
    assert services.invite_after_case(case) is None  # never twice


def test_a_dissatisfied_respondent_who_wants_contact_becomes_a_case(wave, licences, web):
    services.submit_response(
        wave,
        service=licences,
        answers=answers_for(wave, 2, text="Nadie me atendió"),
        contact_email="pedro@example.org",
    )
    services.submit_response(wave, service=licences, answers=answers_for(wave, 3))  # anonymous
    services.submit_response(
        wave, service=licences, answers=answers_for(wave, 7), contact_email="eva@example.org"
    )

    case = Case.objects.get()
    assert case.requester_email == "pedro@example.org"
    assert case.service == licences
    assert "Nadie me atendió" in case.description
