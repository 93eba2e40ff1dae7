"""The case analytics page: figures, charts and their exports."""

import datetime as dt
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from compromiso.cases import analytics
from compromiso.cases.models import CaseKind
from compromiso.catalog.models import Channel, Service
from compromiso.core.dbrouter import use_replica
from compromiso.core.exports import tabular_response
from compromiso.core.forms import StyledFormMixin
from compromiso.core.http import AuthenticatedHttpRequest
from compromiso.core.permissions import Perm, scope_for
from compromiso.insights import charts
from compromiso.organizations.current import require_organization
from compromiso.organizations.models import Organization, Unit


class AnalyticsFilterForm(StyledFormMixin, forms.Form):
    start = forms.DateField(
        label=gettext_lazy("From"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    end = forms.DateField(
        label=gettext_lazy("To"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"),
        required=False,
        choices=[("", gettext_lazy("All")), *CaseKind.choices],
    )
    unit = forms.ModelChoiceField(
        label=gettext_lazy("Unit"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=gettext_lazy("All"),
    )
    service = forms.ModelChoiceField(
        label=gettext_lazy("Service"),
        queryset=Service.objects.none(),
        required=False,
        empty_label=gettext_lazy("All"),
    )
    channel = forms.ModelChoiceField(
        label=gettext_lazy("Channel"),
        queryset=Channel.objects.none(),
        required=False,
        empty_label=gettext_lazy("All"),
    )

    def __init__(self, *args: Any, units: Any, services: Any, channels: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        self.fields["service"].queryset = services  # type: ignore[attr-defined]
        self.fields["channel"].queryset = channels  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            raise forms.ValidationError(_("The period must start before it ends."))
        if start and end and (end - start).days > 3660:
            raise forms.ValidationError(_("Choose a period of at most ten years."))
        return data


def _chart(rows: list[tuple[Any, ...]], *series: charts.Series) -> charts.SeriesChart | None:
    """A horizontal bar chart of (label, value, …) rows: one series per value column."""
    return charts.series_chart(
        [str(row[0]) for row in rows],
        [
            charts.Series(s.name, [row[i] for row in rows], s.kind)
            for i, s in enumerate(series, start=1)
        ],
    )


def _bars(rows: list[tuple[Any, ...]], name: str) -> charts.SeriesChart | None:
    return _chart(rows, charts.Series(name, []))


@login_required
@use_replica
def analytics_page(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    """Volumes, timeliness, satisfaction with handling, causes and redress; everything exports."""
    organization = require_organization(request)
    scope = scope_for(request.user, Perm.VIEW)
    if not scope.touches(organization.pk):
        raise Http404
    units = Unit.objects.visible_to(request.user).filter(organization=organization).order_by("path")
    today = timezone.localdate()
    defaults = {"start": today.replace(day=1) - dt.timedelta(days=334), "end": today}
    form = AnalyticsFilterForm(
        request.GET or None,
        initial=defaults,
        units=units,
        services=Service.objects.filter(organization=organization),
        channels=Channel.objects.filter(organization=organization),
    )
    data: dict[str, Any] = form.cleaned_data if form.is_bound and form.is_valid() else defaults
    # Someone scoped to a unit sees only that unit's figures.
    unit = analytics.unit_in_scope(request.user, organization, data.get("unit"))
    filters = analytics.Filters(
        start=data["start"],
        end=data["end"],
        kind=data.get("kind", ""),
        unit=unit,
        service=data.get("service"),
        channel=data.get("channel"),
    )
    figures = analytics.compute(organization, filters)
    export = request.GET.get("export", "")
    if export in ("csv", "xlsx"):
        return _export(request.GET.get("figure", "totals"), figures, export, organization.currency)
    query = request.GET.copy()
    query.pop("export", None)
    query.pop("figure", None)
    return render(
        request,
        "cases/analytics.html",
        {
            "form": form,
            "filters": filters,
            "totals": figures.totals,
            "charts": [
                (name, label, _bars(figures.by[name], _("Received")))
                for name, (label, _model) in analytics.DIMENSIONS.items()
            ],
            "months": _chart(
                figures.months, charts.Series(_("Received"), []), charts.Series(_("Answered"), [])
            ),
            "pareto": _chart(
                figures.pareto,
                charts.Series(_("Complaints"), []),
                charts.Series(_("Cumulative %"), [], "line"),
            ),
            "rising": figures.rising,
            "improve": _improvement_links(request, organization, figures),
            "backlog": _bars(figures.backlog, _("Open cases")),
            "query": query.urlencode(),
            "currency": organization.currency,
        },
    )


def _export(figure: str, figures: analytics.Figures, fmt: str, currency: str) -> HttpResponseBase:
    if figure == "totals":
        header = [_("Figure"), _("Value")]
        labels = {
            "received": _("Received"),
            "answered": _("Answered"),
            "acknowledged_on_time": _("% acknowledged on time"),
            "answered_on_time": _("% answered within the legal deadline"),
            "median_days": _("Median business days to answer"),
            "p90_days": _("90th percentile of business days to answer"),
            "extended": _("% extended"),
            "reopened": _("% reopened"),
            "rejected": _("% answers rejected"),
            "rated": _("Ratings received"),
            "handling": _("Satisfaction with handling (1–5)"),
            "outcome": _("Satisfaction with the outcome (1–5)"),
            "redress_count": _("Redress given"),
            "redress_amount": _("Redress cost (%(currency)s)") % {"currency": currency}
            if currency
            else _("Redress cost"),
        }
        rows: list[Any] = [(labels[k], v) for k, v in figures.totals.items()]
    elif figure in analytics.DIMENSIONS:
        header = [str(analytics.DIMENSIONS[figure][0]), _("Received")]
        rows = figures.by[figure]
    elif figure == "months":
        header = [_("Month"), _("Received"), _("Answered")]
        rows = figures.months
    elif figure == "pareto":
        header = [_("Root cause"), _("Complaints"), _("Cumulative %")]
        rows = figures.pareto
    elif figure == "rising":
        header = [_("Root cause"), _("Last 90 days"), _("The 90 days before")]
        rows = figures.rising
    elif figure == "backlog":
        header = [_("Age in days"), _("Open cases")]
        rows = figures.backlog
    else:
        raise Http404
    return tabular_response(f"casos-{figure}", header, rows, fmt)


def _improvement_links(
    request: AuthenticatedHttpRequest, organization: Organization, figures: analytics.Figures
) -> list[tuple[str, int, int]]:
    """(cause, complaints, id) for the Pareto's causes, to propose an action in one click."""
    if not scope_for(request.user, Perm.MANAGE_IMPROVEMENT).touches(organization.pk):
        return []
    from compromiso.cases.models import RootCause

    ids = {str(cause): cause.pk for cause in RootCause.objects.filter(organization=organization)}
    return [(label, count, ids[label]) for label, count, _share in figures.pareto if label in ids]
