"""The information-request list: the team writes it, the audited side answers with files, the
team gives its verdict; late requests in red with their business days late; files checked,
stored under a random name and downloaded only through the permission check."""

import datetime as dt
import hashlib

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from compromiso.audits import services
from compromiso.audits.models import AuditFile, InformationRequest, RequestStatus

pytestmark = pytest.mark.usefixtures("in_english")

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


def upload(name, content, content_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture
def for_arica(field_audit, team_auditor, branch):
    return services.add_request(
        field_audit,
        by=team_auditor,
        text="Registro de reclamos del semestre, con fechas de respuesta.",
        criterion="Ley 19.880, art. 24",
        owner_unit=branch,
        due_date=dt.date(2026, 7, 10),
    )


def test_requests_are_numbered_in_order(field_audit, team_auditor, branch, for_arica):
    second = services.add_request(
        field_audit, by=team_auditor, text="Actas", owner_unit=branch, due_date=dt.date(2026, 7, 9)
    )
    assert (for_arica.number, second.number) == (1, 2)


def test_a_request_names_who_answers(field_audit, team_auditor):
    with pytest.raises(ValidationError) as refused:
        services.add_request(
            field_audit, by=team_auditor, text="Algo", due_date=dt.date(2026, 7, 9)
        )
    assert "owner" in refused.value.message_dict


def test_the_owner_must_belong_to_the_audited_organisation(field_audit, team_auditor, outsider):
    with pytest.raises(ValidationError) as refused:
        services.add_request(
            field_audit, by=team_auditor, text="Algo", owner=outsider, due_date=dt.date(2026, 7, 9)
        )
    assert "owner" in refused.value.message_dict


def test_oversized_request_text_is_refused(field_audit, team_auditor, branch):
    with pytest.raises(ValidationError):
        services.add_request(
            field_audit,
            by=team_auditor,
            text="x" * 2001,
            owner_unit=branch,
            due_date=dt.date(2026, 7, 9),
        )


def test_unit_head_answers_their_units_request_with_files_and_the_team_accepts(
    field_audit, team_auditor, unit_head, for_arica
):
    services.answer_request(
        for_arica,
        by=unit_head,
        text="Adjuntamos el registro.",
        uploads=[upload("registro.pdf", PDF), upload("nota.txt", b"Hola", "text/plain")],
    )
    for_arica.refresh_from_db()
    assert for_arica.answered_by == unit_head
    assert for_arica.status == RequestStatus.REQUESTED
    stored = list(for_arica.files.order_by("pk"))
    assert [f.name for f in stored] == ["registro.pdf", "nota.txt"]
    assert stored[0].sha256 == hashlib.sha256(PDF).hexdigest()
    assert stored[0].content_type == "application/pdf"
    assert "registro" not in stored[0].file.name  # a random name on disk
    services.review_request(for_arica, by=team_auditor, status="provided")
    for_arica.refresh_from_db()
    assert for_arica.status == RequestStatus.PROVIDED
    with pytest.raises(services.RequestError):
        services.answer_request(for_arica, by=unit_head, text="Otra vez")


def test_a_partial_verdict_needs_a_note_and_the_answer_comes_back_for_review(
    field_audit, team_auditor, unit_head, for_arica
):
    services.answer_request(for_arica, by=unit_head, text="Parte del registro.")
    with pytest.raises(ValidationError):
        services.review_request(for_arica, by=team_auditor, status="partial")
    services.review_request(for_arica, by=team_auditor, status="partial", note="Falta junio.")
    services.answer_request(for_arica, by=unit_head, text="Ahora con junio.")
    for_arica.refresh_from_db()
    assert for_arica.status == RequestStatus.REQUESTED


def test_the_head_of_another_unit_may_not_answer(for_arica, temuco_head):
    assert not services.can_answer_request(temuco_head, for_arica)
    with pytest.raises(PermissionDenied):
        services.answer_request(for_arica, by=temuco_head, text="No es mío")


def test_unit_head_may_answer_but_not_conduct(field_audit, unit_head, for_arica, branch):
    with pytest.raises(PermissionDenied):
        services.add_request(
            field_audit,
            by=unit_head,
            text="Me lo pido",
            owner_unit=branch,
            due_date=dt.date(2026, 7, 9),
        )
    with pytest.raises(PermissionDenied):
        services.review_request(for_arica, by=unit_head, status="provided")


def test_the_named_owner_may_answer(field_audit, team_auditor, officer):
    request = services.add_request(
        field_audit, by=team_auditor, text="Su agenda", owner=officer, due_date=dt.date(2026, 7, 9)
    )
    services.answer_request(request, by=officer, text="Adjunta.")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("informe.pdf", EXE, "not an accepted type"),  # a renamed executable
        ("vacío.pdf", b"", "is empty"),
        ("grande.pdf", b"%PDF-" + b"0" * (11 * 1024 * 1024), "larger than 10 MB"),
        ("page.html", b"<html><script>alert(1)</script></html>", "not an accepted type"),
    ],
)
def test_hostile_files_are_refused_and_nothing_is_kept(
    unit_head, for_arica, name, content, message
):
    with pytest.raises(ValidationError) as refused:
        services.answer_request(
            for_arica,
            by=unit_head,
            text="Ver adjunto",
            uploads=[upload("bueno.pdf", PDF), upload(name, content)],
        )
    assert message in refused.value.message_dict["files"][0]
    assert AuditFile.objects.count() == 0
    for_arica.refresh_from_db()
    assert for_arica.answered_at is None


def test_a_path_in_the_file_name_is_dropped(unit_head, for_arica):
    services.answer_request(
        for_arica, by=unit_head, text="", uploads=[upload("../../etc/passwd.pdf", PDF)]
    )
    stored = AuditFile.objects.get()
    assert stored.name == "passwd.pdf"
    assert ".." not in stored.file.name
    assert "passwd" not in stored.file.name


def test_more_than_five_files_at_once_are_refused(unit_head, for_arica):
    with pytest.raises(ValidationError):
        services.answer_request(
            for_arica, by=unit_head, text="", uploads=[upload(f"{n}.pdf", PDF) for n in range(6)]
        )


def test_an_answer_needs_text_or_a_file(unit_head, for_arica):
    with pytest.raises(ValidationError):
        services.answer_request(for_arica, by=unit_head, text="   ")


# --- Where a request stands ------------------------------------------------------------------


def test_overdue_counts_business_days_late_in_the_organisations_calendar(
    field_audit, team_auditor, branch
):
    # Due Friday 10 July 2026; seen on Friday 17 July: Mon 13, Tue 14, Wed 15, (Thu 16 is the
    # Virgen del Carmen, a Chilean holiday), Fri 17 → 4 business days late.
    request = services.add_request(
        field_audit, by=team_auditor, text="Actas", owner_unit=branch, due_date=dt.date(2026, 7, 10)
    )
    calendar = field_audit.organization.business_calendar()
    state = services.due_state(request, dt.date(2026, 7, 17), calendar)
    assert state.overdue
    assert state.days_late == 4
    assert not services.due_state(request, dt.date(2026, 7, 10), calendar).overdue
    # Seen on Wednesday 8 July: Thursday 9 and Friday 10 are left.
    assert services.due_state(request, dt.date(2026, 7, 8), calendar).days_left == 2


def test_the_list_shows_late_requests_in_red_text_with_days_late(
    client, field_audit, team_auditor, branch
):
    services.add_request(
        field_audit, by=team_auditor, text="Actas", owner_unit=branch, due_date=dt.date(2026, 7, 10)
    )
    client.force_login(team_auditor)
    with time_machine.travel(dt.datetime(2026, 7, 14, 15, tzinfo=dt.UTC), tick=False):
        page = client.get(reverse("audits:requests", args=[field_audit.pk])).content.decode()
    assert 'class="text-danger"' in page  # red text on white: readable (WCAG contrast)
    assert "(2 business days late)" in page
    assert "1 request is overdue." in page


def test_the_list_downloads_as_csv(client, field_audit, team_auditor, for_arica):
    client.force_login(team_auditor)
    response = client.get(reverse("audits:request_export", args=[field_audit.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    assert "Registro de reclamos del semestre" in text
    assert "2026-07-10" in text


def test_formula_injection_is_neutralised_in_the_csv(client, field_audit, team_auditor, branch):
    services.add_request(
        field_audit,
        by=team_auditor,
        text='=HYPERLINK("http://evil")',
        owner_unit=branch,
        due_date=dt.date(2026, 7, 10),
    )
    client.force_login(team_auditor)
    text = client.get(reverse("audits:request_export", args=[field_audit.pk])).content.decode()
    assert "'=HYPERLINK" in text


# --- Pages ----------------------------------------------------------------------------------


def test_auditor_adds_a_request_on_the_page(client, field_audit, team_auditor, branch):
    client.force_login(team_auditor)
    response = client.post(
        reverse("audits:requests", args=[field_audit.pk]),
        {"text": "Agenda de atención", "owner_unit": branch.pk, "due_date": "2026-07-10"},
    )
    assert response.status_code == 302
    assert InformationRequest.objects.get().text == "Agenda de atención"


@pytest.mark.parametrize(
    "posted",
    [
        {"due_date": "10/07/2026x"},
        {"due_date": "9999-12-31"},
        {"owner_unit": "999999999"},
        {"owner_unit": ""},
        {"text": "x" * 2001},
        {"text": ""},
    ],
)
def test_hostile_request_forms_keep_what_was_typed(
    client, field_audit, team_auditor, branch, posted
):
    client.force_login(team_auditor)
    data = {"text": "Agenda <b>urgente</b>", "owner_unit": branch.pk, "due_date": "2026-07-10"}
    data.update(posted)
    response = client.post(reverse("audits:requests", args=[field_audit.pk]), data)
    assert response.status_code == 400
    assert InformationRequest.objects.count() == 0


def test_unit_head_answers_on_the_page_and_downloads_the_file(
    client, field_audit, unit_head, for_arica
):
    client.force_login(unit_head)
    page = client.get(reverse("audits:request", args=[field_audit.pk, for_arica.pk]))
    assert page.status_code == 200
    assert "Send the answer" in page.content.decode()
    assert "Record the verdict" not in page.content.decode()
    response = client.post(
        reverse("audits:request_answer", args=[field_audit.pk, for_arica.pk]),
        {"answer": "<script>alert('x')</script>", "attachments": [upload("acta.pdf", PDF)]},
    )
    assert response.status_code == 302
    stored = AuditFile.objects.get()
    detail = client.get(
        reverse("audits:request", args=[field_audit.pk, for_arica.pk])
    ).content.decode()
    assert "<script>alert" not in detail
    assert "&lt;script&gt;alert" in detail
    download = client.get(reverse("audits:file", args=[field_audit.pk, stored.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content) == PDF
    assert "/media/" not in detail


def test_a_refused_file_on_the_page_keeps_the_typed_answer(
    client, unit_head, field_audit, for_arica
):
    client.force_login(unit_head)
    response = client.post(
        reverse("audits:request_answer", args=[field_audit.pk, for_arica.pk]),
        {"answer": "Mi respuesta larga", "attachments": [upload("informe.pdf", EXE)]},
    )
    assert response.status_code == 400
    assert "Mi respuesta larga" in response.content.decode()
    assert "not an accepted type" in response.content.decode()


def test_permissions_on_the_request_pages(
    client, field_audit, for_arica, viewer, outsider, temuco_head, unit_head, branch
):
    services.answer_request(for_arica, by=unit_head, text="", uploads=[upload("a.pdf", PDF)])
    stored = AuditFile.objects.get()
    list_url = reverse("audits:requests", args=[field_audit.pk])
    answer_url = reverse("audits:request_answer", args=[field_audit.pk, for_arica.pk])
    review_url = reverse("audits:request_review", args=[field_audit.pk, for_arica.pk])
    file_url = reverse("audits:file", args=[field_audit.pk, stored.pk])
    client.force_login(viewer)
    assert client.get(list_url).status_code == 200
    new = {"text": "X", "owner_unit": branch.pk, "due_date": "2026-07-10"}
    assert client.post(list_url, new).status_code == 403
    assert client.post(answer_url, {"answer": "x"}).status_code == 403
    assert client.post(review_url, {"status": "provided"}).status_code == 403
    client.force_login(temuco_head)
    assert client.post(answer_url, {"answer": "x"}).status_code == 403
    client.force_login(unit_head)
    assert client.post(list_url, new).status_code == 403
    assert client.post(review_url, {"status": "provided"}).status_code == 403
    client.force_login(outsider)
    for url in (list_url, file_url, reverse("audits:request", args=[field_audit.pk, for_arica.pk])):
        assert client.get(url).status_code == 404
    assert client.post(answer_url, {"answer": "x"}).status_code == 404


def test_a_file_of_another_audit_is_not_found(
    client, field_audit, unit_head, team_auditor, for_arica
):
    from compromiso.audits.tests.factories import AuditFactory

    services.answer_request(for_arica, by=unit_head, text="", uploads=[upload("a.pdf", PDF)])
    stored = AuditFile.objects.get()
    other = AuditFactory(organization=field_audit.organization)
    client.force_login(team_auditor)
    assert client.get(reverse("audits:file", args=[other.pk, stored.pk])).status_code == 404


def test_auditor_records_the_verdict_on_the_page(client, field_audit, team_auditor, for_arica):
    client.force_login(team_auditor)
    response = client.post(
        reverse("audits:request_review", args=[field_audit.pk, for_arica.pk]),
        {"status": "rejected", "note": ""},
    )
    assert response.status_code == 400
    response = client.post(
        reverse("audits:request_review", args=[field_audit.pk, for_arica.pk]),
        {"status": "na", "note": "No aplica a esta sucursal."},
    )
    assert response.status_code == 302
    for_arica.refresh_from_db()
    assert for_arica.status == RequestStatus.NOT_APPLICABLE


def test_auditor_edits_a_request(client, field_audit, team_auditor, for_arica):
    client.force_login(team_auditor)
    url = reverse("audits:request_edit", args=[field_audit.pk, for_arica.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {"text": "Nuevo texto", "owner_unit": for_arica.owner_unit_id, "due_date": "2026-07-20"},
    )
    assert response.status_code == 302
    for_arica.refresh_from_db()
    assert for_arica.text == "Nuevo texto"
    assert for_arica.due_date == dt.date(2026, 7, 20)
