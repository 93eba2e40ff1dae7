"""Importing responses: every row checked and each rejection explained; valid rows stored
together with the score counts; bad files refused clearly; the same file never twice."""

import datetime as dt
import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from compromiso.catalog.tests.factories import TouchPointFactory
from compromiso.core.models import AuditEntry
from compromiso.surveys import imports, services
from compromiso.surveys.imports import reading
from compromiso.surveys.models import Answer, ImportJob, Response, ScoreCount
from compromiso.surveys.tests.conftest import answers_for

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
            f"{code};2026-03-03;5;4;no;\n",  # the same answers as above: another person
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
    assert (done.status, done.total, done.imported) == ("done", 8, 4)
    reasons = dict(done.rejected)
    assert set(reasons) == {5, 6, 7, 8}
    assert "de 1 a 7" in reasons[5]
    assert "NOPE" in reasons[6]
    assert "no es una fecha" in reasons[7]
    assert "responda" in reasons[8]
    assert Response.objects.filter(source="import").count() == 4
    overall = wave.questionnaire.questions.get(is_overall=True)
    counted = ScoreCount.objects.filter(question=overall).aggregate(n=Sum("count"))["n"]
    assert counted == 4


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

    assert "4 de 8 filas importadas" in report.content.decode()
    assert "no es una fecha" in listing.content.decode()
    assert "identificador" in mapping_page.content.decode()  # the duplicate rule is shown


def _run(wave, text, quality_manager, mapping=None, encoding="utf-8"):
    job = imports.start_import(wave, _upload(text, encoding=encoding), by=quality_manager)
    job.mapping = mapping or imports.guess_mapping(job)
    job.save()
    return imports.run_import(job)


def test_offices_age_bands_and_awkward_text_arrive_intact(
    wave, licences, organization, quality_manager
):
    office = TouchPointFactory(organization=organization, name="Oficina Centro")
    text = (
        "servicio;oficina;edad;fecha;q1;q2;q3;q4\n"
        f'{licences.code};Oficina Centro;30_44;2026-03-01;7;6;sí;"tab\there\nline \\N back\\\\"\n'
        f"{licences.code};Oficina Centro;u30;31/03/2026;2;3;no;\n"
        f"{licences.code};Oficina Norte;u30;2026-03-02;2;3;no;\n"
        f"{licences.code};;centenario;2026-03-02;2;3;no;\n"
    )

    done = _run(wave, text, quality_manager)

    assert done.imported == 2
    reasons = dict(done.rejected)
    assert "Oficina Norte" in reasons[4]
    assert "centenario" in reasons[5]
    first, second = Response.objects.filter(source="import").order_by("submitted_at")
    assert (first.touch_point, first.age_band) == (office, "30_44")
    # Dates are local (Santiago) days: 1 March at midnight there, whatever the server's zone.
    assert timezone.localtime(first.submitted_at).date() == dt.date(2026, 3, 1)
    assert timezone.localtime(second.submitted_at).date() == dt.date(2026, 3, 31)
    typed = first.answers.get(question__kind="text").text
    assert typed == "tab\there\nline \\N back\\\\"
    assert first.answers.get(question__kind="yes_no").choices == ["yes"]
    overall, speed = wave.questionnaire.questions.filter(kind="scale")
    assert first.grades == {str(overall.pk): 7, str(speed.pk): 6}
    assert (second.grade(overall.pk), second.grade(speed.pk)) == (2, 3)
    assert first.answers.count() == 2
    assert second.answers.count() == 1
    cells = ScoreCount.objects.filter(question__is_overall=True, touch_point_key=office.pk)
    assert {(c.month, c.score, c.count) for c in cells} == {
        (dt.date(2026, 3, 1), 7, 1),
        (dt.date(2026, 3, 1), 2, 1),
    }


def test_an_import_adds_to_the_counts_of_answers_already_there(wave, licences, quality_manager):
    services.submit_response(
        wave,
        service=licences,
        answers=answers_for(wave, 7),
        submitted_at=timezone.make_aware(dt.datetime(2026, 3, 2, 10)),
    )
    text = HEADER + f"{licences.code};2026-03-02;7;6;sí;\n{licences.code};2026-03-09;5;6;no;\n"

    _run(wave, text, quality_manager)

    overall = wave.questionnaire.questions.get(is_overall=True)
    counts = {c.score: c.count for c in ScoreCount.objects.filter(question=overall)}
    assert counts == {7: 2, 5: 1}
    assert Response.objects.count() == 3
    # The figures read from the counts agree with a recount from the answers themselves.
    before = sorted(ScoreCount.objects.values_list("question", "score", "count"))
    services.rebuild_counts(wave)
    assert sorted(ScoreCount.objects.values_list("question", "score", "count")) == before


def test_a_file_with_one_row_in_ten_invalid_keeps_the_nine_good_ones(
    wave, licences, quality_manager
):
    rows = [
        f"{licences.code};2026-03-{1 + i % 28:02d};{1 + i % 7};{1 + (i * 3) % 7};sí;n{i}\n"
        if i % 10
        else f"{licences.code};2026-03-01;8;1;quizá;bad {i}\n"
        for i in range(200)
    ]

    done = _run(wave, HEADER + "".join(rows), quality_manager)

    assert (done.total, done.imported, len(done.rejected)) == (200, 180, 20)
    assert all("de 1 a 7" in reason and "sí o no" in reason for _n, reason in done.rejected)
    assert Response.objects.count() == 180
    assert Answer.objects.filter(question__kind="text").count() == 180


def test_new_response_numbers_do_not_collide_with_later_answers(wave, licences, quality_manager):
    _run(wave, HEADER + f"{licences.code};2026-03-02;7;6;sí;\n", quality_manager)
    later = services.submit_response(wave, service=licences, answers=answers_for(wave, 6))

    assert Response.objects.count() == 2
    assert later.answers.count() == 1  # the yes/no answer; the two grades are on the response
    assert sorted(later.grades.values()) == [6, 6]


def test_the_copy_columns_cover_every_column_of_a_response():
    """A new field on Response must be added to the import's COPY columns too."""
    assert set(imports.RESPONSE_COLUMNS) == {f.column for f in Response._meta.concrete_fields}
    assert set(imports.ANSWER_COLUMNS) | {"id"} == {f.column for f in Answer._meta.concrete_fields}


@pytest.fixture
def channels_used(questionnaire):
    return questionnaire.questions.create(
        order=10,
        kind="multiple",
        required=False,
        texts={"es": "Canales usados"},
        choices=[{"value": v, "texts": {"es": v.upper()}} for v in ("a", "b", "c")],
    )


@pytest.mark.parametrize("last_row", ["", "{code};2026-03-06;6;5;no;;one cell too many\n"])
def test_row_numbers_are_the_file_records_whatever_blank_records_and_short_rows(
    wave, licences, quality_manager, monkeypatch, last_row
):
    """Blank records are skipped but keep their numbers, a quoted cell over two lines is one
    record, and a short row has empty cells at the end. A record longer than the header makes
    the csv module read the file instead of Polars: the report is the same."""
    code = licences.code
    text = HEADER + "".join(
        [
            f"{code};2026-03-02;7;6;sí;\n",  # 2
            "\n",  # 3: blank
            f"{code};2026-03-03;9\n",  # 4: short, and wrong
            " ; ;;;;\n",  # 5: blank cells only
            f"{code};2026-03-04;6;5;no\n",  # 6: short, the open text is empty
            f'{code};2026-03-05;5;5;no;"dos\nlíneas"\n',  # 7
            f"{code};31/02/2026;5;5;no;\n",  # 8
            last_row.format(code=code),  # 9
        ]
    )
    by_rows = []
    read_rows = reading._table_of_rows
    monkeypatch.setattr(
        reading, "_table_of_rows", lambda *args: by_rows.append(args) or read_rows(*args)
    )

    done = _run(wave, text, quality_manager)

    assert bool(by_rows) == bool(last_row)
    assert (done.total, done.imported) == (5 + bool(last_row), 3 + bool(last_row))
    assert dict(done.rejected) == {
        4: "Satisfacción general: Elija un valor de 1 a 7. "
        "Rapidez de la atención: Por favor, responda esta pregunta. "
        "¿Resolvió su trámite?: Por favor, responda esta pregunta.",
        8: "«31/02/2026» no es una fecha (use 2026-03-31).",
    }
    texts = Answer.objects.filter(question__kind="text").values_list("text", flat=True)
    assert list(texts) == ["dos\nlíneas"]


def test_a_semicolon_separated_windows_1252_file_is_read(
    wave, licences, organization, quality_manager
):
    office = TouchPointFactory(organization=organization, name="Peñalolén")
    text = (
        "servicio;oficina;fecha;q1;q2;q3;q4\n"
        f"{licences.code};PEÑALOLÉN;2026-03-02;7;6;Sí;Atención rápida, señora\n"
    )

    done = _run(wave, text, quality_manager, encoding="cp1252")

    assert (done.imported, done.rejected) == (1, [])
    response = Response.objects.get()
    assert response.touch_point == office
    assert response.answers.get(question__kind="yes_no").choices == ["yes"]
    assert response.answers.get(question__kind="text").text == "Atención rápida, señora"


def test_a_grade_with_a_leading_zero_is_that_grade(wave, licences, quality_manager):
    text = HEADER + f"{licences.code};2026-03-02;05; 7 ;no;\n{licences.code};2026-03-03;070;7;no;\n"

    done = _run(wave, text, quality_manager)

    assert done.imported == 1
    assert dict(done.rejected) == {3: "Satisfacción general: Elija un valor de 1 a 7."}
    overall, speed = wave.questionnaire.questions.filter(kind="scale")
    response = Response.objects.get()
    assert response.grades == {str(overall.pk): 5, str(speed.pk): 7}
    with connection.cursor() as cursor:  # written compactly, as the form writes them
        cursor.execute(f"SELECT CAST(grades AS text) FROM {Response._meta.db_table}")
        assert cursor.fetchone()[0] == f'{{"{overall.pk}":5,"{speed.pk}":7}}'
    counted = ScoreCount.objects.filter(question=overall)
    assert [(c.score, c.count) for c in counted] == [(5, 1)]


def test_a_multiple_choice_cell_lists_its_options(wave, licences, channels_used, quality_manager):
    code = licences.code
    text = (
        "servicio;fecha;q1;q2;q3;q10\n"
        f"{code};2026-03-02;7;6;sí;a|b\n"
        f"{code};2026-03-03;7;6;sí; c | | a \n"
        f"{code};2026-03-04;7;6;sí;a|z\n"
        f"{code};2026-03-05;7;6;sí;|\n"
    )

    done = _run(wave, text, quality_manager)

    assert done.imported == 3
    assert dict(done.rejected) == {4: "Canales usados: Elija entre las opciones ofrecidas."}
    choices = Answer.objects.filter(question=channels_used).order_by("response__submitted_at")
    assert [a.choices for a in choices] == [["a", "b"], ["c", "a"]]


def test_hostile_text_arrives_intact(wave, licences, quality_manager):
    hostile = [
        "\\N",
        "\\\\N",
        '<script>alert("hola")</script>',
        "a\tb \\t c \\\\ d",
        '<p onclick="x">uno\r\ndos</p> & \\n',
    ]
    text = "servicio;q4;fecha;q1;q2;q3\n" + "".join(
        f'{licences.code};"{cell.replace('"', '""')}";2026-03-{day:02d};7;6;sí\n'
        for day, cell in enumerate(hostile, start=1)
    )

    done = _run(wave, text, quality_manager)

    assert (done.imported, done.rejected) == (len(hostile), [])
    typed = Answer.objects.filter(question__kind="text").order_by("response__submitted_at")
    assert [a.text for a in typed] == hostile


def test_a_row_that_fails_several_checks_lists_them_all(wave, quality_manager):
    text = "servicio;canal;oficina;tipo;edad;fecha;q1;q2;q3;q4\n" + (
        f"NOPE;fax;Lejos;robot;99;ayer;0;8;quizá;{'x' * 2001}\n" * 2
    )

    done = _run(wave, text, quality_manager)

    assert done.imported == 0
    assert done.rejected[:1] == [
        [
            2,
            "Servicio desconocido «NOPE». Canal desconocido «fax». "
            "Punto de contacto desconocido «Lejos». «ayer» no es una fecha (use 2026-03-31). "
            "Tipo de persona usuaria desconocido «robot». Tramo de edad desconocido «99». "
            "Satisfacción general: Elija un valor de 1 a 7. "
            "Rapidez de la atención: Elija un valor de 1 a 7. "
            "¿Resolvió su trámite?: Responda sí o no. "
            "¿Qué mejoraría?: Como máximo 2000 caracteres.",
        ],
    ]
    assert done.rejected[1][0] == 3
    assert done.rejected[1][1] == done.rejected[0][1]
    assert not Response.objects.exists()


def test_a_file_over_the_row_limit_imports_nothing(wave, licences, quality_manager, monkeypatch):
    monkeypatch.setattr(reading, "MAX_ROWS", 2)
    rows = "".join(f"{licences.code};2026-03-0{day};7;6;sí;\n" for day in (1, 2, 3))

    done = _run(wave, HEADER + rows, quality_manager)

    assert (done.status, done.message) == ("failed", "El archivo tiene más de 1.000.000 de filas.")
    assert not Response.objects.exists()


def test_stray_quotes_are_read_as_the_csv_module_reads_them(wave, licences, quality_manager):
    """Quotes that do not wrap a whole cell: the csv module reads the file, not Polars."""
    code = licences.code
    text = HEADER + (
        f'{code};2026-03-01;7;6;sí;Pantalla de 5" rota\n'
        f'{code};2026-03-02;7;6;sí;"dice" que no\n'
        f'{code};2026-03-03;7;6;sí;"cita ""textual"""\n'
    )

    done = _run(wave, text, quality_manager)

    assert (done.imported, done.rejected) == (3, [])
    typed = Answer.objects.filter(question__kind="text").order_by("response__submitted_at")
    assert [a.text for a in typed] == ['Pantalla de 5" rota', "dice que no", 'cita "textual"']


def _figures_from_file(text, column):
    """n, satisfied, dissatisfied and net score (points) of a 1–7 column, computed straight
    from the CSV with the csv module: 6–7 satisfied, 1–4 dissatisfied."""
    import csv

    grades = [int(row[column]) for row in csv.DictReader(io.StringIO(text), delimiter=";")]
    satisfied = sum(1 for g in grades if g >= 6)
    dissatisfied = sum(1 for g in grades if g <= 4)
    return len(grades), satisfied, dissatisfied, 100 * (satisfied - dissatisfied) / len(grades)


def test_identical_anonymous_rows_are_all_imported_and_the_figures_match_the_file(
    wave, licences, quality_manager
):
    from compromiso.surveys.figures import wave_figures

    code = licences.code
    rows = (
        [f"{code};2026-03-02;7;7;sí;\n"] * 9
        + [f"{code};2026-03-02;6;6;sí;\n"] * 4
        + [f"{code};2026-03-03;3;4;no;\n"] * 5
        + [f"{code};2026-03-04;5;5;no;\n"] * 2
    )
    text = HEADER + "".join(rows)

    done = _run(wave, text, quality_manager)

    n, satisfied, dissatisfied, net = _figures_from_file(text, "q1")
    assert (n, satisfied, dissatisfied) == (20, 13, 5)
    assert (done.imported, done.rejected) == (n, [])
    figures = wave_figures(wave, wave.services.all())
    summary = figures.total.summary
    assert (summary.n, summary.satisfied, summary.dissatisfied) == (n, satisfied, dissatisfied)
    assert summary.net.value == pytest.approx(net)  # 40.0, not the 0.0 of four distinct rows


def test_a_repeated_respondent_identifier_is_the_only_duplicate(wave, licences, quality_manager):
    code = licences.code
    text = "folio;servicio;fecha;q1;q2;q3;q4\n" + "".join(
        [
            f"A1;{code};2026-03-02;7;7;sí;\n",
            f"A2;{code};2026-03-02;7;7;sí;\n",  # same answers, another respondent
            f"A1;{code};2026-03-05;3;3;no;\n",  # the same respondent again
            f";{code};2026-03-02;7;7;sí;\n",  # no identifier: never a duplicate
            f";{code};2026-03-02;7;7;sí;\n",
        ]
    )

    done = _run(wave, text, quality_manager)

    assert done.mapping["respondent"] == "folio"
    assert done.imported == 4
    assert done.rejected == [
        [4, "Duplicado de la fila 2 (mismo identificador de persona o de respuesta)."]
    ]


@pytest.mark.parametrize(
    ("language", "rule"),
    [
        ("es", "solo cuando la columna asignada al identificador"),
        ("ca", "només quan la columna assignada a l'identificador"),
        ("en", "only when the column mapped to the respondent or response identifier"),
    ],
)
def test_the_mapping_page_states_the_duplicate_rule_in_each_language(
    client, wave, licences, quality_manager, language, rule
):
    job = imports.start_import(
        wave, _upload(HEADER + f"{licences.code};2026-03-02;7;6;sí;\n"), by=quality_manager
    )
    client.force_login(quality_manager)
    client.cookies["compromiso_language"] = language

    page = client.get(reverse("surveys:import_mapping", args=[wave.pk, job.pk]))

    assert page.status_code == 200
    assert rule in page.content.decode().replace("&#x27;", "'")
    assert 'name="respondent"' in page.content.decode()


def test_an_xlsx_that_inflates_far_beyond_its_size_is_refused_unopened(wave, quality_manager):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/sharedStrings.xml", "w") as entry:
            for _ in range(64):
                entry.write(b" " * 1024 * 1024)

    with pytest.raises(imports.SurveyImportError) as refused:
        imports.start_import(
            wave, SimpleUploadedFile("r.xlsx", buffer.getvalue()), by=quality_manager
        )

    assert "descomprim" in refused.value.message
    assert not ImportJob.objects.exists()


def test_mapping_the_columns_is_kept_and_written_to_the_audit_log(wave, licences, quality_manager):
    job = imports.start_import(
        wave, _upload(HEADER + f"{licences.code};2026-03-02;7;6;sí;\n"), by=quality_manager
    )
    mapping = imports.guess_mapping(job)

    imports.map_import(job, mapping=mapping, by=quality_manager)

    job.refresh_from_db()
    assert job.mapping == mapping
    entry = AuditEntry.objects.get(action="surveys.import.mapped")
    assert entry.actor == quality_manager
    assert entry.data["job"] == job.pk
    assert entry.data["mapping"]["service"] == "servicio"


def test_someone_who_does_not_manage_surveys_cannot_map_an_import(
    wave, licences, quality_manager, officer
):
    job = imports.start_import(
        wave, _upload(HEADER + f"{licences.code};2026-03-02;7;6;sí;\n"), by=quality_manager
    )

    with pytest.raises(PermissionDenied):
        imports.map_import(job, mapping=imports.guess_mapping(job), by=officer)

    job.refresh_from_db()
    assert job.mapping == {}
    assert not AuditEntry.objects.filter(action="surveys.import.mapped").exists()


def test_an_import_that_already_ran_cannot_be_mapped_again(wave, licences, quality_manager):
    done = _run(wave, HEADER + f"{licences.code};2026-03-02;7;6;sí;\n", quality_manager)

    with pytest.raises(imports.SurveyImportError):
        imports.map_import(done, mapping={"service": "fecha"}, by=quality_manager)

    done.refresh_from_db()
    assert done.mapping["service"] == "servicio"


def test_the_mapping_page_saves_the_columns_and_runs_the_import(
    client, wave, licences, quality_manager, django_capture_on_commit_callbacks
):
    job = imports.start_import(
        wave, _upload(HEADER + f"{licences.code};2026-03-02;7;6;sí;\n"), by=quality_manager
    )
    client.force_login(quality_manager)
    columns = imports.guess_mapping(job)

    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(reverse("surveys:import_mapping", args=[wave.pk, job.pk]), columns)

    assert page.status_code == 302
    assert page.url == reverse("surveys:import_job", args=[wave.pk, job.pk])
    job.refresh_from_db()
    assert job.mapping == columns
    assert job.status == "done"
    assert AuditEntry.objects.filter(action="surveys.import.mapped").count() == 1
