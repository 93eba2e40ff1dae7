"""Internal customers: the members of client units are invited, their answers carry the unit,
and the matrix shows each client unit's net score of each provider unit — small cells hidden."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from compromiso.catalog.tests.factories import ServiceFactory
from compromiso.organizations.tests.factories import MembershipFactory, UnitFactory, UserFactory
from compromiso.surveys import services
from compromiso.surveys.models import Invitation, Response
from compromiso.surveys.tests.conftest import answers_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def it_support(organization):
    it = UnitFactory(organization=organization, name="Informática")
    return ServiceFactory(
        organization=organization, provider_unit=it, name="Soporte", audience="internal"
    )


@pytest.fixture
def internal_wave(organization, quality_manager, questionnaire, it_support):
    wave = services.create_wave(
        organization,
        by=quality_manager,
        questionnaire=questionnaire,
        title="Clientes internos 2026",
        kind="baseline",
        audience="internal",
        services=[it_support],
        opens_on=dt.date(2026, 1, 1),
        closes_on=dt.date(2027, 12, 31),
    )
    wave.min_publish = 3  # the anonymity threshold (5) still applies to the matrix
    wave.save()
    return services.open_wave(wave, by=quality_manager)


def _staff(organization, unit, count):
    for n in range(count):
        user = UserFactory(email=f"{unit.name[:3].lower()}{n}@servicio.example")
        MembershipFactory(user=user, organization=organization, unit=unit, role="viewer")


def test_client_units_are_invited_and_the_matrix_hides_small_cells(
    client,
    organization,
    quality_manager,
    internal_wave,
    it_support,
    branch,
    other_branch,
    django_capture_on_commit_callbacks,
):
    _staff(organization, branch, 6)
    _staff(organization, other_branch, 2)
    with django_capture_on_commit_callbacks(execute=True):
        made = services.invite_client_units(
            internal_wave, by=quality_manager, units=[branch, other_branch]
        )
        again = services.invite_client_units(internal_wave, by=quality_manager, units=[branch])

    assert (len(made), len(again)) == (8, 0)
    assert len(mail.outbox) == 8
    assert "Sucursal Arica" in mail.outbox[0].body or "Sucursal Temuco" in mail.outbox[0].body
    for invitation in Invitation.objects.all():
        score = 7 if invitation.client_unit == branch else 2
        services.submit_response(
            internal_wave,
            service=it_support,
            answers=answers_for(internal_wave, score),
            invitation=invitation,
        )
    assert set(Response.objects.values_list("client_unit", flat=True)) == {
        branch.pk,
        other_branch.pk,
    }

    client.force_login(quality_manager)
    page = client.get(reverse("surveys:wave", args=[internal_wave.pk])).content.decode()

    assert "Clientes internos" in page
    assert "(n = 6)" in page  # Arica: six answers, all satisfied
    assert "n &lt; 5" in page  # Temuco: two answers, hidden


def test_external_waves_do_not_invite_units(quality_manager, wave, branch):
    with pytest.raises(services.SurveyError):
        services.invite_client_units(wave, by=quality_manager, units=[branch])


def test_an_internal_wave_refuses_answers_without_an_invitation(
    client, internal_wave, it_support, branch, quality_manager
):
    questions = list(internal_wave.questionnaire.questions.all())
    posted = {
        "service": it_support.pk,
        f"q{questions[0].pk}": 1,
        f"q{questions[1].pk}": 1,
        f"q{questions[2].pk}": "no",
    }

    with pytest.raises(services.SurveyError, match="invitación"):
        services.submit_response(
            internal_wave, service=it_support, answers=answers_for(internal_wave, 1)
        )
    page = client.get(reverse("portal:survey", args=[internal_wave.token]))
    sent = client.post(reverse("portal:survey", args=[internal_wave.token]), posted)
    kiosk = client.post(reverse("portal:survey_kiosk", args=[internal_wave.token]), posted)

    assert page.status_code == sent.status_code == kiosk.status_code == 403
    assert "solo con el enlace personal de una invitación" in page.content.decode()
    assert 'name="service"' not in page.content.decode()
    assert not Response.objects.exists()


@pytest.mark.parametrize(
    ("language", "words"),
    [("es", "invitación"), ("ca", "invitació"), ("en", "invitation")],
)
def test_the_invitation_only_page_speaks_the_visitors_language(
    client, internal_wave, language, words
):
    client.cookies["compromiso_language"] = language
    page = client.get(reverse("portal:survey", args=[internal_wave.token]))

    assert page.status_code == 403
    assert words in page.content.decode()


def test_an_invited_member_still_answers_an_internal_wave(
    client, organization, quality_manager, internal_wave, it_support, branch
):
    _staff(organization, branch, 1)
    (invitation,) = services.invite_client_units(internal_wave, by=quality_manager, units=[branch])
    questions = list(internal_wave.questionnaire.questions.all())

    sent = client.post(
        reverse("portal:survey", args=[internal_wave.token]) + f"?i={invitation.token}",
        {
            "service": it_support.pk,
            "invitation": invitation.token,
            f"q{questions[0].pk}": 7,
            f"q{questions[1].pk}": 7,
            f"q{questions[2].pk}": "yes",
        },
    )

    assert sent.status_code == 302
    assert Response.objects.get().client_unit == branch
