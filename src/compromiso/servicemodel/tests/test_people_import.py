"""Importing the staff list: CSV and XLSX, upsert by employee number, the preview's plan, rows
rejected with their line, column and reason, and files refused as a whole with nothing saved."""

import io

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation
from openpyxl import Workbook

from compromiso.catalog.tests.factories import TouchPointFactory
from compromiso.core.actors import SYSTEM
from compromiso.servicemodel import services
from compromiso.servicemodel.models import ImportStatus, StaffImport, StaffMember, StaffRole
from compromiso.servicemodel.services import ServiceModelError
from compromiso.servicemodel.staff_import import StaffImportError, check_file

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_english():
    with translation.override("en"):
        yield


HEADER = (
    "Número de empleado;Nombre completo;Correo;Unidad;Rol;Mando intermedio;Puntos de contacto\n"
)


@pytest.fixture
def coded(branch, other_branch):
    branch.code, other_branch.code = "ARI", "TEM"
    branch.save()
    other_branch.save()
    return branch


@pytest.fixture
def counter(organization, coded):
    return TouchPointFactory(organization=organization, unit=coded, name="Mesón Arica")


@pytest.fixture
def phone(organization, coded):
    return TouchPointFactory(organization=organization, unit=coded, name="Teléfono")


def _csv(*lines: str, header: str = HEADER, bom: bool = False) -> bytes:
    text = header + "".join(line + "\n" for line in lines)
    return ("\ufeff" if bom else "").encode() + text.encode("utf-8")


def _plan(organization, data, name="staff.csv", by=SYSTEM, deactivate=False):
    return check_file(data, name, organization, by=by, deactivate_missing=deactivate)


def test_a_csv_with_semicolons_and_a_bom_plans_each_row(organization, counter, phone):
    data = _csv(
        "1001;Ana Pérez;ana@example.org;ARI;Contacto;sí;Mesón Arica|teléfono",
        "1002;Luis Soto;;Sucursal Temuco;back office;no;",
        bom=True,
    )

    plan = _plan(organization, data)

    assert [row.code for row in plan.create] == ["1001", "1002"]
    ana, luis = plan.create
    assert (ana.role, ana.is_manager, ana.touch_points) == ("contact", True, [counter, phone])
    assert (luis.role, luis.is_manager, luis.touch_points) == ("back_office", False, None)
    assert plan.rejected == []


def test_bad_rows_are_rejected_with_line_column_and_reason(organization, counter):
    data = _csv(
        "1001;Ana Pérez;ana@example.org;ARI;Contacto;sí;",  # line 2: fine
        ";Sin Número;;ARI;;;",  # 3
        "1003;Sin Unidad;;NOPE;;;",  # 4
        "1004;Correo Malo;no-es-correo;ARI;;;",  # 5
        "1005;Rol Raro;;ARI;jefe;;",  # 6
        "1006;Punto Ajeno;;TEM;;;Mesón Arica",  # 7: a touch point of another unit
        "1001;Repetido;;ARI;;;",  # 8
        "1008;" + "x" * 501 + ";;ARI;;;",  # 9
        "1009;Sí o No;;ARI;;quizás;",  # 10
    )

    plan = _plan(organization, data)

    assert [row.code for row in plan.create] == ["1001"]
    assert [(r.line, r.column) for r in plan.rejected] == [
        (3, "employee number"),
        (4, "unit"),
        (5, "e-mail"),
        (6, "role"),
        (7, "touch points"),
        (8, "employee number"),
        (9, "full name"),
        (10, "middle manager"),
    ]
    assert plan.rejected[5].reason == "The same employee number is on line 2."


def test_rejected_reasons_are_in_the_users_language(organization, coded):
    with translation.override("es"):
        plan = _plan(organization, _csv("1;A;;NOPE;;;"))

    assert plan.rejected[0].column == "unidad"
    assert plan.rejected[0].reason == "Ninguna unidad tiene este código o nombre."


def test_applying_upserts_by_employee_number_and_keeps_people_absent_from_the_file(
    organization, coded, other_branch, counter
):
    kept = services.create_staff_member(
        organization, by=SYSTEM, unit=other_branch, code="9", name="Ida"
    )
    moved = services.create_staff_member(
        organization, by=SYSTEM, unit=other_branch, code="1", name="Old"
    )
    job, plan = services.upload_staff_list(
        organization,
        by=SYSTEM,
        file_name="staff.csv",
        data=_csv("1;Ana Pérez;;ARI;;sí;Mesón Arica", "2;Luis Soto;;TEM;back office;;", "x;;;;;;"),
    )
    assert (len(plan.create), len(plan.update), len(plan.rejected)) == (1, 1, 1)
    assert StaffMember.objects.count() == 2  # nothing saved before confirming

    job = services.apply_staff_import(job, by=SYSTEM)

    moved.refresh_from_db()
    assert (moved.name, moved.unit, moved.is_manager) == ("Ana Pérez", coded, True)
    assert list(moved.touch_points.all()) == [counter]
    luis = StaffMember.objects.get(code="2")
    assert (luis.role, luis.unit) == (StaffRole.BACK_OFFICE, other_branch)
    kept.refresh_from_db()
    assert kept.is_active
    assert job.status == ImportStatus.APPLIED
    assert job.outcome == {
        "created": 1,
        "updated": 1,
        "unchanged": 0,
        "deactivated": 0,
        "rejected": 1,
    }
    assert job.rejected == [[4, "full name", "The name is missing.", "x", ""]]
    assert bytes(job.content) == b""
    with pytest.raises(ServiceModelError):
        services.apply_staff_import(job, by=SYSTEM)


def test_deactivating_those_absent_when_asked_spares_rejected_rows(organization, coded):
    absent = services.create_staff_member(organization, by=SYSTEM, unit=coded, code="9", name="Ida")
    rejected = services.create_staff_member(
        organization, by=SYSTEM, unit=coded, code="8", name="Eva"
    )
    job, plan = services.upload_staff_list(
        organization,
        by=SYSTEM,
        file_name="s.csv",
        data=_csv("1;Ana;;ARI;;;", "8;Eva;;ARI;chief;;"),
        deactivate_missing=True,
    )

    assert [m.pk for m in plan.deactivate] == [absent.pk]
    services.apply_staff_import(job, by=SYSTEM)
    absent.refresh_from_db()
    rejected.refresh_from_db()
    assert (absent.is_active, rejected.is_active) == (False, True)


def test_an_unchanged_row_is_counted_as_unchanged(organization, coded):
    services.create_staff_member(organization, by=SYSTEM, unit=coded, code="1", name="Ana")

    plan = _plan(organization, _csv("1;Ana;;ARI;;;"))

    assert (plan.create, plan.update, plan.unchanged) == ([], [], 1)


def test_an_xlsx_file_is_read_like_a_csv(organization, coded):
    book = Workbook()
    sheet = book.active
    sheet.append(["Employee number", "Full name", "Unit", "Role", "Middle manager"])
    sheet.append([1001, "Ana Pérez", "ARI", "contact", "yes"])
    sheet.append([None, None, None, None, None])
    sheet.append([1002.0, "Joan Vila", "Sucursal Temuco", "rerebotiga", "no"])
    buffer = io.BytesIO()
    book.save(buffer)

    plan = _plan(organization, buffer.getvalue(), name="staff.xlsx")

    assert [(r.line, r.code, r.role) for r in plan.create] == [
        (2, "1001", "contact"),
        (4, "1002", "back_office"),
    ]


def test_a_comma_separated_file_in_catalan_headers_is_read(organization, coded):
    data = "Número d'empleat,Nom complet,Unitat\n7,Joan,ARI\n".encode()

    assert [r.code for r in _plan(organization, data).create] == ["7"]


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "s.csv", "The file is empty."),
        (b"   \n", "s.csv", "The file is empty."),
        (HEADER.encode(), "s.csv", "The file has no rows under its header."),
        (b"Nombre;Correo\nAna;a@b.cl\n", "s.csv", "missing: employee number, unit"),
        ("Número;Nombre;Unidad\n1;Peña;ARI\n".encode("cp1252"), "s.csv", "not in UTF-8"),
        (b"\x00\x01\x02PK junk\xff\xfe", "s.csv", "not a CSV text file"),
        (b"PK\x03\x04 not really a zip", "s.xlsx", "The spreadsheet cannot be opened."),
        ("a;b\n".encode("utf-16"), "s.csv", "not a CSV text file"),
    ],
)
def test_a_file_we_cannot_read_is_refused_whole_and_nothing_is_kept(
    organization, coded, data, name, message
):
    with pytest.raises(StaffImportError) as error:
        services.upload_staff_list(organization, by=SYSTEM, file_name=name, data=data)

    assert message in error.value.message
    assert not StaffImport.objects.exists()
    assert not StaffMember.objects.exists()


def test_a_file_over_the_size_limit_is_refused(organization, coded, monkeypatch):
    monkeypatch.setattr("compromiso.servicemodel.staff_import.MAX_BYTES", 100)

    with pytest.raises(StaffImportError, match="larger than 5 MB"):
        _plan(organization, _csv(*["1;Ana;;ARI;;;"] * 10))


def test_a_file_over_the_row_limit_is_refused(organization, coded, monkeypatch):
    monkeypatch.setattr("compromiso.servicemodel.staff_import.MAX_ROWS", 3)

    with pytest.raises(StaffImportError, match="more than 3 rows"):
        _plan(organization, _csv(*[f"{n};Ana;;ARI;;;" for n in range(4)]))


def test_a_unit_head_imports_into_their_unit_only(organization, unit_head, coded, other_branch):
    elsewhere = services.create_staff_member(
        organization, by=SYSTEM, unit=other_branch, code="5", name="Eva"
    )

    plan = _plan(
        organization,
        _csv("1;Ana;;ARI;;;", "2;Luis;;TEM;;;", "5;Eva;;ARI;;;"),
        by=unit_head,
        deactivate=True,
    )

    assert [r.code for r in plan.create] == ["1"]
    assert [(r.line, r.column) for r in plan.rejected] == [(3, "unit"), (4, "employee number")]
    assert plan.deactivate == []
    assert elsewhere.is_active


@pytest.mark.parametrize("persona", ["viewer", "auditor", "outsider"])
def test_readers_cannot_upload_a_staff_list(request, persona, organization, coded):
    with pytest.raises(PermissionDenied):
        services.upload_staff_list(
            organization,
            by=request.getfixturevalue(persona),
            file_name="s.csv",
            data=_csv("1;A;;ARI;;;"),
        )


def test_discarding_an_upload_empties_it(organization, coded):
    job, _unused = services.upload_staff_list(
        organization, by=SYSTEM, file_name="s.csv", data=_csv("1;A;;ARI;;;")
    )

    services.discard_staff_import(job, by=SYSTEM)

    job.refresh_from_db()
    assert (job.status, bytes(job.content)) == (ImportStatus.DISCARDED, b"")
    assert not StaffMember.objects.exists()


def test_an_update_keeps_touch_points_inside_the_new_unit_unless_the_file_names_them(
    organization, region, coded, counter, phone
):
    services.create_staff_member(
        organization, by=SYSTEM, unit=coded, code="1", name="Ana", touch_points=[counter, phone]
    )
    services.create_staff_member(
        organization, by=SYSTEM, unit=coded, code="2", name="Bea", touch_points=[counter]
    )
    job, _unused = services.upload_staff_list(
        organization,
        by=SYSTEM,
        file_name="s.csv",
        data=_csv(f"1;Ana;;{region.name};;;", "2;Bea;;ARI;;;Teléfono"),
    )

    services.apply_staff_import(job, by=SYSTEM)

    ana, bea = StaffMember.objects.order_by("code")
    assert ana.unit == region  # the branch is inside the region: both touch points stay
    assert set(ana.touch_points.all()) == {counter, phone}
    assert list(bea.touch_points.all()) == [phone]


def test_an_e_mail_longer_than_the_column_is_rejected(organization, coded):
    plan = _plan(organization, _csv(f"1;Ana;{'a' * 250}@example.org;ARI;;;"))

    assert [(r.column, r.reason) for r in plan.rejected] == [("e-mail", "At most 254 characters.")]


def test_applying_a_large_file_asks_the_database_a_bounded_number_of_times(
    organization, coded, counter, django_assert_max_num_queries
):
    rows = [f"{n};Persona {n};;ARI;;;Mesón Arica" for n in range(1500)]
    job, _unused = services.upload_staff_list(
        organization, by=SYSTEM, file_name="s.csv", data=_csv(*rows)
    )

    with django_assert_max_num_queries(40):
        services.apply_staff_import(job, by=SYSTEM)

    assert StaffMember.objects.count() == 1500
    assert StaffMember.touch_points.through.objects.count() == 1500


def test_roles_are_read_as_the_pages_name_them_in_each_language(organization, coded):
    rows = ["1;A;;ARI;Personal de atención;;", "2;B;;ARI;Back office (sin atención directa);;"]

    plan = _plan(organization, _csv(*rows))

    assert [r.role for r in plan.create] == ["contact", "back_office"]


def test_a_file_of_mostly_blank_lines_is_refused(organization, coded, monkeypatch):
    monkeypatch.setattr("compromiso.servicemodel.staff_import.MAX_LINES", 5)

    with pytest.raises(StaffImportError, match="more than 5 rows"):
        _plan(
            organization, _csv("1;A;;ARI;;;", ";;;;;;", ";;;;;;", ";;;;;;", ";;;;;;", "2;B;;ARI;;;")
        )
