"""Improvement actions: origins, priority, the PDCA lifecycle, the effect check, scoping."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from compromiso.cases import services as case_services
from compromiso.cases.models import RootCause
from compromiso.catalog.tests.factories import ChannelFactory, ServiceFactory
from compromiso.core.actors import PUBLIC, SYSTEM
from compromiso.improvement import reminders, services
from compromiso.improvement.models import ActionStatus, ImprovementAction

pytestmark = pytest.mark.django_db
SANTIAGO = ZoneInfo("America/Santiago")


@pytest.fixture
def waiting(organization):
    case_services.install_root_causes(organization, by=SYSTEM)
    return RootCause.objects.get(organization=organization, code="TIE")


@pytest.fixture
def complaints(organization, branch, officer, waiting):
    """Complaints about waiting, coded at close: 6 in the last 90 days, 2 in the 90 before."""
    web = ChannelFactory(organization=organization, kind="web", name="Sitio web")
    service = ServiceFactory(organization=organization, provider_unit=branch)
    today = timezone.localdate()
    made = []
    for days_ago in (5, 10, 20, 30, 40, 50, 100, 150):
        case, _secret = case_services.receive_case(
            organization=organization,
            kind="complaint",
            channel=web,
            service=service,
            subject="Espera",
            description="Esperé dos horas.",
            requester_name="Ana",
            received_at=dt.datetime.combine(
                today - dt.timedelta(days=days_ago), dt.time(10), tzinfo=SANTIAGO
            ),
            by=PUBLIC,
        )
        case_services.classify_case(case, by=officer, category=None, root_cause=waiting)
        made.append(case)
    return made


def _create(organization, unit, by, **extra):
    fields = {
        "by": by,
        "title": "Cita previa en horas punta",
        "description": "Abrir cita previa en línea.",
        "owner_unit": unit,
        "due_date": timezone.localdate() + dt.timedelta(days=30),
        "origins": [],
    }
    fields.update(extra)
    return services.create_action(organization, **fields)


def test_an_action_from_a_cause_gets_its_priority_metric_and_baseline(
    organization, branch, unit_head, waiting, complaints
):
    action = _create(organization, branch, unit_head, origins=[{"root_cause": waiting}])

    origin = action.origins.get()
    assert origin.cases_count == 6
    assert action.computed_priority == action.priority == 18  # 6 cases × trend 3 (capped)
    assert (action.metric, action.metric_root_cause) == ("case_cause", waiting)
    assert action.baseline_count == 6
    assert action.status == ActionStatus.PROPOSED


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"origins": []}, None),
        ({"due_date": dt.date(2020, 1, 1)}, "due_date"),
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
    ],
)
def test_bad_actions_are_refused_and_nothing_is_saved(
    organization, branch, unit_head, waiting, extra, field
):
    fields = {"origins": [{"root_cause": waiting}], **extra}
    with pytest.raises(ValidationError) as refused:
        _create(organization, branch, unit_head, **fields)

    assert not ImprovementAction.objects.exists()
    if field:
        assert field in refused.value.message_dict


def test_an_origin_from_another_organisation_is_refused(
    organization, other_organization, branch, unit_head
):
    case_services.install_root_causes(other_organization, by=SYSTEM)
    foreign = RootCause.objects.filter(organization=other_organization).first()

    with pytest.raises(ValidationError):
        _create(organization, branch, unit_head, origins=[{"root_cause": foreign}])


def test_a_unit_head_cannot_act_on_another_units_action(
    organization, branch, other_branch, unit_head, quality_manager, waiting
):
    with pytest.raises(PermissionDenied):
        _create(organization, other_branch, unit_head, origins=[{"root_cause": waiting}])
    action = _create(organization, other_branch, quality_manager, origins=[{"root_cause": waiting}])

    with pytest.raises(PermissionDenied):
        services.move_action(action, ActionStatus.APPROVED, by=unit_head)
    assert not ImprovementAction.objects.visible_to(unit_head).exists()


def test_the_lifecycle_needs_its_check_before_closing(
    organization, branch, unit_head, waiting, complaints
):
    action = _create(organization, branch, unit_head, origins=[{"root_cause": waiting}])

    with pytest.raises(services.ActionError):
        services.move_action(action, ActionStatus.CLOSED, by=unit_head)
    with pytest.raises(ValidationError):
        services.move_action(action, ActionStatus.REJECTED, by=unit_head, comment=" ")
    for step in (ActionStatus.APPROVED, ActionStatus.IN_PROGRESS):
        services.move_action(action, step, by=unit_head)
    with pytest.raises(services.ActionError):
        services.record_check(action, effective=True, evidence="Bajaron", by=unit_head)
    with pytest.raises(services.ActionError):
        services.move_action(action, ActionStatus.EFFECTIVE, by=unit_head)
    services.move_action(action, ActionStatus.CHECKING, by=unit_head)
    with pytest.raises(ValidationError):
        services.record_check(action, effective=True, evidence="", by=unit_head)
    services.record_check(action, effective=True, evidence="Bajaron las quejas.", by=unit_head)
    services.move_action(action, ActionStatus.CLOSED, by=unit_head)

    action.refresh_from_db()
    assert action.status == ActionStatus.CLOSED
    assert action.after_count == 0  # nothing since it started today
    assert list(action.events.values_list("to_status", flat=True)) == [
        "proposed",
        "approved",
        "in_progress",
        "checking",
        "effective",
        "closed",
    ]
    with pytest.raises(services.ActionError):
        services.update_action(action, by=unit_head, title="Otra cosa")


def test_an_effect_check_without_a_metric_is_refused(organization, branch, unit_head, complaints):
    suggestion = complaints[0]
    suggestion.root_cause = None
    suggestion.save()
    action = _create(organization, branch, unit_head, origins=[{"case": suggestion}])
    for step in (ActionStatus.APPROVED, ActionStatus.IN_PROGRESS, ActionStatus.CHECKING):
        services.move_action(action, step, by=unit_head)

    with pytest.raises(services.ActionError):
        services.record_check(action, effective=True, evidence="Parece mejor.", by=unit_head)
    assert action.metric == ""


def test_the_effect_compares_the_rate_before_and_after(
    organization, branch, unit_head, waiting, complaints
):
    action = _create(organization, branch, unit_head, origins=[{"root_cause": waiting}])
    services.move_action(action, ActionStatus.APPROVED, by=unit_head)
    services.move_action(action, ActionStatus.IN_PROGRESS, by=unit_head)

    change = services.effect(action)

    assert change is not None
    assert change.before_per_month == pytest.approx(6 / (90 / 30.4375))
    assert change.after_per_month == 0


def test_priority_changes_need_a_reason(organization, branch, unit_head, waiting):
    action = _create(organization, branch, unit_head, origins=[{"root_cause": waiting}])

    with pytest.raises(ValidationError):
        services.adjust_priority(action, priority=50, reason="", by=unit_head)
    services.adjust_priority(action, priority=50, reason="Lo pide la dirección.", by=unit_head)

    action.refresh_from_db()
    assert (action.priority, action.computed_priority) == (50, 0)


def test_reminders_and_escalation_are_sent_once(
    organization, branch, unit_head, quality_manager, waiting
):
    action = _create(
        organization,
        branch,
        unit_head,
        origins=[{"root_cause": waiting}],
        responsible=unit_head,
        due_date=timezone.localdate() + dt.timedelta(days=3),
    )
    mail.outbox.clear()

    first, again = reminders.run(), reminders.run()
    later = timezone.localdate() + dt.timedelta(days=5)
    with time_machine.travel(dt.datetime.combine(later, dt.time(12), tzinfo=SANTIAGO)):
        late, late_again = reminders.run(later), reminders.run(later)

    assert (first, again) == ({"reminded": 1, "escalated": 0}, {"reminded": 0, "escalated": 0})
    assert (late, late_again) == ({"reminded": 0, "escalated": 1}, {"reminded": 0, "escalated": 0})
    assert mail.outbox[0].to == [unit_head.email]
    assert set(mail.outbox[1].to) == {unit_head.email, quality_manager.email}
    assert (
        action.events.filter(comment__startswith="Vencida").exists() or action.events.count() >= 2
    )


def test_figures_count_open_overdue_and_effective(organization, branch, unit_head, waiting):
    open_one = _create(organization, branch, unit_head, origins=[{"root_cause": waiting}])
    ImprovementAction.objects.filter(pk=open_one.pk).update(due_date=dt.date(2020, 1, 1))

    figures = services.figures(ImprovementAction.objects.all())

    assert figures["all"]["open"] == 1
    assert figures["all"]["overdue"] == 1
    assert figures["by_unit"][0][0] == branch.name


def test_board_pages_and_one_click_creation(client, unit_head, branch, waiting, complaints):
    client.force_login(unit_head)
    form = client.get(reverse("improvement:new"), {"root_cause": waiting.pk})
    assert form.status_code == 200
    assert form.context["form"].initial["root_cause"] == waiting.pk

    created = client.post(
        reverse("improvement:new"),
        {
            "title": "Cita previa",
            "description": "Abrir cita previa.",
            "owner_unit": branch.pk,
            "due_date": (timezone.localdate() + dt.timedelta(days=20)).isoformat(),
            "effort": "small",
            "root_cause": waiting.pk,
            "category": "",
            "case_code": "",
        },
    )
    action = ImprovementAction.objects.get()
    assert created.status_code == 302
    page = client.get(reverse("improvement:detail", args=[action.pk]))
    assert page.status_code == 200
    assert "TIE" in page.content.decode()
    board = client.get(reverse("improvement:board"))
    listing = client.get(reverse("improvement:board"), {"view": "list", "overdue": "on"})
    assert board.context["figures"]["all"]["open"] == 1
    assert listing.context["actions"] == []
    client.post(reverse("improvement:move", args=[action.pk, "approved"]), {"comment": ""})
    action.refresh_from_db()
    assert action.status == ActionStatus.APPROVED


def test_creation_without_origin_or_with_a_stranger_code_is_explained(client, unit_head, branch):
    client.force_login(unit_head)
    data = {
        "title": "Algo",
        "description": "Algo.",
        "owner_unit": branch.pk,
        "due_date": (timezone.localdate() + dt.timedelta(days=20)).isoformat(),
        "effort": "small",
    }

    none = client.post(reverse("improvement:new"), data)
    stranger = client.post(reverse("improvement:new"), {**data, "case_code": "OIRS-2026-XXXXXX"})

    assert none.status_code == 200
    assert "Vincule la acción" in none.content.decode()
    assert stranger.context["form"].errors["case_code"]
    assert not ImprovementAction.objects.exists()


def test_viewers_and_other_organisations_cannot_manage(
    client, viewer, outsider, organization, branch, quality_manager, waiting
):
    action = _create(organization, branch, quality_manager, origins=[{"root_cause": waiting}])

    client.force_login(viewer)
    assert client.get(reverse("improvement:new")).status_code == 403
    assert client.post(reverse("improvement:move", args=[action.pk, "approved"])).status_code == 403
    client.force_login(outsider)
    assert client.get(reverse("improvement:detail", args=[action.pk])).status_code == 404


def test_you_said_we_did_shows_only_effective_published_actions(
    client, organization, branch, quality_manager, waiting, complaints
):
    shown = _create(
        organization,
        branch,
        quality_manager,
        origins=[{"root_cause": waiting}],
        title="Cita previa",
    )
    hidden = _create(
        organization, branch, quality_manager, origins=[{"root_cause": waiting}], title="Secreta"
    )
    for step in (ActionStatus.APPROVED, ActionStatus.IN_PROGRESS, ActionStatus.CHECKING):
        services.move_action(shown, step, by=quality_manager)
        services.move_action(hidden, step, by=quality_manager)
    services.record_check(shown, effective=True, evidence="Bajaron.", by=quality_manager)
    with pytest.raises(ValidationError):
        services.publish(shown, is_public=True, summary="", by=quality_manager)
    services.publish(shown, is_public=True, summary="Ahora hay cita previa.", by=quality_manager)
    services.publish(hidden, is_public=True, summary="Aún sin comprobar.", by=quality_manager)

    page = client.get(reverse("portal:you_said_we_did", args=[organization.slug]))

    html = page.content.decode()
    assert "Ahora hay cita previa." in html
    assert "Aún sin comprobar." not in html
    assert "Ana" not in html  # counts, never who complained
    assert "6 casos en tres meses" in html


def test_the_effect_page_shows_exact_intervals_and_names_the_methods(
    client, organization, branch, unit_head, waiting, complaints
):
    action = _create(organization, branch, unit_head, origins=[{"root_cause": waiting}])
    services.move_action(action, ActionStatus.APPROVED, by=unit_head)
    services.move_action(action, ActionStatus.IN_PROGRESS, by=unit_head)
    change = services.effect(action)
    client.force_login(unit_head)

    page = client.get(reverse("improvement:detail", args=[action.pk])).content.decode()

    # Nothing since the action started (one day): Garwood's upper end is 3.69 cases over a
    # thirtieth of a month, not the 0.96 the old approximation gave.
    assert change.after_count == 0
    assert change.after_interval[1] == pytest.approx(3.688879 / change.after_months, rel=1e-5)
    high = f"{change.after_interval[1]:.1f}".replace(".", ",")
    assert f"0,0–{high}" in page
    assert "Garwood" in page
    assert "binomial condicional" in page
