"""The compliance page's tables as one CSV or XLSX download: a row per touch point, unit,
protocol and step, with the same figures as the page (text cells neutralised against
spreadsheet formulas by `core.exports`)."""

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _

from compromiso.core.exports import tabular_response
from compromiso.servicemodel.compliance import ComplianceTable, Row


def _name(kind: str, subject: Any) -> tuple[str, str]:
    """The row's name and, where it helps, what it belongs to."""
    if kind == "touch_point":
        return subject.name, subject.unit.name
    if kind == "step":
        return subject.behaviour, subject.protocol.name
    return subject.name, ""


def _rows(table: ComplianceTable) -> Iterator[list[Any]]:
    total = table.total
    yield [_("Total"), "", "", total.observations, total.numerator, total.denominator, total.value]
    groups: list[tuple[str, str, list[Row]]] = [
        ("touch_point", _("Touch point"), table.touch_points),
        ("unit", _("Unit"), table.units),
        ("protocol", _("Protocol"), table.protocols),
        ("step", _("Step"), table.steps),
    ]
    for kind, label, rows in groups:
        for row in rows:
            name, within = _name(kind, row.subject)
            share = row.share
            yield [
                label,
                name,
                within,
                share.observations,
                share.numerator,
                share.denominator,
                share.value,
            ]


def compliance_export(
    table: ComplianceTable, start: dt.date, end: dt.date, fmt: str
) -> HttpResponseBase:
    header = [
        _("Table"),
        _("Name"),
        _("Within"),
        _("Observations"),
        _("Met"),
        _("Applicable"),
        _("Compliance (%)"),
    ]
    return tabular_response(
        f"protocol-compliance-{start:%Y%m%d}-{end:%Y%m%d}", header, _rows(table), fmt
    )
