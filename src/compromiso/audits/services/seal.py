"""Every change of the seal's frameworks and self-assessments: installing a shipped framework,
editing its texts and adding elements (the organisation enters the element texts of licensed
standards), starting a self-assessment, rating its elements with notes and evidence, and
submitting or reopening it.

Frameworks are the quality manager's (`MANAGE_AUDITS`); ratings are given by whoever conducts
or manages audits in the organisation (`CONDUCT_AUDITS` or `MANAGE_AUDITS`), and only while the
self-assessment is in progress."""

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from compromiso.audits.frameworks import ELEMENT_TITLE, ShippedFramework, shipped
from compromiso.audits.models import (
    AssessmentStatus,
    ElementRating,
    Evidence,
    Framework,
    FrameworkKind,
    FrameworkNode,
    Rating,
    SelfAssessment,
)
from compromiso.catalog.models import TouchPoint
from compromiso.core.actors import Actor, SystemActor, user_of
from compromiso.core.audit import log_action
from compromiso.core.errors import DomainError
from compromiso.core.permissions import Perm, has_perm, require
from compromiso.organizations.models import Organization

MAX_ELEMENTS = 300


class SealError(DomainError):
    pass


def require_any(by: Actor, perms: Iterable[Perm], *, organization_id: int) -> None:
    """Refuse unless `by` holds one of `perms` in the whole organisation."""
    if isinstance(by, SystemActor):
        return
    if not any(has_perm(by, perm, organization_id=organization_id) for perm in perms):
        raise PermissionDenied(_("You do not have permission to do this."))


def can_rate(by: Actor, organization_id: int) -> bool:
    try:
        require_any(by, (Perm.CONDUCT_AUDITS, Perm.MANAGE_AUDITS), organization_id=organization_id)
    except PermissionDenied:
        return False
    return True


# — Frameworks —


@transaction.atomic
def install_framework(organization: Organization, code: str, *, by: Actor) -> Framework:
    """Copy a shipped framework into the organisation, in its language. Installing it again
    adds only the nodes it lacks (by reference) and never overwrites what was edited."""
    require(by, Perm.MANAGE_AUDITS, organization_id=organization.pk)
    spec = shipped(code)
    if spec is None:
        raise ValidationError({"code": _("There is no shipped framework with this code.")})
    with translation.override(organization.language):
        framework, created = _framework(organization, spec)
        added = _install_nodes(framework, spec)
    if created or added:
        log_action(
            framework,
            "audits.framework.installed",
            by=by,
            data={"code": code, "created": created, "nodes_added": added},
        )
    return framework


def _framework(organization: Organization, spec: ShippedFramework) -> tuple[Framework, bool]:
    existing = Framework.objects.filter(organization=organization, code=spec.code).first()
    if existing is not None:
        return existing, False
    framework = Framework.objects.create(
        organization=organization,
        code=spec.code,
        name=str(spec.name),
        kind=spec.kind,
        version=spec.version,
        description=str(spec.description),
        licence_note=str(spec.licence_note),
    )
    return framework, True


def _install_nodes(framework: Framework, spec: ShippedFramework) -> int:
    by_ref = {node.ref: node for node in FrameworkNode.objects.filter(framework=framework)}
    added = 0
    for order, (shipped_node, parent) in enumerate(spec.walk(), start=1):
        if shipped_node.ref in by_ref:
            continue
        title = str(shipped_node.title) or ELEMENT_TITLE % {"ref": shipped_node.ref}
        by_ref[shipped_node.ref] = FrameworkNode.objects.create(
            framework=framework,
            parent=by_ref[parent.ref] if parent is not None else None,
            ref=shipped_node.ref,
            title=title,
            text=str(shipped_node.text),
            assessable=shipped_node.assessable,
            order=order * 10,
        )
        added += 1
    return added


@transaction.atomic
def update_node(node: FrameworkNode, *, by: Actor, title: str, text: str) -> FrameworkNode:
    """Change a criterion's or an element's title and text (e.g. enter a licensed element's
    text). Ratings keep pointing at the node."""
    framework = node.framework
    require(by, Perm.MANAGE_AUDITS, organization_id=framework.organization_id)
    before = {"title": node.title, "text": node.text}
    node.title = title.strip()
    node.text = text.strip()
    node.full_clean()
    node.save(update_fields=["title", "text"])
    log_action(
        framework,
        "audits.framework.node_edited",
        by=by,
        data={"node": node.pk, "ref": node.ref, "before": before},
    )
    return node


@transaction.atomic
def add_element(
    parent: FrameworkNode, *, by: Actor, ref: str, title: str, text: str = ""
) -> FrameworkNode:
    """Add an assessable element under a criterion or sub-criterion (not under an element)."""
    framework = parent.framework
    require(by, Perm.MANAGE_AUDITS, organization_id=framework.organization_id)
    if parent.assessable:
        raise SealError(_("Elements go under a criterion or sub-criterion, not an element."))
    if FrameworkNode.objects.filter(framework=framework).count() >= MAX_ELEMENTS:
        raise SealError(_("This framework has reached its limit of criteria."))
    node = FrameworkNode(
        framework=framework,
        parent=parent,
        ref=ref.strip(),
        title=title.strip(),
        text=text.strip(),
        assessable=True,
        order=_after_subtree(parent) + 1,
    )
    node.full_clean()
    _renumber_after(framework, node.order)
    node.save()
    log_action(
        framework, "audits.framework.element_added", by=by, data={"node": node.pk, "ref": node.ref}
    )
    return node


def _after_subtree(parent: FrameworkNode) -> int:
    """The order of the last node under `parent` (or of `parent` itself when it has none)."""
    orders = {parent.pk: parent.order}
    last = parent.order
    for pk, parent_id, order in (
        FrameworkNode.objects.filter(framework_id=parent.framework_id, order__gt=parent.order)
        .order_by("order", "pk")
        .values_list("pk", "parent_id", "order")
    ):
        if parent_id not in orders:
            break
        orders[pk] = order
        last = max(last, order)
    return last


def _renumber_after(framework: Framework, order: int) -> None:
    """Make room at `order`: nodes at or after it move one place down."""
    FrameworkNode.objects.filter(framework=framework, order__gte=order).update(order=F("order") + 1)


# — Self-assessments —


@transaction.atomic
def create_self_assessment(
    organization: Organization,
    *,
    by: Actor,
    framework: Framework,
    title: str,
    started: dt.date,
    cycle_start: dt.date,
    cycle_end: dt.date,
) -> SelfAssessment:
    require(by, Perm.MANAGE_AUDITS, organization_id=organization.pk)
    if framework.organization_id != organization.pk:
        raise ValidationError({"framework": _("Choose a framework of this organisation.")})
    if framework.kind != FrameworkKind.SEAL:
        raise ValidationError({"framework": _("Choose a seal framework.")})
    assessment = SelfAssessment(
        organization=organization,
        framework=framework,
        title=title.strip(),
        started=started,
        cycle_start=cycle_start,
        cycle_end=cycle_end,
        created_by=user_of(by),
    )
    if cycle_end < cycle_start:
        raise ValidationError({"cycle_end": _("The cycle ends before it starts.")})
    assessment.full_clean()
    assessment.save()
    log_action(
        assessment, "audits.self_assessment.created", by=by, data={"framework": framework.pk}
    )
    return assessment


@transaction.atomic
def rate_element(
    assessment: SelfAssessment,
    node: FrameworkNode,
    *,
    by: Actor,
    rating: str,
    note: str = "",
    evidence: Iterable[Evidence] = (),
    touch_point: TouchPoint | None = None,
) -> ElementRating:
    """Rate one element, for the whole organisation or at one touch point, with a note and the
    audit evidence that shows it. Rating it again replaces the earlier rating."""
    require_any(
        by, (Perm.CONDUCT_AUDITS, Perm.MANAGE_AUDITS), organization_id=assessment.organization_id
    )
    assessment = SelfAssessment.objects.select_for_update().get(pk=assessment.pk)
    if not assessment.is_editable:
        raise SealError(_("A submitted self-assessment cannot be changed; reopen it first."))
    if node.framework_id != assessment.framework_id or not node.assessable:
        raise ValidationError({"node": _("This is not an element of the framework assessed.")})
    if rating not in Rating.values:
        raise ValidationError({"rating": _("Choose a rating of the scale.")})
    if touch_point is not None and (
        touch_point.organization_id != assessment.organization_id or not touch_point.is_active
    ):
        raise ValidationError({"touch_point": _("Choose an active touch point.")})
    chosen = list(evidence)
    ours = Evidence.objects.filter(
        pk__in=[e.pk for e in chosen], audit__organization_id=assessment.organization_id
    ).count()
    if ours != len(chosen):
        raise ValidationError({"evidence": _("Choose evidence of this organisation's audits.")})
    row, created = ElementRating.objects.get_or_create(
        assessment=assessment, node=node, touch_point=touch_point
    )
    before = {"rating": row.rating, "note": row.note}
    row.rating = rating
    row.note = note.strip()
    row.rated_by = user_of(by)
    row.rated_at = timezone.now()
    row.full_clean(exclude=["assessment", "node", "touch_point"])
    row.save()
    row.evidence.set(chosen)
    log_action(
        assessment,
        "audits.self_assessment.rated",
        by=by,
        data={
            "node": node.pk,
            "ref": node.ref,
            "touch_point": getattr(touch_point, "pk", None),
            "rating": rating,
            "before": None if created else before["rating"],
            "evidence": sorted(e.pk for e in chosen),
        },
    )
    return row


@transaction.atomic
def submit_self_assessment(assessment: SelfAssessment, *, by: Actor) -> SelfAssessment:
    require(by, Perm.MANAGE_AUDITS, organization_id=assessment.organization_id)
    assessment = SelfAssessment.objects.select_for_update().get(pk=assessment.pk)
    if assessment.status != AssessmentStatus.DRAFT:
        raise SealError(_("This self-assessment is already submitted."))
    assessment.status = AssessmentStatus.SUBMITTED
    assessment.submitted_by = user_of(by)
    assessment.submitted_at = timezone.now()
    assessment.save(update_fields=["status", "submitted_by", "submitted_at", "updated_at"])
    log_action(assessment, "audits.self_assessment.submitted", by=by)
    return assessment


@transaction.atomic
def reopen_self_assessment(assessment: SelfAssessment, *, by: Actor) -> SelfAssessment:
    require(by, Perm.MANAGE_AUDITS, organization_id=assessment.organization_id)
    assessment = SelfAssessment.objects.select_for_update().get(pk=assessment.pk)
    if assessment.status != AssessmentStatus.SUBMITTED:
        raise SealError(_("Only a submitted self-assessment can be reopened."))
    assessment.status = AssessmentStatus.DRAFT
    assessment.save(update_fields=["status", "updated_at"])
    log_action(assessment, "audits.self_assessment.reopened", by=by)
    return assessment
