"""The inbox's open and overdue pages read the open cases' own index, newest first: a page costs
the same with a million closed cases behind it (docs/performance.md)."""

import datetime as dt

import pytest
from django.utils import timezone

from compromiso.cases.models import Case
from compromiso.cases.tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


def test_the_overdue_page_of_a_whole_organisation_reads_the_open_cases_index(
    organization, quality_manager
):
    from django.db import connection

    if connection.vendor != "postgresql":
        # SQLite binds the statuses as parameters, so it cannot prove the partial index applies.
        pytest.skip("the partial index serves PostgreSQL, where production runs")
    now = timezone.now()
    channel = CaseFactory(organization=organization, status="closed").channel
    for day in range(60):
        received = now - dt.timedelta(days=day)
        CaseFactory(
            organization=organization,
            channel=channel,
            status="in_progress" if day % 5 == 0 else "closed",
            received_at=received,
            due_at=received + dt.timedelta(days=28),
        )

    with connection.cursor() as cursor:
        # A table of sixty rows is read whole by any planner; what is asked is whether the
        # open cases' index can serve the page in its order, as it does at a million rows.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
    page = (
        Case.objects.visible_to(quality_manager)
        .filter(organization=organization)
        .overdue(now)
        .order_by("-received_at", "-pk")[:51]
    )

    assert "case_open_newest_idx" in page.explain()
    assert [c.received_at for c in page] == sorted(
        (c.received_at for c in Case.objects.overdue(now)), reverse=True
    )
    assert len(page) == 6  # open every fifth day, past the 28 days
