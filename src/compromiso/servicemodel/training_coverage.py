"""Training figures: how many contact staff are trained in the protocols of their touch points,
per unit, per touch point and over time; trainers per unit; days since the last refresh; middle
managers certified as trainers.

Formulas (on a date `on`, with today's staff list: active staff members):
- A competence counts on `on` when `achieved_on <= on < expires_on` (no `expires_on`: forever).
  A person's covered protocols are those of every programme they hold a counting competence in.
- The protocols a person must know are those in force at each of their touch points
  (`applicability.protocols_by_touch_point`).
- Trained share of a unit = active contact staff of the unit's subtree who are covered in every
  protocol of every touch point of theirs ÷ the same staff who have at least one protocol to
  know. Contact staff with no touch point, or whose touch points have no protocol, are outside
  the denominator and counted apart ("no protocol applies").
- Trained share of a touch point = its active contact staff covered in that touch point's
  protocols ÷ its active contact staff (a person at two touch points counts at each, judged on
  each one's protocols); a touch point with no protocol has no share.
- Trainers of a unit = active staff of its subtree holding a trainer certification valid on
  `on` (`certified_on <= on < revoked_on`), in any programme.
- Days since last refresh = `on` − the latest `achieved_on <= on` of any competence of the
  person (active contact staff); a unit shows the median and the maximum over those who have
  one, and how many never trained.
- Middle managers certified = active middle managers holding a valid certification ÷ active
  middle managers.
- The trend gives the share at the end of each of the eleven months before `on`'s month, then
  on `on` itself.
An empty denominator gives None (shown "—"), never 0. The data are read in a few queries and
the figures computed over ids in Python (protocol sets as bit masks)."""

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from compromiso.catalog.models import TouchPoint
from compromiso.organizations.models import Organization, Unit
from compromiso.servicemodel.applicability import protocols_by_touch_point
from compromiso.servicemodel.models import (
    Competence,
    StaffMember,
    StaffRole,
    TrainerCertification,
    TrainingProgramme,
    add_months,
)

TREND_MONTHS = 12


@dataclass(frozen=True)
class Share:
    numerator: int
    denominator: int

    @property
    def value(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None

    @property
    def percent(self) -> int | None:
        value = self.value
        return None if value is None else round(value * 100)


@dataclass
class _Person:
    pk: int
    path: str
    is_contact: bool
    is_manager: bool
    touch_points: list[int] = field(default_factory=list)
    required: int = 0  # bit mask of the protocols of all their touch points
    competences: list[tuple[dt.date, dt.date | None, int]] = field(default_factory=list)


@dataclass
class TrainingData:
    """What the figures need, read once: people, their touch points and competences, the
    protocols at each touch point (as bit masks) and the trainer certifications."""

    people: dict[int, _Person]
    touch_point_masks: dict[int, int]
    certifications: list[tuple[int, dt.date, dt.date | None]]

    @classmethod
    def load(cls, organization: Organization) -> "TrainingData":
        by_touch_point = protocols_by_touch_point(organization)
        bits: dict[int, int] = {}
        for ids in by_touch_point.values():
            for protocol_id in sorted(ids):
                bits.setdefault(protocol_id, 1 << len(bits))
        masks = {tp: sum(bits[p] for p in ids) for tp, ids in by_touch_point.items()}
        people = {
            pk: _Person(pk, path, role == StaffRole.CONTACT, is_manager)
            for pk, path, role, is_manager in StaffMember.objects.filter(
                organization=organization, is_active=True
            ).values_list("pk", "unit__path", "role", "is_manager")
        }
        for staff_id, tp in StaffMember.touch_points.through.objects.filter(
            staffmember__organization=organization, staffmember__is_active=True
        ).values_list("staffmember_id", "touchpoint_id"):
            person = people[staff_id]
            person.touch_points.append(tp)
            person.required |= masks.get(tp, 0)
        covers: dict[int, int] = defaultdict(int)
        for programme_id, protocol_id in TrainingProgramme.covers_protocols.through.objects.filter(
            trainingprogramme__organization=organization
        ).values_list("trainingprogramme_id", "protocol_id"):
            covers[programme_id] |= bits.get(protocol_id, 0)
        for staff_id, programme_id, achieved, expires in Competence.objects.filter(
            organization=organization
        ).values_list("staff_member_id", "programme_id", "achieved_on", "expires_on"):
            if staff_id in people:
                people[staff_id].competences.append((achieved, expires, covers[programme_id]))
        certifications = [
            row
            for row in TrainerCertification.objects.filter(organization=organization).values_list(
                "staff_member_id", "certified_on", "revoked_on"
            )
            if row[0] in people
        ]
        return cls(people, masks, certifications)

    def covered(self, person: _Person, on: dt.date) -> int:
        mask = 0
        for achieved, expires, covers in person.competences:
            if achieved <= on and (expires is None or on < expires):
                mask |= covers
        return mask

    def contact(self) -> Iterable[_Person]:
        return (p for p in self.people.values() if p.is_contact)

    def trainers(self, on: dt.date) -> set[int]:
        return {
            pk
            for pk, since, revoked in self.certifications
            if since <= on and (revoked is None or on < revoked)
        }


def _prefixes(path: str) -> list[str]:
    """A unit path and those of its ancestors ("/1/4/" → ["/1/", "/1/4/"])."""
    parts = [part for part in path.split("/") if part]
    return ["/" + "/".join(parts[: n + 1]) + "/" for n in range(len(parts))]


def _in(path: str, unit: Unit | None) -> bool:
    return unit is None or path.startswith(unit.path)


def trained_share(
    data: TrainingData, on: dt.date, *, unit: Unit | None = None, touch_point: int | None = None
) -> Share:
    """The trained share of the organisation, of a unit's subtree or of one touch point."""
    trained = total = 0
    for person in data.contact():
        if not _in(person.path, unit):
            continue
        if touch_point is None:
            required = person.required
        elif touch_point in person.touch_points:
            required = data.touch_point_masks.get(touch_point, 0)
        else:
            continue
        if not required:
            continue
        total += 1
        trained += not required & ~data.covered(person, on)
    return Share(trained, total)


def training_coverage(
    organization: Organization,
    on: dt.date,
    *,
    unit: Unit | None = None,
    touch_point: TouchPoint | None = None,
) -> Share:
    """The share of contact staff trained in the protocols of their touch points on `on`: the
    door a charter indicator or the seal's verification matrix calls."""
    data = TrainingData.load(organization)
    return trained_share(
        data, on, unit=unit, touch_point=touch_point.pk if touch_point is not None else None
    )


@dataclass(frozen=True)
class UnitFigures:
    unit: Unit | None  # None: the whole organisation
    trained: Share
    no_protocol: int
    trainers: int
    never_trained: int
    refresh_median: float | None
    refresh_max: int | None


@dataclass(frozen=True)
class TouchPointFigures:
    touch_point: TouchPoint
    protocols: int
    trained: Share


@dataclass(frozen=True)
class Point:
    on: dt.date
    trained: Share


def unit_figures(
    data: TrainingData, on: dt.date, units: Sequence[Unit], *, whole: bool
) -> list[UnitFigures]:
    """One row per unit (its subtree), after the whole organisation's when `whole`: every
    person is read once and added to each ancestor of their unit."""
    trainers = data.trainers(on)
    keys = ["*"] if whole else []
    wanted = {u.path for u in units}
    trained: dict[str, int] = defaultdict(int)
    total: dict[str, int] = defaultdict(int)
    no_protocol: dict[str, int] = defaultdict(int)
    trainer_count: dict[str, int] = defaultdict(int)
    never: dict[str, int] = defaultdict(int)
    days: dict[str, list[int]] = defaultdict(list)
    for person in data.people.values():
        targets = [p for p in _prefixes(person.path) if p in wanted] + keys
        if not targets:
            continue
        is_trainer = person.pk in trainers
        if not person.is_contact:
            for key in targets:
                trainer_count[key] += is_trainer
            continue
        covered = data.covered(person, on)
        latest = max((a for a, _e, _c in person.competences if a <= on), default=None)
        for key in targets:
            trainer_count[key] += is_trainer
            if person.required:
                total[key] += 1
                trained[key] += not person.required & ~covered
            else:
                no_protocol[key] += 1
            if latest is None:
                never[key] += 1
            else:
                days[key].append((on - latest).days)

    def row(unit: Unit | None, key: str) -> UnitFigures:
        spans = days.get(key, [])
        return UnitFigures(
            unit=unit,
            trained=Share(trained[key], total[key]),
            no_protocol=no_protocol[key],
            trainers=trainer_count[key],
            never_trained=never[key],
            refresh_median=statistics.median(spans) if spans else None,
            refresh_max=max(spans) if spans else None,
        )

    rows = [row(None, "*")] if whole else []
    return rows + [row(u, u.path) for u in units]


def touch_point_figures(
    data: TrainingData, on: dt.date, touch_points: Iterable[TouchPoint]
) -> list[TouchPointFigures]:
    trained: dict[int, int] = defaultdict(int)
    total: dict[int, int] = defaultdict(int)
    for person in data.contact():
        if not person.touch_points:
            continue
        covered = data.covered(person, on)
        for tp in person.touch_points:
            required = data.touch_point_masks.get(tp, 0)
            if required:
                total[tp] += 1
                trained[tp] += not required & ~covered
    return [
        TouchPointFigures(
            tp,
            data.touch_point_masks.get(tp.pk, 0).bit_count(),
            Share(trained[tp.pk], total[tp.pk]),
        )
        for tp in touch_points
    ]


def month_ends(on: dt.date, months: int = TREND_MONTHS) -> list[dt.date]:
    """The last day of each of the `months - 1` months before `on`'s month, then `on`."""
    first = on.replace(day=1)
    ends = [add_months(first, -k) - dt.timedelta(days=1) for k in range(months - 2, -1, -1)]
    return [*ends, on]


def trend(data: TrainingData, on: dt.date, *, unit: Unit | None = None) -> list[Point]:
    return [Point(day, trained_share(data, day, unit=unit)) for day in month_ends(on)]


def managers_certified(data: TrainingData, on: dt.date, *, unit: Unit | None = None) -> Share:
    trainers = data.trainers(on)
    managers = [p for p in data.people.values() if p.is_manager and _in(p.path, unit)]
    return Share(sum(p.pk in trainers for p in managers), len(managers))


@dataclass
class CascadeNode:
    """A trainer certification in the cascade: `level` 1 is a root (certified by an external
    body); `levels` counts the generations of its subtree (itself included), `reach` the
    trainers certified below it, directly or down the line (revoked ones included: they were
    trained)."""

    certification: TrainerCertification
    level: int
    children: list["CascadeNode"] = field(default_factory=list)
    levels: int = 1
    reach: int = 0


def cascade(programme: TrainingProgramme) -> list[CascadeNode]:
    """The programme's cascade as trees, roots first by date of certification."""
    certifications = list(
        TrainerCertification.objects.filter(programme=programme)
        .select_related("staff_member__unit")
        .order_by("certified_on", "pk")
    )
    below: dict[int | None, list[TrainerCertification]] = defaultdict(list)
    known = {c.pk for c in certifications}
    for c in certifications:
        below[c.certified_by_id if c.certified_by_id in known else None].append(c)

    def build(certification: TrainerCertification, level: int, seen: set[int]) -> CascadeNode:
        node = CascadeNode(certification, level)
        seen.add(certification.pk)
        for child in below.get(certification.pk, []):
            if child.pk not in seen:  # rows never loop; a guard costs nothing
                node.children.append(build(child, level + 1, seen))
        node.levels = 1 + max((c.levels for c in node.children), default=0)
        node.reach = sum(1 + c.reach for c in node.children)
        return node

    seen: set[int] = set()
    return [build(root, 1, seen) for root in below.get(None, [])]
