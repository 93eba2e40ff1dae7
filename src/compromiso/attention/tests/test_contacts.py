"""The contacts log: recording a contact (an agent, or a self-service module as the system),
the list with its filters, the figures page, and who may do what."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone, translation

from compromiso.attention import services
from compromiso.attention.models import Contact, ContactKind, ContactOutcome, ContactSource
from compromiso.catalog.tests.factories import ChannelFactory
from compromiso.core.actors import SYSTEM
from compromiso.core.errors import DomainError

SANTIAGO = ZoneInfo("America/Santiago")


@pytest.fixture(autouse=True)
def _english(client, settings):
    """Messages read in English here; one test checks a reason in Spanish."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    translation.activate("en")


@pytest.fixture
def phone(organization):
    return ChannelFactory(organization=organization, kind="phone", name="Línea 101")


def test_an_agent_records_a_phone_call(client, officer, phone, service):
    client.force_login(officer)
    assert client.get(reverse("attention:contact_new")).status_code == 200
    response = client.post(
        reverse("attention:contact_new"),
        {
            "kind": ContactKind.PHONE,
            "channel": phone.pk,
            "service": service.pk,
            "started_at": "2026-11-02T09:00",
            "wait_seconds": "15",
            "handle_seconds": "240",
            "outcome": ContactOutcome.RESOLVED,
            "first_contact_resolution": "true",
            "note": "<script>alert(1)</script>",
        },
    )
    assert response.status_code == 302
    contact = Contact.objects.get()
    assert contact.agent == officer
    assert contact.source == ContactSource.AGENT
    assert contact.started_at == dt.datetime(2026, 11, 2, 9, 0, tzinfo=SANTIAGO)
    assert contact.first_contact_resolution is True
    page = client.get(reverse("attention:contacts")).content.decode()
    assert "Línea 101" in page
    assert "<script>alert" not in page


def test_hostile_contact_input_is_refused_with_nothing_saved(client, officer, other_organization):
    stranger = ChannelFactory(organization=other_organization, kind="phone", name="Altre")
    client.force_login(officer)
    for data in (
        {"kind": "fax", "outcome": ContactOutcome.RESOLVED},
        {"kind": ContactKind.PHONE, "outcome": ContactOutcome.RESOLVED, "wait_seconds": "-5"},
        {"kind": ContactKind.PHONE, "outcome": ContactOutcome.RESOLVED, "wait_seconds": "9" * 30},
        {"kind": ContactKind.PHONE, "outcome": ContactOutcome.RESOLVED, "channel": stranger.pk},
        {"kind": ContactKind.PHONE, "outcome": ContactOutcome.RESOLVED, "note": "x" * 501},
        {
            "kind": ContactKind.PHONE,
            "outcome": ContactOutcome.RESOLVED,
            "started_at": "2999-01-01T00:00",
        },
        {
            "kind": ContactKind.PHONE,
            "outcome": ContactOutcome.ABANDONED,
            "first_contact_resolution": "true",
        },
    ):
        response = client.post(reverse("attention:contact_new"), data)
        assert response.status_code == 200, data
        assert "is-invalid" in response.content.decode() or "alert" in response.content.decode()
    assert not Contact.objects.exists()


def test_a_self_service_module_records_its_sessions_as_the_system(organization, service, officer):
    contact = services.record_self_service(
        organization, service=service, handle_seconds=90, by=SYSTEM
    )
    assert contact.kind == ContactKind.SELF_SERVICE
    assert contact.source == ContactSource.KIOSK
    assert contact.agent is None
    with pytest.raises(DomainError):
        services.record_self_service(organization, by=officer)
    with pytest.raises(DomainError):
        services.record_contact(
            organization,
            kind=ContactKind.SELF_SERVICE,
            outcome=ContactOutcome.RESOLVED,
            source=ContactSource.KIOSK,
            by=officer,
        )


def test_a_viewer_reads_the_log_but_cannot_record(client, organization, viewer):
    client.force_login(viewer)
    assert client.get(reverse("attention:contacts")).status_code == 200
    assert client.get(reverse("attention:contact_figures")).status_code == 200
    assert client.post(reverse("attention:contact_new"), {}).status_code == 403
    with pytest.raises(PermissionDenied):
        services.record_contact(
            organization, kind=ContactKind.PHONE, outcome=ContactOutcome.RESOLVED, by=viewer
        )


def test_another_organisation_sees_none_of_the_contacts(client, organization, outsider):
    services.record_contact(
        organization,
        kind=ContactKind.EMAIL,
        outcome=ContactOutcome.RESOLVED,
        note="Secreto de Chile",
        by=SYSTEM,
        source=ContactSource.KIOSK,
    )
    client.force_login(outsider)
    page = client.get(reverse("attention:contacts"))
    assert page.status_code == 200
    assert "Secreto" not in page.content.decode()
    assert "No contact matches." in page.content.decode()


def test_the_log_filters_by_kind_outcome_and_local_days(client, organization, officer):
    def make(kind, outcome, day, hour):
        Contact.objects.create(
            organization=organization,
            kind=kind,
            outcome=outcome,
            started_at=dt.datetime(2026, 11, day, hour, tzinfo=SANTIAGO),
            note=f"{kind}-{day}-{hour}",
        )

    make(ContactKind.PHONE, ContactOutcome.RESOLVED, 2, 9)
    make(ContactKind.PHONE, ContactOutcome.ABANDONED, 2, 23)  # 3 Nov in UTC, 2 Nov locally
    make(ContactKind.CHAT, ContactOutcome.RESOLVED, 3, 9)
    client.force_login(officer)
    url = reverse("attention:contacts")
    page = client.get(url, {"kind": "phone", "start": "2026-11-02", "end": "2026-11-02"})
    assert page.context["page"].paginator.count == 2
    page = client.get(url, {"outcome": "abandoned"})
    assert page.context["page"].paginator.count == 1
    page = client.get(url, {"start": "2026-11-03", "end": "2026-11-02"})
    assert page.status_code == 200
    assert "before the start" in page.content.decode()
    page = client.get(url, {"page": "9999"})
    assert page.status_code == 200


def test_the_figures_page_states_its_convention_and_handles_an_empty_period(
    client, organization, officer
):
    Contact.objects.create(
        organization=organization,
        kind=ContactKind.PHONE,
        outcome=ContactOutcome.RESOLVED,
        started_at=timezone.now(),
        wait_seconds=10,
    )
    client.force_login(officer)
    url = reverse("attention:contact_figures")
    page = client.get(url).content.decode()
    assert "answered within T ÷ (answered + abandoned)" in page
    assert "80 % of calls answered within 20 seconds" in page
    assert 'id="by-channel"' in page
    assert "100.0" in page
    empty = client.get(url, {"start": "2020-01-01", "end": "2020-01-31"}).content.decode()
    assert "nothing to measure" in empty
    assert 'id="by-channel"' not in empty
    bad = client.get(url, {"start": "2020-01-01", "end": "2023-01-31", "threshold": "abc"})
    assert bad.status_code == 200
    assert "invalid-feedback" in bad.content.decode()
    other = client.get(url, {"convention": "2"}).content.decode()
    assert "answered within T ÷ answered" in other


def test_the_figures_page_in_spanish_states_the_regulatory_convention(client, officer, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    client.force_login(officer)
    page = client.get(reverse("attention:contact_figures")).content.decode()
    assert "80 % de las llamadas respondidas antes de 20 segundos" in page
    assert "atendidas dentro de T ÷ (atendidas + abandonadas)" in page


def test_e_mail_answered_hours_later_reads_in_hours_and_the_csv_keeps_seconds(
    client, organization, officer, settings
):
    for wait, handle in ((4 * 3600, 600), (2 * 3600, 900)):  # mean 3 h, 12.5 min
        Contact.objects.create(
            organization=organization,
            kind=ContactKind.EMAIL,
            outcome=ContactOutcome.RESOLVED,
            started_at=timezone.now(),
            wait_seconds=wait,
            handle_seconds=handle,
        )
    Contact.objects.create(
        organization=organization,
        kind=ContactKind.PHONE,
        outcome=ContactOutcome.RESOLVED,
        started_at=timezone.now(),
        wait_seconds=15,
        handle_seconds=100,
    )
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    client.force_login(officer)
    url = reverse("attention:contact_figures")
    page = client.get(url).content.decode()
    assert "Tiempo medio de respuesta</th>" in page
    assert "(s)</th>" not in page
    assert '<td class="text-end">3 h 00 min</td>' in page  # e-mail: (4 h + 2 h) / 2
    assert '<td class="text-end">13 min</td>' in page  # e-mail handling: 12.5 min, rounded
    assert '<td class="text-end">15,0 s</td>' in page  # the phone line, in seconds
    csv = client.get(url, {"format": "csv"}).content.decode()
    assert "Tiempo medio de respuesta (s)" in csv
    assert "10800.0" in csv
    assert "750.0" in csv
