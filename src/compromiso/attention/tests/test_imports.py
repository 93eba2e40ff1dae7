"""Imports of visits from another queue system, contacts and interval figures: every row stored
or rejected with its reason, replayed visits with the same events as live ones, re-imports that
import nothing twice, and the bounds on files."""

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from compromiso.attention.imports import reading
from compromiso.attention.models import (
    Contact,
    ContactInterval,
    EventKind,
    ImportJob,
    ImportKind,
    ImportStatus,
    Outcome,
    Visit,
    VisitSource,
    VisitState,
)
from compromiso.attention.services import imports
from compromiso.core.errors import DomainError

SANTIAGO = ZoneInfo("America/Santiago")


@pytest.fixture(autouse=True)
def _english(client, settings):
    """Messages read in English here; one test checks a reason in Spanish."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    translation.activate("en")


VISITS_CSV = """Visit id,Queue,Ticket,Created,Called,Service start,Service end,Desk,Outcome
V1,Atención general,A501,2026-11-02 09:00,2026-11-02 09:10,09:11,09:20,Módulo 1,served
V2,Atención general,A502,2026-11-02 09:05,09:12,09:13,09:15,Módulo 2,served
V2,Trámites rápidos,A502,2026-11-02 09:15,09:25,09:26,09:30,Módulo 1,served
V3,Atención general,A503,2026-11-02 09:06,09:30,,,Módulo 2,no-show
V4,Atención general,A504,2026-11-02 09:07,,,09:40,,left
V5,Cola inexistente,A505,2026-11-02 09:08,09:30,09:31,09:40,Módulo 1,served
V6,Atención general,A506,,09:30,09:31,09:40,Módulo 1,served
V7,Atención general,A507,2026-11-02 09:08,09:30,09:41,09:35,Módulo 1,served
V8,Atención general,A508,2026-11-02 09:08,09:30,09:31,09:40,Módulo 1,lost
V9,Atención general,A509,2026-11-02 09:08,09:30,09:31,09:40,Mesa 9,served
V10,Atención general,A510,2026-11-02 09:08,mañana,09:31,09:40,Módulo 1,served
"""


def _job(organization, kind, content, name="file.csv", branch=None, by=None):
    upload = SimpleUploadedFile(name, content if isinstance(content, bytes) else content.encode())
    job = imports.start_import(organization, upload, kind=kind, branch=branch, by=by)
    return job


def _run(job, by, django_capture_on_commit_callbacks, mapping=None):
    with django_capture_on_commit_callbacks(execute=True):
        imports.map_import(job, mapping=mapping or imports.propose(job.kind, job.headers), by=by)
    job.refresh_from_db()
    return job


@pytest.fixture
def desks(desk_one, desk_two):
    return desk_one, desk_two


def test_visits_are_replayed_with_their_events_and_bad_rows_keep_their_reason(
    organization,
    office,
    general_queue,
    quick_queue,
    desks,
    quality_manager,
    django_capture_on_commit_callbacks,
):
    job = _job(organization, ImportKind.VISITS, VISITS_CSV, branch=office, by=quality_manager)
    assert imports.propose(job.kind, job.headers)["desk"] == "Desk"
    job = _run(job, quality_manager, django_capture_on_commit_callbacks)

    assert job.status == ImportStatus.DONE
    assert job.total == 11
    assert job.imported == 4  # V1, V2 (transferred), V3 (no-show), V4 (left)
    reasons = {item["row"]: item["reason"] for item in job.rejected}
    assert set(reasons) == {7, 8, 9, 10, 11, 12}
    assert "Unknown queue" in reasons[7]
    assert "arrival time is missing" in reasons[8]
    assert "starts before the call" in reasons[9] or "ends before it starts" in reasons[9]
    assert "Unknown outcome" in reasons[10]
    assert "Unknown desk" in reasons[11]
    assert "not a date and time" in reasons[12]

    served = Visit.objects.get(external_id="V1")
    assert served.source == VisitSource.IMPORT
    assert served.number == "A501"
    assert served.state == VisitState.FINISHED
    step = served.transactions.get()
    local = dt.datetime(2026, 11, 2, 9, 10, tzinfo=SANTIAGO)
    assert step.called_at == local
    assert step.desk.name == "Módulo 1"
    assert step.ended_at == dt.datetime(2026, 11, 2, 9, 20, tzinfo=SANTIAGO)
    assert list(served.events.values_list("kind", flat=True)) == [
        EventKind.ISSUED,
        EventKind.CALLED,
        EventKind.STARTED,
        EventKind.FINISHED,
    ]

    transferred = Visit.objects.get(external_id="V2")
    steps = list(transferred.transactions.order_by("queued_at", "pk"))
    assert [s.queue.letter for s in steps] == ["A", "B"]
    assert steps[0].outcome == Outcome.TRANSFERRED
    assert steps[1].outcome == Outcome.RESOLVED
    assert steps[1].called_at == dt.datetime(2026, 11, 2, 9, 25, tzinfo=SANTIAGO)
    assert Visit.objects.get(external_id="V3").state == VisitState.NO_SHOW
    assert Visit.objects.get(external_id="V4").state == VisitState.LEFT

    # The same file again imports nothing twice: every valid visit is a duplicate now.
    again = _run(
        _job(organization, ImportKind.VISITS, VISITS_CSV, branch=office, by=quality_manager),
        quality_manager,
        django_capture_on_commit_callbacks,
    )
    assert again.imported == 0
    assert Visit.objects.filter(branch=office).count() == 4
    assert any("already imported" in item["reason"] for item in again.rejected)


def test_semicolon_latin1_csv_of_contacts(
    organization, quality_manager, django_capture_on_commit_callbacks
):
    text = (
        "Id;Fecha;Tipo;Espera;Duración;Resultado;FCR;Nota\n"
        "C1;02/11/2026 09:00;teléfono;12;180;resuelto;sí;Consulta pensión\n"
        "C2;02/11/2026 09:05;chat;;0:05:00;atendido;no;\n"
        "C3;02/11/2026 09:06;fax;10;10;resuelto;;\n"
        "C4;02/11/2026 09:07;email;abc;10;resuelto;;\n"
        "C1;02/11/2026 09:00;teléfono;12;180;resuelto;sí;\n"
    )
    job = _job(organization, ImportKind.CONTACTS, text.encode("latin-1"), by=quality_manager)
    assert job.headers[4] == "Duración"
    job = _run(job, quality_manager, django_capture_on_commit_callbacks)
    assert job.imported == 2
    reasons = {item["row"]: item["reason"] for item in job.rejected}
    assert "Unknown kind" in reasons[4]
    assert "seconds" in reasons[5]
    assert "already recorded" in reasons[6]
    first = Contact.objects.get(external_id="C1")
    assert first.kind == "phone"
    assert first.wait_seconds == 12
    assert first.first_contact_resolution
    assert first.started_at == dt.datetime(2026, 11, 2, 9, 0, tzinfo=SANTIAGO)
    assert first.note == "Consulta pensión"
    assert Contact.objects.get(external_id="C2").handle_seconds == 300


def _xlsx(rows):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_xlsx_of_interval_figures_with_an_offset_and_bad_rows(
    organization, quality_manager, django_capture_on_commit_callbacks
):
    data = _xlsx(
        [
            [
                "Interval",
                "Line",
                "Offered",
                "Answered",
                "Answered within",
                "Abandoned",
                "Abandoned within",
                "Short abandons",
                "Answer seconds",
                "Handle seconds",
            ],
            [dt.datetime(2026, 11, 2, 9, 0), "101", 100, 90, 72, 10, 6, 2, 1800, 18000],
            ["2026-11-02T12:30:00+00:00", "101", 50, 45, 40, 5, 1, 0, 300, 9000],
            [dt.datetime(2026, 11, 2, 10, 0), "101", 10, 20, 5, 0, 0, 0, 0, 0],
            [dt.datetime(2026, 11, 2, 9, 0), "101", 100, 90, 72, 10, 6, 2, 1800, 18000],
        ]
    )
    job = _job(organization, ImportKind.INTERVALS, data, name="calls.xlsx", by=quality_manager)
    job = _run(job, quality_manager, django_capture_on_commit_callbacks)
    assert job.imported == 2
    reasons = {item["row"]: item["reason"] for item in job.rejected}
    assert "than offered" in reasons[4]
    assert "already imported" in reasons[5]
    offset = ContactInterval.objects.get(offered=50)
    assert offset.starts_at == dt.datetime(2026, 11, 2, 12, 30, tzinfo=dt.UTC)
    local = ContactInterval.objects.get(offered=100)
    assert local.starts_at == dt.datetime(2026, 11, 2, 9, 0, tzinfo=SANTIAGO)


def test_oversized_files_and_other_types_are_refused(organization, quality_manager, settings):
    big = SimpleUploadedFile("big.csv", b"a,b\n" + b"1,2\n" * 10)
    big.size = reading.MAX_BYTES + 1
    with pytest.raises(DomainError, match="larger than 20 MB"):
        imports.start_import(organization, big, kind=ImportKind.CONTACTS, by=quality_manager)
    with pytest.raises(DomainError, match="CSV or XLSX"):
        imports.start_import(
            organization,
            SimpleUploadedFile("x.exe", b"MZ"),
            kind=ImportKind.CONTACTS,
            by=quality_manager,
        )
    with pytest.raises(DomainError, match="cannot be opened"):
        imports.start_import(
            organization,
            SimpleUploadedFile("x.xlsx", b"not a zip"),
            kind=ImportKind.CONTACTS,
            by=quality_manager,
        )
    assert not ImportJob.objects.exists()


def test_too_many_rows_fail_the_import_with_nothing_stored(
    organization, quality_manager, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(reading, "MAX_ROWS", 2)
    text = "Id,Date,Kind,Outcome\n" + "".join(
        f"X{i},2026-11-02 09:00,phone,resolved\n" for i in range(3)
    )
    job = _run(
        _job(organization, ImportKind.CONTACTS, text, by=quality_manager),
        quality_manager,
        django_capture_on_commit_callbacks,
    )
    assert job.status == ImportStatus.FAILED
    assert "more than" in job.message
    assert not Contact.objects.exists()


def _cells(response):
    import csv

    return [
        cell
        for row in csv.reader(io.StringIO(response.content.decode("utf-8-sig")))
        for cell in row
    ]


def test_formula_cells_are_neutralised_in_every_download(
    client, organization, quality_manager, django_capture_on_commit_callbacks
):
    text = (
        "Id,Date,Kind,Outcome\n"
        "X1,2026-11-02 09:00,=cmd|' /C calc'!A0,resolved\n"
        "=cmd|' /C calc'!A0,2026-11-02 09:00,phone,resolved\n"
    )
    job = _run(
        _job(organization, ImportKind.CONTACTS, text, by=quality_manager),
        quality_manager,
        django_capture_on_commit_callbacks,
    )
    assert job.imported == 1
    intervals = "Interval,Line,Answered,Answered within\n2026-11-02 09:00,=cmd|' /C calc'!A0,5,4\n"
    _run(
        _job(organization, ImportKind.INTERVALS, intervals, by=quality_manager),
        quality_manager,
        django_capture_on_commit_callbacks,
    )
    client.force_login(quality_manager)
    rejected = _cells(client.get(reverse("attention:import_job", args=[job.pk]) + "?format=csv"))
    assert any("Unknown kind" in cell for cell in rejected)
    figures = _cells(
        client.get(
            reverse("attention:contact_figures") + "?start=2026-11-01&end=2026-11-30&format=csv"
        )
    )
    assert any("=cmd" in cell for cell in figures)
    for cell in rejected + figures:
        assert not cell.startswith(("=", "+", "-", "@")), cell
    page = client.get(reverse("attention:import_job", args=[job.pk]))
    assert "=cmd|&#x27; /C calc&#x27;!A0" in page.content.decode()  # shown escaped, as text


def test_upload_map_and_result_pages(
    client,
    organization,
    office,
    general_queue,
    quick_queue,
    desks,
    quality_manager,
    django_capture_on_commit_callbacks,
):
    client.force_login(quality_manager)
    response = client.post(
        reverse("attention:imports"),
        {
            "kind": ImportKind.VISITS,
            "branch": office.pk,
            "file": SimpleUploadedFile("visits.csv", VISITS_CSV.encode()),
        },
    )
    job = ImportJob.objects.get()
    assert response.url == reverse("attention:import_mapping", args=[job.pk])
    page = client.get(response.url)
    assert page.status_code == 200
    assert 'value="Visit id" selected' in page.content.decode()
    mapping = imports.propose(job.kind, job.headers)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("attention:import_mapping", args=[job.pk]), mapping)
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE
    assert job.imported == 4
    page = client.get(reverse("attention:import_job", args=[job.pk]))
    assert "Unknown queue" in page.content.decode()
    assert client.get(reverse("attention:imports")).status_code == 200


def test_a_visits_upload_needs_a_branch_and_a_mapping_its_required_columns(
    client, organization, office, quality_manager
):
    client.force_login(quality_manager)
    response = client.post(
        reverse("attention:imports"),
        {"kind": ImportKind.VISITS, "file": SimpleUploadedFile("v.csv", b"a,b\n1,2\n")},
    )
    assert response.status_code == 200
    assert "Choose the branch" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_a_viewer_cannot_import_and_another_organisation_gets_404(
    client, organization, office, quality_manager, viewer, outsider
):
    job = _job(organization, ImportKind.CONTACTS, "Id,Date\n1,2\n", by=quality_manager)
    client.force_login(viewer)
    assert client.get(reverse("attention:imports")).status_code == 403
    assert client.get(reverse("attention:import_job", args=[job.pk])).status_code == 403
    with pytest.raises(Exception, match="permission"):
        imports.start_import(
            organization,
            SimpleUploadedFile("c.csv", b"a\n1\n"),
            kind=ImportKind.CONTACTS,
            by=viewer,
        )
    client.force_login(outsider)
    assert client.get(reverse("attention:import_job", args=[job.pk])).status_code == 404
    assert client.get(reverse("attention:import_mapping", args=[job.pk])).status_code == 404


def test_reasons_are_written_in_the_language_of_who_ran_the_import(
    organization, quality_manager, django_capture_on_commit_callbacks
):
    text = "Id,Date,Kind,Outcome\nX1,ayer,phone,resolved\n"
    job = _job(organization, ImportKind.CONTACTS, text, by=quality_manager)
    with translation.override("es"):
        job = _run(job, quality_manager, django_capture_on_commit_callbacks)
    assert job.rejected == [{"row": 2, "reason": "«ayer» no es una fecha y hora."}]
