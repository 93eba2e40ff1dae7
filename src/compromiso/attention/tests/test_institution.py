"""The institution's side of a front-office agreement: its own procedures' figures at the front
office's branches, checked by hand, and nothing else of the front office."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from compromiso.attention import services as queue
from compromiso.attention.institution_figures import agreement_figures
from compromiso.attention.tests.test_directory import make_agreement, member, procedure
from compromiso.attention.views.institution import parse_month
from compromiso.core.actors import PUBLIC
from compromiso.core.permissions import Role
from compromiso.organizations.tests.factories import OrganizationFactory

SANTIAGO = ZoneInfo("America/Santiago")
DAY = dt.datetime(2026, 11, 2, 9, 0, tzinfo=SANTIAGO)


def at(minutes):
    return DAY + dt.timedelta(minutes=minutes)


@pytest.fixture
def institution(db):
    return OrganizationFactory(name="Instituto de Previsión Social", slug="ips")


@pytest.fixture
def network(organization, institution, office, general_queue, desk_one, desk_two, officer):
    """Chile's service serves the institution's pension at its Arica office."""
    pension = procedure(institution, "PGU", "Pensión Garantizada Universal")
    other = procedure(institution, "APS", "Aporte solidario")
    own = procedure(organization, "CERT", "Certificado propio")
    agreement = make_agreement(
        organization,
        institution,
        [pension, other],
        target_within_minutes=15,
        target_share=Decimal("80"),
        reference="CONV-1",
    )

    def served(proc, queued, called, ended, desk=desk_one):
        visit = queue.issue_ticket(general_queue, by=PUBLIC, procedure=proc, at=at(queued))
        queue.call(visit, desk=desk, by=officer, at=at(called))
        queue.start(visit, by=officer, at=at(called + 1))
        queue.finish(visit, outcome="resolved", by=officer, at=at(ended))
        return visit

    served(pension, 0, 10, 20)  # wait 10: within 15
    served(pension, 0, 20, 30, desk=desk_two)  # wait 20: not within
    served(pension, 60, 65, 70)  # wait 5: within
    no_show = queue.issue_ticket(general_queue, by=PUBLIC, procedure=pension, at=at(80))
    queue.call(no_show, desk=desk_one, by=officer, at=at(85))
    queue.no_show(no_show, by=officer, at=at(90))
    gone = queue.issue_ticket(general_queue, by=PUBLIC, procedure=pension, at=at(90))
    queue.left(gone, by=officer, at=at(120))
    served(own, 0, 100, 110)  # the front office's own procedure: never the institution's
    served(pension, -40 * 24 * 60, -40 * 24 * 60 + 50, -40 * 24 * 60 + 60)  # in September
    return {"agreement": agreement, "pension": pension, "other": other, "own": own}


def test_the_month_figures_are_those_computed_by_hand(network):
    result = agreement_figures(network["agreement"], 2026, 11)
    total = result.total
    assert total.visits == 5
    assert total.served == 3
    assert total.within_target == 2
    assert total.share_within_target == Decimal("66.7")  # 2 / 3
    assert total.met is False  # below 80 %
    assert total.median_wait_minutes == 10  # waits 5, 10, 20
    assert total.no_shows == 1
    assert total.left == 1
    rows = {row.procedure.code: row.figures for row in result.procedures}
    assert set(rows) == {"PGU", "APS"}  # never the front office's own procedure
    assert rows["APS"].visits == 0
    assert rows["APS"].met is None
    assert rows["PGU"].visits == 5


def test_another_month_has_its_own_figures(network):
    september = agreement_figures(network["agreement"], 2026, 9).total
    assert september.visits == 1
    assert september.served == 1
    assert september.median_wait_minutes == 50
    assert september.met is False
    assert agreement_figures(network["agreement"], 2026, 12).total.visits == 0


def test_a_month_is_parsed_safely():
    today = dt.date(2026, 11, 15)
    assert parse_month("2026-03", today) == (2026, 3)
    for bad in ("2026-13", "x" * 5000, "<script>", "1999-01", ""):
        assert parse_month(bad, today) == (2026, 11)


def test_the_institution_sees_its_figures_and_nothing_else(client, institution, network):
    quality = member(institution, Role.QUALITY_MANAGER, username="ips-quality")
    client.force_login(quality)
    page = client.get(reverse("attention:institution"), {"month": "2026-11"})
    assert page.status_code == 200
    text = page.text
    assert "Servicio Nacional de Ejemplo" in text
    assert "Pensión Garantizada Universal" in text
    assert "66,7" in text or "66.7" in text
    for secret in ("Certificado propio", "Oficina Arica", "Módulo", "officer", "A001"):
        assert secret not in text
    hostile = client.get(reverse("attention:institution"), {"month": "<script>" * 1000})
    assert hostile.status_code == 200


def test_the_institution_cannot_open_the_front_office_s_pages(
    client, institution, network, office, general_queue, desk_one
):
    """Every attention page: with the front office's ids the institution gets no 200, and no
    page without ids shows the front office's branch."""
    quality = member(institution, Role.QUALITY_MANAGER, username="ips-quality")
    client.force_login(quality)
    assert client.get(reverse("attention:procedure", args=[network["own"].pk])).status_code == 404
    visit = office.visits.order_by("pk").first()
    ids = {"pk": visit.pk, "branch": office.pk, "desk": desk_one.pk, "queue": general_queue.pk}
    mine = {"procedure", "procedure_edit", "agreement_edit"}
    resolver = get_resolver()
    attention: URLResolver = next(
        p for p in resolver.url_patterns if getattr(p, "namespace", None) == "attention"
    )
    checked = 0
    for pattern in attention.url_patterns:
        if not isinstance(pattern, URLPattern) or pattern.name in mine or pattern.name is None:
            continue
        names = list(pattern.pattern.converters)
        for candidate in ((visit.pk, office.pk, desk_one.pk), (office.pk,), (desk_one.pk,)):
            if len(names) > len(candidate):
                break
            kwargs = {n: ids.get(n, candidate[i]) for i, n in enumerate(names) if n in ids or i < 3}
            try:
                url = reverse(f"attention:{pattern.name}", kwargs=kwargs)
            except Exception:  # a parameter that is not an id (a key, a code)
                break
            response = client.get(url)
            checked += 1
            if response.streaming:
                break
            if names:
                assert response.status_code != 200, url
            else:
                assert "Oficina Arica" not in response.text, url
                assert "Certificado propio" not in response.text, url
            break
    assert checked >= 3


def test_another_front_office_s_figures_are_not_the_institution_s(
    client, institution, other_organization, network
):
    outsider_quality = member(other_organization, Role.QUALITY_MANAGER, username="cat")
    client.force_login(outsider_quality)
    page = client.get(reverse("attention:institution"), {"month": "2026-11"})
    assert "Pensión" not in page.text
    assert "CONV-1" not in page.text
    assert client.get(reverse("attention:agreements")).status_code == 200
    assert "CONV-1" not in client.get(reverse("attention:agreements")).text
