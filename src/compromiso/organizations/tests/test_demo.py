"""The demo network: what the issue promises, and loading twice changes nothing."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.urls import reverse

from compromiso.catalog.models import Attribute, Channel, ChannelKind, Service, TouchPoint
from compromiso.core.permissions import Role
from compromiso.organizations.models import Membership, NetworkMember, Organization, Unit, User

pytestmark = pytest.mark.django_db


def _counts():
    from compromiso.cases.models import Case, CaseEvent

    return [
        model.objects.count()
        for model in (
            Organization,
            Unit,
            Service,
            Attribute,
            Channel,
            TouchPoint,
            Membership,
            User,
            Case,
            CaseEvent,
        )
    ]


DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo, built once for the module (with the task queue `make demo` uses) in a
    transaction rolled back after the module's last test; each test runs in a savepoint of it
    and sees it as built."""
    out = StringIO()
    with (
        django_db_blocker.unblock(),
        override_settings(TASKS=DATABASE_TASKS),
        transaction.atomic(),
    ):
        call_command("demo", cases=40, stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


def test_loading_the_demo_twice_changes_nothing(demo):
    before = _counts()

    call_command("demo", cases=40, stdout=StringIO())

    assert _counts() == before


def test_chilean_service_has_the_promised_structure(demo):
    chile = Organization.objects.get(slug="sntc")
    units = Unit.objects.filter(organization=chile)

    assert (chile.country, chile.language, chile.jurisdiction) == ("CL", "es", "cl_public")
    assert units.filter(kind="region").count() == 3
    assert units.filter(kind="branch").count() == 8
    assert units.filter(kind="area").count() == 6
    assert all(u.parent.kind == "region" for u in units.filter(kind="branch"))
    services = Service.objects.filter(organization=chile)
    assert services.count() == 12
    assert services.filter(audience="internal").count() >= 3


def test_catalan_council_has_the_promised_structure(demo):
    council = Organization.objects.get(slug="sant-pere-de-riu")

    assert (council.country, council.subdivision, council.language) == ("ES", "CT", "ca")
    assert Unit.objects.filter(organization=council, kind="branch").count() == 1
    assert Unit.objects.filter(organization=council, kind="area").count() == 4
    assert Service.objects.filter(organization=council).count() == 6


def test_every_service_has_attributes_and_every_channel_kind_exists(demo):
    for service in Service.objects.all():
        assert service.attributes.count() >= 3, service
        assert service.channels.exists(), service
    for organization in Organization.objects.all():
        kinds = set(
            Channel.objects.filter(organization=organization).values_list("kind", flat=True)
        )
        assert kinds == set(ChannelKind.values)
        assert TouchPoint.objects.filter(organization=organization).exists()


def test_one_person_per_role_in_each_organisation_and_a_network_analyst(demo):
    for organization in Organization.objects.filter(slug__in=["sntc", "sant-pere-de-riu"]):
        for role in Role.values:
            assert Membership.objects.filter(organization=organization, role=role).count() == 1
    # The institution served by the Chilean front office (attention demo) has its quality manager.
    institution = Organization.objects.get(slug="inpe")
    assert Membership.objects.get(organization=institution).role == Role.QUALITY_MANAGER
    assert NetworkMember.objects.get().user.username == "red-analista"


def test_demo_passwords_work_and_are_printed(demo, client):
    assert "compromiso-demo" in demo
    assert "cl-admin" in demo
    assert "ct-admin" in demo
    assert "red-analista" in demo
    response = client.post(reverse("login"), {"username": "cl-jefe", "password": "compromiso-demo"})
    assert response.status_code == 302
    assert response["Location"] == reverse("organizations:overview")


def test_chilean_unit_head_sees_only_the_arica_region(demo):
    head = User.objects.get(username="cl-jefe")

    names = set(Unit.objects.visible_to(head).values_list("name", flat=True))

    assert names == {"Dirección Regional de Arica y Parinacota", "Sucursal Arica", "Sucursal Putre"}
    assert list(Service.objects.visible_to(head).values_list("code", flat=True)) == ["ATP-AP"]


def test_closure_days_mix_with_package_holidays(demo):
    import datetime as dt

    council = Organization.objects.get(slug="sant-pere-de-riu")
    year = dt.date.today().year
    calendar = council.business_calendar()

    assert not calendar.is_business_day(dt.date(year, 9, 11))  # Diada, from the holiday tables
    assert dt.date(year, 6, 29) in calendar.closed_days  # local feast, kept as data


def test_demo_organisations_have_the_legal_deadlines_of_their_jurisdiction(demo):
    from compromiso.cases.models import DeadlinePolicy

    chile = DeadlinePolicy.objects.get(organization__slug="sntc", kind="complaint")
    catalonia = DeadlinePolicy.objects.get(organization__slug="sant-pere-de-riu", kind="complaint")

    assert (chile.amount, chile.unit) == (20, "business_days")
    assert (catalonia.amount, catalonia.unit) == (3, "months")


def test_demo_cases_span_the_year_and_the_lifecycle(demo):
    from compromiso.cases.models import Case

    chile = Case.objects.filter(organization__slug="sntc")
    assert chile.count() == 40
    assert Case.objects.filter(organization__slug="sant-pere-de-riu").count() == 8
    assert chile.filter(status="closed").exists()
    assert {c.kind for c in chile} >= {"complaint", "inquiry"}
    for case in chile.filter(status="closed"):
        assert case.received_at <= case.answered_at <= case.closed_at
        assert list(case.events.values_list("at", flat=True)) == sorted(
            case.events.values_list("at", flat=True)
        )


def test_each_demo_organisation_publishes_a_measured_charter(demo, client):
    from compromiso.charters.models import Charter, Measurement

    for slug, language, commitments in (("sntc", "es", 18), ("sant-pere-de-riu", "ca", 15)):
        charter = Charter.objects.get(organization__slug=slug)
        assert (charter.status, charter.language) == ("published", language)
        assert charter.commitments.count() == commitments
        # The service model's own figures measure two of them: protocols and training.
        for source in ("protocol_compliance", "training_coverage"):
            measured = Measurement.objects.filter(
                commitment__charter=charter, commitment__source=source, value__isnull=False
            )
            assert measured.exists(), source
        computed = Measurement.objects.filter(commitment__charter=charter, is_manual=False)
        assert computed.exclude(compliance="no_data").exists()  # from the demo cases
        assert Measurement.objects.filter(
            commitment__charter=charter, is_manual=True, approved_by__isnull=False
        ).exists()
        page = client.get(reverse("portal:charter", args=[slug, charter.pk]))
        assert page.status_code == 200
    catalan = Charter.objects.get(organization__slug="sant-pere-de-riu")
    assert "Responem les queixes" in catalan.commitments.first().text


def test_each_demo_organisation_has_a_service_model_in_force_read_by_part_of_its_staff(demo):
    from compromiso.servicemodel.coverage import coverage
    from compromiso.servicemodel.models import ServiceModel

    for slug, words in (("sntc", "Acogida"), ("sant-pere-de-riu", "Acollida")):
        model = ServiceModel.objects.get(organization__slug=slug, status="published")
        assert model.axes.first().name == words
        assert model.promises.count() == 5
        # The next version is being drafted, with one promise sharpened and one added.
        draft = ServiceModel.objects.get(organization__slug=slug, status="draft")
        assert (draft.version, draft.promises.count()) == (2, 6)
        (whole,) = coverage(model.organization, model, [], whole=True)
        assert 0 < whole.acknowledged < whole.staff


def test_each_demo_organisation_has_a_baseline_and_a_follow_up_wave(demo):
    from django.db.models import Sum

    from compromiso.surveys.figures import (
        driver_table,
        raked_total,
        wave_figures,
        weighted_total,
    )
    from compromiso.surveys.models import ScoreCount, Wave

    for slug in ("sntc", "sant-pere-de-riu"):
        waves = {
            w.kind: w for w in Wave.objects.filter(organization__slug=slug, audience="external")
        }
        assert (waves["baseline"].status, waves["follow_up"].status) == ("closed", "open")
        assert waves["follow_up"].previous == waves["baseline"]
        for wave in waves.values():
            scored = sum(len(g) for g in wave.responses.values_list("grades", flat=True))
            assert scored > 0
            assert ScoreCount.objects.filter(wave=wave).aggregate(n=Sum("count"))["n"] == scored
        # Weighted by service users and raked to the channel split; drivers from the sums.
        follow_up = waves["follow_up"]
        services = follow_up.services.all()
        weighted = weighted_total(follow_up, services)
        raked = raked_total(follow_up, services)
        assert weighted is not None
        assert raked is not None
        if slug == "sntc":
            assert driver_table(follow_up, services) is not None
            # By region (the offices' directorates), user type, age band and "how often".
            titles = [title for title, _cells in wave_figures(follow_up, services).by_segment]
            assert titles == ["Región", "Tipo de persona usuaria", "Tramo de edad", titles[3]]
            assert weighted.summary is not None
            assert raked.summary is not None
            assert raked.summary.effective_n < raked.summary.n
        else:  # a small town: a service without answers is named or too few answers said
            assert weighted.summary is not None or weighted.missing or weighted.problem


def test_the_chilean_demo_has_an_internal_customer_wave(demo):
    from compromiso.surveys.figures import internal_matrix
    from compromiso.surveys.models import Wave

    wave = Wave.objects.get(organization__slug="sntc", audience="internal", status="open")
    matrix = internal_matrix(wave, wave.services.all())

    assert matrix.providers
    assert matrix.clients


def test_the_chilean_demo_validated_its_internal_wave_and_is_validating_the_next(demo):
    from compromiso.surveys.models import Wave
    from compromiso.surveys.services.validation import validation_status

    opened = Wave.objects.get(organization__slug="sntc", audience="internal", status="open")
    draft = Wave.objects.get(organization__slug="sntc", audience="internal", status="draft")
    status = validation_status(draft)

    assert validation_status(opened).complete
    assert not status.complete
    assert [u.code for u in status.pending_units] == ["R15"]  # the demo unit head's region
    assert [u.code for u in status.disagreeing_units] == ["R09"]
    assert [row.proposal.client_unit.code for row in status.proposals] == ["R13"]


def test_the_demo_shows_its_progress_and_ends_with_the_log_ins(demo):
    lines = [line for line in demo.splitlines() if line.strip()]
    steps = [line for line in lines if line.lstrip().startswith("[")]

    assert len(steps) == 9  # one line per loading step, each with its time
    assert all(line.rstrip().endswith(" s") for line in steps)
    assert len(lines) < 40  # no e-mails, no task log: it all fits on a screen
    tail = "\n".join(lines[-3:])
    assert "http://127.0.0.1:8000/accounts/login/" in tail
    assert lines.index(steps[-1]) < min(i for i, line in enumerate(lines) if "red-analista" in line)


def test_the_demo_history_queues_no_mail_for_its_requesters(demo):
    from django_tasks_db.models import DBTaskResult

    from compromiso.cases.models import Case, PendingAnswerNotice

    queued = set(DBTaskResult.objects.values_list("task_path", flat=True))

    assert Case.objects.count() == 48
    assert not {path for path in queued if path.startswith("compromiso.cases.")} - {
        "compromiso.cases.tasks.recompute_open_deadlines"
    }
    assert Case.objects.filter(answered_at__isnull=False, requester_email__gt="").exists()
    assert not PendingAnswerNotice.objects.exists()  # no answer e-mail waits to be sent


def test_the_arica_case_officer_handles_cases_of_his_own_branch(demo):
    from compromiso.cases.models import Case

    officer = User.objects.get(username="cl-oficial")
    arica = Unit.objects.get(organization__slug="sntc", code="S-ARI")

    mine = Case.objects.visible_to(officer).filter(assignee=officer)

    assert mine.exists()
    assert set(mine.values_list("unit", flat=True)) == {arica.pk}
    assert all(case.touch_point.unit == arica for case in mine)


def test_the_action_born_of_the_opening_hours_suggestions_is_measured_on_their_cases(demo):
    from compromiso.improvement.models import ImprovementAction

    for slug, subject, title_word in (
        ("sntc", "Ampliar el horario los sábados", "sábados"),
        ("sant-pere-de-riu", "Obrir l'OAC els dijous a la tarda tot l'any", "dijous"),
    ):
        action = ImprovementAction.objects.distinct().get(
            organization__slug=slug, origins__case__subject=subject
        )
        suggestions = [origin.case for origin in action.origins.all()]

        assert title_word in action.title
        assert suggestions
        assert {(c.kind, c.subject) for c in suggestions} == {("suggestion", subject)}
        assert action.metric == "case_category"
        assert {c.category for c in suggestions} == {action.metric_category}
        assert action.metric_category.name in ("Atención presencial", "Atenció presencial")


def test_each_demo_organisation_changes_its_counter_protocol_checked_on_compliance(demo):
    from compromiso.improvement import services
    from compromiso.improvement.models import ImprovementAction

    for slug in ("sntc", "sant-pere-de-riu"):
        action = ImprovementAction.objects.get(organization__slug=slug, remedy="protocol")

        assert action.remedy_protocol is not None
        assert action.remedy_protocol.channel_kind == "in_person"
        assert (action.metric, action.metric_protocol) == ("protocol", action.remedy_protocol)
        assert action.baseline_whole
        change = services.share_effect(action)
        assert change is not None
        assert change.after_whole > 0
