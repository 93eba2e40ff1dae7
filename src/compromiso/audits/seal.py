"""What the seal's pages show, read from the rows: how ready the organisation is against its
framework (per criterion, overall and per touch point), the verification matrix (every
commitment × every touch point where it applies, and whether conforming evidence exists for it in
the cycle), a certificate's schedule of reviews, and the seal status the network page counts.

Readiness of a criterion = the share of its assessable elements rated full compliance or
compliance plus (the element's organisation-wide rating, the one without a touch point), over all
its assessable elements, rated or not; partial compliances are counted apart and never as met.
Overall readiness is the same over every assessable element of the framework. Per touch point:
the share of the ratings given at that touch point that are met (over the rated ones), and the
share of the matrix's cells of that touch point that are verified.

The verification matrix (`verification_matrix`) reads five queries whatever its size:

- rows: every commitment of the organisation's charters in force (published), optionally only of
  some services;
- columns: every active touch point (of an active channel) where at least one row applies;
- a commitment applies at a touch point when: it names that touch point; or, naming none, it
  names the touch point's channel; or, naming neither, the touch point's channel is one its
  service is offered on (any channel when the service lists none) — and, when its charter
  belongs to a unit, the touch point is in that unit's subtree;
- a cell's events in the window [start, end] (dates in the organisation's time zone): the
  checklist answers of the organisation's audits in reporting, follow-up or closed whose item
  names that commitment and touch point — "conforms" is conforming, "partly conforms" and "does
  not conform" are not — and the approved evidence naming both, taken in the window and not
  expired on the day the matrix is read (conforming). The latest event decides (a
  non-conforming one wins a tie): verified (with its date and where it comes from),
  non-conforming, or missing when there is none.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from compromiso.audits.models import (
    Answer,
    AnswerResult,
    AuditStatus,
    Certificate,
    CertificateReview,
    CertificateStatus,
    ElementRating,
    Evidence,
    FrameworkNode,
    Rating,
    ReviewKind,
    ReviewStatus,
    SelfAssessment,
)
from compromiso.catalog.models import Service, TouchPoint
from compromiso.charters.models import CharterStatus, Commitment
from compromiso.charters.periods import add_years
from compromiso.organizations.models import Organization

EVIDENCE_AUDIT_STATUSES = (AuditStatus.REPORTING, AuditStatus.FOLLOW_UP, AuditStatus.CLOSED)
CONFORMING = frozenset({AnswerResult.CONFORM})
NOT_CONFORMING = frozenset({AnswerResult.PARTIAL, AnswerResult.NONCONFORM})
EXPIRING_WITHIN_DAYS = 90


def _percent(part: int, whole: int) -> float | None:
    return None if whole == 0 else round(100 * part / whole, 1)


# — Readiness —


@dataclass
class Tally:
    """Counts of ratings over a set of elements."""

    elements: int = 0
    plus: int = 0
    full: int = 0
    partial: int = 0
    non: int = 0

    @property
    def met(self) -> int:
        return self.plus + self.full

    @property
    def rated(self) -> int:
        return self.plus + self.full + self.partial + self.non

    @property
    def not_rated(self) -> int:
        return self.elements - self.rated

    @property
    def percent(self) -> float | None:
        """Readiness: met ÷ elements."""
        return _percent(self.met, self.elements)

    @property
    def partial_percent(self) -> float | None:
        return _percent(self.partial, self.elements)

    def add(self, rating: str | None) -> None:
        self.elements += 1
        if rating == Rating.COMPLIANCE_PLUS:
            self.plus += 1
        elif rating == Rating.FULL:
            self.full += 1
        elif rating == Rating.PARTIAL:
            self.partial += 1
        elif rating == Rating.NON_COMPLIANCE:
            self.non += 1


@dataclass
class CriterionReadiness:
    node_id: int
    ref: str
    title: str
    tally: Tally


@dataclass
class TouchPointReadiness:
    touch_point_id: int
    name: str
    ratings: Tally  # the ratings given at this touch point (elements = how many were given)
    applicable: int = 0  # cells of the verification matrix at this touch point
    verified: int = 0

    @property
    def ratings_percent(self) -> float | None:
        """Met ÷ rated, among the ratings given at this touch point."""
        return _percent(self.ratings.met, self.ratings.rated)

    @property
    def matrix_percent(self) -> float | None:
        return _percent(self.verified, self.applicable)


@dataclass
class Readiness:
    overall: Tally
    criteria: list[CriterionReadiness]
    touch_points: list[TouchPointReadiness]


def framework_tree(framework_id: int) -> list[tuple[FrameworkNode, int]]:
    """The framework's nodes in reading order, each with its depth (0 for criteria)."""
    nodes = list(FrameworkNode.objects.filter(framework_id=framework_id).order_by("order", "pk"))
    children: dict[int | None, list[FrameworkNode]] = defaultdict(list)
    for node in nodes:
        children[node.parent_id].append(node)
    ordered: list[tuple[FrameworkNode, int]] = []

    def visit(parent_id: int | None, depth: int) -> None:
        for node in children.get(parent_id, []):
            ordered.append((node, depth))
            visit(node.pk, depth + 1)

    visit(None, 0)
    return ordered


def readiness(assessment: SelfAssessment, matrix: "Matrix | None" = None) -> Readiness:
    """Readiness per criterion, overall and per touch point (see the module's docstring)."""
    tree = framework_tree(assessment.framework_id)
    overall_ratings: dict[int, str] = {}
    at_points: dict[int, Tally] = defaultdict(Tally)
    for node_id, touch_point_id, rating in ElementRating.objects.filter(
        assessment=assessment
    ).values_list("node_id", "touch_point_id", "rating"):
        if touch_point_id is None:
            overall_ratings[node_id] = rating
        elif rating != Rating.NOT_RATED:
            at_points[touch_point_id].add(rating)
    overall = Tally()
    criteria: list[CriterionReadiness] = []
    current: CriterionReadiness | None = None
    for node, depth in tree:
        if depth == 0:
            current = CriterionReadiness(node.pk, node.ref, node.title, Tally())
            criteria.append(current)
        if node.assessable:
            given = overall_ratings.get(node.pk)
            overall.add(given)
            if current is not None:
                current.tally.add(given)
    columns = {c.touch_point_id: c for c in matrix.columns} if matrix else {}
    names = dict(
        TouchPoint.objects.filter(pk__in=set(at_points) - set(columns)).values_list("pk", "name")
    )
    names.update({pk: column.name for pk, column in columns.items()})
    points = {
        pk: TouchPointReadiness(pk, names.get(pk, ""), at_points.get(pk, Tally()))
        for pk in set(at_points) | set(columns)
    }
    if matrix is not None:
        for row in matrix.rows:
            for column, cell in zip(matrix.columns, row.cells, strict=True):
                if cell is not None:
                    points[column.touch_point_id].applicable += 1
                    points[column.touch_point_id].verified += cell.state == CellState.VERIFIED
    ordered = sorted(points.values(), key=lambda p: (p.name, p.touch_point_id))
    return Readiness(overall=overall, criteria=criteria, touch_points=ordered)


# — The verification matrix —


class CellState:
    VERIFIED = "verified"
    NONCONFORMING = "nonconforming"
    MISSING = "missing"


@dataclass
class Cell:
    state: str
    on: str = ""  # ISO date of the deciding event
    audit_id: int | None = None
    audit_reference: str = ""
    evidence_id: int | None = None


@dataclass
class Column:
    touch_point_id: int
    name: str
    unit: str
    channel: str


@dataclass
class Row:
    commitment_id: int
    text: str
    service: str
    charter: str
    cells: list[Cell | None] = field(default_factory=list)  # None: does not apply there


@dataclass
class Matrix:
    start: str  # ISO dates
    end: str
    read_on: str
    columns: list[Column]
    rows: list[Row]

    def _count(self, state: str | None) -> int:
        return sum(
            1
            for row in self.rows
            for cell in row.cells
            if cell is not None and (state is None or cell.state == state)
        )

    @property
    def applicable(self) -> int:
        return self._count(None)

    @property
    def verified(self) -> int:
        return self._count(CellState.VERIFIED)

    @property
    def nonconforming(self) -> int:
        return self._count(CellState.NONCONFORMING)

    @property
    def missing(self) -> int:
        return self._count(CellState.MISSING)

    @property
    def percent_verified(self) -> float | None:
        return _percent(self.verified, self.applicable)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Matrix":
        return cls(
            start=data.get("start", ""),
            end=data.get("end", ""),
            read_on=data.get("read_on", ""),
            columns=[Column(**c) for c in data.get("columns", [])],
            rows=[
                Row(
                    commitment_id=r["commitment_id"],
                    text=r["text"],
                    service=r["service"],
                    charter=r["charter"],
                    cells=[Cell(**c) if c is not None else None for c in r["cells"]],
                )
                for r in data.get("rows", [])
            ],
        )


def _applies(
    commitment: Commitment,
    touch_point: TouchPoint,
    service_channels: dict[int, set[int]],
) -> bool:
    if commitment.touch_point_id is not None:
        return commitment.touch_point_id == touch_point.pk
    if commitment.channel_id is not None:
        if commitment.channel_id != touch_point.channel_id:
            return False
    else:
        offered = service_channels.get(commitment.service_id)
        if offered and touch_point.channel_id not in offered:
            return False
    unit = commitment.charter.unit
    return unit is None or touch_point.unit.path.startswith(unit.path)


def _bounds(organization: Organization, start: dt.date, end: dt.date) -> tuple[Any, Any]:
    zone = organization.zone
    return (
        dt.datetime.combine(start, dt.time.min, tzinfo=zone),
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=zone),
    )


def verification_matrix(
    organization: Organization,
    *,
    start: dt.date,
    end: dt.date,
    today: dt.date | None = None,
    service_ids: Iterable[int] | None = None,
    touch_point_ids: Iterable[int] | None = None,
) -> Matrix:
    """Every commitment in force × every touch point where it applies, with each cell's state
    in the window [start, end] (see the module's docstring). Five queries whatever the size."""
    today = today or organization.today()
    commitments = list(
        Commitment.objects.filter(
            charter__organization=organization, charter__status=CharterStatus.PUBLISHED
        )
        .select_related("charter__unit", "service")
        .order_by("charter__title", "charter_id", "order", "pk")
    )
    if service_ids is not None:
        wanted_services = set(service_ids)
        commitments = [c for c in commitments if c.service_id in wanted_services]
    service_channels: dict[int, set[int]] = defaultdict(set)
    for service_id, channel_id in Service.channels.through.objects.filter(
        service__organization=organization
    ).values_list("service_id", "channel_id"):
        service_channels[service_id].add(channel_id)
    points = TouchPoint.objects.filter(
        organization=organization, is_active=True, channel__is_active=True
    ).select_related("unit", "channel")
    if touch_point_ids is not None:
        points = points.filter(pk__in=list(touch_point_ids))
    touch_points = list(points.order_by("unit__path", "channel__kind", "name", "pk"))
    applies = {
        (c.pk, t.pk) for c in commitments for t in touch_points if _applies(c, t, service_channels)
    }
    used = {t for _c, t in applies}
    touch_points = [t for t in touch_points if t.pk in used]
    events = _events(organization, start, end, today, applies)
    zone = organization.zone
    columns = [
        Column(t.pk, t.name, t.unit.name, t.channel.get_kind_display()) for t in touch_points
    ]
    rows = []
    for commitment in commitments:
        cells: list[Cell | None] = []
        for point in touch_points:
            key = (commitment.pk, point.pk)
            cells.append(_decide(events.get(key, []), zone) if key in applies else None)
        rows.append(
            Row(
                commitment_id=commitment.pk,
                text=commitment.text,
                service=commitment.service.name,
                charter=commitment.charter.title,
                cells=cells,
            )
        )
    return Matrix(
        start=start.isoformat(),
        end=end.isoformat(),
        read_on=today.isoformat(),
        columns=columns,
        rows=rows,
    )


# (moment, conforming, audit id, audit reference, evidence id)
type Event = tuple[dt.datetime, bool, int | None, str, int | None]


def _events(
    organization: Organization,
    start: dt.date,
    end: dt.date,
    today: dt.date,
    applies: set[tuple[int, int]],
) -> dict[tuple[int, int], list[Event]]:
    found: dict[tuple[int, int], list[Event]] = defaultdict(list)
    if not applies:
        return found
    since, until = _bounds(organization, start, end)
    commitment_ids = {c for c, _t in applies}
    touch_point_ids = {t for _c, t in applies}
    answers = Answer.objects.filter(
        item__audit__organization=organization,
        item__audit__status__in=EVIDENCE_AUDIT_STATUSES,
        item__commitment_id__in=commitment_ids,
        item__touch_point_id__in=touch_point_ids,
        result__in=[*CONFORMING, *NOT_CONFORMING],
        answered_at__gte=since,
        answered_at__lt=until,
    ).values_list(
        "item__commitment_id",
        "item__touch_point_id",
        "answered_at",
        "result",
        "item__audit_id",
        "item__audit__reference",
    )
    for commitment_id, touch_point_id, moment, result, audit_id, reference in answers:
        found[(commitment_id, touch_point_id)].append(
            (moment, result in CONFORMING, audit_id, reference, None)
        )
    evidence = (
        Evidence.objects.filter(
            audit__organization=organization,
            commitment_id__in=commitment_ids,
            touch_point_id__in=touch_point_ids,
            review_status=ReviewStatus.APPROVED,
            taken_at__gte=since,
            taken_at__lt=until,
        )
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))
        .values_list(
            "commitment_id", "touch_point_id", "taken_at", "audit_id", "audit__reference", "pk"
        )
    )
    for commitment_id, touch_point_id, moment, audit_id, reference, pk in evidence:
        found[(commitment_id, touch_point_id)].append((moment, True, audit_id, reference, pk))
    return found


def _decide(events: Sequence[Event], zone: dt.tzinfo) -> Cell:
    if not events:
        return Cell(CellState.MISSING)
    # The latest event decides; at the same moment, a non-conforming one wins.
    moment, conforming, audit_id, reference, evidence_id = max(
        events, key=lambda e: (e[0], not e[1])
    )
    return Cell(
        CellState.VERIFIED if conforming else CellState.NONCONFORMING,
        on=moment.astimezone(zone).date().isoformat(),
        audit_id=audit_id,
        audit_reference=reference,
        evidence_id=evidence_id,
    )


def certificate_matrix(
    certificate: Certificate, *, start: dt.date, end: dt.date, today: dt.date | None = None
) -> Matrix:
    """The matrix within the certificate's scope: its services and touch points (all of them
    when it names none)."""
    services = list(certificate.services.values_list("pk", flat=True))
    points = list(certificate.touch_points.values_list("pk", flat=True))
    return verification_matrix(
        certificate.organization,
        start=start,
        end=end,
        today=today,
        service_ids=services or None,
        touch_point_ids=points or None,
    )


# — The certificate's cycle —


@dataclass
class Due:
    kind: str  # ReviewKind value
    due_on: dt.date
    done: CertificateReview | None = None


def schedule(certificate: Certificate, reviews: Sequence[CertificateReview]) -> list[Due]:
    """The reviews due in the current cycle: a surveillance review on each anniversary of the
    cycle's start before it ends, then the renewal by the day it expires. The k-th surveillance
    review recorded since the cycle began fulfils the k-th anniversary."""
    if not certificate.is_granted or certificate.cycle_start is None:
        return []
    assert certificate.valid_until is not None
    start = certificate.cycle_start
    since = sorted((r for r in reviews if r.date >= start), key=lambda r: (r.date, r.pk))
    surveillances = [r for r in since if r.kind == ReviewKind.SURVEILLANCE]
    renewals = [r for r in since if r.kind == ReviewKind.RENEWAL]
    due: list[Due] = []
    year = 1
    while add_years(start, year) < certificate.valid_until:
        done = surveillances[year - 1] if len(surveillances) >= year else None
        due.append(Due(ReviewKind.SURVEILLANCE, add_years(start, year), done))
        year += 1
    due.append(Due(ReviewKind.RENEWAL, certificate.valid_until, renewals[-1] if renewals else None))
    return due


def next_due(certificate: Certificate, reviews: Sequence[CertificateReview]) -> Due | None:
    return next((d for d in schedule(certificate, reviews) if d.done is None), None)


# — For the network page —


@dataclass(frozen=True)
class SealStatus:
    """An organisation's certificates by what the public page says of them today."""

    valid: int = 0
    expiring_within_90_days: int = 0  # valid today, expiring in the next 90 days
    suspended: int = 0
    expired: int = 0
    withdrawn: int = 0

    def __bool__(self) -> bool:
        """False for an organisation that never held a certificate (pages show "—")."""
        return any((self.valid, self.suspended, self.expired, self.withdrawn))

    def __str__(self) -> str:
        # Label style ("Valid: 1"), so that the words agree with any count.
        text = _("Valid: %(valid)s (expiring within 90 days: %(expiring)s)") % {
            "valid": self.valid,
            "expiring": self.expiring_within_90_days,
        }
        if self.suspended:
            text += " · " + _("suspended: %(count)s") % {"count": self.suspended}
        if self.expired:
            text += " · " + _("expired: %(count)s") % {"count": self.expired}
        return text


def seal_status(organization: Organization, today: dt.date | None = None) -> SealStatus:
    """Counts of the organisation's granted certificates (one query)."""
    today = today or organization.today()
    counts: dict[str, int] = defaultdict(int)
    for certificate in (
        Certificate.objects.filter(organization=organization)
        .exclude(status=CertificateStatus.PENDING)
        .only("status", "issued_on", "valid_until")
    ):
        state = certificate.public_state(today)
        counts[state] += 1
        if (
            state == "valid"
            and certificate.valid_until is not None
            and certificate.valid_until <= today + dt.timedelta(days=EXPIRING_WITHIN_DAYS)
        ):
            counts["expiring"] += 1
    return SealStatus(
        valid=counts["valid"],
        expiring_within_90_days=counts["expiring"],
        suspended=counts["suspended"],
        expired=counts["expired"],
        withdrawn=counts["withdrawn"],
    )
