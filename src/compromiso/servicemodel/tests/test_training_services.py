"""Training changes: the standard catalogue, sessions and results, and the cascade's rules."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from compromiso.core.actors import SYSTEM
from compromiso.core.audit import AuditEntry
from compromiso.servicemodel import services
from compromiso.servicemodel.models import Competence, SessionStatus, TrainingProgramme
from compromiso.servicemodel.tests.training_factories import person, programme, protocol, train
from compromiso.servicemodel.training_coverage import cascade

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 3, 2)


def test_the_standard_catalogue_installs_once_in_the_organisations_language(
    organization, other_organization, quality_manager
):
    in_force = protocol(organization, "Atención presencial")
    protocol(organization, "Borrador", status="draft")

    added = services.install_standard_programmes(organization, by=quality_manager)
    again = services.install_standard_programmes(organization, by=quality_manager)
    services.install_standard_programmes(other_organization, by=SYSTEM)

    names = {p.name for p in added}
    assert len(added) == 7
    assert again == []
    assert {"Orientación a clientes", "Manejo del estrés", "Trabajo en equipo"} <= names
    model = TrainingProgramme.objects.get(organization=organization, key="service-model")
    assert model.name == "El modelo de servicio y sus protocolos"
    assert list(model.covers_protocols.all()) == [in_force]
    assert TrainingProgramme.objects.filter(
        organization=other_organization, name="Gestió de l'estrès"
    ).exists()


def test_only_a_quality_manager_edits_the_catalogue(organization, unit_head):
    with pytest.raises(PermissionDenied):
        services.install_standard_programmes(organization, by=unit_head)


def test_results_earn_a_competence_only_to_those_who_attended_completed_and_passed(
    organization, branch
):
    prog = programme(organization, "Protocolos", validity=24)
    ana, beto, carla = (person(organization, branch, c) for c in ("ana", "beto", "carla"))
    session = services.plan_session(
        prog,
        by=SYSTEM,
        unit=branch,
        starts_on=DAY,
        ends_on=DAY + dt.timedelta(days=1),
        external_trainer="Consultora",
        attendees=[ana, beto, carla, ana],  # enrolled once
    )
    rows = {a.staff_member_id: a.pk for a in session.attendances.all()}
    assert len(rows) == 3

    earned = services.record_session_results(
        session,
        by=SYSTEM,
        results=[
            services.Result(rows[ana.pk], True, True, 90, True),
            services.Result(rows[beto.pk], True, True, 40, False),
            services.Result(rows[carla.pk], False, False, None, False),
        ],
    )

    assert earned == 1
    (competence,) = Competence.objects.all()
    assert competence.staff_member == ana
    assert competence.achieved_on == dt.date(2026, 3, 3)  # the session's last day
    assert competence.expires_on == dt.date(2028, 3, 3)
    session.refresh_from_db()
    assert session.status == SessionStatus.HELD
    # Recording again replaces the session's competences, it does not add to them.
    services.record_session_results(
        session, by=SYSTEM, results=[services.Result(rows[beto.pk], True, True, 70, True)]
    )
    assert sorted(Competence.objects.values_list("staff_member__code", flat=True)) == [
        "ana",
        "beto",
    ]
    assert (
        AuditEntry.objects.filter(action="servicemodel.trainingsession.results_recorded").count()
        == 2
    )


@pytest.mark.parametrize(
    ("attended", "completed", "score", "passed"),
    [(False, True, None, False), (True, True, 101, True), (False, False, None, True)],
)
def test_impossible_results_are_refused_and_nothing_is_saved(
    organization, branch, attended, completed, score, passed
):
    prog = programme(organization, "Protocolos")
    ana = person(organization, branch, "ana")
    session = services.plan_session(
        prog, by=SYSTEM, unit=branch, starts_on=DAY, external_trainer="X", attendees=[ana]
    )
    (row,) = session.attendances.all()

    with pytest.raises(ValidationError):
        services.record_session_results(
            session,
            by=SYSTEM,
            results=[services.Result(row.pk, attended, completed, score, passed)],
        )

    assert not Competence.objects.exists()
    session.refresh_from_db()
    assert session.status == SessionStatus.PLANNED


def test_a_row_of_another_session_is_refused(organization, branch):
    prog = programme(organization, "Protocolos")
    ana = person(organization, branch, "ana")
    first = train(prog, [ana], DAY)
    second = services.plan_session(
        prog, by=SYSTEM, unit=branch, starts_on=DAY, external_trainer="X"
    )
    (row,) = first.attendances.all()

    with pytest.raises(ValidationError):
        services.record_session_results(
            second, by=SYSTEM, results=[services.Result(row.pk, True, True, 80, True)]
        )


def test_a_session_needs_a_trainer_certified_for_its_programme_or_an_external_provider(
    organization, branch
):
    prog = programme(organization, "Protocolos")
    other = programme(organization, "Estrés")
    tere = person(organization, branch, "tere")
    train(other, [tere], DAY)
    services.certify_trainer(other, tere, by=SYSTEM, certified_on=DAY, external_body="Instituto")

    with pytest.raises(ValidationError):
        services.plan_session(prog, by=SYSTEM, unit=branch, starts_on=DAY)
    with pytest.raises(services.TrainingError) as refused:
        services.plan_session(prog, by=SYSTEM, unit=branch, starts_on=DAY, trainer=tere)
    assert refused.value.code == "not_a_trainer"
    session = services.plan_session(other, by=SYSTEM, unit=branch, starts_on=DAY, trainer=tere)
    assert session.trainer == tere


def test_a_unit_head_plans_sessions_in_their_subtree_only(
    organization, branch, other_branch, unit_head
):
    prog = programme(organization, "Protocolos")

    services.plan_session(prog, by=unit_head, unit=branch, starts_on=DAY, external_trainer="X")
    with pytest.raises(PermissionDenied):
        services.plan_session(
            prog, by=unit_head, unit=other_branch, starts_on=DAY, external_trainer="X"
        )


@pytest.fixture
def chain(organization, branch):
    """Ana (certified by an institute) certified Beto, who certified Carla."""
    prog = programme(organization, "Protocolos")
    people = [person(organization, branch, c) for c in ("ana", "beto", "carla", "dani")]
    train(prog, people, DAY)
    ana, beto, carla, dani = people
    root = services.certify_trainer(
        prog, ana, by=SYSTEM, certified_on=DAY, external_body="Instituto"
    )
    services.certify_trainer(prog, beto, by=SYSTEM, certified_on=DAY, certifier=ana)
    services.certify_trainer(prog, carla, by=SYSTEM, certified_on=DAY, certifier=beto)
    return prog, root, ana, beto, carla, dani


def test_a_trainer_cannot_certify_outside_their_competence(organization, chain):
    _prog, _root, ana, _beto, _carla, dani = chain
    stress = programme(organization, "Estrés")
    train(stress, [dani], DAY)

    with pytest.raises(services.TrainingError) as refused:
        services.certify_trainer(stress, dani, by=SYSTEM, certified_on=DAY, certifier=ana)

    assert refused.value.code == "outside_competence"


def test_a_cycle_in_the_cascade_is_refused(chain):
    prog, root, ana, _beto, carla, _dani = chain
    services.revoke_certification(
        root, by=SYSTEM, on=DAY + dt.timedelta(days=1), reason="Dejó el cargo"
    )

    with pytest.raises(services.TrainingError) as refused:
        services.certify_trainer(
            prog, ana, by=SYSTEM, certified_on=DAY + dt.timedelta(days=2), certifier=carla
        )

    assert refused.value.code == "cycle"


def test_no_one_certifies_themselves_nor_twice_nor_without_the_competence(
    organization, branch, chain
):
    prog, _root, ana, beto, _carla, dani = chain
    eli = person(organization, branch, "eli")

    with pytest.raises(services.TrainingError) as itself:
        services.certify_trainer(prog, ana, by=SYSTEM, certified_on=DAY, certifier=ana)
    with pytest.raises(services.TrainingError) as twice:
        services.certify_trainer(prog, beto, by=SYSTEM, certified_on=DAY, certifier=ana)
    with pytest.raises(services.TrainingError) as untrained:
        services.certify_trainer(prog, eli, by=SYSTEM, certified_on=DAY, certifier=ana)
    with pytest.raises(ValidationError):
        services.certify_trainer(prog, dani, by=SYSTEM, certified_on=DAY)

    assert (itself.value.code, twice.value.code, untrained.value.code) == (
        "self",
        "exists",
        "not_trained",
    )


def test_a_revoked_trainer_certifies_no_one_but_those_below_keep_theirs(chain):
    prog, root, ana, beto, _carla, dani = chain
    services.revoke_certification(
        root, by=SYSTEM, on=DAY + dt.timedelta(days=1), reason="Dejó el cargo"
    )

    with pytest.raises(services.TrainingError):
        services.certify_trainer(
            prog, dani, by=SYSTEM, certified_on=DAY + dt.timedelta(days=1), certifier=ana
        )
    services.certify_trainer(
        prog, dani, by=SYSTEM, certified_on=DAY + dt.timedelta(days=1), certifier=beto
    )


def test_the_cascade_tree_shows_depth_and_reach(organization, branch, chain):
    prog, _root, ana, beto, carla, dani = chain
    services.certify_trainer(prog, dani, by=SYSTEM, certified_on=DAY, certifier=ana)

    (root,) = cascade(prog)

    assert (root.certification.staff_member, root.level, root.levels, root.reach) == (ana, 1, 3, 3)
    first, second = root.children
    assert (first.certification.staff_member, first.levels, first.reach) == (beto, 2, 1)
    assert (second.certification.staff_member, second.levels, second.reach) == (dani, 1, 0)
    assert first.children[0].certification.staff_member == carla
    assert first.children[0].level == 3
    assert cascade(programme(organization, "Vacío")) == []


def test_a_unit_head_certifies_trainers_of_their_subtree_only(
    organization, branch, other_branch, unit_head
):
    prog = programme(organization, "Protocolos")
    mine = person(organization, branch, "mine")
    theirs = person(organization, other_branch, "theirs")
    train(prog, [mine], DAY)
    train(prog, [theirs], DAY)

    services.certify_trainer(prog, mine, by=unit_head, certified_on=DAY, external_body="Instituto")
    with pytest.raises(PermissionDenied):
        services.certify_trainer(
            prog, theirs, by=unit_head, certified_on=DAY, external_body="Instituto"
        )


def test_enrolling_skips_people_already_in_and_a_cancelled_session_takes_no_one(
    organization, branch
):
    prog = programme(organization, "Protocolos")
    ana, beto = person(organization, branch, "ana"), person(organization, branch, "beto")
    session = services.plan_session(
        prog, by=SYSTEM, unit=branch, starts_on=DAY, external_trainer="X", attendees=[ana]
    )

    assert services.enrol_in_session(session, by=SYSTEM, staff_members=[ana, beto]) == 1
    services.cancel_session(session, by=SYSTEM)
    with pytest.raises(services.TrainingError):
        services.enrol_in_session(session, by=SYSTEM, staff_members=[beto])
    with pytest.raises(services.TrainingError):
        services.cancel_session(session, by=SYSTEM)
