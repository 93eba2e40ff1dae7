"""Improvement actions: the list in the caller's scope, one action with its origins and effect,
and the figures (open, overdue, closed on time, share effective, by unit)."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from compromiso.api.inputs import InputSchema, Page
from compromiso.api.scoping import get_visible, organization_of
from compromiso.core.http import AuthenticatedHttpRequest
from compromiso.improvement import services
from compromiso.improvement.models import OPEN_ACTION_STATUSES, ActionStatus, ImprovementAction

router = Router(tags=["improvement"])


class OriginOut(Schema):
    kind: str
    root_cause: int | None = Field(None, alias="root_cause_id")
    category: int | None = Field(None, alias="category_id")
    case: int | None = Field(None, alias="case_id")
    commitment: int | None = Field(None, alias="commitment_id")
    cases_count: int


class ActionOut(Schema):
    id: int
    title: str
    status: ActionStatus
    owner_unit: int = Field(..., alias="owner_unit_id")
    responsible: int | None = Field(None, alias="responsible_id")
    priority: int
    computed_priority: int
    due_date: dt.date
    metric: str
    baseline_count: int | None
    after_count: int | None
    metric_commitment: int | None = Field(None, alias="metric_commitment_id")
    baseline_value: Decimal | None
    after_value: Decimal | None
    is_public: bool


class RateOut(Schema):
    count: int
    months: float
    per_month: float
    low: float = Field(..., description="Lower end of the exact 95 % interval of the rate")
    high: float = Field(..., description="Upper end of the exact 95 % interval of the rate")
    method: str = Field(..., description="garwood: the exact Poisson interval (chi-square)")


class EffectOut(Schema):
    before: RateOut
    after: RateOut
    ratio: float | None = Field(..., description="Rate after / before; null with no case before")
    ratio_low: float | None
    ratio_high: float | None = Field(..., description="Null when the interval has no upper bound")
    ratio_method: str = Field(
        ..., description="conditional-binomial: Clopper–Pearson on k_after / (k_after + k_before)"
    )
    significant_decrease: bool
    significant_increase: bool


class ActionDetailOut(ActionOut):
    description: str
    origins: list[OriginOut]
    evidence: str
    effect: EffectOut | None = Field(
        None, description="Case metrics: the monthly rate before and since the action started"
    )

    @staticmethod
    def resolve_effect(obj: ImprovementAction) -> dict[str, Any] | None:
        change = services.effect(obj)
        if change is None:
            return None
        return {
            "before": {
                "count": change.before_count,
                "months": change.before_months,
                "per_month": change.before_per_month,
                "low": change.before_interval[0],
                "high": change.before_interval[1],
                "method": change.rate_method,
            },
            "after": {
                "count": change.after_count,
                "months": change.after_months,
                "per_month": change.after_per_month,
                "low": change.after_interval[0],
                "high": change.after_interval[1],
                "method": change.rate_method,
            },
            "ratio": change.ratio,
            "ratio_low": change.low,
            "ratio_high": change.high,
            "ratio_method": change.ratio_method,
            "significant_decrease": change.significant_decrease,
            "significant_increase": change.significant_increase,
        }


class SummaryOut(Schema):
    total: int
    open: int
    overdue: int
    closed: int
    closed_on_time: float | None
    effective: float | None


class ActionFiguresOut(Schema):
    all: SummaryOut
    by_unit: list[tuple[str, SummaryOut]]


def _actions(request: AuthenticatedHttpRequest) -> QuerySet[ImprovementAction]:
    return ImprovementAction.objects.visible_to(request.user).filter(
        organization=organization_of(request)
    )


class ActionFilter(InputSchema):
    status: ActionStatus | None = None
    unit: int | None = None
    overdue: bool = False


@router.get("/improvement-actions", response=list[ActionOut], summary="Improvement actions")
@paginate(Page)
def list_actions(
    request: AuthenticatedHttpRequest, filters: Query[ActionFilter]
) -> QuerySet[ImprovementAction]:
    actions = _actions(request)
    if filters.status:
        actions = actions.filter(status=filters.status)
    if filters.unit:
        actions = actions.filter(owner_unit_id=filters.unit)
    if filters.overdue:
        today = organization_of(request).today()
        actions = actions.filter(status__in=OPEN_ACTION_STATUSES, due_date__lt=today)
    return actions.order_by("-priority", "due_date", "pk")


@router.get(
    "/improvement-actions/figures",
    response=ActionFiguresOut,
    summary="Open, overdue, closed on time and share effective, overall and by unit",
)
def action_figures(request: AuthenticatedHttpRequest) -> dict[str, Any]:
    return services.figures(_actions(request))


@router.get("/improvement-actions/{action_id}", response=ActionDetailOut)
def get_action(request: AuthenticatedHttpRequest, action_id: int) -> ImprovementAction:
    return get_visible(_actions(request).prefetch_related("origins"), action_id)
