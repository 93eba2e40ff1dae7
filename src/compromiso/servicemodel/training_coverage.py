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
the figures computed with NumPy over arrays indexed by person (protocol sets as bit masks)."""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db import connections
from django.db.models import QuerySet

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


FOREVER = np.iinfo(np.int64).max  # an end date that never comes (no expiry, not revoked)


def _rows(queryset: QuerySet[Any]) -> list[tuple[Any, ...]]:
    """A values_list query's rows straight from the cursor: Django's per-value converters cost
    more than the query over tens of thousands of rows (booleans may come as 0/1)."""
    sql, params = queryset.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        rows: list[tuple[Any, ...]] = cursor.fetchall()
        return rows


def _day(value: dt.date | str | None) -> int:
    if value is None:
        return FOREVER
    if isinstance(value, str):  # a backend that gives dates as text
        value = dt.date.fromisoformat(value)
    return value.toordinal()


def _array(values: Sequence[int], dtype: Any) -> np.ndarray:
    return np.array(values, dtype=dtype) if values else np.zeros(0, dtype=dtype)


def _covers(required: np.ndarray, covered: np.ndarray) -> np.ndarray:
    """True where every protocol bit required is covered."""
    return np.asarray((required & ~covered) == 0, dtype=bool)


class TrainingData:
    """What the figures need, read once as arrays indexed by person: unit, role, the protocols
    they must know (a bit mask over the protocols in force), their competences (person, from,
    until, protocols covered) and trainer certifications (person, from, until). Dates are day
    ordinals; protocol sets are bit masks (Python integers past 62 protocols)."""

    def __init__(self, organization: Organization) -> None:
        by_touch_point = protocols_by_touch_point(organization)
        bits: dict[int, int] = {}
        for ids in by_touch_point.values():
            for protocol_id in sorted(ids):
                bits.setdefault(protocol_id, 1 << len(bits))
        self.dtype: Any = np.int64 if len(bits) < 63 else object
        self.touch_point_masks = {
            tp: sum(bits[p] for p in ids) for tp, ids in by_touch_point.items()
        }
        staff = _rows(
            StaffMember.objects.filter(organization=organization, is_active=True).values_list(
                "pk", "unit__path", "role", "is_manager"
            )
        )
        index = {row[0]: n for n, row in enumerate(staff)}
        self.size = len(staff)
        self.unit_paths = sorted({row[1] for row in staff})
        unit_index = {path: n for n, path in enumerate(self.unit_paths)}
        self.unit_of = _array([unit_index[row[1]] for row in staff], np.int64)
        self.contact = _array([row[2] == StaffRole.CONTACT for row in staff], bool)
        self.manager = _array([bool(row[3]) for row in staff], bool)
        links = [
            (index[person], tp)
            for person, tp in _rows(
                StaffMember.touch_points.through.objects.filter(
                    staffmember__organization=organization, staffmember__is_active=True
                ).values_list("staffmember_id", "touchpoint_id")
            )
        ]
        self.link_person = _array([p for p, _tp in links], np.int64)
        self.link_touch_point = _array([tp for _p, tp in links], np.int64)
        masks = self.touch_point_masks
        self.link_required = _array([masks.get(tp, 0) for _p, tp in links], self.dtype)
        self.required = np.zeros(self.size, dtype=self.dtype)
        if links:
            np.bitwise_or.at(self.required, self.link_person, self.link_required)
        covers: dict[int, int] = defaultdict(int)
        for programme_id, protocol_id in _rows(
            TrainingProgramme.covers_protocols.through.objects.filter(
                trainingprogramme__organization=organization
            ).values_list("trainingprogramme_id", "protocol_id")
        ):
            covers[programme_id] |= bits.get(protocol_id, 0)
        competences = [
            (index[person], _day(achieved), _day(expires), covers.get(programme, 0))
            for person, programme, achieved, expires in _rows(
                Competence.objects.filter(organization=organization).values_list(
                    "staff_member_id", "programme_id", "achieved_on", "expires_on"
                )
            )
            if person in index
        ]
        self.comp_person = _array([c[0] for c in competences], np.int64)
        self.comp_from = _array([c[1] for c in competences], np.int64)
        self.comp_until = _array([c[2] for c in competences], np.int64)
        self.comp_mask = _array([c[3] for c in competences], self.dtype)
        certifications = [
            (index[person], _day(since), _day(revoked))
            for person, since, revoked in _rows(
                TrainerCertification.objects.filter(organization=organization).values_list(
                    "staff_member_id", "certified_on", "revoked_on"
                )
            )
            if person in index
        ]
        self.cert_person = _array([c[0] for c in certifications], np.int64)
        self.cert_from = _array([c[1] for c in certifications], np.int64)
        self.cert_until = _array([c[2] for c in certifications], np.int64)

    @classmethod
    def load(cls, organization: Organization) -> "TrainingData":
        return cls(organization)

    def covered(self, on: dt.date) -> np.ndarray:
        """Per person, the protocols their competences valid on `on` cover."""
        day = on.toordinal()
        valid = (self.comp_from <= day) & (day < self.comp_until)
        covered = np.zeros(self.size, dtype=self.dtype)
        if valid.any():
            np.bitwise_or.at(covered, self.comp_person[valid], self.comp_mask[valid])
        return covered

    def trainers(self, on: dt.date) -> np.ndarray:
        """Per person, whether they hold a trainer certification valid on `on`."""
        day = on.toordinal()
        valid = (self.cert_from <= day) & (day < self.cert_until)
        flags = np.zeros(self.size, dtype=bool)
        flags[self.cert_person[valid]] = True
        return flags

    def latest(self, on: dt.date) -> np.ndarray:
        """Per person, the day ordinal of their latest competence achieved by `on` (−1: none)."""
        day = on.toordinal()
        done = self.comp_from <= day
        latest = np.full(self.size, -1, dtype=np.int64)
        if done.any():
            np.maximum.at(latest, self.comp_person[done], self.comp_from[done])
        return latest

    def units_under(self, unit: Unit | None) -> np.ndarray:
        """Indexes (into `unit_paths`) of the units in `unit`'s subtree present in the data."""
        if unit is None:
            return np.arange(len(self.unit_paths))
        return _array(
            [n for n, path in enumerate(self.unit_paths) if path.startswith(unit.path)], np.int64
        )

    def inside(self, unit: Unit | None) -> np.ndarray:
        """Per person, whether they work in `unit`'s subtree."""
        if unit is None:
            return np.ones(self.size, dtype=bool)
        flags = np.zeros(len(self.unit_paths), dtype=bool)
        flags[self.units_under(unit)] = True
        result: np.ndarray = flags[self.unit_of]
        return result


def trained_share(
    data: TrainingData, on: dt.date, *, unit: Unit | None = None, touch_point: int | None = None
) -> Share:
    """The trained share of the organisation, of a unit's subtree or of one touch point."""
    covered = data.covered(on)
    if touch_point is not None:
        required = data.touch_point_masks.get(touch_point, 0)
        if not required:
            return Share(0, 0)
        people = data.link_person[data.link_touch_point == touch_point]
        people = people[data.contact[people] & data.inside(unit)[people]]
        mask = np.array(required, dtype=data.dtype)
        return Share(int(_covers(mask, covered[people]).sum()), len(people))
    counted = data.contact & (data.required != 0) & data.inside(unit)
    trained = counted & _covers(data.required, covered)
    return Share(int(trained.sum()), int(counted.sum()))


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
    """One row per unit (its subtree), after the whole organisation's when `whole`: counts are
    summed per unit of the data once, then over each unit's subtree."""
    counted = data.contact & (data.required != 0)
    trained = counted & _covers(data.required, data.covered(on))
    latest = data.latest(on)
    refreshed = data.contact & (latest >= 0)
    sums = {
        name: np.bincount(data.unit_of[flags], minlength=len(data.unit_paths))
        for name, flags in (
            ("trained", trained),
            ("counted", counted),
            ("no_protocol", data.contact & (data.required == 0)),
            ("trainers", data.trainers(on)),
            ("never", data.contact & (latest < 0)),
        )
    }
    order = np.argsort(data.unit_of[refreshed], kind="stable")
    days = (on.toordinal() - latest[refreshed])[order]
    bounds = np.searchsorted(data.unit_of[refreshed][order], np.arange(len(data.unit_paths) + 1))

    def row(unit: Unit | None) -> UnitFigures:
        under = data.units_under(unit)
        total = {name: int(values[under].sum()) for name, values in sums.items()}
        spans = (
            np.concatenate([days[bounds[u] : bounds[u + 1]] for u in under])
            if len(under)
            else np.zeros(0)
        )
        return UnitFigures(
            unit=unit,
            trained=Share(total["trained"], total["counted"]),
            no_protocol=total["no_protocol"],
            trainers=total["trainers"],
            never_trained=total["never"],
            refresh_median=float(np.median(spans)) if len(spans) else None,
            refresh_max=int(spans.max()) if len(spans) else None,
        )

    rows = [row(None)] if whole else []
    return rows + [row(u) for u in units]


def touch_point_figures(
    data: TrainingData, on: dt.date, touch_points: Iterable[TouchPoint]
) -> list[TouchPointFigures]:
    covered = data.covered(on)
    people = data.link_person
    counted = data.contact[people] & (data.link_required != 0)
    trained = counted & _covers(data.link_required, covered[people])
    ids, where = np.unique(data.link_touch_point, return_inverse=True)
    totals = np.bincount(where[counted], minlength=len(ids))
    done = np.bincount(where[trained], minlength=len(ids))
    position = {int(tp): n for n, tp in enumerate(ids)}
    rows = []
    for tp in touch_points:
        n = position.get(tp.pk)
        share = Share(0, 0) if n is None else Share(int(done[n]), int(totals[n]))
        rows.append(TouchPointFigures(tp, data.touch_point_masks.get(tp.pk, 0).bit_count(), share))
    return rows


def month_ends(on: dt.date, months: int = TREND_MONTHS) -> list[dt.date]:
    """The last day of each of the `months - 1` months before `on`'s month, then `on`."""
    first = on.replace(day=1)
    ends = [add_months(first, -k) - dt.timedelta(days=1) for k in range(months - 2, -1, -1)]
    return [*ends, on]


def trend(data: TrainingData, on: dt.date, *, unit: Unit | None = None) -> list[Point]:
    return [Point(day, trained_share(data, day, unit=unit)) for day in month_ends(on)]


def managers_certified(data: TrainingData, on: dt.date, *, unit: Unit | None = None) -> Share:
    managers = data.manager & data.inside(unit)
    return Share(int((managers & data.trainers(on)).sum()), int(managers.sum()))


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


def cascade(programme: TrainingProgramme, *, unit: Unit | None = None) -> list[CascadeNode]:
    """The programme's cascade as trees, roots first by date of certification. With `unit`,
    only the trainers of its subtree: one certified from outside it starts a tree there."""
    certifications = list(
        TrainerCertification.objects.filter(programme=programme)
        .filter(**({"staff_member__unit__path__startswith": unit.path} if unit else {}))
        .select_related("staff_member__unit", "certified_by__staff_member")
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


@dataclass(frozen=True)
class CascadeUnitRow:
    """Per unit (its subtree), the programme's trainers certified on a day: active staff
    holding a certification valid then; and middle managers among them ÷ active middle
    managers of the subtree."""

    unit: Unit
    trainers: int
    managers: Share


def cascade_by_unit(
    programme: TrainingProgramme, on: dt.date, units: Sequence[Unit]
) -> list[CascadeUnitRow]:
    day = on.toordinal()
    staff = _rows(
        StaffMember.objects.filter(
            organization_id=programme.organization_id, is_active=True
        ).values_list("pk", "unit__path", "is_manager")
    )
    certified = {
        person
        for person, since, revoked in _rows(
            TrainerCertification.objects.filter(programme=programme).values_list(
                "staff_member_id", "certified_on", "revoked_on"
            )
        )
        if _day(since) <= day < _day(revoked)
    }
    rows = []
    for unit in units:
        inside = [row for row in staff if row[1].startswith(unit.path)]
        managers = [row for row in inside if row[2]]
        rows.append(
            CascadeUnitRow(
                unit=unit,
                trainers=sum(1 for row in inside if row[0] in certified),
                managers=Share(sum(1 for row in managers if row[0] in certified), len(managers)),
            )
        )
    return rows
