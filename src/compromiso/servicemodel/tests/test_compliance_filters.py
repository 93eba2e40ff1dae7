"""The compliance page's filters (unit subtree, protocol, method) and its CSV/XLSX download,
against hand-computed figures; bad and hostile filters are reported and left out."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from compromiso.core.actors import SYSTEM
from compromiso.servicemodel import services
from compromiso.servicemodel.compliance import Share, compliance_table
from compromiso.servicemodel.models import ProtocolStep
from compromiso.servicemodel.tests.protocol_fixtures import STEPS, outcomes

pytestmark = pytest.mark.django_db

COMPLIANCE = reverse("servicemodel:protocol_compliance")
START, END = dt.date(2026, 10, 1), dt.date(2026, 10, 31)
PERIOD = {"start": "2026-10-01", "end": "2026-10-31"}


def _observe(protocol, point, method, *values, day=dt.date(2026, 10, 5)):
    return services.record_protocol_check(
        protocol, point, by=SYSTEM, observed_on=day, method=method,
        results=outcomes(protocol, *values),
    )  # fmt: skip


@pytest.fixture
def observed(organization, protocol, counter, phone):
    """Arica counter: audit 2 of 3, self-assessment 3 of 3; Temuco phone: audit 0 of 2."""
    services.set_protocol_override(protocol, phone, by=SYSTEM, applies=True)
    _observe(protocol, counter, "audit", "met", "not_met", "met")
    _observe(protocol, counter, "self", "met", "met", "met")
    _observe(protocol, phone, "audit", "not_met", "not_met", "na")
    return protocol


def _table(organization, counter, **filters):
    from compromiso.organizations.models import Unit

    return compliance_table(
        organization,
        START,
        END,
        touch_points=counter.__class__.objects.all(),
        units=Unit.objects.filter(organization=organization).order_by("path"),
        **filters,
    )


def test_the_table_follows_the_method_and_the_unit_subtree(
    organization, observed, counter, branch, other_branch
):
    assert _table(organization, counter).total == Share(5, 8, 3)
    audits = _table(organization, counter, method="audit")
    assert audits.total == Share(2, 5, 2)
    assert {r.subject.pk: r.share for r in audits.touch_points} == {
        counter.pk: Share(2, 3, 1),
        counter.__class__.objects.get(name="Fono Temuco").pk: Share(0, 2, 1),
    }
    in_region = _table(organization, counter, unit=branch.parent)
    assert in_region.total == Share(5, 6, 2)
    assert [r.subject for r in in_region.touch_points] == [counter]
    assert other_branch not in [r.subject for r in in_region.units]
    assert all(r.subject.path.startswith(branch.parent.path) for r in in_region.units)


def test_with_one_protocol_every_step_is_listed_in_its_order(
    organization, observed, counter, protocol_draft
):
    other = services.create_protocol(
        organization, by=SYSTEM, name="Otro", purpose="", channel_kind="in_person", steps=STEPS[:1]
    )
    table = _table(organization, counter, protocol=observed)
    steps = list(ProtocolStep.objects.filter(protocol=observed).order_by("order"))
    assert [r.subject for r in table.steps] == steps
    assert [r.share for r in table.steps] == [Share(2, 3, 3), Share(1, 3, 3), Share(2, 2, 3)]
    assert _table(organization, counter, protocol=other).steps == []


def test_the_page_filters_by_unit_protocol_and_method(client, viewer, observed, branch):
    client.force_login(viewer)

    page = client.get(COMPLIANCE, PERIOD | {"method": "self"}).content.decode()
    assert "100,00 %" in page
    assert "Fono Temuco" not in page
    page = client.get(COMPLIANCE, PERIOD | {"unit": branch.pk}).content.decode()
    assert "83,33 %" in page
    assert "Fono Temuco" not in page
    page = client.get(COMPLIANCE, PERIOD | {"protocol": observed.pk}).content.decode()
    assert "62,50 %" in page
    assert "Saludar e identificarse" in page
    assert (
        f"unit={branch.pk}" in client.get(COMPLIANCE, PERIOD | {"unit": branch.pk}).content.decode()
    )


def test_a_unit_head_cannot_filter_by_a_unit_outside_their_subtree(
    client, unit_head, observed, other_branch
):
    client.force_login(unit_head)

    page = client.get(COMPLIANCE, PERIOD | {"unit": other_branch.pk}).content.decode()
    assert "Fono Temuco" not in page
    assert "Mesón Arica" in page  # the bad choice is reported and left out
    assert 'aria-invalid="true"' in page


def test_hostile_and_oversized_filters_are_left_out(client, viewer, observed, outsider):
    client.force_login(viewer)
    for params in (
        {"unit": "x\x00", "protocol": "' OR 1=1", "method": "<script>"},
        {"unit": "9" * 40, "protocol": str(2**70), "method": "m" * 5000},
        {"protocol": "-1", "format": "pdf"},
    ):
        response = client.get(COMPLIANCE, PERIOD | params)
        assert response.status_code == 200
        assert "<script>" not in response.content.decode()
        assert "62,50 %" in response.content.decode()  # the period still applies


def test_anonymous_visitors_are_sent_to_log_in_and_outsiders_see_nothing(
    client, observed, outsider
):
    response = client.get(COMPLIANCE, PERIOD | {"format": "csv"})
    assert response.status_code == 302
    assert "login" in response.url
    client.force_login(outsider)
    response = client.get(COMPLIANCE, PERIOD | {"format": "csv"})
    assert response.status_code in (200, 404)
    if response.status_code == 200:
        assert "Mesón Arica" not in response.content.decode("utf-8-sig")


def test_the_csv_download_holds_the_filtered_tables(client, viewer, observed, counter):
    counter.name = "=HYPERLINK(1)"
    counter.save()
    client.force_login(viewer)

    response = client.get(COMPLIANCE, PERIOD | {"method": "audit", "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[1].split(",")[3:] == ["2", "2", "5", "40.00"]
    assert "'=HYPERLINK(1)" in text
    assert "Fono Temuco" in text


def test_the_xlsx_download_opens_with_the_same_figures(client, viewer, observed, branch):
    client.force_login(viewer)

    response = client.get(COMPLIANCE, PERIOD | {"unit": branch.pk, "format": "xlsx"})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[1][3:6] == (2, 5, 6)
    assert all(row[1] != "Fono Temuco" for row in rows)
