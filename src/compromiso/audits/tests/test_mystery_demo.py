"""The demo's mystery-shopping rounds: one per organisation in the past month, about twenty
visits, most recorded and a few missed, counted as mystery shopping in protocol compliance;
the Chilean commitment measured by mystery shopping has its last month's value. Loading the
demo again adds nothing."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from compromiso.audits.demo import mystery
from compromiso.audits.models import MysteryRound, MysteryVisit, VisitStatus
from compromiso.charters.models import Commitment, Measurement
from compromiso.organizations.models import Organization
from compromiso.servicemodel.compliance import protocol_compliance

pytestmark = pytest.mark.django_db


def test_each_demo_organisation_has_a_round_of_the_past_month_and_loading_twice_adds_nothing():
    call_command("demo", cases=10, stdout=StringIO())

    for slug in ("sntc", "sant-pere-de-riu"):
        organization = Organization.objects.get(slug=slug)
        round_ = MysteryRound.objects.select_related("audit").get(audit__organization=organization)
        first_of_month = organization.today().replace(day=1)
        assert round_.audit.planned_end == first_of_month - dt.timedelta(days=1)
        assert round_.audit.planned_start == round_.audit.planned_end.replace(day=1)
        visits = round_.visits.all()
        assert 18 <= visits.count() <= 22
        done = visits.filter(status=VisitStatus.DONE).count()
        missed = visits.filter(status=VisitStatus.MISSED).count()
        assert done >= 15
        assert 1 <= missed <= 3
        assert round_.scenarios.count() in (2, 3)
        share = protocol_compliance(
            organization,
            round_.audit.planned_start,
            round_.audit.planned_end,
            method="mystery",
            touch_points=round_.audit.touch_points.all(),
        )
        assert share.observations >= done

    commitment = Commitment.objects.get(charter__organization__slug="sntc", check_method="mystery")
    chile_round = MysteryRound.objects.get(audit__organization__slug="sntc")
    last = Measurement.objects.get(
        commitment=commitment, period_start=chile_round.audit.planned_start
    )
    assert last.value is not None
    assert last.denominator > 0

    count = MysteryVisit.objects.count()
    context = {"organizations": {o.slug: o for o in Organization.objects.all()}}
    mystery.load(context)
    assert MysteryVisit.objects.count() == count
    assert MysteryRound.objects.count() == 2
