"""The demo's protocols: counter, phone and web in force in both organisations, one override
each, and months of observations, loaded once however often the demo runs."""

import datetime as dt

import pytest

from compromiso.catalog import demo as catalog_demo
from compromiso.organizations import demo as organizations_demo
from compromiso.servicemodel.compliance import protocol_compliance
from compromiso.servicemodel.demo import protocols as protocols_demo
from compromiso.servicemodel.models import (
    Protocol,
    ProtocolCheck,
    ProtocolOverride,
    ProtocolStatus,
    StepResult,
)

pytestmark = pytest.mark.django_db


def _load():
    context = {"password": "x", "password_hash": "!", "logins": []}
    organizations_demo.load(context)
    catalog_demo.load(context)
    protocols_demo.load(context)
    return context


def test_both_demo_organisations_observe_counter_phone_and_web_protocols():
    context = _load()

    for organization in context["organizations"].values():
        protocols = Protocol.objects.filter(organization=organization)
        assert {p.channel_kind for p in protocols} == {"in_person", "phone", "web"}
        assert {p.status for p in protocols} == {ProtocolStatus.ACTIVE}
        for protocol in protocols:
            assert 5 <= protocol.steps.count() <= 7
            assert protocol.steps.filter(variants__isnull=False).exists()
        assert ProtocolOverride.objects.filter(protocol__organization=organization).count() == 1
        today = organization.today()
        share = protocol_compliance(organization, today - dt.timedelta(days=130), today)
        assert share.observations > 10
        assert 60 < share.value < 100
    catalan = Protocol.objects.get(name="Protocol d'atenció presencial")
    assert catalan.steps.first().behaviour == "Saludar i identificar-se"

    counts = (Protocol.objects.count(), ProtocolCheck.objects.count(), StepResult.objects.count())
    _load()
    assert (
        Protocol.objects.count(),
        ProtocolCheck.objects.count(),
        StepResult.objects.count(),
    ) == counts
