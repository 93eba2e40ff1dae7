"""A small audit with everything a report reads, built row by row (tests of the report and the
remedies). Its figures are small enough to count by hand; the test files write the counts.

Checklist (source, touch point, result):
  1 commitment  A  conform          6 protocol   A  not applicable
  2 commitment  A  nonconform       7 protocol   B  (no answer)
  3 commitment  B  partial          8 legal      —  conform
  4 commitment  B  conform          9 legal      —  not assessed
  5 protocol    A  conform         10 framework  —  nonconform
Touch points in scope: A, B and C (C has no item).
Findings: 1 major nonconformity at A (accepted), 2 minor nonconformity (disputed, divergence
unresolved), 3 observation (disputed, divergence resolved), 4 good practice (not answered,
recorded long ago: its time to answer is over)."""

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from compromiso.audits.models import (
    Answer,
    Audit,
    AuditStatus,
    ChecklistItem,
    Evidence,
    Finding,
    Grade,
    SamplingRecord,
    TeamMember,
)
from compromiso.audits.tests.factories import AuditFactory
from compromiso.catalog.tests.factories import TouchPointFactory

LONG_AGO = dt.datetime(2026, 1, 5, 12, tzinfo=dt.UTC)


@dataclass
class Built:
    audit: Audit
    grades: dict[str, Grade]
    items: list[ChecklistItem]
    findings: list[Finding]
    evidence: list[Evidence]
    touch_points: dict[str, Any]


def grades(organization) -> dict[str, Grade]:
    specs = [
        ("major", "No conformidad mayor", "nonconformity", 3, 30),
        ("minor", "No conformidad menor", "nonconformity", 2, 60),
        ("observation", "Observación", "observation", 1, None),
        ("good", "Buena práctica", "good_practice", 0, None),
    ]
    return {
        code: Grade.objects.get_or_create(
            organization=organization,
            code=code,
            defaults={
                "label": label,
                "kind": kind,
                "severity": severity,
                "action_within_days": days,
                "order": n,
            },
        )[0]
        for n, (code, label, kind, severity, days) in enumerate(specs)
    }


def fingerprint(payload: dict[str, Any]) -> str:
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def build(organization, *, unit=None, lead=None, status=AuditStatus.REPORTING) -> Built:
    points = {
        name: TouchPointFactory(organization=organization, unit=unit, name=f"Punto {name}")
        if unit is not None
        else TouchPointFactory(organization=organization, name=f"Punto {name}")
        for name in "ABC"
    }
    audit = AuditFactory(organization=organization, unit=unit, lead=lead, status=status)
    audit.touch_points.set(points.values())
    if lead is not None:
        TeamMember.objects.create(audit=audit, user=lead, role="lead", affiliation="Contraloría")
    specs = [
        ("commitment", "A", "conform"),
        ("commitment", "A", "nonconform"),
        ("commitment", "B", "partial"),
        ("commitment", "B", "conform"),
        ("protocol", "A", "conform"),
        ("protocol", "A", "na"),
        ("protocol", "B", None),
        ("legal", None, "conform"),
        ("legal", None, "not_assessed"),
        ("framework", None, "nonconform"),
    ]
    items = []
    for n, (source, tp, result) in enumerate(specs, start=1):
        item = ChecklistItem.objects.create(
            audit=audit,
            key=f"item-{n}",
            order=n,
            source=source,
            section=f"Sección {source}",
            text=f"Ítem {n}: se cumple lo prometido",
            touch_point=points[tp] if tp else None,
        )
        if result is not None:
            Answer.objects.create(item=item, result=result)
        items.append(item)
    payload = {"commitment": "Respondemos en 10 días", "values": [92, 81, 72]}
    evidence = [
        Evidence.objects.create(
            audit=audit,
            kind="snapshot",
            snapshot_kind="commitment",
            title="Mediciones del compromiso, enero a junio",
            payload=payload,
            fingerprint=fingerprint(payload),
            taken_at=dt.datetime(2026, 7, 7, 15, tzinfo=dt.UTC),
            touch_point=points["A"],
        ),
        Evidence.objects.create(
            audit=audit,
            kind="observation",
            title="Observación en el mesón",
            taken_at=dt.datetime(2026, 7, 8, 15, tzinfo=dt.UTC),
            touch_point=points["A"],
        ),
        Evidence.objects.create(
            audit=audit,
            kind="file",
            title="Registro de reclamos",
            taken_at=dt.datetime(2026, 7, 9, 15, tzinfo=dt.UTC),
        ),
    ]
    g = grades(organization)
    now = timezone.now()
    findings = [
        Finding.objects.create(
            audit=audit,
            number=1,
            grade=g["major"],
            statement="El mesón no entrega el número de seguimiento.",
            criterion="Compromiso 3 de la carta",
            checklist_item=items[1],
            touch_point=points["A"],
            status="accepted",
            response="Lo aceptamos.",
            responded_at=now,
            created_at=LONG_AGO,
        ),
        Finding.objects.create(
            audit=audit,
            number=2,
            grade=g["minor"],
            statement="Falta el registro de capacitación.",
            checklist_item=items[9],
            status="disputed",
            diverging_opinion="El registro existe en papel.",
            responded_at=now,
            created_at=LONG_AGO,
        ),
        Finding.objects.create(
            audit=audit,
            number=3,
            grade=g["observation"],
            statement="La señalética es pequeña.",
            status="disputed",
            diverging_opinion="Se cambió la semana pasada.",
            divergence_resolved=True,
            responded_at=now,
            created_at=LONG_AGO,
        ),
        Finding.objects.create(
            audit=audit,
            number=4,
            grade=g["good"],
            statement="Saludo cordial en todos los puntos.",
            created_at=LONG_AGO,
        ),
    ]
    findings[0].evidence.set(evidence[:2])
    findings[1].evidence.set(evidence[2:])
    SamplingRecord.objects.create(
        audit=audit,
        title="Reclamos del período",
        population="cases",
        population_size=1200,
        sample_size=60,
        method="random",
        seed=20260706,
    )
    return Built(audit, g, items, findings, evidence, points)
