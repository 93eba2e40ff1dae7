"""The degree to which the audit criteria are met, counted from the checklist answers (ISO 19011
§6.5.1 "statement of the degree to which the audit criteria have been fulfilled").

Each checklist item counts once, by the result of its answer: conform, partial, nonconform, not
applicable, or not assessed (an item with no answer counts as not assessed). The items assessed
are the conform, partial and nonconform ones; the share conform is

    % conform = conform ÷ (conform + partial + nonconform) × 100, to one decimal,

with no value ("—") when nothing was assessed. Not applicable and not assessed items are left
out of the share and shown beside it. The same count is made overall, per touch point and per
source of the item (a charter commitment, a protocol step, a legal requirement, a framework
criterion, one the auditor added). Plain values in and out: no database here."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

RESULTS = ("conform", "partial", "nonconform", "na", "not_assessed")
SOURCES = ("commitment", "protocol", "legal", "framework")  # always shown; "free" when present


@dataclass
class Tally:
    """How many items of one group had each result."""

    key: str = ""
    name: str = ""
    conform: int = 0
    partial: int = 0
    nonconform: int = 0
    na: int = 0
    not_assessed: int = 0

    def add(self, result: str | None, count: int = 1) -> None:
        name = result if result in RESULTS else "not_assessed"
        setattr(self, name, getattr(self, name) + count)

    @property
    def assessed(self) -> int:
        return self.conform + self.partial + self.nonconform

    @property
    def total(self) -> int:
        return self.assessed + self.na + self.not_assessed

    @property
    def percent_conform(self) -> Decimal | None:
        if not self.assessed:
            return None
        share = Decimal(self.conform * 100) / Decimal(self.assessed)
        return share.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class Degree:
    overall: Tally = field(default_factory=Tally)
    by_touch_point: list[Tally] = field(default_factory=list)
    by_source: list[Tally] = field(default_factory=list)


def count(
    rows: Iterable[tuple[str, int | None, str, str | None, int]],
    touch_points: Iterable[tuple[int, str]] = (),
) -> Degree:
    """`rows`: (source, touch point id or None, its name, result or None for no answer, how
    many items). `touch_points`: (id, name) of the touch points to show even without items (the
    scope), in order; touch points met only in the rows follow by name, and items at no touch
    point come last (key "")."""
    overall = Tally()
    by_tp: dict[str, Tally] = {str(pk): Tally(key=str(pk), name=name) for pk, name in touch_points}
    scoped = list(by_tp)
    by_source: dict[str, Tally] = {source: Tally(key=source) for source in SOURCES}
    for source, tp, tp_name, result, how_many in rows:
        overall.add(result, how_many)
        by_source.setdefault(source, Tally(key=source)).add(result, how_many)
        key = "" if tp is None else str(tp)
        by_tp.setdefault(key, Tally(key=key, name=tp_name if tp is not None else "")).add(
            result, how_many
        )
    extra = sorted((k for k in by_tp if k not in scoped and k), key=lambda k: by_tp[k].name)
    ordered = [by_tp[k] for k in scoped] + [by_tp[k] for k in extra]
    if "" in by_tp:
        ordered.append(by_tp[""])
    return Degree(overall=overall, by_touch_point=ordered, by_source=list(by_source.values()))
