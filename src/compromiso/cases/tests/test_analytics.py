"""Figures from daily facts: they match what happened, follow changes, and respect scope."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from compromiso.cases import analytics, facts, services
from compromiso.cases.models import CaseDailyFact, DirtyFactDay, RootCause
from compromiso.catalog.tests.factories import ChannelFactory, ServiceFactory
from compromiso.core.actors import PUBLIC, SYSTEM

pytestmark = pytest.mark.django_db
SANTIAGO = ZoneInfo("America/Santiago")


@pytest.fixture
def world(organization, branch, other_branch, officer):
    web = ChannelFactory(organization=organization, kind="web", name="Sitio web")
    arica = ServiceFactory(organization=organization, provider_unit=branch, name="Certificados")
    temuco = ServiceFactory(organization=organization, provider_unit=other_branch, name="Pagos")
    services.install_root_causes(organization, by=SYSTEM)
    return {"web": web, "arica": arica, "temuco": temuco}


def _case(organization, world, service, day, kind="complaint"):
    case, _secret = services.receive_case(
        organization=organization,
        kind=kind,
        channel=world["web"],
        service=service,
        subject="Demora",
        description="Esperé dos horas.",
        requester_name="Ana",
        received_at=dt.datetime.combine(day, dt.time(10), tzinfo=SANTIAGO),
        by=PUBLIC,
    )
    return case


def _filters(**extra):
    return analytics.Filters(start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31), **extra)


def test_figures_follow_the_cases(organization, world, officer, quality_manager):
    timely = [_case(organization, world, world["arica"], dt.date(2026, 3, 2)) for _ in range(3)]
    late = _case(organization, world, world["arica"], dt.date(2026, 3, 2))
    _case(organization, world, world["temuco"], dt.date(2026, 4, 6), kind="suggestion")
    cause = RootCause.objects.get(organization=organization, code="TIE")
    for number, case in enumerate(timely, start=1):
        with time_machine.travel(dt.datetime(2026, 3, 2 + number, 12, tzinfo=SANTIAGO)):
            services.assign_case(case, assignee=officer, by=officer)
            services.answer_case(case, answer="Listo.", by=officer)
            services.close_case(case, by=officer, root_cause=cause)
    with time_machine.travel(dt.datetime(2026, 5, 4, 12, tzinfo=SANTIAGO)):  # past 20 days
        services.assign_case(late, assignee=officer, by=officer)
        services.answer_case(late, answer="Perdón por la demora.", by=officer)
        services.rate_handling(late, outcome=1, courtesy=4, clarity=3, timeliness=2)
        services.record_verdict(late, accepted=False, comment="Tarde.")
        services.record_redress(late, by=officer, kind="refund", amount=Decimal("1500.50"))

    figures = analytics.compute(organization, _filters())

    totals = figures.totals
    assert totals["received"] == 5
    assert totals["answered"] == 4
    assert totals["answered_on_time"] == 75.0
    slow = organization.business_calendar().business_days_between(
        dt.date(2026, 3, 2), dt.date(2026, 5, 4)
    )
    assert totals["median_days"] == 2  # 1, 2, 3 and `slow` business days
    assert totals["p90_days"] == slow
    assert totals["rejected"] == 25.0
    assert totals["handling"] == 3.0
    assert totals["outcome"] == 1.0
    assert (totals["redress_count"], totals["redress_amount"]) == (1, Decimal("1500.50"))
    assert dict(figures.by["kind"]) == {"Reclamo": 4, "Sugerencia": 1}
    assert figures.pareto[0][:2] == (str(cause), 3)
    assert [month for month, *_counts in figures.months] == ["2026-03", "2026-04", "2026-05"]
    assert not DirtyFactDay.objects.exists()


def test_a_full_rebuild_gives_the_same_facts_as_the_incremental_refresh(
    organization, world, officer
):
    for day in (dt.date(2026, 2, 2), dt.date(2026, 2, 3), dt.date(2026, 6, 1)):
        case = _case(organization, world, world["arica"], day)
        services.assign_case(case, assignee=officer, by=officer)
        services.answer_case(case, answer="Listo.", by=officer)
    facts.refresh(organization)
    columns = ("day", "kind", "service_id", "received", "answered", "answered_on_time")
    incremental = sorted(CaseDailyFact.objects.values_list(*columns))

    facts.rebuild(organization)

    assert sorted(CaseDailyFact.objects.values_list(*columns)) == incremental


def test_figures_filter_by_unit_and_service(organization, world, branch):
    _case(organization, world, world["arica"], dt.date(2026, 3, 2))
    _case(organization, world, world["temuco"], dt.date(2026, 3, 2))
    _case(organization, world, world["temuco"], dt.date(2026, 3, 3))

    by_unit = analytics.compute(organization, _filters(unit=branch))
    by_service = analytics.compute(organization, _filters(service=world["temuco"]))

    assert by_unit.totals["received"] == 1
    assert by_service.totals["received"] == 2


def test_the_page_shows_a_unit_head_only_their_unit(client, organization, world, unit_head):
    _case(organization, world, world["arica"], dt.date(2026, 3, 2))
    _case(organization, world, world["temuco"], dt.date(2026, 3, 2))
    client.force_login(unit_head)

    page = client.get(reverse("cases:analytics"), {"start": "2026-01-01", "end": "2026-12-31"})

    assert page.status_code == 200
    assert page.context["totals"]["received"] == 1
    charts = {name: rows for name, _label, rows in page.context["charts"]}
    assert [row.label for row in charts["service"].rows] == [str(world["arica"])]


def test_every_figure_exports(client, organization, world, quality_manager):
    _case(organization, world, world["arica"], dt.date(2026, 3, 2))
    client.force_login(quality_manager)
    period = {"start": "2026-01-01", "end": "2026-12-31"}

    for figure in ("totals", "kind", "root_cause", "service", "months", "pareto", "backlog"):
        csv = client.get(reverse("cases:analytics"), {**period, "figure": figure, "export": "csv"})
        assert csv.status_code == 200, figure
        assert csv["Content-Type"].startswith("text/csv")
    xlsx = client.get(reverse("cases:analytics"), {**period, "figure": "service", "export": "xlsx"})
    assert xlsx.getvalue()[:2] == b"PK"
    assert "Certificados" in client.get(
        reverse("cases:analytics"), {**period, "figure": "service", "export": "csv"}
    ).content.decode("utf-8-sig")


def test_a_bad_period_is_explained_not_crashed(client, quality_manager):
    client.force_login(quality_manager)

    reversed_period = client.get(
        reverse("cases:analytics"), {"start": "2026-12-31", "end": "2026-01-01"}
    )
    garbage = client.get(reverse("cases:analytics"), {"start": "ayer", "end": "x" * 5000})
    unknown = client.get(reverse("cases:analytics"), {"figure": "nope", "export": "csv"})

    assert reversed_period.status_code == 200
    assert "El periodo debe empezar antes de terminar." in reversed_period.content.decode()
    assert garbage.status_code == 200
    assert unknown.status_code == 404


def test_two_series_charts_draw_both_series_with_a_legend_and_a_column_each(
    client, organization, world, officer, quality_manager
):
    """Received against answered per month, and the Pareto's bars with its cumulative % line:
    both series drawn, named in a legend, and one labelled column each in the data table."""
    first = _case(organization, world, world["arica"], dt.date(2026, 3, 2))
    _case(organization, world, world["arica"], dt.date(2026, 3, 3))
    cause = RootCause.objects.get(organization=organization, code="TIE")
    with time_machine.travel(dt.datetime(2026, 3, 4, 12, tzinfo=SANTIAGO)):
        services.assign_case(first, assignee=officer, by=officer)
        services.answer_case(first, answer="Listo.", by=officer)
        services.close_case(first, by=officer, root_cause=cause)
        services.record_redress(first, by=officer, kind="refund", amount=Decimal("12345"))
    client.force_login(quality_manager)

    page = client.get(reverse("cases:analytics"), {"start": "2026-01-01", "end": "2026-12-31"})
    html = page.content.decode()

    months, pareto = page.context["months"], page.context["pareto"]
    assert [key.name for key in months.keys] == ["Recibido", "Respondido"]
    assert months.rows[0].values == [2, 1]
    assert [bar.css for bar in months.rows[0].bars] == ["chart-bar", "chart-bar-second"]
    assert months.rows[0].bars[1].width == pytest.approx(months.rows[0].bars[0].width / 2)
    assert [key.name for key in pareto.keys] == ["Reclamos", "% acumulado"]
    assert pareto.points[0].value == 100.0
    assert 'class="chart-bar-second"' in html
    assert 'class="chart-point"' in html
    assert "chart-legend" in html
    assert (
        '<th scope="col">Mes</th><th scope="col">Recibido</th><th scope="col">Respondido</th>'
        in html
    )
    assert (
        '<th scope="col">Causa raíz</th><th scope="col">Reclamos</th>'
        '<th scope="col">% acumulado</th>' in html
    )
    assert "<td>2</td><td>1</td>" in html
    # The redress cost carries the organisation's currency (Chile: pesos, no decimals), with
    # the Spanish digit grouping.
    assert "1 / 12\u00a0345\u00a0CLP</dd>" in html
    assert "echarts" not in html
