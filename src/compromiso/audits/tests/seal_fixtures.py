"""A small organisation for the seal's tests, whose verification matrix is worked out by hand.

Units: a region R with the branch B1 under it, and a branch B2 beside it. Channels: counter
(in person), web, and a phone channel that is inactive. Touch points:

    T1  B1 counter          T2  B2 counter          T3  R web
    T4  B1 counter (inactive touch point)           T5  R phone (inactive channel)

Services: S1 offered at the counter and on the web; S2 on the web only. Charters:

    "Carta general" (published, whole organisation)
        K1  S1, no channel, no touch point  → applies at T1, T2, T3 (S1's channels)
        K2  S1, channel counter            → T1, T2
        K3  S2, touch point T3             → T3
    "Carta de la sucursal" (published, unit B1)
        K4  S1, no channel                 → T1 only (T2 and T3 are outside B1)
    "Borrador" (draft): K5 → not a row

7 cells apply. The cycle is 2026-01-01 – 2026-06-30 (America/Santiago), read on 2026-07-01.
"""

import datetime as dt
import itertools
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from compromiso.audits.models import (
    Answer,
    Audit,
    AuditStatus,
    ChecklistItem,
    Evidence,
)
from compromiso.audits.tests.factories import AuditFactory
from compromiso.catalog.tests.factories import ChannelFactory, ServiceFactory, TouchPointFactory
from compromiso.charters.models import Charter, CharterStatus, Commitment
from compromiso.organizations.models import Organization
from compromiso.organizations.tests.factories import UnitFactory

SANTIAGO = ZoneInfo("America/Santiago")
START = dt.date(2026, 1, 1)
END = dt.date(2026, 6, 30)
TODAY = dt.date(2026, 7, 1)

_keys = itertools.count(1)


def at(day: dt.date, hour: int = 12, minute: int = 0) -> dt.datetime:
    """A moment of that day in Santiago."""
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SANTIAGO)


@dataclass
class World:
    organization: Organization
    touch_points: dict[str, Any]
    commitments: dict[str, Commitment]
    services: dict[str, Any]


def _charter(organization: Organization, title: str, status: str, unit: Any = None) -> Charter:
    return Charter.objects.create(
        organization=organization,
        unit=unit,
        title=title,
        status=status,
        profile="cl_public",
        language="es",
        valid_from=dt.date(2025, 1, 1),
        valid_to=dt.date(2027, 12, 31),
    )


def _commit(charter: Charter, service: Any, text: str, **extra: Any) -> Commitment:
    return Commitment.objects.create(
        charter=charter,
        service=service,
        text=text,
        indicator="%",
        source="manual",
        target=Decimal(90),
        **extra,
    )


def build_world(organization: Organization) -> World:
    region = UnitFactory(organization=organization, name="Región", kind="region")
    b1 = UnitFactory(organization=organization, parent=region, name="Sucursal 1", kind="branch")
    b2 = UnitFactory(organization=organization, name="Sucursal 2", kind="branch")
    counter = ChannelFactory(organization=organization, kind="in_person", name="Presencial")
    web = ChannelFactory(organization=organization, kind="web", name="Web")
    phone = ChannelFactory(organization=organization, kind="phone", name="Teléfono")
    phone.is_active = False
    phone.save()
    points = {
        "T1": TouchPointFactory(organization=organization, unit=b1, channel=counter, name="T1"),
        "T2": TouchPointFactory(organization=organization, unit=b2, channel=counter, name="T2"),
        "T3": TouchPointFactory(organization=organization, unit=region, channel=web, name="T3"),
        "T4": TouchPointFactory(
            organization=organization, unit=b1, channel=counter, name="T4", is_active=False
        ),
        "T5": TouchPointFactory(organization=organization, unit=region, channel=phone, name="T5"),
    }
    s1 = ServiceFactory(organization=organization, name="Certificados")
    s1.channels.set([counter, web])
    s2 = ServiceFactory(organization=organization, name="Agenda")
    s2.channels.set([web])
    general = _charter(organization, "Carta general", CharterStatus.PUBLISHED)
    branch = _charter(organization, "Carta de la sucursal", CharterStatus.PUBLISHED, unit=b1)
    draft = _charter(organization, "Borrador", CharterStatus.DRAFT)
    commitments = {
        "K1": _commit(general, s1, "Atendemos en 15 minutos."),
        "K2": _commit(general, s1, "Saludamos y nos identificamos.", channel=counter),
        "K3": _commit(general, s2, "La agenda web funciona.", touch_point=points["T3"]),
        "K4": _commit(branch, s1, "La sucursal abre a su hora."),
        "K5": _commit(draft, s1, "Borrador."),
    }
    return World(organization, points, commitments, {"S1": s1, "S2": s2})


def audit_in(organization: Organization, status: str = AuditStatus.CLOSED) -> Audit:
    audit: Audit = AuditFactory(organization=organization, status=status)
    return audit


def answer(
    audit: Audit,
    commitment: Commitment,
    touch_point: Any,
    result: str,
    when: dt.datetime,
) -> Answer:
    item = ChecklistItem.objects.create(
        audit=audit,
        key=f"c{commitment.pk}-t{touch_point.pk}-{next(_keys)}",
        source="commitment",
        text=commitment.text,
        commitment=commitment,
        touch_point=touch_point,
    )
    return Answer.objects.create(item=item, result=result, answered_at=when)


def evidence(
    audit: Audit,
    commitment: Commitment,
    touch_point: Any,
    *,
    when: dt.datetime,
    status: str = "approved",
    expires_on: dt.date | None = None,
) -> Evidence:
    return Evidence.objects.create(
        audit=audit,
        kind="observation",
        title=f"Observación {next(_keys)}",
        commitment=commitment,
        touch_point=touch_point,
        review_status=status,
        taken_at=when,
        expires_on=expires_on,
    )


def hand_worked_events(world: World) -> None:
    """The events of the module's docstring; their matrix is worked out in test_seal_matrix."""
    t, k, org = world.touch_points, world.commitments, world.organization
    closed = audit_in(org, AuditStatus.CLOSED)
    follow_up = audit_in(org, AuditStatus.FOLLOW_UP)
    fieldwork = audit_in(org, AuditStatus.FIELDWORK)
    # K1@T1: a conforming answer of a closed audit → verified on 10 March.
    answer(closed, k["K1"], t["T1"], "conform", at(dt.date(2026, 3, 10)))
    # K1@T2: conforming in February, then not in April (audit in follow-up) → non-conforming.
    answer(closed, k["K1"], t["T2"], "conform", at(dt.date(2026, 2, 1)))
    answer(follow_up, k["K1"], t["T2"], "nonconform", at(dt.date(2026, 4, 1)))
    # K1@T3: conforming, but its audit is still in fieldwork → missing.
    answer(fieldwork, k["K1"], t["T3"], "conform", at(dt.date(2026, 3, 1)))
    # K2@T1: approved evidence valid until 2027 → verified on 5 May.
    evidence(closed, k["K2"], t["T1"], when=at(dt.date(2026, 5, 5)), expires_on=dt.date(2027, 1, 1))
    # K2@T2: approved evidence that expired on 31 May; a conforming answer before the cycle
    # → missing.
    evidence(
        closed, k["K2"], t["T2"], when=at(dt.date(2026, 5, 6)), expires_on=dt.date(2026, 5, 31)
    )
    answer(closed, k["K2"], t["T2"], "conform", at(dt.date(2025, 12, 30)))
    # K3@T3: not conforming on 1 March, remedied: approved evidence on 15 March → verified.
    answer(closed, k["K3"], t["T3"], "nonconform", at(dt.date(2026, 3, 1)))
    evidence(closed, k["K3"], t["T3"], when=at(dt.date(2026, 3, 15)))
    # K4@T1: evidence not yet approved → missing.
    evidence(closed, k["K4"], t["T1"], when=at(dt.date(2026, 3, 20)), status="in_review")
