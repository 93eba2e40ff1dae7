"""Satisfaction surveys through the API: the waves in the caller's organisation and every figure
of a wave's dashboard (read from the score counts, limited to the services the caller may see),
and its key drivers."""

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from compromiso.api.inputs import Page
from compromiso.api.scoping import get_visible, organization_of
from compromiso.catalog.models import Service
from compromiso.core.http import AuthenticatedHttpRequest
from compromiso.insights import netscore
from compromiso.insights.weighting import WeightedSummary
from compromiso.surveys.figures import (
    Cell,
    driver_table,
    panel_change,
    raked_total,
    wave_figures,
    weighted_total,
)
from compromiso.surveys.models import Wave, WaveKind, WaveStatus

router = Router(tags=["surveys"])


class WaveOut(Schema):
    id: int
    title: str
    kind: WaveKind
    status: WaveStatus
    audience: str
    opens_on: dt.date
    closes_on: dt.date
    previous_id: int | None
    min_publish: int


class EstimateOut(Schema):
    value: float
    se: float
    low: float
    high: float


class CellOut(Schema):
    label: str
    n: int
    shown: bool
    representative: bool | None
    required: int | None
    net_score: EstimateOut | None
    top_box: EstimateOut | None
    mean: EstimateOut | None
    percent_satisfied: float | None = Field(
        description="% of answers in the satisfied band: the net score's first half"
    )
    percent_dissatisfied: float | None = Field(
        description="% of answers in the dissatisfied band: the half the net score subtracts"
    )


class ChangeOut(Schema):
    difference: float
    se: float
    z: float
    p_value: float
    significant: bool


class WeightedOut(Schema):
    """The overall score weighted by stratum users (post-stratified) or raked to the users'
    shares by channel and touch point; `problem` says why there is no figure."""

    method: str
    n: int | None
    effective_n: float | None
    net_score: EstimateOut | None
    top_box: EstimateOut | None
    mean: EstimateOut | None
    problem: str


class SegmentOut(Schema):
    """The overall score for each value of a segment of the respondents (user type, age band
    or a segment question)."""

    segment: str
    cells: list[CellOut]


class PanelOut(Schema):
    """The change among invited respondents who answered both panel waves (paired test)."""

    pairs: int
    change: ChangeOut | None


class WaveFiguresOut(Schema):
    responses: int
    panel: PanelOut | None
    weighted: list[WeightedOut]
    total: CellOut | None
    questions: list[CellOut]
    by_service: list[CellOut]
    by_channel: list[CellOut]
    by_touch_point: list[CellOut]
    by_month: list[CellOut]
    by_segment: list[SegmentOut]
    change_from_previous: ChangeOut | None


class DriverOut(Schema):
    question_id: int
    attribute: str
    importance_share: float
    shapley_share: float | None = None
    percent_satisfied: float
    quadrant: str


class DriversOut(Schema):
    r_squared: float
    n: int
    drivers: list[DriverOut]


def _waves(request: AuthenticatedHttpRequest) -> QuerySet[Wave]:
    return Wave.objects.visible_to(request.user).filter(organization=organization_of(request))


def _services(request: AuthenticatedHttpRequest) -> QuerySet[Service]:
    return Service.objects.visible_to(request.user).filter(organization=organization_of(request))


def _cell(cell: Cell) -> dict[str, Any]:
    """A cell under the wave's minimum carries n only: no estimate is published for it."""
    summary = cell.summary
    shown = cell.shown
    return {
        "label": cell.label,
        "n": summary.n,
        "shown": shown,
        "representative": cell.representative,
        "required": cell.required,
        "net_score": summary.net.__dict__ if shown and summary.net else None,
        "top_box": summary.top_box.__dict__ if shown and summary.top_box else None,
        "mean": summary.mean.__dict__ if shown and summary.mean else None,
        "percent_satisfied": summary.satisfied_percent if shown else None,
        "percent_dissatisfied": summary.dissatisfied_percent if shown else None,
    }


@router.get("/waves", response=list[WaveOut], summary="Survey waves")
@paginate(Page)
def list_waves(request: AuthenticatedHttpRequest) -> QuerySet[Wave]:
    return _waves(request).order_by("-opens_on", "pk")


@router.get(
    "/waves/{wave_id}/figures",
    response=WaveFiguresOut,
    summary="Net score, % satisfied and mean with 95 % intervals, by question, service, "
    "channel, touch point and month",
)
def get_figures(request: AuthenticatedHttpRequest, wave_id: int) -> dict[str, Any]:
    wave = get_visible(_waves(request).select_related("questionnaire", "previous"), wave_id)
    visible = _services(request)
    figures = wave_figures(wave, visible)
    change = None
    if wave.previous is not None and figures.total is not None:
        previous = wave_figures(wave.previous, visible)
        if previous.total is not None:
            found = netscore.compare(previous.total.summary, figures.total.summary)
            if found is not None:
                change = {**found.__dict__, "significant": found.significant}
    return {
        "responses": figures.responses,
        "weighted": _weighted(wave, visible),
        "panel": _panel(wave, visible),
        "total": _cell(figures.total) if figures.total else None,
        "questions": [_cell(cell) for _question, cell in figures.questions],
        "by_service": [_cell(c) for c in figures.by_service],
        "by_channel": [_cell(c) for c in figures.by_channel],
        "by_touch_point": [_cell(c) for c in figures.by_touch_point],
        "by_month": [_cell(c) for c in figures.by_month],
        "by_segment": [
            {"segment": title, "cells": [_cell(c) for c in cells]}
            for title, cells in figures.by_segment
        ],
        "change_from_previous": change,
    }


def _panel(wave: Wave, visible: Any) -> dict[str, Any] | None:
    found = panel_change(wave, visible)
    if found is None:
        return None
    change = found.change
    return {
        "pairs": found.pairs,
        "change": {**change.__dict__, "significant": change.significant} if change else None,
    }


def _weighted(wave: Wave, visible: Any) -> list[dict[str, Any]]:
    """The weighted overall figures the wave page shows, each with its method."""
    found: list[tuple[str, WeightedSummary | None, str]] = []
    stratified = weighted_total(wave, visible)
    if stratified is not None:
        problem = (
            _("Strata with users but no answers: %(names)s.")
            % {"names": ", ".join(stratified.missing)}
            if stratified.missing
            else stratified.problem
        )
        found.append(("post_stratified", stratified.summary, problem))
    raked = raked_total(wave, visible)
    if raked is not None:
        found.append(("raked", raked.summary, raked.problem))
    return [
        {
            "method": method,
            "n": summary.n if summary else None,
            "effective_n": summary.effective_n if summary else None,
            "net_score": summary.net if summary else None,
            "top_box": summary.top_box if summary else None,
            "mean": summary.mean if summary else None,
            "problem": problem,
        }
        for method, summary, problem in found
    ]


@router.get(
    "/waves/{wave_id}/drivers",
    response=DriversOut | None,
    summary="Key drivers of overall satisfaction and the importance–performance quadrant",
)
def get_drivers(request: AuthenticatedHttpRequest, wave_id: int) -> dict[str, Any] | None:
    wave = get_visible(_waves(request).select_related("questionnaire"), wave_id)
    table = driver_table(wave, _services(request))
    if table is None:
        return None
    return {
        "r_squared": table.r_squared,
        "n": table.n,
        "drivers": [
            {
                "question_id": d.question.pk,
                "attribute": d.question.text,
                "importance_share": d.share,
                "shapley_share": d.shapley,
                "percent_satisfied": d.performance,
                "quadrant": d.quadrant,
            }
            for d in table.drivers
        ],
    }
