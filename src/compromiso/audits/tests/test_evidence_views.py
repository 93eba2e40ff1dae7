"""The evidence pages: who sees them (other organisation 404, viewer 403), one-click snapshots
from the list and from a checklist item, the readable snapshot with its fingerprint (the page
shows what was frozen, not today's data), hostile input, uploads and downloads."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from compromiso.audits import services
from compromiso.audits.models import AuditFile, Evidence, ReviewStatus
from compromiso.audits.tests.factories import AuditFactory
from compromiso.audits.tests.test_snapshots_fixtures import *  # noqa: F403 (fixtures)
from compromiso.audits.tests.test_snapshots_fixtures import answer, local, receive
from compromiso.cases.files import MAX_BYTES
from compromiso.catalog.tests.factories import TouchPointFactory

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _url(audit, name="audits:evidence", **kwargs):
    return reverse(name, kwargs={"pk": audit.pk, **kwargs})


def test_anonymous_people_are_sent_to_log_in(client, audit):
    response = client.get(_url(audit))

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_another_organisation_gets_404_and_a_viewer_403(client, audit, outsider, viewer):
    client.force_login(outsider)
    assert client.get(_url(audit)).status_code == 404
    client.force_login(viewer)
    assert client.get(_url(audit)).status_code == 403
    assert client.post(_url(audit, "audits:evidence_snapshot"), {}).status_code == 403


def test_the_auditor_sees_the_one_click_buttons(client, audit, auditor, web_point, commitment):
    client.force_login(auditor)

    response = client.get(_url(audit))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="snapshot_kind" value="tp_cases"' in html
    assert f'name="touch_point" value="{web_point.pk}"' in html
    assert f'name="commitment" value="{commitment.pk}"' in html


def test_the_audited_side_reads_the_evidence_without_buttons(
    client, audit, unit_head, branch, auditor, web_point
):
    audit.unit = branch
    audit.save()
    evidence = services.take_snapshot(audit, "tp_cases", by=auditor, touch_point=web_point)
    client.force_login(unit_head)

    response = client.get(_url(audit))
    assert response.status_code == 200
    assert "snapshot_kind" not in response.content.decode()
    assert (
        client.get(_url(audit, "audits:evidence_detail", evidence_pk=evidence.pk)).status_code
        == 200
    )
    assert client.post(_url(audit, "audits:evidence_snapshot"), {}).status_code == 403


def test_one_click_takes_the_snapshot_and_the_page_shows_it_frozen(
    client, audit, auditor, officer, organization, web, licences, web_point, period_cases
):
    client.force_login(auditor)

    response = client.post(
        _url(audit, "audits:evidence_snapshot"),
        {"snapshot_kind": "tp_cases", "touch_point": str(web_point.pk)},
    )

    evidence = Evidence.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _url(audit, "audits:evidence_detail", evidence_pk=evidence.pk)
    page = client.get(response["Location"]).content.decode()
    assert '<td class="text-end" id="received">4</td>' in page
    assert '<td class="text-end" id="on-time">66,7 %</td>' in page  # Spanish decimals
    assert evidence.fingerprint in page
    assert "Íntegra" in page

    # Later: another complaint is received and answered in the period.
    late = receive(organization, web, licences, local(dt.date(2026, 4, 1)))
    answer(late, officer, local(dt.date(2026, 4, 2), 12))
    again = client.get(response["Location"]).content.decode()
    assert '<td class="text-end" id="received">4</td>' in again
    assert '<td class="text-end" id="on-time">66,7 %</td>' in again


def test_an_altered_snapshot_is_flagged_on_its_page(client, audit, auditor, web_point):
    evidence = services.take_snapshot(audit, "tp_cases", by=auditor, touch_point=web_point)
    Evidence.objects.filter(pk=evidence.pk).update(payload={**evidence.payload, "kind": "x"})
    client.force_login(auditor)

    page = client.get(_url(audit, "audits:evidence_detail", evidence_pk=evidence.pk))

    assert "Alterada" in page.content.decode()


def test_one_click_from_a_checklist_item_links_it_and_comes_back(
    client, audit, auditor, web_point, commitment
):
    item = audit.checklist.create(
        key="c1",
        source="commitment",
        text="Respondemos en 10 días",
        commitment=commitment,
        touch_point=web_point,
    )
    client.force_login(auditor)
    page = client.get(_url(audit, "audits:evidence_checklist")).content.decode()
    assert f'name="checklist_item" value="{item.pk}"' in page

    response = client.post(
        _url(audit, "audits:evidence_snapshot"),
        {
            "snapshot_kind": "commitment",
            "commitment": str(commitment.pk),
            "checklist_item": str(item.pk),
            "back": "checklist",
        },
    )

    assert response["Location"] == _url(audit, "audits:evidence_checklist")
    evidence = Evidence.objects.get()
    assert (evidence.checklist_item, evidence.commitment) == (item, commitment)


@pytest.mark.parametrize(
    "data",
    [
        {"snapshot_kind": "forged", "touch_point": "1"},
        {"snapshot_kind": "tp_cases", "touch_point": "' OR 1=1 --"},
        {"snapshot_kind": "tp_cases", "touch_point": "9" * 40},
        {"snapshot_kind": "survey_segment", "wave": "1", "segment": "x" * 500},
        {"snapshot_kind": "case_sample", "sample": "-1"},
        {},
    ],
)
def test_forged_snapshot_requests_store_nothing(client, audit, auditor, data):
    client.force_login(auditor)

    response = client.post(_url(audit, "audits:evidence_snapshot"), data, follow=True)

    assert response.status_code == 200
    assert not Evidence.objects.exists()
    assert response.context["messages"]


def test_a_foreign_touch_point_is_refused(client, audit, auditor, other_organization):
    foreign = TouchPointFactory(organization=other_organization)
    client.force_login(auditor)

    client.post(
        _url(audit, "audits:evidence_snapshot"),
        {"snapshot_kind": "tp_cases", "touch_point": str(foreign.pk)},
    )

    assert not Evidence.objects.exists()


def test_an_observation_is_escaped_on_every_page(client, audit, auditor):
    client.force_login(auditor)
    hostile = "<script>alert('x')</script>"

    response = client.post(
        _url(audit, "audits:evidence_new", kind="observation"),
        {"title": hostile, "description": hostile + "\nsegunda línea"},
    )

    evidence = Evidence.objects.get()
    assert response["Location"] == _url(audit, "audits:evidence_detail", evidence_pk=evidence.pk)
    for url in (response["Location"], _url(audit)):
        html = client.get(url).content.decode()
        assert hostile not in html
        assert "&lt;script&gt;" in html


def test_an_observation_without_text_keeps_what_was_typed(client, audit, auditor):
    client.force_login(auditor)

    response = client.post(
        _url(audit, "audits:evidence_new", kind="observation"), {"title": "Fila larga"}
    )

    assert response.status_code == 200
    assert 'value="Fila larga"' in response.content.decode()
    assert not Evidence.objects.exists()


def test_an_unknown_kind_of_note_is_404(client, audit, auditor):
    client.force_login(auditor)

    assert client.get(_url(audit, "audits:evidence_new", kind="snapshot")).status_code == 404


def test_upload_and_download_through_the_checked_view(
    client, audit, auditor, viewer, outsider, organization
):
    client.force_login(auditor)
    response = client.post(
        _url(audit, "audits:evidence_new", kind="file"),
        {"title": "Acta", "uploads": [SimpleUploadedFile("acta.pdf", PDF)]},
    )
    assert response.status_code == 302
    stored = AuditFile.objects.get()
    url = _url(audit, "audits:evidence_file", file_pk=stored.pk)

    download = client.get(url)
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content) == PDF

    other = AuditFactory(organization=organization)
    assert client.get(_url(other, "audits:evidence_file", file_pk=stored.pk)).status_code == 404
    client.force_login(viewer)
    assert client.get(url).status_code == 403
    client.force_login(outsider)
    assert client.get(url).status_code == 404


def test_an_oversized_or_disguised_upload_is_refused_on_the_form(client, audit, auditor):
    client.force_login(auditor)
    for upload in (
        SimpleUploadedFile("grande.pdf", b"%PDF-" + b"0" * MAX_BYTES),
        SimpleUploadedFile("foto.png", b"<svg onload=alert(1)></svg>"),
    ):
        response = client.post(
            _url(audit, "audits:evidence_new", kind="file"),
            {"title": "Intento", "uploads": [upload]},
        )
        assert response.status_code == 200
        assert 'value="Intento"' in response.content.decode()
    assert not Evidence.objects.exists()
    assert not AuditFile.objects.exists()


def test_the_review_on_the_page(client, audit, auditor, second_auditor):
    note = services.record_evidence(
        audit, "observation", by=auditor, title="Fila", description="20 personas."
    )
    client.force_login(auditor)
    review = _url(audit, "audits:evidence_review", evidence_pk=note.pk)
    client.post(review, {"step": "submit"})
    client.post(review, {"decision": "approve"})
    note.refresh_from_db()
    assert note.review_status == ReviewStatus.IN_REVIEW  # not by whoever took it

    client.force_login(second_auditor)
    page = client.get(_url(audit, "audits:evidence_detail", evidence_pk=note.pk))
    assert 'name="decision"' in page.content.decode()
    client.post(review, {"decision": "approve", "expires_on": "2026-12-31"})
    note.refresh_from_db()
    assert note.review_status == ReviewStatus.APPROVED
    assert note.expires_on == dt.date(2026, 12, 31)
    client.post(review, {"decision": "maybe"})  # malformed: nothing changes
    note.refresh_from_db()
    assert note.review_status == ReviewStatus.APPROVED


def test_filters_of_the_list(client, audit, auditor, web_point, counter):
    services.take_snapshot(audit, "tp_cases", by=auditor, touch_point=web_point)
    services.record_evidence(
        audit, "observation", by=auditor, title="En el mesón", description="x", touch_point=counter
    )
    client.force_login(auditor)

    def titles(query):
        response = client.get(_url(audit), query)
        assert response.status_code == 200
        return [e.title for e in response.context["page"]]

    assert len(titles({})) == 2
    assert titles({"kind": "observation"}) == ["En el mesón"]
    assert titles({"touch_point": str(web_point.pk)}) == ["Casos en Web Arica"]
    assert titles({"status": "approved"}) == []
    assert len(titles({"touch_point": "nonsense", "page": "x" * 50})) == 2


@pytest.mark.parametrize(
    "kind", ["commitment", "tp_cases", "survey_segment", "case_sample", "protocol"]
)
def test_every_snapshot_kind_renders_as_a_table(
    request,
    client,
    audit,
    auditor,
    kind,
    web_point,
    counter,
    commitment,
    measurements,
    wave,
    web_answers,
    case_sample,
    observations,
):
    params = {
        "commitment": {"commitment": commitment.pk},
        "tp_cases": {"touch_point": web_point.pk},
        "survey_segment": {"wave": wave.pk, "segment": "user_type:citizen"},
        "case_sample": {"sample": case_sample.pk},
        "protocol": {"touch_point": counter.pk},
    }[kind]
    evidence = services.take_snapshot(audit, kind, by=auditor, **params)
    client.force_login(auditor)

    response = client.get(_url(audit, "audits:evidence_detail", evidence_pk=evidence.pk))

    html = response.content.decode()
    assert response.status_code == 200
    assert "<table" in html
    assert evidence.fingerprint in html
    if kind == "survey_segment":
        assert '<td class="text-end" id="net">40,0</td>' in html
    if kind == "protocol":
        assert "66,67 %" in html
    if kind == "case_sample":
        assert "Ana Pérez" not in html
