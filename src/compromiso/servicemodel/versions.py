"""What changed between two versions of the service model: each text field word by word (the
slogans line by line), the axes matched by name, and the promises matched in order (a promise
reworded in place shows as changed). Pieces are plain text; the template escapes them."""

import difflib
import re
from dataclasses import dataclass, field
from typing import Any

from compromiso.servicemodel.models import ModelStatus, ServiceModel

# (kind, text) with kind "same", "added" or "removed"
Piece = tuple[str, str]
TEXT_FIELDS = (
    "project_name",
    "slogans",
    "value_proposition",
    "quality_policy",
    "tangible_arguments",
    "intangible_arguments",
)
WORDS = re.compile(r"\s+|[^\s]+")


def _diff(before: list[str], after: list[str]) -> list[Piece]:
    pieces: list[Piece] = []
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            pieces.append(("same", "".join(before[a1:a2])))
            continue
        if a2 > a1:
            pieces.append(("removed", "".join(before[a1:a2])))
        if b2 > b1:
            pieces.append(("added", "".join(after[b1:b2])))
    return pieces


def word_diff(before: str, after: str) -> list[Piece]:
    """The two texts as runs of words kept, removed and added (spacing kept)."""
    return _diff(WORDS.findall(before), WORDS.findall(after))


def line_diff(before: str, after: str) -> list[Piece]:
    """One piece per line, kept, removed or added (blank lines left out); each piece ends
    with its line break, so the lines stay apart on the page."""
    lines = [line.strip() for line in before.splitlines() if line.strip()]
    others = [line.strip() for line in after.splitlines() if line.strip()]
    pieces: list[Piece] = []
    matcher = difflib.SequenceMatcher(None, lines, others, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            pieces += [("same", line) for line in lines[a1:a2]]
            continue
        pieces += [("removed", line) for line in lines[a1:a2]]
        pieces += [("added", line) for line in others[b1:b2]]
    return [(kind, line + "\n") for kind, line in pieces]


@dataclass
class Change:
    """One thing that differs: `change` is "added", "removed" or "changed"."""

    change: str
    label: str
    pieces: list[Piece] = field(default_factory=list)
    before: str = ""
    after: str = ""


@dataclass
class Comparison:
    fields: list[Change]
    axes: list[Change]
    promises: list[Change]

    @property
    def same(self) -> bool:
        return not (self.fields or self.axes or self.promises)


def _label(name: str) -> str:
    return str(getattr(ServiceModel._meta.get_field(name), "verbose_name", name))


def _fields(old: ServiceModel, new: ServiceModel) -> list[Change]:
    changes = []
    for name in TEXT_FIELDS:
        before, after = getattr(old, name), getattr(new, name)
        if before.strip() == after.strip():
            continue
        differ = line_diff if name == "slogans" else word_diff
        kind = "added" if not before.strip() else "removed" if not after.strip() else "changed"
        changes.append(Change(kind, _label(name), differ(before, after), before, after))
    return changes


def _axes(old: ServiceModel, new: ServiceModel) -> list[Change]:
    before = {axis.name: axis.description for axis in old.axes.all()}
    after = {axis.name: axis.description for axis in new.axes.all()}
    changes = []
    for name, description in after.items():
        if name not in before:
            changes.append(Change("added", name, [("added", description)], after=description))
        elif before[name] != description:
            pieces = word_diff(before[name], description)
            changes.append(Change("changed", name, pieces, before[name], description))
    for name, description in before.items():
        if name not in after:
            changes.append(Change("removed", name, [("removed", description)], before=description))
    return changes


def _promises(old: ServiceModel, new: ServiceModel) -> list[Change]:
    before = [p.text for p in old.promises.all()]
    after = [p.text for p in new.promises.all()]
    changes = []
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            continue
        if op == "replace" and a2 - a1 == b2 - b1:
            for a, b in zip(before[a1:a2], after[b1:b2], strict=True):
                changes.append(Change("changed", b, word_diff(a, b), a, b))
            continue
        changes += [Change("removed", text, before=text) for text in before[a1:a2]]
        changes += [Change("added", text, after=text) for text in after[b1:b2]]
    return changes


def compare_models(old: ServiceModel, new: ServiceModel) -> Comparison:
    """What `new` changes in `old` (normally the older one first)."""
    return Comparison(_fields(old, new), _axes(old, new), _promises(old, new))


def comparison_links(model: ServiceModel) -> dict[str, Any]:
    """The versions a version's page offers to compare with: the one in force and the
    previous one (None when there is none, or it is this one)."""
    lineage = ServiceModel.objects.filter(lineage=model.lineage).exclude(pk=model.pk)
    in_force = lineage.filter(status=ModelStatus.PUBLISHED).first()
    previous = lineage.filter(version__lt=model.version).order_by("-version").first()
    return {"in_force": in_force, "previous": previous}
