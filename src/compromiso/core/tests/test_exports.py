"""XLSX downloads: written to a temporary file and sent from it, formulas neutralised, and a
table longer than a worksheet continued on further sheets under the same header."""

import io

from openpyxl import load_workbook

from compromiso.core import exports


def _sheets(response):
    book = load_workbook(io.BytesIO(response.getvalue()), read_only=True)
    return [[list(row) for row in sheet.iter_rows(values_only=True)] for sheet in book.worksheets]


def test_rows_past_a_worksheets_limit_go_on_in_a_new_sheet(monkeypatch):
    monkeypatch.setattr(exports, "XLSX_ROWS", 3)  # the header and two rows per sheet

    response = exports.tabular_response(
        "tabla", ["Fila", "Texto"], ([n, f"=fila {n}"] for n in range(1, 6)), "xlsx"
    )

    assert response["Content-Disposition"] == 'attachment; filename="tabla.xlsx"'
    assert _sheets(response) == [
        [["Fila", "Texto"], [1, "'=fila 1"], [2, "'=fila 2"]],
        [["Fila", "Texto"], [3, "'=fila 3"], [4, "'=fila 4"]],
        [["Fila", "Texto"], [5, "'=fila 5"]],
    ]


def test_an_empty_table_is_a_sheet_with_its_header():
    response = exports.tabular_response("vacia", ["Fila"], [], "xlsx")

    assert _sheets(response) == [[["Fila"]]]
