"""The network analyst, who belongs to no organisation, lands on the network's figures."""

import pytest
from django.urls import reverse

from compromiso.organizations.models import NetworkMember
from compromiso.organizations.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_network_analysts_log_in_lands_on_the_network_view(client, organization):
    analyst = UserFactory(username="red-analista")
    NetworkMember.objects.create(user=analyst)

    response = client.post(
        reverse("login"),
        {"username": "red-analista", "password": "correct horse battery staple"},
        follow=True,
    )

    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse("organizations:network")
    html = response.content.decode()
    assert f'href="{reverse("organizations:network")}"' in html  # in the navigation
    assert organization.name in html


def test_a_person_with_neither_organisation_nor_network_role_still_gets_a_404(client):
    client.force_login(UserFactory(username="nobody"))

    assert client.get(reverse("organizations:overview")).status_code == 404
