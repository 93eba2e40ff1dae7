"""Front-office agreements: kept by the front office, in force between two dates, and what the
front office offers follows them."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from compromiso.attention import directory
from compromiso.attention.models import FrontOfficeAgreement
from compromiso.attention.services import directory as services
from compromiso.attention.tests.test_directory import make_agreement, member, procedure
from compromiso.core.actors import SYSTEM
from compromiso.organizations.tests.factories import OrganizationFactory


@pytest.fixture
def institution(db):
    return OrganizationFactory(name="Instituto de Previsión Social", slug="ips")


@pytest.fixture
def pension(institution):
    return procedure(institution, "PGU", "Pensión Garantizada Universal")


def names(hits):
    return [h.procedure.name for h in hits]


def test_an_expired_agreement_no_longer_lists_the_procedures(organization, institution, pension):
    today = organization.today()
    agreement = make_agreement(organization, institution, [pension], valid_from=today)
    assert names(directory.search("", [organization])) == ["Pensión Garantizada Universal"]
    services.update_agreement(
        agreement,
        by=SYSTEM,
        valid_from=today - dt.timedelta(days=30),
        valid_until=today - dt.timedelta(days=1),
    )
    assert directory.search("", [organization]) == []
    assert directory.search("pension", [organization], day=today - dt.timedelta(days=2))


def test_an_agreement_not_yet_in_force_lists_nothing(organization, institution, pension):
    make_agreement(
        organization, institution, [pension], valid_from=organization.today() + dt.timedelta(1)
    )
    assert directory.search("", [organization]) == []


def test_an_agreement_needs_two_organisations_and_the_institution_s_procedures(
    organization, institution, pension
):
    mine = procedure(organization, "MINE", "Propio")
    with pytest.raises(ValidationError):
        make_agreement(organization, organization, [mine])
    with pytest.raises(ValidationError):
        make_agreement(organization, institution, [mine])
    with pytest.raises(ValidationError):
        make_agreement(
            organization,
            institution,
            [pension],
            valid_from=dt.date(2026, 1, 1),
            valid_until=dt.date(2025, 1, 1),
        )
    assert not FrontOfficeAgreement.objects.exists()


def test_only_a_manager_of_the_whole_front_office_makes_agreements(
    organization, institution, pension, unit_head, viewer
):
    for user in (unit_head, viewer):
        with pytest.raises(PermissionDenied):
            services.create_agreement(
                front_office=organization,
                institution=institution,
                valid_from=dt.date(2026, 1, 1),
                procedures=[pension],
                by=user,
            )


def test_a_manager_makes_an_agreement_in_two_steps(
    client, organization, institution, pension, quality_manager
):
    client.force_login(quality_manager)
    url = reverse("attention:agreement_new")
    first = client.get(url)
    assert first.status_code == 200
    assert "Instituto de Previsión Social" in first.text
    second = client.get(url, {"institution": institution.pk})
    assert "Pensión Garantizada Universal" in second.text
    response = client.post(
        f"{url}?institution={institution.pk}",
        {
            "procedures": [pension.pk],
            "target_within_minutes": "20",
            "target_share": "85",
            "valid_from": "2025-01-01",
            "reference": "Convenio 12/2025",
        },
    )
    assert response.status_code == 302
    agreement = FrontOfficeAgreement.objects.get()
    assert agreement.front_office == organization
    assert agreement.target_within_minutes == 20
    listing = client.get(reverse("attention:agreements"))
    assert "Convenio 12/2025" in listing.text
    edit = client.post(
        reverse("attention:agreement_edit", args=[agreement.pk]),
        {
            "procedures": [pension.pk],
            "target_within_minutes": "15",
            "target_share": "80",
            "valid_from": "2025-01-01",
            "valid_until": "2024-01-01",
        },
    )
    assert edit.status_code == 200  # ends before it starts: refused
    agreement.refresh_from_db()
    assert agreement.target_within_minutes == 20


def test_hostile_agreement_input_is_refused(client, organization, institution, quality_manager):
    client.force_login(quality_manager)
    url = reverse("attention:agreement_new")
    assert client.get(url, {"institution": "abc<script>"}).status_code == 200
    assert client.get(url, {"institution": organization.pk}).status_code == 200  # not itself
    response = client.post(
        f"{url}?institution={institution.pk}",
        {"target_within_minutes": "99999", "target_share": "250", "valid_from": "tomorrow"},
    )
    assert response.status_code == 200
    assert not FrontOfficeAgreement.objects.exists()


def test_the_front_office_sees_only_its_own_agreements(
    client, organization, institution, pension, other_organization, quality_manager
):
    theirs = make_agreement(other_organization, institution, [pension], reference="AJ-CAT")
    make_agreement(organization, institution, [pension], reference="CL-OWN")
    client.force_login(quality_manager)
    listing = client.get(reverse("attention:agreements"))
    assert "CL-OWN" in listing.text
    assert "AJ-CAT" not in listing.text
    response = client.get(reverse("attention:agreement_edit", args=[theirs.pk]))
    assert response.status_code == 404


def test_a_viewer_reads_the_agreements_but_cannot_change_them(
    client, organization, institution, pension, viewer
):
    agreement = make_agreement(organization, institution, [pension])
    client.force_login(viewer)
    assert client.get(reverse("attention:agreements")).status_code == 200
    assert client.get(reverse("attention:agreement_new")).status_code == 403
    assert client.get(reverse("attention:agreement_edit", args=[agreement.pk])).status_code == 403


def test_a_third_organisation_sees_nothing(client, organization, institution, pension):
    make_agreement(organization, institution, [pension], reference="CL-OWN")
    third = OrganizationFactory(name="Tercera")
    client.force_login(member(third))
    assert "CL-OWN" not in client.get(reverse("attention:agreements")).text
    page = client.get(reverse("attention:institution"))
    assert "Pensión" not in page.text
    assert client.get(reverse("attention:procedure", args=[pension.pk])).status_code == 404
