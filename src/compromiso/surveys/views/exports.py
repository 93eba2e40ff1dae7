"""The wave's responses and figures as CSV or XLSX, for the services the viewer may see."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from compromiso.catalog.models import Channel, Service, TouchPoint
from compromiso.core.audit import log_action
from compromiso.core.dbrouter import use_replica
from compromiso.core.exports import streamed_csv, tabular_response
from compromiso.core.http import AuthenticatedHttpRequest
from compromiso.organizations.models import Unit
from compromiso.surveys.figures import (
    wave_figures,
)
from compromiso.surveys.models import Answer
from compromiso.surveys.views.access import visible_waves


@login_required
@use_replica
def export(request: AuthenticatedHttpRequest, pk: int, fmt: str) -> HttpResponseBase:
    """The wave's responses, one row each, for the services the viewer may see. No contact
    details: the export is as anonymous as the answers."""
    if fmt not in ("csv", "xlsx"):
        raise Http404
    item = get_object_or_404(visible_waves(request).select_related("questionnaire"), pk=pk)
    visible = Service.objects.visible_to(request.user).filter(organization=item.organization)
    questions = list(item.questionnaire.questions.select_related("questionnaire"))
    responses = (
        item.responses.filter(service__in=visible)
        .order_by("pk")
        .values_list(
            "pk",
            "submitted_at",
            "service_id",
            "channel_id",
            "touch_point_id",
            "client_unit_id",
            "user_type",
            "age_band",
            "source",
            "grades",
        )
    )
    answers = (
        Answer.objects.filter(response__wave=item, response__service__in=visible)
        .order_by("response_id")
        .values_list("response_id", "question_id", "choices", "text")
    )
    organization = item.organization
    names = {
        "service": dict(
            Service.objects.filter(organization=organization).values_list("pk", "code")
        ),
        "channel": dict(
            Channel.objects.filter(organization=organization).values_list("pk", "name")
        ),
        "touch_point": {
            tp.pk: str(tp)
            for tp in TouchPoint.objects.filter(organization=organization).select_related(
                "unit", "channel"
            )
        },
        "unit": dict(Unit.objects.filter(organization=organization).values_list("pk", "name")),
    }
    position = {q.pk: i for i, q in enumerate(questions)}

    def rows() -> Any:
        """Responses and their answers read side by side in response order (a merge), so a
        wave of any size streams out without holding it in memory."""
        pending = iter(answers.iterator(chunk_size=5000))
        following = next(pending, None)
        for (
            pk,
            at,
            service,
            channel,
            point,
            unit,
            user_type,
            age_band,
            source,
            grades,
        ) in responses.iterator(chunk_size=5000):
            values: list[Any] = [""] * len(questions)
            for question_id, score in grades.items():
                if int(question_id) in position:
                    values[position[int(question_id)]] = int(score)
            while following is not None and following[0] <= pk:
                if following[0] == pk and following[1] in position:
                    _r, _q, choices, text = following
                    values[position[following[1]]] = "|".join(choices) if choices else text
                following = next(pending, None)
            yield [
                timezone.localtime(at).strftime("%Y-%m-%d %H:%M"),
                names["service"].get(service, ""),
                names["channel"].get(channel, ""),
                names["touch_point"].get(point, ""),
                names["unit"].get(unit, ""),
                user_type,
                age_band,
                source,
                *values,
            ]

    header = [
        _("Date"),
        _("Service"),
        _("Channel"),
        _("Touch point"),
        _("Client unit"),
        _("User type"),
        _("Age band"),
        _("Source"),
        *(q.text for q in questions),
    ]
    log_action(item, "surveys.wave.exported", by=request.user, data={"format": fmt})
    if fmt == "csv":
        return streamed_csv(f"wave-{item.pk}-responses", header, rows())
    return tabular_response(f"wave-{item.pk}-responses", header, rows(), fmt)


@login_required
@use_replica
def export_figures(request: AuthenticatedHttpRequest, pk: int, fmt: str) -> HttpResponseBase:
    """The wave's figures as on its page, one row per cell: the net score with its interval and
    its two halves, % satisfied and % dissatisfied. A cell under the wave's minimum carries n
    only, as on the page."""
    if fmt not in ("csv", "xlsx"):
        raise Http404
    item = get_object_or_404(visible_waves(request).select_related("questionnaire"), pk=pk)
    visible = Service.objects.visible_to(request.user).filter(organization=item.organization)
    figures = wave_figures(item, visible)
    sections: list[tuple[str, list[Any]]] = [
        (str(_("Overall satisfaction")), [figures.total] if figures.total else []),
        (str(_("By question and attribute")), [cell for _q, cell in figures.questions]),
        (str(_("By service")), figures.by_service),
        (str(_("By channel")), figures.by_channel),
        (str(_("By touch point")), figures.by_touch_point),
        *((str(title), cells) for title, cells in figures.by_segment),
        (str(_("By month")), figures.by_month),
    ]

    def number(value: float | None, places: int = 1) -> Any:
        return "" if value is None else round(value, places)

    rows = []
    for section, cells in sections:
        for cell in cells:
            summary = cell.summary
            net = summary.net if cell.shown else None
            rows.append(
                [
                    section,
                    cell.label,
                    summary.n,
                    number(net.value if net else None),
                    number(net.low if net else None),
                    number(net.high if net else None),
                    number(summary.satisfied_percent if cell.shown else None),
                    number(summary.dissatisfied_percent if cell.shown else None),
                    number(summary.mean.value if cell.shown and summary.mean else None, 2),
                ]
            )
    header = [
        _("Breakdown"),
        _("Cell"),
        "n",
        _("Net score"),
        _("Net score, 95 % low"),
        _("Net score, 95 % high"),
        _("% satisfied"),
        _("% dissatisfied"),
        _("Mean"),
    ]
    log_action(item, "surveys.wave.figures_exported", by=request.user, data={"format": fmt})
    return tabular_response(f"wave-{item.pk}-figures", header, rows, fmt)
