"""The figures page of attention management: waits, service times, service level,
abandonment, no-shows and visits per hour of the branches a member may see, over a period, with
charts (each with its data table) and CSV/XLSX downloads."""

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from compromiso.attention import figures
from compromiso.attention.models import Branch
from compromiso.attention.views.common import branches_for, organization_of
from compromiso.catalog.models import Service
from compromiso.core.dbrouter import use_replica
from compromiso.core.exports import tabular_response
from compromiso.core.forms import StyledFormMixin
from compromiso.core.http import AuthenticatedHttpRequest
from compromiso.insights import charts

MAX_DAYS = 366
BREAKDOWNS = ("branch", "service", "queue", "desk", "hour", "day")


class FiguresFilterForm(StyledFormMixin, forms.Form):
    start = forms.DateField(label=gettext_lazy("From"), widget=forms.DateInput({"type": "date"}))
    end = forms.DateField(label=gettext_lazy("To"), widget=forms.DateInput({"type": "date"}))
    branch = forms.ModelChoiceField(
        label=gettext_lazy("Branch"),
        queryset=Branch.objects.none(),
        required=False,
        empty_label=gettext_lazy("Every branch"),
    )
    service = forms.ModelChoiceField(
        label=gettext_lazy("Service"),
        queryset=Service.objects.none(),
        required=False,
        empty_label=gettext_lazy("Every service"),
    )
    minutes = forms.IntegerField(
        label=gettext_lazy("Served within (minutes)"),
        min_value=1,
        max_value=240,
        required=False,
        help_text=gettext_lazy("Leave empty to use each queue's service level."),
    )

    def __init__(self, *args: Any, branches: Any, services: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["branch"].queryset = branches
        fields["service"].queryset = services

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                self.add_error("end", _("The end comes before the start."))
            elif (end - start).days >= MAX_DAYS:
                self.add_error("end", _("Choose a period of at most a year."))
        return data


def _header() -> list[str]:
    return [
        _("Group"),
        _("Visits"),
        _("Called"),
        _("Served"),
        _("Median wait (min)"),
        _("P90 wait (min)"),
        _("Average wait (min)"),
        _("Median service (min)"),
        _("P90 service (min)"),
        _("Average service (min)"),
        _("% served within"),
        _("% left before being served"),
        _("% no-shows"),
        _("% transferred"),
    ]


def _cells(row: figures.Row) -> list[Any]:
    return [
        row.label,
        row.visits,
        row.called,
        row.served,
        row.wait_median,
        row.wait_p90,
        row.wait_mean,
        row.service_median,
        row.service_p90,
        row.service_mean,
        row.within,
        row.abandonment,
        row.no_shows,
        row.transfers,
    ]


def _chart(rows: list[figures.Row]) -> charts.SeriesChart | None:
    shown = [r for r in rows if r.wait_median is not None]
    return charts.series_chart(
        [r.label for r in shown],
        [
            charts.Series(_("Median wait (min)"), [r.wait_median or 0 for r in shown]),
            charts.Series(_("P90 wait (min)"), [r.wait_p90 or 0 for r in shown]),
        ],
    )


@login_required
@use_replica
def figures_page(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    organization = organization_of(request)
    visible = branches_for(request, organization).select_related("touch_point")
    today = organization.today()
    defaults: dict[str, Any] = {"start": today.replace(day=1), "end": today}
    form = FiguresFilterForm(
        request.GET or None,
        initial=defaults,
        branches=visible,
        services=Service.objects.filter(organization=organization),
    )
    data: dict[str, Any] = defaults
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
    branch = data.get("branch")
    ids = [branch.pk] if branch is not None else list(visible.values_list("pk", flat=True))
    detail = branch is not None or len(ids) == 1
    report = figures.compute(
        organization,
        data["start"],
        data["end"],
        branches=ids,
        service=data.get("service"),
        minutes=data.get("minutes"),
        detail=detail,
    )
    groups = {
        "branch": (_("Branch"), report.by_branch),
        "service": (_("Service"), report.by_service),
        "queue": (_("Queue"), report.by_queue),
        "desk": (_("Desk"), report.by_desk),
        "hour": (_("Hour of arrival"), report.by_hour),
        "day": (_("Day"), report.by_day),
    }
    export = request.GET.get("export", "")
    if export in ("csv", "xlsx"):
        figure = request.GET.get("figure", "")
        if figure == "per_hour":
            return tabular_response(
                "visits-per-hour",
                [_("Weekday"), _("Hour"), _("Average visits")],
                _per_hour_rows(report),
                export,
            )
        label, rows = groups.get(figure, (_("Total"), [report.total]))
        name = f"attention-figures-{figure if figure in groups else 'total'}"
        return tabular_response(name, [label, *_header()[1:]], [_cells(r) for r in rows], export)
    query = request.GET.copy()
    query.pop("export", None)
    query.pop("figure", None)
    return render(
        request,
        "attention/figures/figures.html",
        {
            "tab": "figures",
            "form": form,
            "report": report,
            "header": _header(),
            "summary": list(zip(_header()[1:], _cells(report.total)[1:], strict=True)),
            "tables": [
                (name, label, [_cells(r) for r in rows], _chart(rows))
                for name, (label, rows) in groups.items()
                if rows
            ],
            "per_hour": _per_hour_table(report),
            # Several branches read the day summaries: no service time percentiles per hour.
            "hour_note": (
                ""
                if report.hour_service_kept
                else _(
                    "Some of these days were summarised before the service time was kept per "
                    "hour: the hours of arrival give its mean, not its median or P90, until the "
                    "figures are rebuilt (compromiso attention_facts --all)."
                )
            ),
            "query": query.urlencode(),
        },
    )


WEEKDAYS = (
    gettext_lazy("Monday"),
    gettext_lazy("Tuesday"),
    gettext_lazy("Wednesday"),
    gettext_lazy("Thursday"),
    gettext_lazy("Friday"),
    gettext_lazy("Saturday"),
    gettext_lazy("Sunday"),
)


def _per_hour_rows(report: figures.Report) -> list[list[Any]]:
    return [
        [str(WEEKDAYS[weekday]), f"{hour:02d}:00", visits]
        for weekday, hours in sorted(report.per_hour.items())
        for hour, visits in sorted(hours.items())
    ]


def _per_hour_table(report: figures.Report) -> dict[str, Any]:
    return {
        "hours": [f"{hour:02d}" for hour in report.hours],
        "rows": [
            (
                str(WEEKDAYS[weekday]),
                [report.per_hour[weekday].get(hour, "") for hour in report.hours],
            )
            for weekday in sorted(report.per_hour)
        ],
    }
