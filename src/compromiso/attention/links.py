"""A visit and what followed it: the complaints filed about it and its post-visit survey. The
public case form asks here which visit a complaint is about and records the link once the case
is received; staff pages ask which cases and which survey belong to a visit."""

from django.db import IntegrityError, transaction

from compromiso.attention.models import Visit, VisitCase, VisitSurvey
from compromiso.attention.services.public import visit_by_code
from compromiso.cases.models import Case
from compromiso.core.actors import Actor
from compromiso.core.audit import log_action
from compromiso.organizations.models import Organization
from compromiso.surveys.models import Invitation


def visit_for_complaint(organization: Organization, code: object) -> Visit | None:
    """The visit a complaint link names (`?visit=<code>`), only if it is this organisation's."""
    if not isinstance(code, str):
        return None
    visit = visit_by_code(code)
    if visit is None or visit.organization_id != organization.pk:
        return None
    return visit


def link_case(visit: Visit, case: Case, *, by: Actor) -> VisitCase | None:
    """Record that `case` is about `visit` (once; a case is about one visit at most)."""
    if case.organization_id != visit.organization_id:
        return None
    existing = VisitCase.objects.filter(case=case).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            link = VisitCase.objects.create(visit=visit, case=case)
    except IntegrityError:  # the same case linked at the same moment
        return VisitCase.objects.filter(case=case).first()
    log_action(visit, "attention.visit.case_linked", by=by, data={"case": case.pk})
    return link


def cases_of(visit: Visit) -> list[Case]:
    """The cases filed about this visit, oldest first."""
    return [
        link.case
        for link in VisitCase.objects.filter(visit=visit)
        .select_related("case")
        .order_by("created_at", "pk")
    ]


def visit_of(case: Case) -> Visit | None:
    """The visit a case is about, if any."""
    link = VisitCase.objects.filter(case=case).select_related("visit__branch").first()
    return link.visit if link is not None else None


def survey_of(visit: Visit) -> Invitation | None:
    """The post-visit survey invitation made for this visit, if any (answered when `used_at`)."""
    link = VisitSurvey.objects.filter(visit=visit).select_related("invitation__wave").first()
    return link.invitation if link is not None else None
