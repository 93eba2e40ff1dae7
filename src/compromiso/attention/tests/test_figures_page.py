"""The figures page: scoped to the branches a member may see, filters validated, every table
downloadable, and the daily command."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from compromiso.attention import services
from compromiso.attention.models import (
    Branch,
    Outcome,
    Queue,
    Visit,
    VisitDailyFact,
    VisitDaySummary,
)
from compromiso.catalog.tests.factories import TouchPointFactory
from compromiso.core.actors import PUBLIC

SANTIAGO = ZoneInfo("America/Santiago")
DAY = dt.date(2026, 11, 2)
PERIOD = {"start": "2026-11-01", "end": "2026-11-30"}


def at(hour, minute):
    return dt.datetime.combine(DAY, dt.time(hour, minute), tzinfo=SANTIAGO)


@pytest.fixture
def served(general_queue, desk_one, officer):
    visit = services.issue_ticket(general_queue, by=PUBLIC, at=at(10, 0))
    services.call(visit, desk=desk_one, by=officer, at=at(10, 12))
    services.start(visit, by=officer, at=at(10, 13))
    services.finish(visit, outcome=Outcome.RESOLVED, by=officer, at=at(10, 20))
    return visit


@pytest.fixture
def temuco(organization, other_branch, in_person):
    """A branch outside the unit head's unit, with one visitor waiting 30 minutes."""
    point = TouchPointFactory(
        organization=organization, unit=other_branch, channel=in_person, name="Oficina Temuco"
    )
    office = Branch.objects.create(organization=organization, touch_point=point, code="temuco")
    queue = Queue.objects.create(branch=office, name="General", letter="T")
    services.issue_ticket(queue, by=PUBLIC, at=at(11, 0))
    return office


def test_anonymous_is_sent_to_log_in(client):
    page = client.get(reverse("attention:figures"))
    assert page.status_code == 302


def test_someone_of_another_organisation_sees_none_of_its_figures(client, outsider, served):
    client.force_login(outsider)
    page = client.get(reverse("attention:figures"), {**PERIOD, "branch": served.branch_id})
    assert page.context["report"].is_empty
    assert "Oficina Arica" not in page.content.decode()


def test_the_page_shows_the_period_s_figures(client, quality_manager, served):
    client.force_login(quality_manager)
    page = client.get(reverse("attention:figures"), PERIOD)
    assert page.status_code == 200
    report = page.context["report"]
    assert (report.total.visits, report.total.wait_median, report.total.within) == (1, 12, 100.0)
    html = page.content.decode()
    assert "Oficina Arica" in html
    assert "<svg" in html
    assert "Módulo 1" in html


def test_a_unit_head_sees_only_the_branches_of_the_unit(client, unit_head, served, temuco):
    client.force_login(unit_head)
    page = client.get(reverse("attention:figures"), PERIOD)
    assert [r.label for r in page.context["report"].by_branch] == ["Oficina Arica"]
    assert "Oficina Temuco" not in page.content.decode()
    # Choosing a branch outside the scope is refused by the form, not shown.
    refused = client.get(reverse("attention:figures"), {**PERIOD, "branch": temuco.pk})
    assert "Oficina Temuco" not in refused.content.decode()
    assert refused.context["form"].errors["branch"]


@pytest.mark.parametrize(
    "query",
    [
        {"start": "2026-11-30", "end": "2026-11-01"},
        {"start": "yesterday", "end": "<script>alert(1)</script>"},
        {"start": "2020-01-01", "end": "2026-11-30"},
        {**PERIOD, "minutes": "9999"},
        {**PERIOD, "branch": "x" * 5000},
        {**PERIOD, "service": "-1"},
    ],
)
def test_hostile_filters_give_a_clear_error_not_a_failure(client, quality_manager, query):
    client.force_login(quality_manager)
    client.cookies["django_language"] = "es"
    page = client.get(reverse("attention:figures"), query, headers={"accept-language": "es"})
    assert page.status_code == 200
    assert page.context["form"].errors
    assert "<script>alert(1)</script>" not in page.content.decode()


def test_no_visits_says_so(client, quality_manager, office):
    client.force_login(quality_manager)
    page = client.get(reverse("attention:figures"), PERIOD)
    assert page.context["report"].is_empty


def _hour_row(html, hour):
    """The cells of one hour's row in the table by hour of arrival."""
    section = html.split('id="figures-hour"', 1)[1].split("</section>", 1)[0]
    table = section.rsplit("<thead>", 1)[1]  # the table of figures, after the chart's own
    row = table.split(f'<th scope="row" class="fw-normal">{hour}</th>', 1)[1].split("</tr>")[0]
    return re.findall(r'<td class="text-end">([^<]*)</td>', row), table


def test_the_network_page_gives_each_hour_s_wait_median_and_p90_in_spanish(
    client, quality_manager, served, temuco
):
    """Two branches read the day summaries: the 10:00 row (one visitor, wait 12, served 7)
    shows the wait's median, P90 and % within 10 minutes; the 11:00 one (nobody called yet)
    dashes; the service time's median is there too (7)."""
    client.force_login(quality_manager)
    page = client.get(
        reverse("attention:figures"),
        {**PERIOD, "minutes": "12"},
        headers={"accept-language": "es"},
    )
    assert page.context["report"].by_branch[1].label == "Oficina Temuco"  # several branches
    html = page.content.decode()
    cells, table = _hour_row(html, "10:00")
    header = re.findall(r'<th scope="col" class="text-end">([^<]*)</th>', table)
    shown = dict(zip(header, cells, strict=True))
    assert (shown["Espera mediana (min)"], shown["P90 de espera (min)"]) == ("12", "12")
    assert shown["% atendido dentro del plazo"] == "100,0"
    assert shown["Mediana de atención (min)"] == "7"
    eleven, _table = _hour_row(html, "11:00")
    assert dict(zip(header, eleven, strict=True))["Espera mediana (min)"] == "—"
    assert "attention_facts --all" not in html  # every summary keeps the hours' service times
    assert "Por hora de llegada</h2>" in html  # the group's name inside the heading, in lower case
    within_ten = client.get(reverse("attention:figures"), {**PERIOD, "minutes": "10"})
    assert within_ten.context["report"].by_hour[0].within == 0.0


def test_summaries_without_the_hours_service_times_say_so_in_spanish(
    client, quality_manager, served, temuco
):
    """Day summaries built before the hours' service times were kept: the hour's service
    median dashes and the page says how to rebuild them, in Spanish."""
    client.force_login(quality_manager)
    client.get(reverse("attention:figures"), PERIOD)  # the refresh builds the summaries
    # Built an hour ago, before the column: the next refresh finds no visit changed since.
    Visit.objects.update(updated_at=timezone.now() - dt.timedelta(hours=1))
    VisitDaySummary.objects.update(hour_service=None)
    page = client.get(reverse("attention:figures"), PERIOD, headers={"accept-language": "es"})
    html = page.content.decode()
    cells, table = _hour_row(html, "10:00")
    header = re.findall(r'<th scope="col" class="text-end">([^<]*)</th>', table)
    assert dict(zip(header, cells, strict=True))["Mediana de atención (min)"] == "—"
    assert "antes de que se guardara el tiempo de atención por hora" in table
    assert "attention_facts --all" in table


@pytest.mark.parametrize("figure", ["total", "branch", "desk", "hour", "day", "per_hour"])
def test_every_table_downloads(client, quality_manager, served, figure):
    client.force_login(quality_manager)
    csv = client.get(reverse("attention:figures"), {**PERIOD, "figure": figure, "export": "csv"})
    assert csv.status_code == 200
    assert csv["Content-Type"].startswith("text/csv")
    xlsx = client.get(reverse("attention:figures"), {**PERIOD, "figure": figure, "export": "xlsx"})
    assert xlsx.status_code == 200
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_the_daily_command_rebuilds_every_organisation_s_facts(served, organization):
    call_command("attention_facts")
    assert VisitDailyFact.objects.filter(organization=organization).count() == 1
    VisitDailyFact.objects.all().delete()
    call_command("attention_facts", "--all")
    assert VisitDailyFact.objects.filter(organization=organization).count() == 1
