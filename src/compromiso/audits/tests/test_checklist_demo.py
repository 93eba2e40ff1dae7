"""The fieldwork demo: requests (one overdue), a sample of 30 cases, the checklist answered but
for part of one touch point; deterministic and idempotent."""

import datetime as dt
import zoneinfo

from compromiso.audits.demo import fieldwork
from compromiso.audits.models import (
    Answer,
    AuditFile,
    ChecklistItem,
    InformationRequest,
    SamplingRecord,
)
from compromiso.cases.tests.factories import CaseFactory
from compromiso.core.permissions import Role
from compromiso.organizations.tests.factories import MembershipFactory, UserFactory


def test_the_demo_fills_the_fieldwork_once(
    field_audit, charter, arica_counter, arica_phone, temuco_counter, unit_head, branch
):
    organization = field_audit.organization
    field_audit.charters.set([charter])
    field_audit.touch_points.add(temuco_counter)
    MembershipFactory(
        user=UserFactory(username="demo-auditor"), organization=organization, role=Role.AUDITOR
    )
    zone = zoneinfo.ZoneInfo("America/Santiago")
    for n in range(40):
        CaseFactory(
            organization=organization,
            channel=arica_counter.channel,
            touch_point=arica_counter,
            received_at=dt.datetime(2026, 2, 1 + n % 27, 10, tzinfo=zone),
        )
    context = {"audits": {organization.slug: field_audit}}
    fieldwork.load(context)

    requests = InformationRequest.objects.filter(audit=field_audit)
    assert requests.count() == 6
    assert requests.filter(answered_at__isnull=True).count() == 1  # overdue: due before today
    assert requests.filter(status="partial").count() == 1
    assert AuditFile.objects.filter(audit=field_audit, request__isnull=False).count() == 5
    assert requests.filter(answered_by=unit_head).count() == 5

    record = SamplingRecord.objects.get(audit=field_audit)
    assert record.population_size == 40
    assert record.sample_size == 30
    assert len(record.items) == 30

    items = ChecklistItem.objects.filter(audit=field_audit)
    answers = Answer.objects.filter(item__audit=field_audit)
    assert 0 < items.count() - answers.count() < items.count() / 4  # nearly all answered
    assert answers.filter(result="nonconform").exists()
    nonconforming = set(
        answers.filter(result="nonconform").values_list("item__touch_point_id", flat=True)
    )
    assert nonconforming == {arica_counter.pk}
    unanswered = set(items.filter(answer__isnull=True).values_list("touch_point_id", flat=True))
    assert unanswered == {temuco_counter.pk}  # a touch point partly unanswered
    assert answers.filter(item__touch_point=temuco_counter).exists()

    first = sorted(answers.values_list("item__key", "result", "score"))
    fieldwork.load(context)  # again: nothing changes
    assert InformationRequest.objects.filter(audit=field_audit).count() == 6
    assert SamplingRecord.objects.filter(audit=field_audit).count() == 1
    assert sorted(answers.values_list("item__key", "result", "score")) == first
