"""Versions of a charter: renewing one makes the next draft; comparing two shows what changed."""

import datetime as dt
import difflib
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from compromiso.charters import periods
from compromiso.charters.models import (
    MAX_VALIDITY_YEARS,
    MIN_VALIDITY_YEARS,
    Charter,
    CharterStatus,
    Commitment,
    Section,
    SectionKind,
)
from compromiso.charters.services.guards import CharterError, require_on_charter
from compromiso.core.actors import Actor
from compromiso.core.audit import log_action


@transaction.atomic
def renew_charter(charter: Charter, *, by: Actor) -> Charter:
    """A new draft version made from this one: same text, services and commitments, the
    validity moved to follow the old one for the same length."""
    require_on_charter(charter, by)
    if charter.is_editable:
        raise CharterError(_("This version is still a draft: edit it instead."))
    newest = Charter.objects.filter(lineage=charter.lineage).order_by("-version").first()
    assert newest is not None
    if newest.is_editable or newest.status == CharterStatus.APPROVED:
        raise CharterError(_("A newer version is already being prepared."))
    length = charter.valid_to - charter.valid_from
    start = max(charter.valid_to + dt.timedelta(days=1), charter.organization.today())
    end = start + length
    # The same length, kept within one to three years (leap days can shift it by one).
    end = max(end, periods.add_years(start, MIN_VALIDITY_YEARS) - dt.timedelta(days=1))
    end = min(end, periods.add_years(start, MAX_VALIDITY_YEARS))
    draft = Charter.objects.create(
        organization=charter.organization,
        unit=charter.unit,
        lineage=charter.lineage,
        version=newest.version + 1,
        title=charter.title,
        profile=charter.profile,
        language=charter.language,
        valid_from=start,
        valid_to=end,
    )
    draft.services.set(charter.services.all())
    Section.objects.bulk_create(
        Section(charter=draft, kind=s.kind, body=s.body) for s in charter.sections.all()
    )
    for commitment in charter.commitments.all():
        commitment.pk = None
        commitment.charter = draft
        commitment.save()
    log_action(draft, "charters.charter.renewed", by=by, data={"from_version": charter.version})
    return draft


def compare(old: Charter, new: Charter) -> dict[str, Any]:
    """What changed between two versions: fields, sections (line by line) and commitments
    (matched across versions by their lineage)."""
    fields = []
    for name in ("title", "valid_from", "valid_to", "profile", "language"):
        before, after = getattr(old, name), getattr(new, name)
        if before != after:
            label = getattr(Charter._meta.get_field(name), "verbose_name", name)
            fields.append({"name": label, "old": before, "new": after})
    old_services = {s.name for s in old.services.all()}
    new_services = {s.name for s in new.services.all()}
    old_sections = dict(old.sections.values_list("kind", "body"))
    new_sections = dict(new.sections.values_list("kind", "body"))
    sections = []
    for kind in SectionKind:
        a, b = old_sections.get(kind, ""), new_sections.get(kind, "")
        if a != b:
            diff = difflib.ndiff(a.splitlines(), b.splitlines())
            lines = [(line[0], line[2:]) for line in diff if line[:1] in ("+", "-", " ")]
            sections.append({"label": kind.label, "lines": lines})
    old_commitments = {c.lineage: c for c in old.commitments.select_related("service")}
    new_commitments = {c.lineage: c for c in new.commitments.select_related("service")}
    compared = (
        "text",
        "indicator",
        "source",
        "comparator",
        "target",
        "periodicity",
        "threshold_days",
        "threshold_minutes",
        "threshold_seconds",
        "unit",
    )
    commitments = []
    for lineage, commitment in new_commitments.items():
        before_c = old_commitments.get(lineage)
        if before_c is None:
            commitments.append({"change": "added", "new": commitment, "old": None, "fields": []})
            continue
        changed = [
            {
                "name": getattr(Commitment._meta.get_field(name), "verbose_name", name),
                "old": getattr(before_c, name),
                "new": getattr(commitment, name),
            }
            for name in compared
            if getattr(before_c, name) != getattr(commitment, name)
        ]
        if changed:
            commitments.append(
                {"change": "changed", "new": commitment, "old": before_c, "fields": changed}
            )
    for lineage, commitment in old_commitments.items():
        if lineage not in new_commitments:
            commitments.append({"change": "removed", "new": None, "old": commitment, "fields": []})
    return {
        "fields": fields,
        "services_added": sorted(new_services - old_services),
        "services_removed": sorted(old_services - new_services),
        "sections": sections,
        "commitments": commitments,
    }
