"""Importing responses: every row checked and each rejection explained; valid rows stored
together with the score counts; bad files refused clearly; the same file never twice."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Sum
from django.urls import reverse
from openpyxl import Workbook

from compromiso.surveys import imports
from compromiso.surveys.models import ImportJob, Response, ScoreCount

pytestmark = pytest.mark.django_db

HEADER = "servicio;fecha;q1;q2;q3;q4\n"


def _upload(text, name="respuestas.csv", encoding="utf-8"):
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def _csv(licences):
    code = licences.code
    return HEADER + "".join(
        [
            f"{code};2026-03-02;7;6;sí;Muy bien\n",
            f"{code};2026-03-03;5;4;no;\n",
            f"{code};2026-03-03;5;4;no;\n",  # duplicate of the row above
            f"{code};2026-03-04;9;6;sí;\n",  # 9 is outside 1–7
            "NOPE;2026-03-04;7;6;sí;\n",  # unknown service
            f"{code};31/02/2026;7;6;sí;\n",  # not a date
            f"{code};2026-03-05;;6;sí;\n",  # overall missing (required)
            f"{code};05/03/2026;6;6;no;Atención en catalán: ç·l\n",
            "\n",
        ]
    )


def test_a_csv_is_checked_row_by_row_and_the_valid_rows_go_in(wave, licences, quality_manager):
    job = imports.start_import(wave, _upload(_csv(licences), encoding="cp1252"), by=quality_manager)
    job.mapping = imports.guess_mapping(job)
    job.save()

    done = imports.run_import(job)

    assert job.mapping["service"] == "servicio"
    assert (done.status, done.total, done.imported) == ("done", 8, 3)
    reasons = dict(done.rejected)
    assert set(reasons) == {4, 5, 6, 7, 8}
    assert "Duplicado de la fila 3" in reasons[4]
    assert "de 1 a 7" in reasons[5]
    assert "NOPE" in reasons[6]
    assert "no es una fecha" in reasons[7]
    assert "responda" in reasons[8]
    assert Response.objects.filter(source="import").count() == 3
    overall = wave.questionnaire.questions.get(is_overall=True)
    counted = ScoreCount.objects.filter(question=overall).aggregate(n=Sum("count"))["n"]
    assert counted == 3


def test_an_xlsx_imports_too(wave, licences, quality_manager):
    book = Workbook()
    sheet = book.active
    sheet.append(["service", "q1", "q2", "q3"])
    sheet.append([licences.code, 7, 7, "yes"])
    sheet.append([licences.code, 2.0, 3, "no"])
    buffer = io.BytesIO()
    book.save(buffer)
    upload = SimpleUploadedFile("r.xlsx", buffer.getvalue())

    job = imports.start_import(wave, upload, by=quality_manager)
    job.mapping = imports.guess_mapping(job)
    job.save()

    assert imports.run_import(job).imported == 2


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("r.pdf", b"%PDF-1.7", "CSV o XLSX"),
        ("r.csv", b"", "cabecera"),
        ("r.xlsx", b"PK\x03\x04 not a workbook", "no se puede abrir"),
        ("r.csv", bytes(range(256)) * 3, ""),
    ],
)
def test_bad_files_are_refused_with_a_reason(wave, quality_manager, name, content, message):
    try:
        imports.start_import(wave, SimpleUploadedFile(name, content), by=quality_manager)
    except (ValidationError, imports.SurveyImportError) as error:
        text = " ".join(error.messages) if isinstance(error, ValidationError) else error.message
        assert message in text
    assert not Response.objects.exists()


def test_the_same_file_is_not_imported_twice(wave, licences, quality_manager):
    text = HEADER + f"{licences.code};2026-03-02;7;6;sí;\n"
    job = imports.start_import(wave, _upload(text), by=quality_manager)
    job.mapping = imports.guess_mapping(job)
    job.save()
    imports.run_import(job)

    with pytest.raises(ValidationError, match="ya se importó"):
        imports.start_import(wave, _upload(text), by=quality_manager)


def test_without_the_service_column_nothing_is_imported(wave, licences, quality_manager):
    job = imports.start_import(
        wave, _upload(HEADER + f"{licences.code};2026-03-02;7;6;sí;\n"), by=quality_manager
    )
    job.mapping = {"q1": "q1"}
    job.save()

    with pytest.raises(imports.SurveyImportError):
        imports.run_import(job)
    assert not Response.objects.exists()


def test_the_import_pages_upload_map_and_report(
    client, wave, licences, quality_manager, viewer, django_capture_on_commit_callbacks
):
    client.force_login(viewer)
    assert client.get(reverse("surveys:import_upload", args=[wave.pk])).status_code == 403
    client.force_login(quality_manager)

    uploaded = client.post(
        reverse("surveys:import_upload", args=[wave.pk]), {"file": _upload(_csv(licences))}
    )
    job = ImportJob.objects.get()
    mapping_page = client.get(uploaded["Location"])
    form = mapping_page.context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(uploaded["Location"], data)
    report = client.get(reverse("surveys:import_job", args=[wave.pk, job.pk]))
    listing = client.get(reverse("surveys:import_job", args=[wave.pk, job.pk]), {"format": "csv"})

    assert "3 de 8 filas importadas" in report.content.decode()
    assert "Duplicado de la fila 3" in listing.content.decode()
