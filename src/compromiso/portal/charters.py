"""Public pages of the service charters: every published charter as an accessible page and a
PDF with each commitment's latest result, compliance and trend; past versions; open data of
every measurement (CSV, JSON); the annual report of commitments against results."""

import csv
import io
import json
from pathlib import Path
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.defaultfilters import floatformat
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from compromiso.charters import publication
from compromiso.charters.models import (
    MEASURED_STATUSES,
    Charter,
    CharterStatus,
    Commitment,
    Compliance,
    Measurement,
    SectionKind,
)
from compromiso.core.exports import spreadsheet_safe
from compromiso.core.pdf import render_pdf
from compromiso.organizations.models import Organization
from compromiso.portal.promise import has_promise

TYPST_SOURCE = Path(__file__).resolve().parent.parent / "charters/templates/charters/charter.typ"


def _public(slug: str) -> tuple[Organization, Any]:
    organization = get_object_or_404(Organization, slug=slug, is_active=True)
    timezone.activate(organization.zone)
    charters = Charter.objects.filter(organization=organization, status__in=MEASURED_STATUSES)
    return organization, charters


def _charter(slug: str, pk: int) -> tuple[Organization, Charter]:
    organization, charters = _public(slug)
    charter = get_object_or_404(charters.select_related("unit"), pk=pk)
    return organization, charter


def charter_list(request: HttpRequest, slug: str) -> HttpResponse:
    organization, charters = _public(slug)
    return render(
        request,
        "portal/charters.html",
        {
            "organization": organization,
            "charters": charters.filter(status=CharterStatus.PUBLISHED).order_by("title"),
            "has_promise": has_promise(organization),
        },
    )


def charter_page(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    organization, charter = _charter(slug, pk)
    sections = [
        (section.get_kind_display(), section.body)
        for section in sorted(
            charter.sections.exclude(body=""),
            key=lambda s: list(SectionKind.values).index(s.kind),
        )
    ]
    versions = Charter.objects.filter(
        lineage=charter.lineage, status__in=MEASURED_STATUSES
    ).order_by("-version")
    this_year = timezone.localdate().year
    years = list(range(charter.valid_from.year, min(charter.valid_to.year, this_year) + 1))
    return render(
        request,
        "portal/charter.html",
        {
            "organization": organization,
            "charter": charter,
            "sections": sections,
            "results": publication.results(charter),
            "versions": versions,
            "years": years,
            "has_promise": has_promise(organization),
        },
    )


def _number(value: Any) -> str:
    """A figure as the pages write it in the active language: "33,33" in Spanish and Catalan,
    "33.33" in English (at most two decimals, none when whole)."""
    return str(floatformat(value, "-2"))


def _cell_value(result: Measurement | None) -> str:
    if result is None or result.value is None:
        return _("No data")
    unit = result.commitment.unit_symbol
    return f"{_number(result.value)}{' ' + unit if unit else ''}"


def _target(commitment: Commitment) -> str:
    target = _number(commitment.target)
    return f"{commitment.get_comparator_display()} {target} {commitment.unit_symbol}".strip()


def _compliance_label(result: Measurement | None) -> str:
    if result is None:
        return str(Compliance.NO_DATA.label)
    return str(Compliance(result.compliance).label)


def _document(charter: Charter, organization: Organization) -> dict[str, Any]:
    return {
        "organization": organization.name,
        "lang": charter.language or organization.language,
        "footer": f"{charter.title} · v{charter.version}",
    }


def charter_pdf(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    organization, charter = _charter(slug, pk)
    with translation.override(charter.language or organization.language):
        rows = []
        for result in publication.results(charter):
            c = result.commitment
            rows.append(
                [
                    f"{c.text} ({c.service.name})",
                    c.indicator,
                    _target(c),
                    _cell_value(result.latest),
                    f"{_number(result.latest.achievement)} %"
                    if result.latest and result.latest.achievement is not None
                    else "—",
                    c.get_periodicity_display(),
                    _compliance_label(result.latest),
                ]
            )
        data = _document(charter, organization) | {
            "title": charter.title,
            "subtitle": _("Version %(version)s, valid from %(start)s to %(end)s")
            % {
                "version": charter.version,
                "start": date_format(charter.valid_from, "j F Y"),
                "end": date_format(charter.valid_to, "j F Y"),
            },
            "facts": [
                _("Services covered: %(services)s")
                % {"services": ", ".join(s.name for s in charter.services.all())},
                _("Approved: %(reference)s") % {"reference": charter.approval_reference},
            ],
            "sections": [
                {"title": s.get_kind_display(), "body": s.body}
                for s in sorted(
                    charter.sections.exclude(body=""),
                    key=lambda s: list(SectionKind.values).index(s.kind),
                )
            ],
            "table_title": _("Commitments and results"),
            "columns": [
                _("Commitment"),
                _("Indicator"),
                _("Target"),
                _("Last result"),
                _("Achievement"),
                _("Periodicity"),
                _("Compliance"),
            ],
            "rows": rows,
            "note": _(
                "Results computed from the organisation's records; “No data” means nothing "
                "was measured in the period, not a result of zero."
            ),
        }
    pdf = render_pdf(TYPST_SOURCE, data)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="charter-{charter.pk}-v{charter.version}.pdf"'
    )
    return response


def charter_report(request: HttpRequest, slug: str, pk: int, year: int) -> HttpResponse:
    """The annual report: each commitment against its results in one year."""
    organization, charter = _charter(slug, pk)
    if not charter.valid_from.year <= year <= charter.valid_to.year:
        raise Http404
    with translation.override(charter.language or organization.language):
        rows = []
        for row in publication.annual_rows(charter, year):
            c = row["commitment"]
            rows.append(
                [
                    f"{c.text} ({c.service.name})",
                    _target(c),
                    str(row["measured"]),
                    str(row["met"]),
                    str(row["not_met"]),
                    str(row["no_data"]),
                    _cell_value(row["last"]),
                ]
            )
        data = _document(charter, organization) | {
            "title": _("Annual report %(year)s: %(title)s")
            % {"year": year, "title": charter.title},
            "subtitle": _("Commitments of version %(version)s against their results in %(year)s")
            % {"version": charter.version, "year": year},
            "facts": [],
            "sections": [],
            "table_title": _("Commitments and results"),
            "columns": [
                _("Commitment"),
                _("Target"),
                _("Periods measured"),
                _("Met"),
                _("Not met"),
                _("No data"),
                _("Last result"),
            ],
            "rows": rows,
            "note": _("Generated on %(date)s.")
            % {"date": date_format(timezone.localdate(), "j F Y")},
        }
    pdf = render_pdf(TYPST_SOURCE, data)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="charter-{charter.pk}-report-{year}.pdf"'
    return response


def charter_data(request: HttpRequest, slug: str, pk: int, fmt: str) -> HttpResponse:
    """Open data: every published measurement of the charter's commitments."""
    _organization, charter = _charter(slug, pk)
    rows = publication.open_data_rows(charter)
    if fmt == "json":
        body = json.dumps(
            {"charter": charter.title, "measurements": rows},
            cls=DjangoJSONEncoder,
            ensure_ascii=False,
        )
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
    elif fmt == "csv":
        buffer = io.StringIO()
        fields = list(rows[0]) if rows else ["charter", "commitment", "period", "value"]
        writer = csv.DictWriter(buffer, fieldnames=fields)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: spreadsheet_safe(v) for k, v in row.items()})
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="charter-{charter.pk}-results.csv"'
    else:
        raise Http404
    response["Access-Control-Allow-Origin"] = "*"
    return response
