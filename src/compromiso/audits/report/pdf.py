"""The report as a PDF: the content and the corrective plan turned into a list of blocks
(headings, paragraphs, fact lists, tables) in the reader's language, compiled by Typst from
`report.typ`. Every text reaches Typst as a JSON string, never as markup, so nothing a user
types — `#import`, `*bold*`, `$x$`, backslashes — is read as Typst; very long words get
invisible break points so that they wrap inside the page."""

import datetime as dt
import re
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.utils.formats import date_format, number_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from compromiso.audits.report.content import ReportContent
from compromiso.audits.report.degree import Tally
from compromiso.audits.report.plan import PlanLine
from compromiso.core.pdf import render_pdf

SOURCE = Path(__file__).resolve().parent.parent / "templates/audits/report/report.typ"
_LONG_WORD = re.compile(r"\S{30,}")
_ZWSP = "\u200b"

type Cell = str | dict[str, Any]
type Block = dict[str, Any]


def breakable(text: str) -> str:
    """Long runs without a space get a zero-width space every 20 characters."""

    def split(match: re.Match[str]) -> str:
        word = match.group(0)
        return _ZWSP.join(word[i : i + 20] for i in range(0, len(word), 20))

    return _LONG_WORD.sub(split, text)


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return breakable(value)
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    return value


def day(value: dt.date | None) -> str:
    return date_format(value, "j F Y") if value else "—"


def _percent(value: Decimal | None) -> str:
    return f"{number_format(value, 1)} %" if value is not None else "—"


def _h(text: str, level: int = 2) -> Block:
    return {"type": "heading", "level": level, "text": text}


def _p(text: str, style: str = "") -> Block:
    return {"type": "text", "text": text, "style": style}


def _facts(pairs: Sequence[tuple[str, str]]) -> Block:
    return {"type": "facts", "rows": [[k, v or "—"] for k, v in pairs]}


def _table(columns: list[str], rows: list[list[Cell]], size: str = "") -> Block:
    return {"type": "table", "columns": columns, "rows": rows, "size": size}


def _red(text: str) -> Cell:
    return {"text": text, "red": True}


def _texts(blocks: list[Block], title: str, body: str, empty: str = "") -> None:
    blocks.append(_h(title))
    if body.strip():
        blocks.append(_p(body))
    elif empty:
        blocks.append(_p(empty, "muted"))


def _degree_rows(rows: Sequence[tuple[str, Tally]]) -> list[list[Cell]]:
    return [
        [
            name,
            str(t.conform),
            str(t.partial),
            str(t.nonconform),
            str(t.na),
            str(t.not_assessed),
            _percent(t.percent_conform),
        ]
        for name, t in rows
    ]


def _degree(blocks: list[Block], c: ReportContent) -> None:
    columns = [
        "",
        _("Conforms"),
        _("Partly"),
        _("Does not conform"),
        _("Not applicable"),
        _("Not assessed"),
        _("% conform of assessed"),
    ]
    blocks.append(_h(_("Degree to which the criteria are met")))
    if c.degree_statement.strip():
        blocks.append(_p(c.degree_statement))
    blocks.append(_table(columns, _degree_rows(c.overall_rows), "small"))
    points = c.touch_point_rows
    if points:
        blocks.append(_p(_("By touch point"), "strong"))
        blocks.append(_table(columns, _degree_rows(points), "small"))
    blocks.append(
        _p(
            _(
                "% conform of assessed = items that conform ÷ items assessed (conform, partly "
                "or not) × 100. Items not applicable or not assessed are left out of it."
            ),
            "muted",
        )
    )


def _findings(blocks: list[Block], c: ReportContent) -> None:
    blocks.append(_h(_("Findings")))
    if not c.grades:
        blocks.append(_p(_("No finding was recorded."), "muted"))
    for group in c.grades:
        blocks.append(_h(f"{group.label} ({len(group.findings)})", 3))
        for f in group.findings:
            blocks.append(_p(f"{f.number}. {f.statement}", "strong"))
            pairs = [
                (_("Criterion"), f.criterion or f.checklist_item),
                (_("Commitment"), f.commitment),
                (_("Touch point"), f.touch_point),
                (_("State"), f.status_label),
                (
                    _("Evidence"),
                    "; ".join(_evidence_line(c, n) for n in f.evidence),
                ),
            ]
            if f.response.strip():
                pairs.append((_("Answer of the audited side"), f.response))
            if f.diverging_opinion.strip():
                pairs.append((_("Diverging opinion"), f.diverging_opinion))
            blocks.append(_facts([(k, v) for k, v in pairs if v]))


def _evidence_line(c: ReportContent, number: int) -> str:
    ref = c.evidence[number - 1] if 0 < number <= len(c.evidence) else None
    if ref is None:
        return f"E{number}"
    parts = [f"E{number} {ref.title}", day(ref.taken_on)]
    if ref.fingerprint:
        parts.append(ref.fingerprint[:12])
    return " · ".join(parts)


def _plan(blocks: list[Block], plan: Sequence[PlanLine], as_of: dt.date) -> None:
    blocks.append(_h(_("Plan to correct every problem found")))
    blocks.append(_p(_("State of the remedies on %(date)s.") % {"date": day(as_of)}, "muted"))
    if not plan:
        blocks.append(_p(_("No nonconformity: nothing to correct."), "muted"))
        return
    rows: list[list[Cell]] = []
    for line in plan:
        finding = f"{line.number}. {line.statement}"
        if not line.has_remedy:
            rows.append([finding, _red(_("No remedy yet")), "—", "—", "—"])
            continue
        owner = " · ".join(filter(None, [line.owner_unit, line.responsible]))
        status = line.action_status_label
        if line.effective:
            status = f"{status} · {_('effect checked')}"
        rows.append(
            [
                finding,
                line.action_title,
                owner,
                _red(day(line.due_date)) if line.overdue else day(line.due_date),
                status,
            ]
        )
    columns = [_("Nonconformity"), _("Action"), _("Owner"), _("Due"), _("State")]
    blocks.append(_table(columns, rows, "small"))


def document(content: ReportContent, plan: Sequence[PlanLine], as_of: dt.date) -> dict[str, Any]:
    """The data of the PDF, every label in the active language."""
    c = content
    blocks: list[Block] = []
    status = (
        _("Version %(version)s, issued on %(date)s by %(person)s.")
        % {"version": c.version, "date": day(c.issued_on), "person": c.issued_by or "—"}
        if c.issued_on
        else _("Draft of version %(version)s, not issued.") % {"version": c.version}
    )
    blocks.append(_p(status, "muted"))
    if c.summary.strip():
        _texts(blocks, _("Summary"), c.summary)
    blocks.append(_h(_("Objectives, scope and criteria")))
    blocks.append(
        _facts(
            [
                (_("Audit client"), c.client),
                (_("Kind of audit"), c.kind_label),
                (_("Kind of auditor"), c.auditor_kind_label),
                (_("Objectives"), c.objectives),
                (_("Scope"), c.scope),
                (_("Audited unit"), c.unit),
                (_("Services"), ", ".join(c.services)),
                (_("Charters"), ", ".join(c.charters)),
                (_("Touch points in scope"), ", ".join(c.touch_points)),
                (_("Criteria"), c.criteria),
                (_("Criteria framework"), c.framework),
                (_("Methods"), c.methods),
            ]
        )
    )
    blocks.append(_h(_("Team, participants, dates and places")))
    team = "; ".join(
        " · ".join(filter(None, [m.name, m.role_label, m.affiliation])) for m in c.team
    )
    blocks.append(
        _facts(
            [
                (_("Audit team"), team),
                (_("Participants of the audited side"), c.participants),
                (_("Period audited"), f"{day(c.period_start)} – {day(c.period_end)}"),
                (_("Fieldwork planned"), f"{day(c.planned_start)} – {day(c.planned_end)}"),
                (
                    _("Fieldwork done"),
                    f"{day(c.actual_start)} – {day(c.actual_end)}" if c.actual_start else "",
                ),
                (_("Places"), c.places),
            ]
        )
    )
    _degree(blocks, c)
    _findings(blocks, c)
    blocks.append(_h(_("Areas not covered")))
    if c.areas_not_covered.strip():
        blocks.append(_p(c.areas_not_covered))
    if c.uncovered_touch_points:
        blocks.append(_p(_("Touch points in scope with no checklist answer:"), "strong"))
        blocks.append({"type": "list", "items": c.uncovered_touch_points})
    if c.uncovered_items:
        blocks.append(
            _p(
                _("Checklist items not answered or not assessed (%(count)s):")
                % {"count": len(c.uncovered_items)},
                "strong",
            )
        )
        rows: list[list[Cell]] = [
            [u.section or u.source_label, u.text, u.touch_point or "—"] for u in c.uncovered_items
        ]
        blocks.append(_table([_("Section"), _("Item"), _("Touch point")], rows, "small"))
    if not (c.areas_not_covered.strip() or c.uncovered_touch_points or c.uncovered_items):
        blocks.append(_p(_("Every area in scope was covered."), "muted"))
    blocks.append(_h(_("Unresolved diverging opinions")))
    for o in c.opinions:
        blocks.append(
            _facts([(_("Finding %(number)s") % {"number": o.number}, o.statement), ("", o.opinion)])
        )
    if not c.opinions:
        blocks.append(_p(_("None."), "muted"))
    _texts(blocks, _("Obstacles met"), c.obstacles, _("None recorded."))
    _texts(blocks, _("Conclusions"), c.conclusions, _("Not written yet."))
    blocks.append(_h(_("Sampling")))
    blocks.append(
        _p(
            _(
                "An audit relies on samples of the information available: its findings are "
                "subject to the uncertainty of sampling, and what was not sampled may differ."
            )
        )
    )
    if c.samples:
        rows = [
            [
                s.title,
                f"{s.population_label} ({s.population_size})",
                str(s.sample_size),
                s.method_label,
                str(s.seed),
            ]
            for s in c.samples
        ]
        columns = [_("Sample"), _("Population"), _("Size"), _("Method"), _("Seed")]
        blocks.append(_table(columns, rows, "small"))
    _plan(blocks, plan, as_of)
    _texts(blocks, _("Confidentiality"), c.confidentiality, _("Not stated."))
    _texts(blocks, _("Distribution"), c.distribution, _("Not stated."))
    blocks.append(_h(_("Evidence index")))
    if c.evidence:
        evidence_rows: list[list[Cell]] = [
            [
                f"E{e.number}",
                e.title,
                e.kind_label,
                day(e.taken_on),
                e.touch_point or "—",
                e.fingerprint or "—",
            ]
            for e in c.evidence
        ]
        columns = [
            "",
            _("Title"),
            _("Kind"),
            _("Taken on"),
            _("Touch point"),
            _("Fingerprint (SHA-256)"),
        ]
        blocks.append(_table(columns, evidence_rows, "tiny"))
    else:
        blocks.append(_p(_("No evidence was recorded."), "muted"))
    data = {
        "lang": (get_language() or "es").split("-")[0],
        "title": _("Audit report %(reference)s") % {"reference": c.reference},
        "subtitle": c.title,
        "organization": c.client,
        "footer": f"{c.reference} · v{c.version}",
        "blocks": blocks,
    }
    cleaned: dict[str, Any] = _clean(data)
    return cleaned


def render(content: ReportContent, plan: Sequence[PlanLine], as_of: dt.date) -> bytes:
    return render_pdf(SOURCE, document(content, plan, as_of))
