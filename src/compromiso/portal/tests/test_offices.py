"""The public office directory: every in-person touch point with address, hours, phone, the
procedures served, the OIRS badge, today's estimated wait, and the links to complain or answer a
survey."""

import datetime as dt
import uuid
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from compromiso.attention.models import OpeningHours
from compromiso.attention.services import directory as services
from compromiso.attention.tests import conftest as attention_fixtures
from compromiso.attention.tests.test_directory import procedure
from compromiso.cases.models import Case
from compromiso.catalog.tests.factories import ChannelFactory, TouchPointFactory
from compromiso.core.actors import SYSTEM
from compromiso.organizations.models import ClosureDay

pytestmark = pytest.mark.django_db

in_person = attention_fixtures.in_person
service = attention_fixtures.service
arica_point = attention_fixtures.arica_point
office = attention_fixtures.office
general_queue = attention_fixtures.general_queue


@pytest.fixture
def offices_setup(organization, branch, in_person, office, general_queue):
    office.phone = "+56 58 220 0000"
    office.save()
    for weekday in range(5):
        OpeningHours.objects.create(
            branch=office, weekday=weekday, opens_at=dt.time(8, 30), closes_at=dt.time(14, 0)
        )
    plain = TouchPointFactory(
        organization=organization,
        unit=branch,
        channel=in_person,
        name="Punto Putre",
        address="Plaza s/n, Putre",
        opening_hours="Martes 10:00–13:00",
    )
    web = ChannelFactory(organization=organization, kind="web", name="Sitio web")
    TouchPointFactory(organization=organization, unit=branch, channel=web, name="Portal web")
    TouchPointFactory(
        organization=organization,
        unit=branch,
        channel=in_person,
        name="Oficina cerrada",
        is_active=False,
    )
    cert = procedure(organization, "CERT", "Trámite de certificado")
    services.set_branch_procedures(
        cert, organization=organization, queues={office: general_queue}, by=SYSTEM
    )
    return {"plain": plain, "cert": cert}


def test_every_active_in_person_touch_point_is_listed(client, organization, offices_setup):
    page = client.get(reverse("portal:offices", args=[organization.slug]))
    assert page.status_code == 200
    text = page.text
    assert "Oficina Arica" in text
    assert "Punto Putre" in text
    assert "Portal web" not in text
    assert "Oficina cerrada" not in text
    assert "21 de Mayo 123, Arica" in text
    assert "+56 58 220 0000" in text
    assert "08:30–14:00" in text  # the branch's hours per weekday
    assert "Martes 10:00–13:00" in text  # the touch point's own text when no branch
    assert "Trámite de certificado" in text
    assert text.count("OIRS") == 1  # only the Arica branch has the desk
    complaint = reverse("portal:case_new", args=[organization.slug])
    assert f"{complaint}?touch_point={offices_setup['plain'].pk}" in text


def _at_local(organization, day, hour, minute=0):
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=organization.zone)


def test_the_estimate_shows_while_open_and_nothing_when_closed(
    client, organization, office, general_queue, offices_setup
):
    monday = dt.date(2026, 11, 2)  # not a Chilean holiday
    url = reverse("portal:office", args=[organization.slug, "arica"])
    with mock.patch.object(timezone, "now", return_value=_at_local(organization, monday, 10)):
        open_page = client.get(url)
    assert open_page.status_code == 200
    assert "Atención general" in open_page.text
    with mock.patch.object(timezone, "now", return_value=_at_local(organization, monday, 20)):
        closed_page = client.get(url)
    assert "Atención general" not in closed_page.text


def test_a_closure_day_closes_the_office_page_within_its_hours(
    client, organization, office, general_queue, offices_setup
):
    """The page asks the kiosk's rule (attention's `is_open_at`): a closure day of the
    organisation closes a branch with its own hours, and no wait is shown."""
    monday = dt.date(2026, 11, 2)
    ClosureDay.objects.create(organization=organization, date=monday)
    url = reverse("portal:office", args=[organization.slug, "arica"])
    with mock.patch.object(timezone, "now", return_value=_at_local(organization, monday, 10)):
        page = client.get(url)
    assert page.status_code == 200
    assert "Atención general" not in page.text


def test_no_estimate_is_said_when_there_is_no_history(
    client, organization, office, general_queue, offices_setup
):
    monday = dt.date(2026, 11, 2)
    with mock.patch.object(timezone, "now", return_value=_at_local(organization, monday, 10)):
        page = client.get(reverse("portal:offices", args=[organization.slug]))
    assert "Atención general" in page.text


def test_an_office_without_a_branch_has_its_own_page(client, organization, offices_setup):
    code = f"p{offices_setup['plain'].pk}"
    page = client.get(reverse("portal:office", args=[organization.slug, code]))
    assert page.status_code == 200
    assert "Punto Putre" in page.text


@pytest.mark.parametrize("code", ["nope", "p999999", "p" + "9" * 40, "<script>"])
def test_unknown_offices_are_404(client, organization, offices_setup, code):
    assert client.get(reverse("portal:office", args=[organization.slug, code])).status_code == 404


def test_an_unknown_organisation_is_404(client):
    assert client.get(reverse("portal:offices", args=["nobody"])).status_code == 404


def test_another_organisation_s_office_is_not_found_under_this_slug(
    client, other_organization, offices_setup
):
    url = reverse("portal:office", args=[other_organization.slug, "arica"])
    assert client.get(url).status_code == 404
    page = client.get(reverse("portal:offices", args=[other_organization.slug]))
    assert "Oficina Arica" not in page.text


def test_a_complaint_from_an_office_page_names_the_office(
    client, organization, other_organization, offices_setup, arica_point
):
    ChannelFactory(organization=organization, kind="web", name="Web")
    url = reverse("portal:case_new", args=[organization.slug])
    data = {
        "kind": "complaint",
        "subject": "Espera larga",
        "description": "Esperé dos horas.",
        "requester_name": "Ana",
        "requester_email": "ana@example.org",
        "reply_channel": "email",
        "website": "",
    }
    response = client.post(
        f"{url}?touch_point={arica_point.pk}", {**data, "submission_id": str(uuid.uuid4())}
    )
    assert response.status_code == 302
    assert Case.objects.get().touch_point == arica_point
    # another organisation's touch point, or garbage, is ignored
    elsewhere = TouchPointFactory(organization=other_organization, name="Fora")
    for wrong in (str(elsewhere.pk), "abc", "9" * 40):
        client.post(f"{url}?touch_point={wrong}", {**data, "submission_id": str(uuid.uuid4())})
    assert Case.objects.count() == 4
    assert Case.objects.filter(touch_point__isnull=False).count() == 1
