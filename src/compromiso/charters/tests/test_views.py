"""Staff pages and public pages of the charters: who may do what, bad and hostile input, the
public results table, the PDF documents and the open data."""

import csv
import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.urls import reverse

from compromiso.charters import services
from compromiso.charters.models import Charter, CharterStatus, Measurement

pytestmark = pytest.mark.django_db


def _charter_form(service, **extra):
    data = {
        "title": "Carta de servicios",
        "profile": "cl_public",
        "language": "es",
        "valid_from": "2026-01-01",
        "valid_to": "2027-12-31",
        "services": [service.pk],
    }
    data.update(extra)
    return data


def test_anonymous_visitors_are_sent_to_log_in(client):
    page = client.get(reverse("charters:dashboard"))

    assert page.status_code == 302
    assert "/accounts/login/" in page["Location"]


def test_a_quality_manager_drafts_a_charter_from_the_form(client, quality_manager, service):
    client.force_login(quality_manager)

    created = client.post(reverse("charters:new"), _charter_form(service))

    charter = Charter.objects.get()
    assert created.status_code == 302
    assert list(charter.services.all()) == [service]
    page = client.get(reverse("charters:detail", args=[charter.pk]))
    assert "Carta de servicios" in page.content.decode()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"valid_to": "2029-06-01"}, "3 años"),
        ({"valid_to": "2025-06-01"}, "terminar después"),
        ({"valid_to": "2026-01-02"}, "al menos un año"),
        ({"valid_to": "2026-01-02"}, "31 de diciembre de 2026"),
        ({"valid_from": "not a date"}, "fecha válida"),
        ({"title": "x" * 201}, "200"),
    ],
)
def test_bad_charter_input_is_explained_in_spanish_and_nothing_is_saved(
    client, quality_manager, service, extra, message
):
    client.force_login(quality_manager)

    page = client.post(reverse("charters:new"), _charter_form(service, **extra))

    assert page.status_code == 200
    assert message in page.content.decode()
    assert not Charter.objects.exists()


def test_hostile_text_is_shown_as_text(client, quality_manager, draft):
    client.force_login(quality_manager)
    client.post(
        reverse("charters:sections", args=[draft.pk]),
        {"rights": "<script>alert(1)</script> derechos"},
    )

    page = client.get(reverse("charters:detail", args=[draft.pk])).content.decode()

    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; derechos" in page


def test_an_oversized_section_is_refused_and_the_saved_text_stays(client, quality_manager, draft):
    client.force_login(quality_manager)
    client.post(reverse("charters:sections", args=[draft.pk]), {"rights": "Derechos."})

    page = client.post(reverse("charters:sections", args=[draft.pk]), {"rights": "x" * 20001})

    assert page.status_code == 200
    assert draft.sections.get(kind="rights").body == "Derechos."


def test_a_commitment_without_target_is_refused_on_the_form(
    client, quality_manager, draft, service
):
    client.force_login(quality_manager)

    page = client.post(
        reverse("charters:commitment_new", args=[draft.pk]),
        {
            "service": service.pk,
            "text": "Respondemos rápido.",
            "indicator": "% en plazo",
            "source": "cases_on_time",
            "comparator": "gte",
            "target": "",
            "periodicity": "monthly",
        },
    )

    assert page.status_code == 200
    assert "obligatorio" in page.content.decode()
    assert not draft.commitments.exists()


def test_publishing_an_incomplete_charter_says_what_is_missing(client, quality_manager, draft):
    client.force_login(quality_manager)
    services.submit_for_review(draft, by=quality_manager)
    client.post(reverse("charters:move", args=[draft.pk, "approve"]), {"reference": "Res. 5"})

    page = client.post(reverse("charters:move", args=[draft.pk, "publish"]), follow=True)

    assert "no tiene ningún compromiso" in page.content.decode()
    assert Charter.objects.get().status == CharterStatus.APPROVED


def test_viewers_read_but_cannot_draft_and_outsiders_see_nothing(client, viewer, outsider, draft):
    client.force_login(viewer)
    assert client.get(reverse("charters:dashboard")).status_code == 200
    assert client.get(reverse("charters:new")).status_code == 403
    assert client.post(reverse("charters:move", args=[draft.pk, "submit"])).status_code == 403
    client.force_login(outsider)
    assert client.get(reverse("charters:detail", args=[draft.pk])).status_code == 404
    assert client.get(reverse("charters:dashboard")).content.decode().count("Licencias") == 0


def test_the_dashboard_puts_breached_commitments_first(client, quality_manager, published, service):
    kept = published.commitments.get()
    broken = Charter.objects.get(pk=published.pk).commitments.create(
        service=service,
        text="Compromiso incumplido",
        indicator="% en plazo",
        source="cases_on_time",
        comparator="gte",
        target=Decimal(90),
        periodicity="monthly",
    )
    for commitment, value, state in ((kept, 95, "met"), (broken, 40, "not_met")):
        Measurement.objects.create(
            commitment=commitment,
            period_start=dt.date(2025, 3, 1),
            period_end=dt.date(2025, 3, 31),
            value=Decimal(value),
            n=20,
            compliance=state,
            computed_at=dt.datetime(2025, 4, 1, tzinfo=dt.UTC),
        )
    client.force_login(quality_manager)

    page = client.get(reverse("charters:dashboard")).content.decode()

    assert page.index("Compromiso incumplido") < page.index(kept.text)


@pytest.fixture
def with_results(published):
    commitment = published.commitments.get()
    for month, value, state in ((1, None, "no_data"), (2, 95, "met"), (3, 85, "not_met")):
        Measurement.objects.create(
            commitment=commitment,
            period_start=dt.date(2025, month, 1),
            period_end=dt.date(2025, month, 28),
            value=None if value is None else Decimal(value),
            n=0 if value is None else 40,
            compliance=state,
            computed_at=dt.datetime(2025, 4, 1, tzinfo=dt.UTC),
        )
    return published


def test_the_public_page_shows_each_commitment_with_its_last_result(
    client, organization, with_results
):
    listing = client.get(reverse("portal:charters", args=[organization.slug]))
    page = client.get(reverse("portal:charter", args=[organization.slug, with_results.pk]))
    html = page.content.decode()

    assert "Carta de servicios" in listing.content.decode()
    assert page.status_code == 200
    assert "Respondemos sus reclamos en 10 días hábiles." in html
    assert "85 %" in html  # the last result
    assert "No cumplido" in html
    assert "Sin datos" in html  # January, never shown as 0 %
    assert "94 %" in html  # degree of achievement: 85 / 90


def test_drafts_are_not_public(client, organization, draft):
    page = client.get(reverse("portal:charter", args=[organization.slug, draft.pk]))

    assert page.status_code == 404


def test_the_charter_and_its_annual_report_are_pdfs(client, organization, with_results):
    charter_pdf = client.get(
        reverse("portal:charter_pdf", args=[organization.slug, with_results.pk])
    )
    report = client.get(
        reverse("portal:charter_report", args=[organization.slug, with_results.pk, 2025])
    )
    outside = client.get(
        reverse("portal:charter_report", args=[organization.slug, with_results.pk, 2031])
    )

    assert charter_pdf["Content-Type"] == "application/pdf"
    assert charter_pdf.content.startswith(b"%PDF")
    assert report.content.startswith(b"%PDF")
    assert outside.status_code == 404


def test_user_text_cannot_break_the_pdf(client, organization, quality_manager, service):
    charter = services.create_charter(
        organization,
        by=quality_manager,
        title='#panic("x") $ [ ] * _ ` \\',
        valid_from=dt.date(2025, 1, 1),
        valid_to=dt.date(2026, 1, 1),
        services=[service],
    )
    charter.status = CharterStatus.PUBLISHED
    charter.save()

    pdf = client.get(reverse("portal:charter_pdf", args=[organization.slug, charter.pk]))

    assert pdf.content.startswith(b"%PDF")


def test_open_data_lists_every_published_measurement(
    client, organization, with_results, quality_manager
):
    commitment = with_results.commitments.get()
    Measurement.objects.create(
        commitment=commitment,
        period_start=dt.date(2025, 4, 1),
        period_end=dt.date(2025, 4, 30),
        value=Decimal(1),
        compliance="pending",  # a manual result not yet approved stays private
        computed_at=dt.datetime(2025, 5, 1, tzinfo=dt.UTC),
        is_manual=True,
    )
    url = reverse("portal:charter_data", args=[organization.slug, with_results.pk, "json"])
    data = json.loads(client.get(url).content)
    rows = list(
        csv.DictReader(
            io.StringIO(
                client.get(
                    reverse("portal:charter_data", args=[organization.slug, with_results.pk, "csv"])
                ).content.decode()
            )
        )
    )

    assert [m["period"] for m in data["measurements"]] == ["2025-01", "2025-02", "2025-03"]
    assert data["measurements"][0]["value"] is None
    assert [r["compliance"] for r in rows] == ["no_data", "met", "not_met"]
    bad = client.get(
        reverse("portal:charter_data", args=[organization.slug, with_results.pk, "xml"])
    )
    assert bad.status_code == 404


def test_a_manual_result_is_entered_and_approved_from_the_commitment_page(
    client, published, quality_manager, admin_user, service
):
    manual = Charter.objects.get(pk=published.pk).commitments.create(
        service=service,
        text="Atendemos en 15 minutos.",
        indicator="% atendidos",
        source="manual",
        unit="%",
        comparator="gte",
        target=Decimal(80),
        periodicity="monthly",
    )
    client.force_login(quality_manager)
    url = reverse("charters:commitment", args=[manual.pk])

    refused = client.post(url, {"period_start": "2025-02-10", "value": "-3", "evidence": "x"})
    client.post(url, {"period_start": "2025-02-10", "value": "82", "evidence": "Conteo"})

    assert refused.status_code == 200
    result = Measurement.objects.get()
    assert result.compliance == "pending"
    client.force_login(admin_user)
    client.post(reverse("charters:approve_result", args=[result.pk]))
    assert Measurement.objects.get().compliance == "met"


def test_a_manual_indicator_shows_its_unit_on_the_page(client, draft, quality_manager, service):
    from compromiso.charters.tests.conftest import commit

    commit(
        draft,
        quality_manager,
        service,
        source="manual",
        indicator="Espera media en sucursal",
        threshold_days=None,
        case_kind="",
        comparator="lte",
        target=15,
        unit="minutos",
    )
    client.force_login(quality_manager)

    page = client.get(reverse("charters:detail", args=[draft.pk])).content.decode()

    assert "como máximo 15 minutos" in page


@pytest.mark.parametrize(
    ("language", "shown", "not_shown"), [("es", "33,33", "33.33"), ("en", "33.33", "33,33")]
)
def test_the_pdf_writes_numbers_as_the_charters_language_does(
    client, organization, published, language, shown, not_shown
):
    from io import BytesIO

    from pypdf import PdfReader

    Charter.objects.filter(pk=published.pk).update(language=language)
    Measurement.objects.create(
        commitment=published.commitments.get(),
        period_start=dt.date(2025, 3, 1),
        period_end=dt.date(2025, 3, 31),
        value=Decimal("33.33"),
        n=30,
        compliance="not_met",
        computed_at=dt.datetime(2025, 4, 1, tzinfo=dt.UTC),
    )
    page = client.get(reverse("portal:charter", args=[organization.slug, published.pk]))

    pdf = client.get(reverse("portal:charter_pdf", args=[organization.slug, published.pk]))
    text = "".join(p.extract_text() for p in PdfReader(BytesIO(pdf.content)).pages)

    assert "33,33" in page.content.decode()  # the page, in Spanish
    assert f"{shown} %" in text
    assert not_shown not in text
