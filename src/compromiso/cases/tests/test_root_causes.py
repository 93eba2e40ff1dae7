"""The root-cause coding is seeded when an organisation is created, never by opening a page."""

import pytest
from django.urls import reverse

from compromiso.cases import services
from compromiso.cases.models import RootCause
from compromiso.catalog.tests.factories import ChannelFactory, ServiceFactory
from compromiso.core.actors import DEMO, PUBLIC
from compromiso.core.models import AuditEntry
from compromiso.organizations import services as organizations

pytestmark = pytest.mark.django_db


def test_a_new_organisation_gets_the_standard_causes_in_its_language():
    organization = organizations.create_organization(
        by=DEMO,
        name="Agència",
        slug="agencia",
        country="ES",
        subdivision="CT",
        language="ca",
        time_zone="Europe/Madrid",
    )

    causes = set(RootCause.objects.filter(organization=organization).values_list("code", "name"))
    assert causes == set(services.ROOT_CAUSES["ca"])
    entry = AuditEntry.objects.get(action="cases.root_causes.installed")
    assert entry.actor_label == "system: demo"
    assert entry.data == {"count": len(causes)}


def test_opening_the_taxonomy_page_and_a_case_changes_nothing(
    client, organization, branch, quality_manager
):
    service = ServiceFactory(organization=organization, provider_unit=branch)
    case, _secret = services.receive_case(
        organization=organization,
        kind="complaint",
        channel=ChannelFactory(organization=organization),
        service=service,
        subject="Espera",
        description="Esperé dos horas.",
        requester_name="Ana",
        by=PUBLIC,
    )
    client.force_login(quality_manager)
    entries = AuditEntry.objects.count()

    taxonomy = client.get(reverse("cases:taxonomy"))
    detail = client.get(reverse("cases:detail", args=[case.pk]))

    assert taxonomy.status_code == detail.status_code == 200
    assert not RootCause.objects.filter(organization=organization).exists()
    # the only entry is the record that the case (personal data) was read
    assert list(AuditEntry.objects.order_by("pk").values_list("action", flat=True)[entries:]) == [
        "cases.case.viewed"
    ]
    assert "Instalar las causas estándar" in taxonomy.content.decode()


def test_a_manager_installs_the_standard_causes_with_the_button(
    client, organization, quality_manager
):
    client.force_login(quality_manager)

    response = client.post(reverse("cases:taxonomy"), {"install_causes": "1"})

    assert response.status_code == 302
    assert RootCause.objects.filter(organization=organization).count() == len(
        services.ROOT_CAUSES["es"]
    )
    entry = AuditEntry.objects.get(action="cases.root_causes.installed")
    assert entry.actor == quality_manager
    assert (
        "Instalar las causas estándar" not in client.get(reverse("cases:taxonomy")).content.decode()
    )


def test_only_a_manager_may_install_the_causes(organization, officer, quality_manager):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.install_root_causes(organization, by=officer)
    assert not RootCause.objects.filter(organization=organization).exists()
    assert services.install_root_causes(organization, by=quality_manager) > 0
    assert services.install_root_causes(organization, by=quality_manager) == 0  # only once
