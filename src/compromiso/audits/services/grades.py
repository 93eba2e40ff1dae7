"""The organisation's scale for grading findings (ISO 19011 §6.4.8): shipped with major and
minor nonconformity, observation, opportunity for improvement and good practice, labelled in
the organisation's language when first needed; the quality manager renames the levels, changes
their severity and the days allowed for a corrective plan, and adds levels. A level in use is
never deleted."""

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from compromiso.audits.models import Finding, Grade, GradeKind
from compromiso.core.actors import SYSTEM, Actor
from compromiso.core.audit import changes, log_action, snapshot
from compromiso.core.errors import DomainError
from compromiso.core.permissions import Perm, require
from compromiso.organizations.models import Organization

GRADE_FIELDS = ("label", "kind", "severity", "action_within_days", "order")
MAX_SEVERITY = 10
MAX_DAYS = 365
MAX_GRADES = 20

# (code, label, kind, severity, corrective plan within days)
SHIPPED: tuple[tuple[str, Any, str, int, int | None], ...] = (
    ("major_nc", gettext_lazy("Major nonconformity"), GradeKind.NONCONFORMITY, 3, 30),
    ("minor_nc", gettext_lazy("Minor nonconformity"), GradeKind.NONCONFORMITY, 2, 60),
    ("observation", gettext_lazy("Observation"), GradeKind.OBSERVATION, 1, None),
    ("improvement", gettext_lazy("Opportunity for improvement"), GradeKind.IMPROVEMENT, 0, None),
    ("good_practice", gettext_lazy("Good practice"), GradeKind.GOOD_PRACTICE, 0, None),
)


class GradeError(DomainError):
    pass


def ensure_grades(organization: Organization, *, by: Actor = SYSTEM) -> list[Grade]:
    """The organisation's scale, creating the shipped one (labels in the organisation's
    language) when it has none. Idempotent."""
    existing = list(Grade.objects.filter(organization=organization))
    if existing:
        return existing
    with transaction.atomic(), translation.override(organization.language):
        created = Grade.objects.bulk_create(
            [
                Grade(
                    organization=organization,
                    code=code,
                    label=str(label),
                    kind=kind,
                    severity=severity,
                    action_within_days=days,
                    order=order,
                )
                for order, (code, label, kind, severity, days) in enumerate(SHIPPED, start=1)
            ],
            ignore_conflicts=True,
        )
        log_action(organization, "audits.grades.installed", by=by, data={"grades": len(created)})
    return list(Grade.objects.filter(organization=organization))


def _clean(grade: Grade) -> None:
    if grade.kind not in GradeKind.values:
        raise ValidationError({"kind": _("Choose what kind of finding this level is.")})
    if grade.severity > MAX_SEVERITY:
        raise ValidationError({"severity": _("At most %(max)d.") % {"max": MAX_SEVERITY}})
    days = grade.action_within_days
    if days is not None and not 1 <= days <= MAX_DAYS:
        raise ValidationError(
            {"action_within_days": _("Between 1 and %(max)d days.") % {"max": MAX_DAYS}}
        )
    if grade.kind == GradeKind.NONCONFORMITY and days is None:
        raise ValidationError(
            {"action_within_days": _("A nonconformity needs the days allowed for its plan.")}
        )
    grade.label = grade.label.strip()
    grade.full_clean()


def _set(grade: Grade, fields: Mapping[str, Any]) -> None:
    for name, value in fields.items():
        if name not in GRADE_FIELDS:
            raise TypeError(name)
        setattr(grade, name, value)


@transaction.atomic
def create_grade(organization: Organization, *, by: Actor, code: str, **fields: Any) -> Grade:
    """Add a level to the scale."""
    require(by, Perm.MANAGE_AUDITS, organization_id=organization.pk)
    if Grade.objects.filter(organization=organization).count() >= MAX_GRADES:
        raise GradeError(_("The scale has as many levels as it can hold."), code="too_many")
    grade = Grade(organization=organization, code=code.strip().lower())
    _set(grade, fields)
    if Grade.objects.filter(organization=organization, code=grade.code).exists():
        raise ValidationError({"code": _("Another level has this code.")})
    _clean(grade)
    grade.save()
    log_action(grade, "audits.grade.created", by=by, data={"code": grade.code})
    return grade


def in_use(grade: Grade) -> bool:
    return Finding.objects.filter(grade=grade).exists()


@transaction.atomic
def update_grade(grade: Grade, *, by: Actor, **fields: Any) -> Grade:
    """Rename a level, change its severity, days or order; its kind only while no finding
    uses it (the counts of nonconformities must not change under a report)."""
    require(by, Perm.MANAGE_AUDITS, organization_id=grade.organization_id)
    before = snapshot(grade, GRADE_FIELDS)
    _set(grade, fields)
    if grade.kind != before["kind"] and in_use(grade):
        raise GradeError(
            _("Findings use this level: its kind cannot change. Add a new level instead."),
            code="in_use",
        )
    _clean(grade)
    grade.save()
    log_action(
        grade, "audits.grade.updated", by=by, data=changes(before, snapshot(grade, GRADE_FIELDS))
    )
    return grade


@transaction.atomic
def delete_grade(grade: Grade, *, by: Actor) -> None:
    """Remove a level no finding uses."""
    require(by, Perm.MANAGE_AUDITS, organization_id=grade.organization_id)
    if in_use(grade):
        raise GradeError(_("Findings use this level: it cannot be deleted."), code="in_use")
    log_action(grade, "audits.grade.deleted", by=by, data={"code": grade.code})
    grade.delete()
