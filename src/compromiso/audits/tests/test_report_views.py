"""The report's page and PDF: who may read them, what they show, issuing from the page, and
hostile text rendered as text in both."""

from io import BytesIO

import pytest
from django.conf import settings
from django.urls import reverse
from pypdf import PdfReader

from compromiso.audits.models import Audit, AuditStatus, Finding, Report
from compromiso.audits.tests import report_data

pytestmark = pytest.mark.django_db

HOSTILE = (
    '#import "/etc/passwd": * #let x = 1 *bold* _emph_ $x^2$ \\ \\\\ `raw` <label> @ref '
    "= heading ] [ } { // comment /* open " + "Supercalifragilistico" * 12
)


@pytest.fixture
def built(organization, auditor, branch):
    return report_data.build(organization, lead=auditor, unit=branch)


def _pdf_text(content: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(BytesIO(content)).pages)


def test_anonymous_is_sent_to_log_in(client, built):
    response = client.get(reverse("audits:report", args=[built.audit.pk]))

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_someone_of_another_organisation_gets_404(client, built, outsider):
    client.force_login(outsider)

    for name in ("audits:report", "audits:report_pdf", "audits:report_edit"):
        assert client.get(reverse(name, args=[built.audit.pk])).status_code == 404


def test_a_viewer_gets_403(client, built, viewer):
    client.force_login(viewer)

    assert client.get(reverse("audits:report", args=[built.audit.pk])).status_code == 403
    assert client.get(reverse("audits:report_pdf", args=[built.audit.pk])).status_code == 403


def test_a_viewer_is_not_offered_the_tabs_they_may_not_open(client, built, viewer, auditor):
    report_tab = reverse("audits:report", args=[built.audit.pk])

    client.force_login(viewer)
    page = client.get(reverse("audits:audit", args=[built.audit.pk])).content.decode()
    client.force_login(auditor)
    theirs = client.get(reverse("audits:audit", args=[built.audit.pk])).content.decode()

    assert reverse("audits:team", args=[built.audit.pk]) in page
    assert report_tab not in page
    assert reverse("audits:findings", args=[built.audit.pk]) not in page
    assert report_tab in theirs


def test_the_audited_unit_head_reads_the_report_but_cannot_write_or_issue_it(
    client, built, unit_head
):
    Report.objects.create(audit=built.audit, conclusions="Se cumple en lo esencial.")
    client.force_login(unit_head)

    page = client.get(reverse("audits:report", args=[built.audit.pk]))
    edit = client.get(reverse("audits:report_edit", args=[built.audit.pk]))
    issue = client.post(reverse("audits:report_issue", args=[built.audit.pk]))

    assert page.status_code == 200
    assert reverse("audits:report_issue", args=[built.audit.pk]) not in page.content.decode()
    assert edit.status_code == 403
    assert issue.status_code == 403
    assert Report.objects.get(audit=built.audit).issued_at is None


def test_the_page_shows_the_degree_the_plan_and_the_areas_not_covered(client, built, auditor):
    client.force_login(auditor)

    page = client.get(reverse("audits:report", args=[built.audit.pk])).content.decode()

    assert "57,1 %" in page  # 4 of 7 assessed, in Spanish
    assert "66,7 %" in page
    assert "Punto C" in page
    assert "Ítem 7: se cumple lo prometido" in page
    assert "El registro existe en papel." in page
    assert page.count("No remedy yet") + page.count("Sin remedio aún") == 2
    assert built.evidence[0].fingerprint[:12] in page


def test_the_lead_writes_the_texts_and_issues_from_the_page(client, built, auditor):
    client.force_login(auditor)
    texts = {
        "summary": "Resumen.",
        "conclusions": "La atención cumple salvo en el mesón.",
        "distribution": "Dirección Nacional.",
    }

    saved = client.post(reverse("audits:report_edit", args=[built.audit.pk]), texts)
    issued = client.post(reverse("audits:report_issue", args=[built.audit.pk]))

    assert saved.status_code == 302
    assert issued.status_code == 302
    report = Report.objects.get(audit=built.audit)
    assert report.issued_at is not None
    assert report.version == 1
    assert len(report.fingerprint) == 64
    built.audit.refresh_from_db()
    assert built.audit.status == AuditStatus.FOLLOW_UP
    page = client.get(reverse("audits:report", args=[built.audit.pk])).content.decode()
    assert report.fingerprint in page


def test_an_oversized_text_is_refused_and_nothing_typed_is_lost(client, built, auditor):
    client.force_login(auditor)
    too_long = "x" * 8001

    response = client.post(
        reverse("audits:report_edit", args=[built.audit.pk]),
        {"conclusions": too_long, "summary": "Se conserva"},
    )

    assert response.status_code == 200
    assert "Se conserva" in response.content.decode()
    assert not Report.objects.filter(audit=built.audit).exists()


def test_the_pdf_renders_with_the_reference_and_the_degree(client, built, auditor):
    client.force_login(auditor)

    response = client.get(reverse("audits:report_pdf", args=[built.audit.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = _pdf_text(response.content)
    assert built.audit.reference in text
    assert "57,1 %" in text


def test_the_pdf_is_in_the_readers_language(client, built, auditor):
    client.force_login(auditor)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    text = _pdf_text(client.get(reverse("audits:report_pdf", args=[built.audit.pk])).content)

    assert "Areas not covered" in text
    assert "57.1 %" in text
    assert "7 July 2026" in text


def test_hostile_text_is_shown_literally_in_the_page_and_the_pdf(client, built, auditor):
    Audit.objects.filter(pk=built.audit.pk).update(scope=HOSTILE, title="<script>x</script>")
    Finding.objects.filter(pk=built.findings[0].pk).update(statement=HOSTILE)
    Report.objects.create(audit=built.audit, conclusions=HOSTILE, summary="*no bold*")
    client.force_login(auditor)

    page = client.get(reverse("audits:report", args=[built.audit.pk])).content.decode()
    pdf = client.get(reverse("audits:report_pdf", args=[built.audit.pk]))

    assert "<script>x</script>" not in page
    assert "&lt;script&gt;x&lt;/script&gt;" in page
    assert pdf.content.startswith(b"%PDF")
    text = _pdf_text(pdf.content).replace("\u200b", "").replace("\n", "")
    for fragment in ('#import "/etc/passwd"', "*bold*", "$x^2$", "\\\\", "*no bold*", "#let x"):
        assert fragment in text
    assert "Supercalifragilistico" * 3 in text


def test_the_report_page_takes_the_same_queries_for_a_large_audit(
    client, organization, auditor, branch
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from compromiso.audits.models import Answer, ChecklistItem, Evidence

    small = report_data.build(organization, lead=auditor, unit=branch)
    big = report_data.build(organization, lead=auditor, unit=branch)
    items = ChecklistItem.objects.bulk_create(
        [
            ChecklistItem(audit=big.audit, key=f"x-{n}", order=50 + n, source="legal", text="x")
            for n in range(400)
        ]
    )
    Answer.objects.bulk_create([Answer(item=item, result="partial") for item in items[:300]])
    evidence = Evidence.objects.bulk_create(
        [Evidence(audit=big.audit, kind="file", title=f"Doc {n}") for n in range(150)]
    )
    for n in range(5, 35):
        finding = Finding.objects.create(
            audit=big.audit, number=n, grade=big.grades["major"], statement=f"H{n}"
        )
        finding.evidence.set(evidence[n : n + 4])
    client.force_login(auditor)
    counts = []
    for built in (small, big):
        for url in (
            reverse("audits:report", args=[built.audit.pk]),
            reverse("audits:remedies", args=[built.audit.pk]),
        ):
            client.get(url)  # the session and the memberships settle
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            counts.append(len(queries))

    assert counts[:2] == counts[2:]
    assert max(counts) <= 25
