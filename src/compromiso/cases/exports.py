"""Tables as CSV or XLSX downloads (the inbox list and every analytics figure)."""

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from django.http import HttpResponse, StreamingHttpResponse

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> Any:
    """Neutralise spreadsheet formulas in text cells (CSV injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


class _Echo:
    """A file-like object that hands back what the CSV writer writes."""

    def write(self, value: str) -> str:
        return value


def streamed_csv(
    name: str, header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> StreamingHttpResponse:
    """A CSV download written as it is read, for tables too large to build in memory."""
    writer = csv.writer(_Echo())

    def lines() -> Any:
        yield "\ufeff" + writer.writerow([str(h) for h in header])
        for row in rows:
            yield writer.writerow([spreadsheet_safe(value) for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


def tabular_response(
    name: str, header: Sequence[str], rows: Iterable[Sequence[Any]], fmt: str
) -> HttpResponse:
    if fmt == "xlsx":
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet()
        sheet.append([str(h) for h in header])
        for row in rows:
            sheet.append([spreadsheet_safe(value) for value in row])
        buffer = io.BytesIO()
        workbook.save(buffer)
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return response
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow([str(h) for h in header])
    for row in rows:
        writer.writerow([spreadsheet_safe(value) for value in row])
    # A byte-order mark so spreadsheet programs read the accents right.
    response = HttpResponse("\ufeff" + text.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response
