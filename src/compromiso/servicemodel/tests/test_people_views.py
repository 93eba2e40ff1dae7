"""The staff list's pages: who sees whom (a unit head, their unit's people), who changes the
list, the counts per unit, and the import's upload → preview → confirm."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from compromiso.catalog.tests.factories import TouchPointFactory
from compromiso.core.actors import SYSTEM
from compromiso.servicemodel import services
from compromiso.servicemodel.models import ImportStatus, StaffImport, StaffMember, StaffRole

pytestmark = pytest.mark.django_db

PEOPLE = reverse("servicemodel:people")
IMPORT = reverse("servicemodel:import")


@pytest.fixture(autouse=True)
def _in_english(client, settings):
    """Pages and downloads in English (the staff's language cookie), to read the tests."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def staff(organization, branch, other_branch):
    """Two contact staff and one back-office person at Arica; one contact person at Temuco; one
    inactive person at Arica."""
    make = services.create_staff_member
    back = StaffRole.BACK_OFFICE
    return {
        "ana": make(organization, by=SYSTEM, unit=branch, code="1", name="Ana Arica"),
        "bea": make(organization, by=SYSTEM, unit=branch, code="2", name="Bea Arica"),
        "carl": make(organization, by=SYSTEM, unit=branch, code="3", name="Carl Back", role=back),
        "tom": make(organization, by=SYSTEM, unit=other_branch, code="4", name="Tomás Temuco"),
        "gone": services.deactivate_staff_member(
            make(organization, by=SYSTEM, unit=branch, code="5", name="Gone Arica"), by=SYSTEM
        ),
    }


def _names(response):
    return [member.name for member in response.context["page"]]


def test_anonymous_visitors_are_sent_to_log_in(client, staff):
    for url in (PEOPLE, IMPORT, reverse("servicemodel:person", args=[staff["ana"].pk])):
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("login") in response["Location"]


def test_the_list_shows_the_active_people_and_counts_per_unit(client, quality_manager, staff):
    client.force_login(quality_manager)

    response = client.get(PEOPLE)

    assert _names(response) == ["Ana Arica", "Bea Arica", "Carl Back", "Tomás Temuco"]
    counts = [(r["unit__name"], r["contact"], r["back_office"]) for r in response.context["counts"]]
    assert counts == [("Sucursal Arica", 2, 1), ("Sucursal Temuco", 1, 0)]
    assert (response.context["total_contact"], response.context["total_back_office"]) == (3, 1)
    assert response.context["can_keep"]


def test_an_empty_list_shows_zero_counts(client, quality_manager):
    client.force_login(quality_manager)

    response = client.get(PEOPLE)

    assert response.context["counts"] == []
    assert (response.context["total_contact"], response.context["total_back_office"]) == (0, 0)
    assert "Nobody on the list yet." in response.content.decode()


def test_the_list_filters_by_unit_role_touch_point_and_state(
    client, quality_manager, staff, organization, region, branch
):
    counter = TouchPointFactory(organization=organization, unit=branch, name="Mesón")
    staff["bea"].touch_points.add(counter)
    client.force_login(quality_manager)

    assert _names(client.get(PEOPLE, {"unit": region.pk})) == [
        "Ana Arica",
        "Bea Arica",
        "Carl Back",
    ]
    assert _names(client.get(PEOPLE, {"role": "back_office"})) == ["Carl Back"]
    assert _names(client.get(PEOPLE, {"touch_point": counter.pk})) == ["Bea Arica"]
    assert _names(client.get(PEOPLE, {"active": "no"})) == ["Gone Arica"]
    assert len(_names(client.get(PEOPLE, {"active": "all"}))) == 5


@pytest.mark.parametrize(
    "params",
    [
        {"unit": "abc"},
        {"unit": "99999999999999999999999"},
        {"role": "chief"},
        {"page": "x"},
        {"active": "\x00"},
    ],
)
def test_malformed_filters_show_an_error_or_are_ignored_never_a_crash(
    client, quality_manager, staff, params
):
    client.force_login(quality_manager)

    response = client.get(PEOPLE, params)

    assert response.status_code == 200


def test_a_unit_head_sees_only_their_units_people(client, unit_head, staff):
    client.force_login(unit_head)

    response = client.get(PEOPLE)

    assert _names(response) == ["Ana Arica", "Bea Arica", "Carl Back"]
    assert [r["unit__name"] for r in response.context["counts"]] == ["Sucursal Arica"]
    tom = reverse("servicemodel:person", args=[staff["tom"].pk])
    assert client.get(tom).status_code == 404
    assert (
        client.get(reverse("servicemodel:person_edit", args=[staff["tom"].pk])).status_code == 404
    )
    assert client.get(reverse("servicemodel:person", args=[staff["ana"].pk])).status_code == 200


def test_another_organisations_people_are_404(client, outsider, staff):
    client.force_login(outsider)

    assert client.get(reverse("servicemodel:person", args=[staff["ana"].pk])).status_code == 404
    assert _names(client.get(PEOPLE)) == []
    response = client.post(reverse("servicemodel:person_deactivate", args=[staff["ana"].pk]))
    assert response.status_code == 404


def test_a_viewer_reads_the_list_but_cannot_change_it(client, viewer, staff):
    client.force_login(viewer)

    response = client.get(PEOPLE)
    assert len(_names(response)) == 4
    assert not response.context["can_keep"]
    page = client.get(reverse("servicemodel:person", args=[staff["ana"].pk]))
    assert not page.context["can_edit"]
    assert client.get(reverse("servicemodel:person_new")).status_code == 403
    assert (
        client.get(reverse("servicemodel:person_edit", args=[staff["ana"].pk])).status_code == 403
    )
    assert client.get(IMPORT).status_code == 403
    assert client.post(reverse("servicemodel:from_memberships")).status_code == 403
    client.post(reverse("servicemodel:person_deactivate", args=[staff["ana"].pk]))
    staff["ana"].refresh_from_db()
    assert staff["ana"].is_active


def test_a_quality_manager_adds_and_edits_a_person(client, quality_manager, branch, organization):
    counter = TouchPointFactory(organization=organization, unit=branch, name="Mesón")
    client.force_login(quality_manager)
    data = {
        "code": "77",
        "name": "Nueva Persona",
        "unit": branch.pk,
        "role": "contact",
        "touch_points": [counter.pk],
    }

    response = client.post(reverse("servicemodel:person_new"), data)

    member = StaffMember.objects.get(code="77")
    assert response.status_code == 302
    assert list(member.touch_points.all()) == [counter]
    edit = reverse("servicemodel:person_edit", args=[member.pk])
    client.post(edit, {**data, "role": "back_office", "is_manager": "on", "is_active": "on"})
    member.refresh_from_db()
    assert (member.role, member.is_manager, member.is_active) == ("back_office", True, True)


def test_a_duplicate_employee_number_is_a_form_error_and_nothing_saved(
    client, quality_manager, staff, branch
):
    client.force_login(quality_manager)

    response = client.post(
        reverse("servicemodel:person_new"),
        {"code": "1", "name": "Otra", "unit": branch.pk, "role": "contact"},
    )

    assert response.status_code == 200
    assert "Another person has this employee number." in response.content.decode()
    assert StaffMember.objects.count() == 5


def test_oversized_and_hostile_input_is_refused_in_the_form(client, quality_manager, branch):
    client.force_login(quality_manager)

    response = client.post(
        reverse("servicemodel:person_new"),
        {"code": "x" * 41, "name": "A\x00B", "unit": branch.pk, "role": "chief"},
    )

    assert response.status_code == 200
    assert set(response.context["form"].errors) >= {"code", "name", "role"}
    assert not StaffMember.objects.exists()


def test_a_unit_head_cannot_place_a_person_in_another_unit(client, unit_head, other_branch):
    client.force_login(unit_head)

    response = client.post(
        reverse("servicemodel:person_new"),
        {"code": "9", "name": "A", "unit": other_branch.pk, "role": "contact"},
    )

    assert response.status_code == 200
    assert "unit" in response.context["form"].errors
    assert not StaffMember.objects.exists()


def test_deactivating_from_the_persons_page(client, quality_manager, staff):
    client.force_login(quality_manager)

    client.post(reverse("servicemodel:person_deactivate", args=[staff["ana"].pk]))

    staff["ana"].refresh_from_db()
    assert not staff["ana"].is_active


def test_the_profiles_button_makes_profiles_for_members(client, quality_manager, region, officer):
    client.force_login(quality_manager)

    response = client.post(reverse("servicemodel:from_memberships"), follow=True)

    assert sorted(StaffMember.objects.values_list("code", flat=True)) == ["officer", "quality"]
    assert "Profiles made: 2." in response.content.decode()


def _upload(client, content: bytes, name="staff.csv", **extra):
    return client.post(IMPORT, {"file": SimpleUploadedFile(name, content), **extra})


def test_the_import_goes_upload_preview_confirm(client, quality_manager, staff, branch):
    branch.code = "ARI"
    branch.save()
    client.force_login(quality_manager)
    content = (
        "Employee number,Full name,Unit,Role\n"
        "1,Ana María Arica,ARI,\n9,Nuevo,ARI,back office\n8,,ARI,\n=cmd,Hostil,ZZZ,\n"
    ).encode()

    response = _upload(client, content)

    job = StaffImport.objects.get()
    assert response["Location"] == reverse("servicemodel:import_preview", args=[job.pk])
    preview = client.get(response["Location"])
    plan = preview.context["plan"]
    assert (len(plan.create), len(plan.update), len(plan.rejected)) == (1, 1, 2)
    assert StaffMember.objects.count() == 5
    report = client.get(reverse("servicemodel:import_rejected", args=[job.pk]))
    lines = report.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "Line,Column,Reason,employee number,full name"
    assert lines[1] == "4,full name,The name is missing.,8,"
    assert lines[2].startswith("5,unit,No unit has this code or name.,'=cmd,")  # no formula

    client.post(reverse("servicemodel:import_confirm", args=[job.pk]))

    job.refresh_from_db()
    assert job.status == ImportStatus.APPLIED
    assert StaffMember.objects.get(code="1").name == "Ana María Arica"
    assert StaffMember.objects.get(code="9").role == StaffRole.BACK_OFFICE
    done = client.get(reverse("servicemodel:import_preview", args=[job.pk]))
    assert "Added: 1" in done.content.decode().replace("</li>", "")
    assert (
        client.get(reverse("servicemodel:import_rejected", args=[job.pk]))
        .content.decode("utf-8-sig")
        .count("\n")
        == 3
    )


def test_discarding_an_import_changes_nothing(client, quality_manager, staff, branch):
    client.force_login(quality_manager)
    _upload(client, b"Employee number,Full name,Unit\n1,Otra,Sucursal Arica\n")
    job = StaffImport.objects.get()

    client.post(reverse("servicemodel:import_confirm", args=[job.pk]), {"discard": "1"})

    job.refresh_from_db()
    assert job.status == ImportStatus.DISCARDED
    assert StaffMember.objects.get(code="1").name == "Ana Arica"


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "staff.csv", "The submitted file is empty."),
        (b"\x89PNG\x00\x00junk", "staff.csv", "not a CSV text file"),
        (b"a,b\n1,2\n", "staff.csv", "missing: employee number, full name, unit"),
        (b"x", "staff.xls", "Upload a CSV or XLSX file."),
        (b"PK\x03\x04junk", "staff.xlsx", "The spreadsheet cannot be opened."),
    ],
)
def test_a_bad_file_is_a_clear_error_and_nothing_is_kept(
    client, quality_manager, content, name, message
):
    client.force_login(quality_manager)

    response = _upload(client, content, name)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not StaffImport.objects.exists()


def test_a_file_over_5_mb_is_refused(client, quality_manager, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
    client.force_login(quality_manager)

    response = _upload(client, b"a" * (5 * 1024 * 1024 + 1))

    assert "The file is larger than 5 MB." in response.content.decode()
    assert not StaffImport.objects.exists()


def test_someone_elses_import_is_404(client, quality_manager, admin_user, unit_head, staff):
    client.force_login(quality_manager)
    _upload(client, b"Employee number,Full name,Unit\n1,Otra,Sucursal Arica\n")
    job = StaffImport.objects.get()
    client.force_login(admin_user)

    assert client.get(reverse("servicemodel:import_preview", args=[job.pk])).status_code == 404
    assert client.post(reverse("servicemodel:import_confirm", args=[job.pk])).status_code == 404
    assert client.get(reverse("servicemodel:import_rejected", args=[job.pk])).status_code == 404


def test_the_service_model_home_links_to_the_staff_list(client, viewer):
    client.force_login(viewer)

    assert PEOPLE in client.get(reverse("servicemodel:home")).content.decode()
