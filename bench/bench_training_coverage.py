"""Training coverage for 20,000 staff at 500 touch points: the coverage page's figures.

Builds (once, in the bench database) an organisation of 10 regions × 10 branches, each branch
with 5 touch points (500 in all: counter, phone, web, kiosk, e-mail), 4 protocols in force by
channel kind, 3 programmes, 20,000 staff (90 % contact staff at one or two touch points of their
branch), about 30,000 competences over two years (some lapsed) and 300 trainer certifications.
Then times what the coverage page computes: reading the rows (`TrainingData.load`), the figures
of every unit and of the whole organisation, of the 500 touch points, the twelve-month trend and
the middle managers' share. Median and worst of 7 runs.

    .venv/bin/python bench/run.py training_coverage
"""

import datetime as dt
import random
import statistics
import time

STAFF = 20_000
REGIONS, BRANCHES, KINDS = 10, 10, ("in_person", "phone", "web", "kiosk", "email")
ON = dt.date(2026, 6, 30)
RUNS = 7


def _build():  # the bench's own data, built once
    from compromiso.catalog.models import Channel, TouchPoint
    from compromiso.organizations.models import Organization, Unit
    from compromiso.servicemodel.models import (
        Competence,
        Protocol,
        StaffMember,
        TrainerCertification,
        TrainingProgramme,
        add_months,
    )

    organization = Organization.objects.filter(slug="bench-training").first()
    if organization is not None:
        return organization
    rng = random.Random(14)
    organization = Organization.objects.create(
        name="Servicio de prueba (capacitación)",
        slug="bench-training",
        country="CL",
        subdivision="RM",
        jurisdiction="cl_public",
    )
    channels = {
        kind: Channel.objects.create(organization=organization, kind=kind, name=kind)
        for kind in KINDS
    }
    protocols = [
        Protocol.objects.create(
            organization=organization, name=f"Protocolo {kind}", channel_kind=kind, status="active"
        )
        for kind in KINDS[:4]
    ]
    full = TrainingProgramme.objects.create(
        organization=organization, name="Modelo y protocolos", validity_months=24
    )
    full.covers_protocols.set(protocols)
    counter = TrainingProgramme.objects.create(
        organization=organization, name="Atención presencial", validity_months=12
    )
    counter.covers_protocols.set(protocols[:1])
    workshop = TrainingProgramme.objects.create(organization=organization, name="Estrés")
    branches, points = [], []
    for r in range(REGIONS):
        region = Unit.objects.create(organization=organization, name=f"Región {r}", kind="region")
        for b in range(BRANCHES):
            branch = Unit.objects.create(
                organization=organization, name=f"Sucursal {r}-{b}", kind="branch", parent=region
            )
            branches.append(branch)
            points.append(
                [
                    TouchPoint.objects.create(
                        organization=organization,
                        unit=branch,
                        channel=channels[kind],
                        name=f"{kind} {r}-{b}",
                    )
                    for kind in KINDS
                ]
            )
    people = StaffMember.objects.bulk_create(
        [
            StaffMember(
                organization=organization,
                unit=branches[n % len(branches)],
                code=f"B-{n:05d}",
                name=f"Persona {n}",
                role="contact" if rng.random() < 0.9 else "back_office",
                is_manager=n < len(branches) * 2,
            )
            for n in range(STAFF)
        ],
        batch_size=2000,
    )
    through = StaffMember.touch_points.through
    links = []
    for n, person in enumerate(people):
        if person.role != "contact":
            continue
        here = points[n % len(branches)]
        for tp in {rng.choice(here[:2]), *([rng.choice(here)] if rng.random() < 0.3 else [])}:
            links.append(through(staffmember_id=person.pk, touchpoint_id=tp.pk))
    through.objects.bulk_create(links, batch_size=5000)
    competences = []
    for person in people:
        for programme in (full, counter, workshop):
            if rng.random() < 0.5:
                achieved = ON - dt.timedelta(days=rng.randrange(730))
                expires = (
                    add_months(achieved, programme.validity_months)
                    if programme.validity_months
                    else None
                )
                competences.append(
                    Competence(
                        organization=organization,
                        staff_member=person,
                        programme=programme,
                        achieved_on=achieved,
                        expires_on=expires,
                    )
                )
    Competence.objects.bulk_create(competences, batch_size=5000)
    root = TrainerCertification.objects.create(
        organization=organization,
        staff_member=people[0],
        programme=full,
        external_body="Instituto",
        certified_on=ON - dt.timedelta(days=700),
    )
    level = [root]
    for n in range(1, 300):
        level.append(
            TrainerCertification.objects.create(
                organization=organization,
                staff_member=people[n],
                programme=full,
                certified_by=level[(n - 1) // 3],
                certified_on=ON - dt.timedelta(days=600 - n),
            )
        )
    return organization


def run() -> list[tuple[str, float, str]]:
    from compromiso.catalog.models import TouchPoint
    from compromiso.organizations.models import Unit
    from compromiso.servicemodel.training_coverage import (
        TrainingData,
        managers_certified,
        touch_point_figures,
        trend,
        unit_figures,
    )

    organization = _build()
    units = list(Unit.objects.filter(organization=organization).order_by("path"))
    loads, figures, totals = [], [], []
    for _ in range(RUNS):
        began = time.perf_counter()
        data = TrainingData.load(organization)
        touch_points = list(TouchPoint.objects.filter(organization=organization))
        loaded = time.perf_counter()
        unit_figures(data, ON, units, whole=True)
        touch_point_figures(data, ON, touch_points)
        trend(data, ON)
        managers_certified(data, ON)
        done = time.perf_counter()
        loads.append((loaded - began) * 1000)
        figures.append((done - loaded) * 1000)
        totals.append((done - began) * 1000)
    people = data.size
    return [
        (f"staff members read ({len(touch_points)} touch points, {len(units)} units)", people, ""),
        ("read the rows (median)", statistics.median(loads), "ms"),
        ("figures: units, touch points, 12-month trend (median)", statistics.median(figures), "ms"),
        ("whole coverage page computation (median)", statistics.median(totals), "ms"),
        ("whole coverage page computation (worst)", max(totals), "ms"),
    ]
