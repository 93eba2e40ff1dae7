"""The charters' panels on the staff home page: a unit head's commitments and the quality
manager's breached ones. Each commitment is read with its latest result (one subquery)."""

from typing import Any

from django.db.models import Case, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.urls import reverse
from django.utils.translation import gettext as _

from compromiso.charters.models import CharterStatus, Commitment, Compliance, Measurement
from compromiso.core.http import AuthenticatedHttpRequest
from compromiso.core.permissions import Perm, Role, roles_with
from compromiso.organizations.home import Panel, first_rows, register_panel
from compromiso.organizations.models import Membership, Organization

# Who sees every breached commitment: the roles that approve charters.
MANAGING_ROLES = roles_with(Perm.APPROVE_CHARTERS)


def _with_latest_result(commitments: QuerySet[Commitment]) -> Any:  # annotated rows
    latest = Measurement.objects.filter(commitment=OuterRef("pk")).order_by("-period_start")
    return commitments.annotate(
        latest_compliance=Subquery(latest.values("compliance")[:1]),
        latest_value=Subquery(latest.values("value")[:1]),
        latest_period=Subquery(latest.values("period_start")[:1]),
    ).select_related("charter", "service")


def _listed(commitments: QuerySet[Commitment]) -> tuple[list[Commitment], bool]:
    rows, more = first_rows(commitments)
    for row in rows:
        # The shape the compliance badge reads (`result.compliance`), None when never measured.
        row.latest_result = (
            {"compliance": row.latest_compliance} if row.latest_compliance is not None else None
        )
    return rows, more


def _published(
    request: AuthenticatedHttpRequest, organization: Organization
) -> QuerySet[Commitment]:
    return Commitment.objects.visible_to(request.user).filter(
        charter__organization=organization, charter__status=CharterStatus.PUBLISHED
    )


@register_panel
def unit_commitments(
    request: AuthenticatedHttpRequest, organization: Organization, memberships: list[Membership]
) -> Panel | None:
    """The commitments of the charters of a unit head's unit, those not met first."""
    heads = [m for m in memberships if m.role == Role.UNIT_HEAD]
    if not heads:
        return None
    commitments = _published(request, organization)
    units = [m.unit for m in heads if m.unit is not None]
    if len(units) == len(heads):
        in_units = Q()
        for unit in units:
            in_units |= Q(charter__unit__path__startswith=unit.path)
        commitments = commitments.filter(in_units)
    worst_first = Case(
        When(latest_compliance=Compliance.NOT_MET, then=Value(0)),
        When(latest_compliance=Compliance.PENDING, then=Value(1)),
        When(latest_compliance=Compliance.MET, then=Value(3)),
        default=Value(2),
        output_field=IntegerField(),
    )
    rows, more = _listed(
        _with_latest_result(commitments)
        .annotate(severity=worst_first)
        .order_by("severity", "charter__title", "order", "pk")
    )
    return Panel(
        order=30,
        template="charters/home_commitments.html",
        context={
            "title": _("Your unit's commitments"),
            "key": "unit",
            "commitments": rows,
            "more": more,
            "empty": _("No published charter of your unit has commitments."),
            "all_url": reverse("charters:dashboard"),
        },
    )


@register_panel
def breached_commitments(
    request: AuthenticatedHttpRequest, organization: Organization, memberships: list[Membership]
) -> Panel | None:
    """For the quality manager: commitments whose latest result did not meet the target."""
    if not any(m.role in MANAGING_ROLES for m in memberships):
        return None
    rows, more = _listed(
        _with_latest_result(_published(request, organization))
        .filter(latest_compliance=Compliance.NOT_MET)
        .order_by("-latest_period", "charter__title", "order", "pk")
    )
    return Panel(
        order=40,
        template="charters/home_commitments.html",
        context={
            "title": _("Commitments not met"),
            "key": "breached",
            "commitments": rows,
            "more": more,
            "empty": _("Every commitment met its target in its latest period."),
            "all_url": reverse("charters:dashboard"),
        },
    )
