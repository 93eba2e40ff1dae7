"""Training pages: who sees, who records, who edits the catalogue; bad and hostile input."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from compromiso.core.actors import SYSTEM
from compromiso.servicemodel import services
from compromiso.servicemodel.models import (
    Attendance,
    Competence,
    SessionStatus,
    TrainerCertification,
    TrainingProgramme,
    TrainingSession,
)
from compromiso.servicemodel.tests.training_factories import (
    person,
    programme,
    protocol,
    touch_point,
    train,
)

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 3, 2)


@pytest.fixture
def prog(organization):
    return programme(organization, "Protocolos de atención", validity=24)


@pytest.fixture
def planned(prog, branch):
    ana = person(prog.organization, branch, "ana")
    beto = person(prog.organization, branch, "beto")
    return services.plan_session(
        prog,
        by=SYSTEM,
        unit=branch,
        starts_on=DAY,
        external_trainer="Consultora",
        attendees=[ana, beto],
    )


def _urls(prog, planned):
    return [
        reverse("servicemodel:training"),
        reverse("servicemodel:training_coverage"),
        reverse("servicemodel:training_programme", args=[prog.pk]),
        reverse("servicemodel:training_cascade", args=[prog.pk]),
        reverse("servicemodel:training_session", args=[planned.pk]),
    ]


def test_anonymous_visitors_are_sent_to_log_in(client, prog, planned):
    for url in _urls(prog, planned):
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("login") in response["Location"]


def test_a_person_of_another_organisation_gets_404(client, outsider, prog, planned):
    client.force_login(outsider)

    for url in _urls(prog, planned)[2:]:
        assert client.get(url).status_code == 404
    assert (
        client.post(reverse("servicemodel:training_session_cancel", args=[planned.pk])).status_code
        == 404
    )
    assert client.get("/staff/service-model/training/99999999999999999999/").status_code == 404


def test_a_viewer_reads_every_page_but_changes_nothing(client, viewer, prog, planned):
    client.force_login(viewer)

    for url in _urls(prog, planned):
        assert client.get(url).status_code == 200
    page = client.get(reverse("servicemodel:training")).content.decode()
    assert "Protocolos de atención" in page
    assert reverse("servicemodel:training_new") not in page
    assert client.get(reverse("servicemodel:training_new")).status_code == 403
    assert client.post(reverse("servicemodel:training_install")).status_code == 403
    assert (
        client.get(reverse("servicemodel:training_session_new", args=[prog.pk])).status_code == 403
    )
    response = client.post(reverse("servicemodel:training_session", args=[planned.pk]), {})
    assert response.status_code == 403
    assert (
        client.post(reverse("servicemodel:training_cascade", args=[prog.pk]), {}).status_code == 403
    )


def test_the_service_model_home_links_to_training(client, viewer):
    client.force_login(viewer)

    assert (
        reverse("servicemodel:training")
        in client.get(reverse("servicemodel:home")).content.decode()
    )


def test_a_quality_manager_installs_the_catalogue_and_edits_a_programme(
    client, quality_manager, organization
):
    client.force_login(quality_manager)
    p1 = protocol(organization, "Atención presencial")

    client.post(reverse("servicemodel:training_install"))
    assert TrainingProgramme.objects.filter(organization=organization).count() == 7
    response = client.post(
        reverse("servicemodel:training_new"),
        {
            "name": "Lengua de señas",
            "kind": "workshop",
            "hours": "6",
            "validity_months": "12",
            "covers_protocols": [p1.pk],
            "is_active": "on",
        },
    )
    created = TrainingProgramme.objects.get(name="Lengua de señas")
    assert response.status_code == 302
    assert list(created.covers_protocols.all()) == [p1]
    assert created.validity_months == 12


@pytest.mark.parametrize(
    "changes",
    [
        {"name": ""},
        {"name": "x" * 201},
        {"hours": "-1"},
        {"validity_months": "9999"},
        {"covers_protocols": ["999999"]},
        {"name": "<script>alert(1)</script>", "description": "y" * 2001},
    ],
)
def test_bad_programme_input_is_refused_with_a_message(client, quality_manager, changes):
    client.force_login(quality_manager)
    data = {"name": "Taller", "kind": "workshop", "is_active": "on", **changes}

    response = client.post(reverse("servicemodel:training_new"), data)

    assert response.status_code == 200
    assert response.context["form"].errors
    assert not TrainingProgramme.objects.exists()


def test_a_duplicate_programme_name_is_refused_on_the_form(client, quality_manager, prog):
    client.force_login(quality_manager)

    response = client.post(
        reverse("servicemodel:training_new"), {"name": prog.name, "kind": "workshop"}
    )

    assert response.status_code == 200
    assert "Otro programa tiene este nombre." in response.content.decode()


def test_a_unit_head_records_results_of_their_units_session(client, unit_head, planned):
    client.force_login(unit_head)
    rows = {a.staff_member.code: a.pk for a in planned.attendances.select_related("staff_member")}
    url = reverse("servicemodel:training_session", args=[planned.pk])
    data = {
        f"attended_{rows['ana']}": "on",
        f"completed_{rows['ana']}": "on",
        f"score_{rows['ana']}": "85",
        f"passed_{rows['ana']}": "on",
        f"attended_{rows['beto']}": "on",
        f"score_{rows['beto']}": "30",
    }

    response = client.post(url, data)

    assert response.status_code == 302
    assert list(Competence.objects.values_list("staff_member__code", flat=True)) == ["ana"]
    planned.refresh_from_db()
    assert planned.status == SessionStatus.HELD
    assert Attendance.objects.get(pk=rows["beto"]).score == 30


@pytest.mark.parametrize("score", ["101", "-5", "abc", "9" * 30])
def test_a_bad_score_is_refused_and_nothing_is_recorded(client, unit_head, planned, score):
    client.force_login(unit_head)
    row = planned.attendances.first()

    response = client.post(
        reverse("servicemodel:training_session", args=[planned.pk]),
        {f"attended_{row.pk}": "on", f"score_{row.pk}": score},
    )

    assert response.status_code == 200
    assert not Competence.objects.exists()
    planned.refresh_from_db()
    assert planned.status == SessionStatus.PLANNED


def test_completed_without_attending_shows_the_services_message(client, unit_head, planned):
    client.force_login(unit_head)
    row = planned.attendances.first()

    response = client.post(
        reverse("servicemodel:training_session", args=[planned.pk]), {f"completed_{row.pk}": "on"}
    )

    assert response.status_code == 200
    assert "no asistió" in response.content.decode()


def test_a_unit_head_cannot_see_another_units_session(client, unit_head, prog, other_branch):
    client.force_login(unit_head)
    theirs = services.plan_session(
        prog, by=SYSTEM, unit=other_branch, starts_on=DAY, external_trainer="X"
    )

    assert client.get(reverse("servicemodel:training_session", args=[theirs.pk])).status_code == 404


def test_a_unit_head_plans_a_session_for_their_branch(
    client, unit_head, prog, branch, other_branch
):
    client.force_login(unit_head)
    ana = person(prog.organization, branch, "ana")
    url = reverse("servicemodel:training_session_new", args=[prog.pk])

    refused = client.post(
        url, {"unit": other_branch.pk, "starts_on": "2026-03-02", "external_trainer": "X"}
    )
    no_trainer = client.post(url, {"unit": branch.pk, "starts_on": "2026-03-02"})
    response = client.post(
        url,
        {
            "unit": branch.pk,
            "starts_on": "2026-03-02",
            "external_trainer": "Consultora",
            "attendees": [ana.pk],
        },
    )

    assert refused.status_code == 200
    assert "unit" in refused.context["form"].errors
    assert no_trainer.status_code == 200
    assert "proveedor externo" in no_trainer.content.decode()
    assert response.status_code == 302
    session = TrainingSession.objects.get()
    assert [a.staff_member for a in session.attendances.all()] == [ana]


def test_the_cascade_page_certifies_and_refuses_a_cycle(client, quality_manager, prog, branch):
    client.force_login(quality_manager)
    ana, beto = person(prog.organization, branch, "ana"), person(prog.organization, branch, "beto")
    train(prog, [ana, beto], DAY)
    url = reverse("servicemodel:training_cascade", args=[prog.pk])

    client.post(
        url, {"staff_member": ana.pk, "external_body": "Instituto", "certified_on": "2026-03-03"}
    )
    client.post(url, {"staff_member": beto.pk, "certifier": ana.pk, "certified_on": "2026-03-04"})
    root = TrainerCertification.objects.get(staff_member=ana)
    client.post(
        reverse("servicemodel:training_revoke", args=[root.pk]), {"reason": "Dejó el cargo"}
    )
    response = client.post(
        url, {"staff_member": ana.pk, "certifier": beto.pk, "certified_on": "2026-03-05"}
    )

    assert response.status_code == 200
    assert "la cascada no puede volver sobre sí misma" in response.content.decode()
    page = client.get(url).content.decode()
    assert "Ana" in page
    assert "Beto" in page
    assert "alcance 1" in page


def test_the_coverage_page_shows_shares_and_dashes_for_empty_units(
    client, quality_manager, organization, branch, other_branch, prog
):
    p1 = protocol(organization, "Atención presencial")
    prog.covers_protocols.set([p1])
    counter = touch_point(organization, branch, "in_person", "Mesón Arica")
    ana = person(organization, branch, "ana", [counter])
    person(organization, branch, "beto", [counter])
    train(prog, [ana], DAY)
    client.force_login(quality_manager)

    response = client.get(reverse("servicemodel:training_coverage"), {"on": "2026-06-30"})

    rows = {r.unit.name if r.unit else None: r.trained for r in response.context["rows"]}
    assert (rows[None].numerator, rows[None].denominator) == (1, 2)
    assert rows["Sucursal Temuco"].value is None
    page = response.content.decode()
    assert "50 %" in page
    assert "<polyline" in page
    # Coordinates are numbers for the browser, never written with the Spanish decimal comma.
    assert not re.search(r'(cx|cy|x)="\d+,\d', page)
    bad = client.get(reverse("servicemodel:training_coverage"), {"on": "not-a-date"})
    assert bad.status_code == 200


@pytest.mark.parametrize(
    "changes",
    [
        {"place": "p" * 201},
        {"starts_on": "31/02/2026"},
        {"starts_on": "2026-03-02", "ends_on": "2026-03-01"},
        {"attendees": ["999999999"]},
        {"trainer": "99999999999999999999999"},
        {"external_trainer": "x" * 201},
    ],
)
def test_bad_session_input_is_refused_and_nothing_is_planned(
    client, quality_manager, prog, branch, changes
):
    client.force_login(quality_manager)
    data = {"unit": branch.pk, "starts_on": "2026-03-02", "external_trainer": "X", **changes}

    response = client.post(reverse("servicemodel:training_session_new", args=[prog.pk]), data)

    assert response.status_code == 200
    assert not TrainingSession.objects.exists()


@pytest.mark.parametrize(
    "changes",
    [
        {"staff_member": "999999"},
        {"external_body": "x" * 201},
        {"certified_on": "not a date"},
        {"external_body": ""},
        {"certifier": "-1"},
    ],
)
def test_bad_certification_input_is_refused_and_nothing_is_saved(
    client, quality_manager, prog, branch, changes
):
    ana = person(prog.organization, branch, "ana")
    train(prog, [ana], DAY)
    client.force_login(quality_manager)
    data = {"staff_member": ana.pk, "external_body": "Instituto", "certified_on": "2026-03-03"}

    response = client.post(
        reverse("servicemodel:training_cascade", args=[prog.pk]), {**data, **changes}
    )

    assert response.status_code == 200
    assert not TrainerCertification.objects.exists()


def test_a_cancelled_session_takes_no_results(client, quality_manager, planned):
    client.force_login(quality_manager)
    client.post(reverse("servicemodel:training_session_cancel", args=[planned.pk]))
    row = planned.attendances.first()

    response = client.post(
        reverse("servicemodel:training_session", args=[planned.pk]), {f"attended_{row.pk}": "on"}
    )

    planned.refresh_from_db()
    assert planned.status == SessionStatus.CANCELLED
    assert response.status_code == 403
