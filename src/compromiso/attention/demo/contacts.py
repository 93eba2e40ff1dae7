"""Demo contacts of the Chilean service on its other channels: the call centre's figures every
30 minutes of the month's business days, as if imported from its telephony (calls offered by an
hourly profile, 78–85 % answered within 20 seconds depending on the day, abandons and short
abandons, answer and handling seconds), and about two hundred single contacts by web chat,
e-mail and the self-service kiosks, with outcomes and first-contact resolution. Generated only
once per organisation; loading twice adds nothing."""

import datetime as dt
import random
from typing import Any

from compromiso.attention.demo.timeline import local, month_days, seeded
from compromiso.attention.models import (
    Contact,
    ContactInterval,
    ContactKind,
    ContactOutcome,
    ContactSource,
    ImportJob,
    ImportKind,
    ImportStatus,
    Procedure,
)
from compromiso.catalog import services as catalog_services
from compromiso.catalog.models import Channel, ChannelKind, TouchPoint
from compromiso.core.actors import DEMO
from compromiso.organizations.models import Organization, Unit, User

LINE = "Línea 600 · atención general"
PHONE_POINT = "Call center 600 360 0000"
# Relative calls offered per half hour, by the hour it starts in (08:30–18:00).
CALL_PROFILE = {
    8: 0.6,
    9: 1.2,
    10: 1.5,
    11: 1.4,
    12: 1.0,
    13: 0.8,
    14: 1.0,
    15: 1.1,
    16: 0.9,
    17: 0.6,
}
CALLS_PER_DAY = 620
HEADERS = ["Intervalo", "Cola", "Ofrecidas", "Atendidas", "Atendidas <20s", "Abandonadas"]


def load(context: dict[str, Any]) -> None:
    chile: Organization = context["organizations"]["sntc"]
    units: dict[str, Unit] = context["units"]["sntc"]
    phone = _phone_point(chile, units["DAC"])
    days = month_days(chile)
    if not ContactInterval.objects.filter(organization=chile).exists() and days:
        _intervals(chile, phone, days)
    if not Contact.objects.filter(organization=chile).exists() and days:
        _contacts(chile, days)
    context["attention_phone_point"] = phone


def _phone_point(organization: Organization, unit: Unit) -> TouchPoint:
    point = TouchPoint.objects.filter(
        organization=organization, channel__kind=ChannelKind.PHONE, name=PHONE_POINT
    ).first()
    if point is not None:
        return point
    channel = Channel.objects.filter(organization=organization, kind=ChannelKind.PHONE).first()
    if channel is None:
        channel = catalog_services.create_channel(
            organization=organization, kind=ChannelKind.PHONE, name="Call center 600", by=DEMO
        )
    return catalog_services.create_touch_point(
        organization=organization,
        unit=unit,
        channel=channel,
        name=PHONE_POINT,
        opening_hours="Lun–Vie 08:30–18:00",
        by=DEMO,
    )


def _intervals(organization: Organization, phone: TouchPoint, days: list[dt.date]) -> None:
    job = ImportJob.objects.create(
        organization=organization,
        kind=ImportKind.INTERVALS,
        file_name=f"centralita-{days[0]:%Y%m%d}-{days[-1]:%Y%m%d}.csv",
        headers=HEADERS,
        mapping={
            "starts_at": "Intervalo",
            "line": "Cola",
            "offered": "Ofrecidas",
            "answered": "Atendidas",
            "answered_within": "Atendidas <20s",
            "abandoned": "Abandonadas",
        },
        status=ImportStatus.DONE,
        message="Demo: cifras de la central telefónica del mes.",
    )
    rows = []
    for day in days:
        rng = seeded("calls", organization.slug, day.isoformat())
        level = rng.uniform(0.78, 0.85)
        volume = CALLS_PER_DAY * (1.4 if day.weekday() == 0 else 1.0) * rng.uniform(0.9, 1.1)
        total = sum(CALL_PROFILE.values()) * 2 - CALL_PROFILE[8]  # 08:30 is one half hour
        for half in range(19):
            minute = 8 * 60 + 30 + half * 30
            weight = CALL_PROFILE[minute // 60]
            rows.append(
                _interval(organization, phone, job, day, minute, weight, volume / total, level, rng)
            )
    ContactInterval.objects.bulk_create(rows, batch_size=500)
    ImportJob.objects.filter(pk=job.pk).update(total=len(rows), imported=len(rows))


def _interval(
    organization: Organization,
    phone: TouchPoint,
    job: ImportJob,
    day: dt.date,
    minute: int,
    weight: float,
    scale: float,
    level: float,
    rng: random.Random,
) -> ContactInterval:
    offered = max(round(rng.gauss(scale * weight, (scale * weight) ** 0.5)), 0)
    # Busier half hours answer a little later and lose a few more calls.
    share = min(max(level + 0.06 * (1.0 - weight) + rng.uniform(-0.03, 0.03), 0.5), 0.98)
    abandoned = min(round(offered * rng.uniform(0.02, 0.05) * (1 + (1 - share) * 2)), offered)
    short = round(abandoned * rng.uniform(0.2, 0.4))
    abandoned_within = min(short + round((abandoned - short) * rng.uniform(0.2, 0.4)), abandoned)
    answered = offered - abandoned
    answered_within = min(answered, round(share * (offered - short)))
    late = answered - answered_within
    return ContactInterval(
        organization=organization,
        channel=phone.channel,
        touch_point=phone,
        line=LINE,
        starts_at=local(organization, day, minute),
        minutes=30,
        threshold_seconds=20,
        offered=offered,
        answered=answered,
        answered_within=answered_within,
        abandoned=abandoned,
        abandoned_within=abandoned_within,
        short_abandoned=short,
        answer_seconds=round(answered_within * rng.uniform(6, 11) + late * rng.uniform(35, 80)),
        handle_seconds=round(answered * rng.uniform(210, 320)),
        resolved_first_contact=round(answered * rng.uniform(0.68, 0.78)),
        import_job=job,
    )


# kind: (how many, channel kind, outcome weights)
CONTACT_KINDS = {
    ContactKind.CHAT: (
        80,
        ChannelKind.WEB,
        {"resolved": 70, "answered": 15, "referred": 10, "abandoned": 5},
    ),
    ContactKind.EMAIL: (70, ChannelKind.EMAIL, {"resolved": 65, "answered": 25, "referred": 10}),
    ContactKind.SELF_SERVICE: (
        50,
        ChannelKind.KIOSK,
        {"resolved": 80, "abandoned": 12, "referred": 8},
    ),
}
SELF_SERVICE_PROCEDURES = ("CERT-ANT", "CERT-NAC", "CERT-PEN")


def _contacts(organization: Organization, days: list[dt.date]) -> None:
    agents = list(User.objects.filter(username__in=["cl-oficial", "cl-calidad"]).order_by("pk"))
    agents.sort(key=lambda u: u.username)
    procedures = list(
        Procedure.objects.filter(is_published=True, organization__slug__in=["sntc", "inpe"])
        .select_related("service")
        .order_by("organization__slug", "code")
    )
    rows = []
    for kind, (count, channel_kind, weights) in CONTACT_KINDS.items():
        rng = seeded("contacts", organization.slug, kind)
        points = list(
            TouchPoint.objects.filter(
                organization=organization, channel__kind=channel_kind, is_active=True
            ).order_by("name")
        )
        for number in range(count):
            day = rng.choice(days)
            hours = (8.0, 20.0) if kind == ContactKind.SELF_SERVICE else (9.0, 18.0)
            started = local(organization, day, rng.uniform(*hours) * 60)
            outcome = rng.choices(list(weights), list(weights.values()))[0]
            if kind == ContactKind.SELF_SERVICE:
                pool = [p for p in procedures if p.code in SELF_SERVICE_PROCEDURES] or procedures
            else:
                pool = procedures
            procedure = rng.choice(pool) if pool else None
            rows.append(
                Contact(
                    organization=organization,
                    kind=kind,
                    channel=points[0].channel if points else None,
                    touch_point=rng.choice(points) if points else None,
                    service=procedure.service
                    if procedure and procedure.organization_id == organization.pk
                    else None,
                    procedure=procedure,
                    started_at=started,
                    wait_seconds=_wait(kind, outcome, rng),
                    handle_seconds=None
                    if outcome == "abandoned" and kind != ContactKind.SELF_SERVICE
                    else _handle(kind, rng),
                    outcome=ContactOutcome(outcome),
                    first_contact_resolution=None
                    if outcome == "abandoned"
                    else outcome == "resolved" and rng.random() < 0.92,
                    agent=None
                    if kind == ContactKind.SELF_SERVICE or outcome == "abandoned" or not agents
                    else agents[number % len(agents)],
                    source=ContactSource.KIOSK
                    if kind == ContactKind.SELF_SERVICE
                    else ContactSource.AGENT,
                    external_id=f"demo-{kind}-{number + 1:04d}",
                    created_at=started,
                )
            )
    Contact.objects.bulk_create(rows, batch_size=500)


def _wait(kind: str, outcome: str, rng: random.Random) -> int | None:
    if kind == ContactKind.SELF_SERVICE:
        return None
    if kind == ContactKind.EMAIL:
        return round(rng.uniform(1, 30) * 3600)  # hours to the first answer
    return round(rng.uniform(60, 300) if outcome == "abandoned" else rng.uniform(8, 120))


def _handle(kind: str, rng: random.Random) -> int:
    low, high = {
        ContactKind.CHAT: (180, 900),
        ContactKind.EMAIL: (300, 1200),
        ContactKind.SELF_SERVICE: (60, 400),
    }[ContactKind(kind)]
    return round(rng.uniform(low, high))
