"""Tables as CSV or XLSX downloads (case inbox, analytics figures, survey responses, charters)."""

import csv
import io
import tempfile
from collections.abc import Iterable, Sequence
from typing import Any

from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase

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


XLSX_ROWS = 1_048_576  # a worksheet's limit, the header included


def _xlsx(name: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> FileResponse:
    """The table as a workbook written row by row to a temporary file and sent from it, so a
    large export holds neither its rows nor the file in memory. Past a worksheet's limit the
    rows go on in a new sheet, under the same header."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    titles = [str(h) for h in header]
    sheet, filled = None, 0
    for row in rows:
        if sheet is None or filled == XLSX_ROWS:
            sheet = workbook.create_sheet()
            sheet.append(titles)
            filled = 1
        sheet.append([spreadsheet_safe(value) for value in row])
        filled += 1
    if sheet is None:  # no rows: the header alone
        workbook.create_sheet().append(titles)
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the response once sent
    workbook.save(handle)
    handle.seek(0)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"{name}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def tabular_response(
    name: str, header: Sequence[str], rows: Iterable[Sequence[Any]], fmt: str
) -> HttpResponseBase:
    if fmt == "xlsx":
        return _xlsx(name, header, rows)
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow([str(h) for h in header])
    for row in rows:
        writer.writerow([spreadsheet_safe(value) for value in row])
    # A byte-order mark so spreadsheet programs read the accents right.
    response = HttpResponse("\ufeff" + text.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response
