"""Demo branches: four offices of the Chilean service (Arica with its OIRS desk, Santiago Centro
open on Thursday afternoons too, Maipú short of desks, Temuco), each with a general queue, a
quick-transactions queue and a pensions-and-benefits queue, and three to six desks; and the
Catalan council's OAC with its Padró and Registre queues and three counters.

Priority is not a queue: it is a property of each visit (older people, disabilities…). Rows are
looked up by their codes first, so loading twice adds nothing."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from compromiso.attention.models import Branch, Desk, OpeningHours, Queue
from compromiso.catalog import services as catalog_services
from compromiso.catalog.models import Channel, ChannelKind, Service, TouchPoint
from compromiso.core.actors import DEMO
from compromiso.organizations.models import Organization, Unit


@dataclass(frozen=True)
class QueueSpec:
    letter: str
    name: str
    services: tuple[str, ...]
    is_quick: bool = False


@dataclass(frozen=True)
class BranchSpec:
    unit: str
    code: str
    phone: str
    email: str
    desks: tuple[tuple[str, str], ...]  # (name, letters of the queues it serves)
    volume: int  # visitors on an ordinary Wednesday
    has_oirs_desk: bool = False
    thursday_afternoon: bool = False


MORNING = (dt.time(8, 30), dt.time(14, 0))
THURSDAY_AFTERNOON = {
    "sntc": (dt.time(15, 0), dt.time(17, 30)),
    "sant-pere-de-riu": (dt.time(16, 0), dt.time(19, 0)),
}

QUEUES = {
    "sntc": (
        QueueSpec("A", "Atención general", ("INSC", "INFO")),
        QueueSpec("B", "Trámites rápidos", ("CERT", "PAGO"), is_quick=True),
        QueueSpec("C", "Pensiones y beneficios", ("INFO",)),
    ),
    "sant-pere-de-riu": (
        QueueSpec("P", "Padró", ("PAD",)),
        QueueSpec("R", "Registre", ("INF",)),
    ),
}
REGIONAL_SERVICE = {"S-ARI": "ATP-AP", "S-TCO": "ATP-AR"}

BRANCHES = {
    "sntc": (
        BranchSpec(
            "S-ARI",
            "arica",
            "+56 58 220 0100",
            "arica@example.org",
            (("Módulo 1", "AB"), ("Módulo 2", "A"), ("Módulo 3", "AC"), ("Módulo 4", "BC")),
            volume=55,
            has_oirs_desk=True,
        ),
        BranchSpec(
            "S-STG",
            "santiago-centro",
            "+56 2 2690 0100",
            "santiago.centro@example.org",
            (
                ("Módulo 1", "AB"),
                ("Módulo 2", "A"),
                ("Módulo 3", "A"),
                ("Módulo 4", "AC"),
                ("Módulo 5", "C"),
                ("Módulo 6", "B"),
            ),
            volume=100,
            thursday_afternoon=True,
        ),
        BranchSpec(
            "S-MAI",
            "maipu",
            "+56 2 2690 0200",
            "maipu@example.org",
            (("Módulo 1", "AB"), ("Módulo 2", "AC"), ("Módulo 3", "ABC")),
            volume=68,
        ),
        BranchSpec(
            "S-TCO",
            "temuco",
            "+56 45 220 0100",
            "temuco@example.org",
            (("Módulo 1", "AB"), ("Módulo 2", "A"), ("Módulo 3", "AC"), ("Módulo 4", "BC")),
            volume=48,
        ),
    ),
    "sant-pere-de-riu": (
        BranchSpec(
            "OAC",
            "oac",
            "+34 972 000 010",
            "oac@example.org",
            (("Taulell 1", "PR"), ("Taulell 2", "P"), ("Taulell 3", "R")),
            volume=45,
            has_oirs_desk=True,
            thursday_afternoon=True,
        ),
    ),
}
# The branch that is clearly short of desks: its 15-minute service level is breached.
CROWDED = {"sntc": "maipu"}
# The branch whose morning is live today (cl-oficial works there).
LIVE = ("sntc", "arica")


def load(context: dict[str, Any]) -> None:
    found: dict[str, dict[str, Branch]] = {}
    for slug, specs in BRANCHES.items():
        organization: Organization = context["organizations"][slug]
        units: dict[str, Unit] = context["units"][slug]
        services = {s.code: s for s in Service.objects.filter(organization=organization)}
        found[slug] = {}
        for spec in specs:
            branch = _branch(organization, units[spec.unit], spec)
            _hours(branch, slug, spec)
            queues = _queues(branch, slug, spec, services)
            _desks(branch, spec, queues)
            found[slug][spec.code] = branch
    context["attention_branches"] = found
    context["attention_crowded_branch"] = CROWDED
    context["attention_live_branch"] = LIVE


def _in_person_point(organization: Organization, unit: Unit) -> TouchPoint:
    point = (
        TouchPoint.objects.filter(unit=unit, channel__kind=ChannelKind.IN_PERSON)
        .order_by("pk")
        .first()
    )
    if point is not None:
        return point
    channel = Channel.objects.filter(organization=organization, kind=ChannelKind.IN_PERSON).first()
    if channel is None:
        channel = catalog_services.create_channel(
            organization=organization, kind=ChannelKind.IN_PERSON, name="Presencial", by=DEMO
        )
    return catalog_services.create_touch_point(
        organization=organization,
        unit=unit,
        channel=channel,
        name=unit.name,
        opening_hours="08:30–14:00",
        by=DEMO,
    )


def _branch(organization: Organization, unit: Unit, spec: BranchSpec) -> Branch:
    branch = Branch.objects.filter(organization=organization, code=spec.code).first()
    if branch is not None:
        return branch
    return Branch.objects.create(
        organization=organization,
        touch_point=_in_person_point(organization, unit),
        code=spec.code,
        phone=spec.phone,
        email=spec.email,
        has_oirs_desk=spec.has_oirs_desk,
        service_level_minutes=15,
    )


def _hours(branch: Branch, slug: str, spec: BranchSpec) -> None:
    if branch.hours.exists():
        return
    rows = [
        OpeningHours(branch=branch, weekday=day, opens_at=MORNING[0], closes_at=MORNING[1])
        for day in range(5)
    ]
    if spec.thursday_afternoon:
        opens, closes = THURSDAY_AFTERNOON[slug]
        rows.append(OpeningHours(branch=branch, weekday=3, opens_at=opens, closes_at=closes))
    OpeningHours.objects.bulk_create(rows)


def _queues(
    branch: Branch, slug: str, spec: BranchSpec, services: dict[str, Service]
) -> dict[str, Queue]:
    by_letter = {q.letter: q for q in Queue.objects.filter(branch=branch)}
    for order, queue_spec in enumerate(QUEUES[slug], start=1):
        if queue_spec.letter in by_letter:
            continue
        queue = Queue.objects.create(
            branch=branch,
            name=queue_spec.name,
            letter=queue_spec.letter,
            is_quick=queue_spec.is_quick,
            order=order,
        )
        codes = list(queue_spec.services)
        if queue_spec.letter == "A" and spec.unit in REGIONAL_SERVICE:
            codes.append(REGIONAL_SERVICE[spec.unit])
        queue.services.set([services[c] for c in codes if c in services])
        by_letter[queue.letter] = queue
    return by_letter


def _desks(branch: Branch, spec: BranchSpec, queues: dict[str, Queue]) -> None:
    existing = set(Desk.objects.filter(branch=branch).values_list("name", flat=True))
    for name, letters in spec.desks:
        if name in existing:
            continue
        desk = Desk.objects.create(branch=branch, name=name)
        desk.queues.set([queues[letter] for letter in letters])


def spec_of(slug: str, code: str) -> BranchSpec:
    return next(s for s in BRANCHES[slug] if s.code == code)
