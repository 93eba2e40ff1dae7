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
