"""The audit report of a large audit: 500 evidence items and 2,000 checklist answers.

Builds (once, in the bench database) an organisation with 40 touch points in an audit's scope,
2,100 checklist items (2,000 answered: mostly conform, some partly, not, not applicable or not
assessed; 100 without an answer), 500 evidence items (snapshots with a payload and its
fingerprint, observations, files), 60 findings over four grades each citing three evidence items,
30 of the nonconformities with an improvement action, two sampling records, the report's texts,
and issues the report. Then times, median and worst of 7 runs after one warm-up:

- assembling the report's content from the rows (`audits.report.build`);
- the PDF with Typst, of the issued (frozen) version and of the draft of the next one;
- the report page, the draft preview, the PDF and the remedies page through Django's test client
  as the lead auditor, with the number of queries of each (the evidence and checklist pages too
  when the app has them).

Targets (issue 15): the PDF under 2 s, the pages under 200 ms.

    .venv/bin/python bench/run.py audit_report
"""

import contextlib
import datetime as dt
import hashlib
import json
import random
import statistics
import time
from collections.abc import Callable, Iterator
from typing import Any

RUNS = 7
ITEMS, ANSWERED, EVIDENCE, FINDINGS, POINTS = 2_100, 2_000, 500, 60, 40


def _build() -> Any:  # the bench's own data, built once
    from django.utils import timezone

    from compromiso.audits.models import (
        Answer,
        Audit,
        ChecklistItem,
        Evidence,
        Finding,
        Grade,
        Report,
        SamplingRecord,
        TeamMember,
    )
    from compromiso.audits.services import issue_report
    from compromiso.catalog.models import Channel, TouchPoint
    from compromiso.core.actors import SYSTEM
    from compromiso.core.permissions import Role
    from compromiso.improvement.models import ImprovementAction
    from compromiso.organizations.models import Membership, Organization, Unit, User

    organization = Organization.objects.filter(slug="bench-audit").first()
    if organization is not None:
        return Audit.objects.get(organization=organization, reference="BENCH-AUD-1")
    rng = random.Random(15)
    organization = Organization.objects.create(
        name="Servicio de prueba (auditoría)",
        slug="bench-audit",
        country="CL",
        subdivision="RM",
        jurisdiction="cl_public",
    )
    region = Unit.objects.create(organization=organization, name="Región", kind="region")
    region.path = f"/{region.pk}/"
    region.save(update_fields=["path"])
    channel = Channel.objects.create(organization=organization, kind="in_person", name="Mesón")
    points = [
        TouchPoint.objects.create(
            organization=organization, unit=region, channel=channel, name=f"Sucursal {n:02d}"
        )
        for n in range(POINTS)
    ]
    lead = User.objects.create_user(username="bench-audit-lead", password="x")
    Membership.objects.create(user=lead, organization=organization, role=Role.AUDITOR)
    audit = Audit.objects.create(
        organization=organization,
        reference="BENCH-AUD-1",
        title="Auditoría de la atención presencial en 40 sucursales",
        objectives="Verificar los compromisos de la carta en cada punto de contacto.",
        scope="Atención presencial de la región.",
        criteria="Carta de servicios y protocolos de atención.",
        methods="Observación, revisión de registros, entrevistas y muestreo de casos.",
        unit=region,
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 6, 30),
        planned_start=dt.date(2026, 7, 6),
        planned_end=dt.date(2026, 7, 31),
        places="Las 40 sucursales de la región.",
        lead=lead,
        status="reporting",
    )
    audit.touch_points.set(points)
    TeamMember.objects.create(audit=audit, user=lead, role="lead", affiliation="Contraloría")
    sources = ["commitment"] * 5 + ["protocol"] * 3 + ["legal", "framework"]
    items = ChecklistItem.objects.bulk_create(
        [
            ChecklistItem(
                audit=audit,
                key=f"item-{n}",
                order=n,
                source=sources[n % len(sources)],
                section=f"Sección {n % 12}",
                text=f"Ítem {n}: se cumple el compromiso {n % 30} en el punto de contacto.",
                touch_point=points[n % POINTS] if n % 10 else None,
            )
            for n in range(ITEMS)
        ],
        batch_size=1000,
    )
    results = ["conform"] * 14 + ["partial"] * 2 + ["nonconform", "na", "not_assessed"]
    Answer.objects.bulk_create(
        [Answer(item=item, result=rng.choice(results)) for item in items[:ANSWERED]],
        batch_size=1000,
    )
    evidence = []
    start = dt.datetime(2026, 7, 6, 13, tzinfo=dt.UTC)
    for n in range(EVIDENCE):
        kind = ("snapshot", "observation", "file")[n % 3]
        payload = (
            {"commitment": n % 30, "values": [rng.randrange(60, 100) for _ in range(12)]}
            if kind == "snapshot"
            else {}
        )
        canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"))
        evidence.append(
            Evidence(
                audit=audit,
                kind=kind,
                snapshot_kind="commitment" if kind == "snapshot" else "",
                title=f"Evidencia {n}: {('mediciones', 'observación', 'registro')[n % 3]}",
                payload=payload,
                fingerprint=hashlib.sha256(canonical.encode()).hexdigest() if payload else "",
                taken_at=start + dt.timedelta(hours=n),
                touch_point=points[n % POINTS],
            )
        )
    evidence = Evidence.objects.bulk_create(evidence, batch_size=500)
    grades = [
        Grade.objects.create(
            organization=organization,
            code=code,
            label=label,
            kind=kind,
            severity=severity,
            action_within_days=days,
            order=n,
        )
        for n, (code, label, kind, severity, days) in enumerate(
            [
                ("major", "No conformidad mayor", "nonconformity", 3, 30),
                ("minor", "No conformidad menor", "nonconformity", 2, 60),
                ("observation", "Observación", "observation", 1, None),
                ("good", "Buena práctica", "good_practice", 0, None),
            ]
        )
    ]
    now = timezone.now()
    findings = []
    for n in range(FINDINGS):
        finding = Finding.objects.create(
            audit=audit,
            number=n + 1,
            grade=grades[n % 4] if n >= 20 else grades[n % 2],
            statement=f"Hallazgo {n + 1}: el paso del protocolo no se cumple en todas las "
            "atenciones observadas.",
            criterion=f"Compromiso {n % 30}",
            checklist_item=items[n * 7],
            touch_point=points[n % POINTS],
            status="accepted",
            responded_at=now,
            diverging_opinion="No estamos de acuerdo." if n % 9 == 0 else "",
        )
        finding.evidence.set(evidence[n * 3 : n * 3 + 3])
        findings.append(finding)
    nonconformities = [f for f in findings if f.grade.is_nonconformity][:30]
    actions = ImprovementAction.objects.bulk_create(
        [
            ImprovementAction(
                organization=organization,
                title=f"Corregir el hallazgo {f.number}",
                description="Ajustar el procedimiento.",
                owner_unit=region,
                due_date=dt.date(2026, 12, 31),
                status=("proposed", "in_progress", "effective")[f.number % 3],
            )
            for f in nonconformities
        ]
    )
    for finding, action in zip(nonconformities, actions, strict=True):
        finding.action, finding.status = action, "in_action"
        finding.save(update_fields=["action", "status"])
    for n, population in enumerate(("cases", "touch_points")):
        SamplingRecord.objects.create(
            audit=audit,
            title=f"Muestra {n + 1}",
            population=population,
            population_size=(12_000, POINTS)[n],
            sample_size=(380, 12)[n],
            method="random",
            seed=20260706 + n,
        )
    Report.objects.create(
        audit=audit,
        summary="Resumen de la auditoría.",
        degree_met="Se cumplen en lo esencial.",
        conclusions="El servicio cumple sus compromisos en la mayoría de las sucursales.",
        confidentiality="Uso interno.",
        distribution="Dirección Nacional.",
    )
    issue_report(audit, by=SYSTEM)
    return audit


def _times(call: Callable[[], Any]) -> tuple[float, float]:
    call()  # warm-up
    times = []
    for _ in range(RUNS):
        began = time.perf_counter()
        call()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times), max(times)


@contextlib.contextmanager
def _counting() -> Iterator[list[str]]:
    """The queries run inside the block (a request resets Django's own query log, so they are
    counted as they are executed)."""
    from django.db import connection

    seen: list[str] = []

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        yield seen


def run() -> list[tuple[str, float, str]]:
    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    from compromiso.audits.models import Report
    from compromiso.audits.report import build, corrective_plan, from_data
    from compromiso.audits.report.pdf import render

    audit = _build()
    today = audit.organization.today()
    frozen = Report.objects.get(audit=audit).content
    rows: list[tuple[str, float, str]] = []

    def timed(label: str, call: Callable[[], Any]) -> None:
        median, worst = _times(call)
        rows.append((f"{label} (median)", median, "ms"))
        rows.append((f"{label} (worst)", worst, "ms"))

    timed("assemble the report's content", lambda: build(audit))
    with _counting() as queries:
        build(audit)
    rows.append(("assemble the report's content: queries", len(queries), ""))
    pdf = render(from_data(frozen), corrective_plan(audit), today)
    rows.append(("PDF size", len(pdf) / 1024, "KiB"))
    timed(
        "PDF of the issued version",
        lambda: render(from_data(frozen), corrective_plan(audit), today),
    )
    timed(
        "PDF of the next version's draft",
        lambda: render(build(audit), corrective_plan(audit), today),
    )

    client = Client()
    client.force_login(audit.lead)
    pages = {
        "report page": reverse("audits:report", args=[audit.pk]),
        "report page, draft preview": reverse("audits:report", args=[audit.pk]) + "?draft=1",
        "report PDF through the view": reverse("audits:report_pdf", args=[audit.pk]),
        "remedies page": reverse("audits:remedies", args=[audit.pk]),
    }
    for name in ("evidence", "evidence_list", "checklist"):
        try:
            pages[f"{name} page"] = reverse(f"audits:{name}", args=[audit.pk])
        except NoReverseMatch:
            continue
    for label, url in pages.items():

        def get(url: str = url) -> None:
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        with _counting() as queries:
            get()
        timed(label, get)
        rows.append((f"{label}: queries", len(queries), ""))
    return rows
