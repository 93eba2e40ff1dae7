"""What the audit report says (ISO 19011 §6.5.1), assembled once from the audit's rows and used
by both the page and the PDF.

The content holds data, never translated words: choices are kept as their codes (the page and
the PDF name them in the reader's language), dates as the organisation's local dates, and the
evidence as the snapshot's title, date and fingerprint — what was frozen when it was taken,
never the live data it came from. When the report is issued, the content is frozen into the
report row (`frozen.py`), so the issued version keeps saying what it said even if a finding or
the scope is edited later. The corrective plan (`plan.py`) is the one part read live: it follows
the remedies after the report."""

import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import models
from django.db.models import Count
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from compromiso.audits.models import (
    AnswerResult,
    Audit,
    AuditKind,
    AuditorKind,
    ChecklistItem,
    Evidence,
    EvidenceKind,
    Finding,
    FindingStatus,
    ItemSource,
    Population,
    Report,
    ReviewStatus,
    SamplingMethod,
    SamplingRecord,
    SnapshotKind,
    TeamMember,
    TeamRole,
)
from compromiso.audits.report.degree import Degree, Tally, count
from compromiso.organizations.models import Organization, User

UNCOVERED_RESULTS = (None, AnswerResult.NOT_ASSESSED)


def label(choices: type[models.Choices], code: str) -> str:
    """The name of a choice in the active language (the code itself if it is unknown)."""
    return _label(choices, code, get_language())


@functools.lru_cache(maxsize=1024)
def _label(choices: type[models.Choices], code: str, language: str | None) -> str:
    return str(dict(choices.choices).get(code, code))


@dataclass
class Member:
    name: str
    role: str  # TeamRole code
    affiliation: str = ""

    @property
    def role_label(self) -> str:
        return label(TeamRole, self.role)


@dataclass
class EvidenceRef:
    number: int  # its place in the evidence index (E1, E2…)
    title: str
    kind: str  # EvidenceKind code
    snapshot_kind: str = ""  # SnapshotKind code
    taken_on: dt.date | None = None
    fingerprint: str = ""
    touch_point: str = ""
    review_status: str = ""  # ReviewStatus code

    @property
    def kind_label(self) -> str:
        if self.snapshot_kind:
            return label(SnapshotKind, self.snapshot_kind)
        return label(EvidenceKind, self.kind)

    @property
    def review_label(self) -> str:
        return label(ReviewStatus, self.review_status) if self.review_status else ""


@dataclass
class FindingEntry:
    number: int
    statement: str
    criterion: str = ""
    checklist_item: str = ""
    commitment: str = ""
    touch_point: str = ""
    status: str = ""  # FindingStatus code
    response: str = ""
    diverging_opinion: str = ""
    divergence_resolved: bool = False
    evidence: list[int] = field(default_factory=list)  # numbers in the evidence index

    @property
    def status_label(self) -> str:
        return label(FindingStatus, self.status)


@dataclass
class GradeGroup:
    code: str
    label: str
    kind: str  # GradeKind code
    severity: int = 0
    findings: list[FindingEntry] = field(default_factory=list)


@dataclass
class Opinion:
    number: int
    statement: str
    opinion: str
    response: str = ""


@dataclass
class Uncovered:
    section: str
    text: str
    touch_point: str = ""
    source: str = ""  # ItemSource code

    @property
    def source_label(self) -> str:
        return label(ItemSource, self.source)


@dataclass
class Sample:
    title: str
    population: str  # Population code
    population_size: int
    sample_size: int
    method: str  # SamplingMethod code
    seed: int
    strata: str = ""
    rationale: str = ""
    fingerprint: str = ""
    drawn_on: dt.date | None = None

    @property
    def population_label(self) -> str:
        return label(Population, self.population)

    @property
    def method_label(self) -> str:
        return label(SamplingMethod, self.method)


@dataclass
class ReportContent:
    reference: str
    title: str
    kind: str  # AuditKind code
    auditor_kind: str  # AuditorKind code
    client: str  # the audited organisation, which commissioned the audit
    objectives: str = ""
    scope: str = ""
    unit: str = ""
    services: list[str] = field(default_factory=list)
    charters: list[str] = field(default_factory=list)
    touch_points: list[str] = field(default_factory=list)
    criteria: str = ""
    framework: str = ""
    team: list[Member] = field(default_factory=list)
    participants: str = ""
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    planned_start: dt.date | None = None
    planned_end: dt.date | None = None
    actual_start: dt.date | None = None
    actual_end: dt.date | None = None
    places: str = ""
    methods: str = ""
    summary: str = ""
    degree_statement: str = ""
    degree: Degree = field(default_factory=Degree)
    grades: list[GradeGroup] = field(default_factory=list)
    evidence: list[EvidenceRef] = field(default_factory=list)
    uncovered_touch_points: list[str] = field(default_factory=list)
    uncovered_items: list[Uncovered] = field(default_factory=list)
    areas_not_covered: str = ""
    opinions: list[Opinion] = field(default_factory=list)
    obstacles: str = ""
    conclusions: str = ""
    samples: list[Sample] = field(default_factory=list)
    confidentiality: str = ""
    distribution: str = ""
    version: int = 1
    issued_on: dt.date | None = None
    issued_by: str = ""

    @property
    def finding_count(self) -> int:
        return sum(len(group.findings) for group in self.grades)

    @property
    def kind_label(self) -> str:
        return label(AuditKind, self.kind)

    @property
    def auditor_kind_label(self) -> str:
        return label(AuditorKind, self.auditor_kind)

    @property
    def sources(self) -> list[tuple[str, Tally]]:
        """The degree per source of the checklist items, each with its name."""
        return [(label(ItemSource, t.key), t) for t in self.degree.by_source]

    @property
    def overall_rows(self) -> list[tuple[str, Tally]]:
        return [(_("All checklist items"), self.degree.overall), *self.sources]

    @property
    def touch_point_rows(self) -> list[tuple[str, Tally]]:
        return [(t.name or _("No particular touch point"), t) for t in self.degree.by_touch_point]


def person(user: User | None) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def _local_date(organization: Organization, moment: dt.datetime | None) -> dt.date | None:
    return None if moment is None else organization.local(moment).date()


def _evidence(audit: Audit) -> tuple[list[EvidenceRef], dict[int, int]]:
    """The evidence index, in the order it was taken, and each item's number by its id (plain
    values: no model instance per item)."""
    rows = (
        Evidence.objects.filter(audit=audit)
        .order_by("taken_at", "pk")
        .values_list(
            "pk",
            "title",
            "kind",
            "snapshot_kind",
            "taken_at",
            "fingerprint",
            "review_status",
            "touch_point__name",
        )
    )
    organization = audit.organization
    refs: list[EvidenceRef] = []
    numbers: dict[int, int] = {}
    for number, (pk, title, kind, snapshot, taken, print_, review, point) in enumerate(
        rows, start=1
    ):
        numbers[pk] = number
        refs.append(
            EvidenceRef(
                number=number,
                title=title,
                kind=kind,
                snapshot_kind=snapshot,
                taken_on=_local_date(organization, taken),
                fingerprint=print_,
                touch_point=point or "",
                review_status=review,
            )
        )
    return refs, numbers


def _findings(audit: Audit, numbers: dict[int, int]) -> list[GradeGroup]:
    findings = (
        Finding.objects.filter(audit=audit)
        .select_related("grade", "checklist_item", "commitment", "touch_point")
        .order_by("-grade__severity", "grade__order", "grade_id", "number")
    )
    cited: dict[int, list[int]] = {}
    for finding_id, evidence_id in Finding.evidence.through.objects.filter(
        finding__audit=audit
    ).values_list("finding_id", "evidence_id"):
        if evidence_id in numbers:
            cited.setdefault(finding_id, []).append(numbers[evidence_id])
    groups: dict[int, GradeGroup] = {}
    for f in findings:
        group = groups.get(f.grade_id)
        if group is None:
            group = groups[f.grade_id] = GradeGroup(
                code=f.grade.code, label=f.grade.label, kind=f.grade.kind, severity=f.grade.severity
            )
        group.findings.append(
            FindingEntry(
                number=f.number,
                statement=f.statement,
                criterion=f.criterion,
                checklist_item=f.checklist_item.text if f.checklist_item else "",
                commitment=f.commitment.text if f.commitment else "",
                touch_point=f.touch_point.name if f.touch_point else "",
                status=f.status,
                response=f.response,
                diverging_opinion=f.diverging_opinion,
                divergence_resolved=f.divergence_resolved,
                evidence=sorted(cited.get(f.pk, [])),
            )
        )
    return list(groups.values())


def unresolved_opinions(groups: Iterable[GradeGroup]) -> list[Opinion]:
    """The audited side's disagreements not settled: a disputed finding, or one with a
    diverging opinion, whose divergence is not marked resolved."""
    opinions = [
        Opinion(
            number=f.number,
            statement=f.statement,
            opinion=f.diverging_opinion,
            response=f.response,
        )
        for group in groups
        for f in group.findings
        if (f.status == "disputed" or f.diverging_opinion.strip()) and not f.divergence_resolved
    ]
    return sorted(opinions, key=lambda o: o.number)


def _checklist(
    audit: Audit, scope: list[tuple[int, str]]
) -> tuple[Degree, list[str], list[Uncovered]]:
    """The degree of fulfilment, the touch points in scope no answer covered, and the items
    with no answer (or not assessed)."""
    rows = (
        ChecklistItem.objects.filter(audit=audit)
        .values_list("source", "touch_point_id", "touch_point__name", "answer__result")
        .annotate(n=Count("pk"))
        .order_by()
    )
    tallies = [(s, tp, name or "", result, n) for s, tp, name, result, n in rows]
    degree = count(tallies, scope)
    covered = {
        tp
        for _s, tp, _name, result, n in tallies
        if n and tp is not None and result not in UNCOVERED_RESULTS
    }
    uncovered_points = [name for pk, name in scope if pk not in covered]
    items = (
        ChecklistItem.objects.filter(audit=audit)
        .exclude(
            answer__result__in=[r for r in AnswerResult.values if r != AnswerResult.NOT_ASSESSED]
        )
        .order_by("order", "pk")
        .values_list("section", "text", "touch_point__name", "source")
    )
    uncovered_items = [
        Uncovered(section=section, text=text, touch_point=point or "", source=source)
        for section, text, point, source in items
    ]
    return degree, uncovered_points, uncovered_items


def _samples(audit: Audit) -> list[Sample]:
    organization = audit.organization
    return [
        Sample(
            title=s.title,
            population=s.population,
            population_size=s.population_size,
            sample_size=s.sample_size,
            method=s.method,
            seed=s.seed,
            strata=s.strata,
            rationale=s.rationale,
            fingerprint=s.fingerprint,
            drawn_on=_local_date(organization, s.drawn_at),
        )
        for s in SamplingRecord.objects.filter(audit=audit).defer("items", "population_filter")
    ]


def build(audit: Audit, report: Report | None = None, *, draft: bool = False) -> ReportContent:
    """The report as the rows say now, in a constant number of queries whatever the size of the
    audit. `draft`: the next version of a report already issued (not issued yet)."""
    audit = (
        Audit.objects.select_related("organization", "unit", "framework", "lead")
        .prefetch_related("services", "charters", "touch_points")
        .get(pk=audit.pk)
    )
    if report is None:
        report = Report.objects.filter(audit=audit).select_related("issued_by").first()
    organization = audit.organization
    scope = [(tp.pk, tp.name) for tp in sorted(audit.touch_points.all(), key=lambda t: t.name)]
    degree, uncovered_points, uncovered_items = _checklist(audit, scope)
    evidence, numbers = _evidence(audit)
    grades = _findings(audit, numbers)
    team = [
        Member(name=person(m.user), role=m.role, affiliation=m.affiliation)
        for m in TeamMember.objects.filter(audit=audit).select_related("user")
    ]
    if audit.lead is not None and all(m.role != "lead" for m in team):
        team.insert(0, Member(name=person(audit.lead), role="lead"))
    framework = ""
    if audit.framework is not None:
        framework = " ".join(filter(None, [audit.framework.name, audit.framework.version]))
    texts = report or Report(audit=audit)
    return ReportContent(
        reference=audit.reference,
        title=audit.title,
        kind=audit.kind,
        auditor_kind=audit.auditor_kind,
        client=organization.name,
        objectives=audit.objectives,
        scope=audit.scope,
        unit=audit.unit.name if audit.unit else "",
        services=sorted(s.name for s in audit.services.all()),
        charters=sorted(c.title for c in audit.charters.all()),
        touch_points=[name for _pk, name in scope],
        criteria=audit.criteria,
        framework=framework,
        team=team,
        participants=texts.participants,
        period_start=audit.period_start,
        period_end=audit.period_end,
        planned_start=audit.planned_start,
        planned_end=audit.planned_end,
        actual_start=audit.actual_start,
        actual_end=audit.actual_end,
        places=audit.places,
        methods=audit.methods,
        summary=texts.summary,
        degree_statement=texts.degree_met,
        degree=degree,
        grades=grades,
        evidence=evidence,
        uncovered_touch_points=uncovered_points,
        uncovered_items=uncovered_items,
        areas_not_covered=texts.areas_not_covered,
        opinions=unresolved_opinions(grades),
        obstacles=texts.obstacles,
        conclusions=texts.conclusions,
        samples=_samples(audit),
        confidentiality=texts.confidentiality,
        distribution=texts.distribution,
        version=texts.version + 1 if draft and texts.issued_at else texts.version,
        issued_on=None if draft else _local_date(organization, texts.issued_at),
        issued_by="" if draft or not texts.issued_by_id else person(texts.issued_by),
    )
