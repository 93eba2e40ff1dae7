"""Reading an import's file: CSV in any common encoding and dialect, or XLSX within bounds (size,
rows, uncompressed XML), into a table of text cells."""

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Iterator
from typing import Any

import polars as pl
from django.utils.translation import gettext as _

from compromiso.surveys.imports.errors import SurveyImportError

MAX_BYTES = 100 * 1024 * 1024
MAX_ROWS = 1_000_000
XLSX_MAX_EXPANDED_BYTES = (
    1024 * 1024 * 1024
)  # an XLSX's XML, uncompressed (core.archives.check_archive)
# The characters str.strip() removes, so that Polars strips cells exactly as Python does.
WHITESPACE = "".join(chr(c) for c in range(0x3001) if chr(c).isspace())


def _decode(data: bytes) -> str:
    """UTF-8 (with or without BOM); Windows-1252 files from older spreadsheets are read too."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as error:
        raise SurveyImportError(
            _("The file is not readable text: save it as CSV UTF-8 or as XLSX.")
        ) from error


def _dialect(text: str) -> type[csv.Dialect] | csv.Dialect:
    """The delimiter (comma, semicolon or tab) and quote the start of the file shows."""
    try:
        return csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        return csv.excel


def _csv_rows(text: str, dialect: type[csv.Dialect] | csv.Dialect) -> Iterator[list[str]]:
    """A CSV's records. A doubled quote inside a quoted cell is always one quote, as spreadsheets
    write it: the sniffer only says so when the start of the file happens to show one."""
    return csv.reader(io.StringIO(text), dialect, doublequote=True)


def rows_of(data: bytes, name: str) -> Iterator[list[str]]:
    if name.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        from compromiso.core.archives import ArchiveTooLargeError, check_archive

        try:
            check_archive(io.BytesIO(data), max_total=XLSX_MAX_EXPANDED_BYTES)
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except ArchiveTooLargeError as error:
            raise SurveyImportError(
                _("The spreadsheet is not accepted: %(reason)s.") % {"reason": error}
            ) from None
        except Exception as error:  # openpyxl raises many kinds for a damaged file
            raise SurveyImportError(_("The spreadsheet cannot be opened.")) from error
        sheet = book.worksheets[0]
        for row in sheet.iter_rows(values_only=True):
            yield ["" if v is None else _cell(v) for v in row]
        book.close()
        return
    text = _decode(data)
    yield from _csv_rows(text, _dialect(text))


def _cell(value: Any) -> str:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_table(data: bytes, name: str, positions: list[int]) -> pl.DataFrame:
    """The file's records after the header that have a cell that is not blank: "number", the
    record's number in the file (the header is 1, and blank records use up their number too),
    and the stripped cells at `positions`, in columns named by the position ("0", "3"…)."""
    if name.lower().endswith(".xlsx"):
        return _table_of_rows(rows_of(data, name), positions)
    text = _decode(data)
    dialect = _dialect(text)
    frame = _read_csv(text, dialect)
    if frame is None:
        return _table_of_rows(_csv_rows(text, dialect), positions)
    names = frame.columns
    frame = (
        frame.with_row_index("number", offset=1)
        .slice(1)  # the header
        .with_columns(pl.col(names).fill_null("").str.strip_chars(WHITESPACE))
        .filter(pl.any_horizontal(pl.col(names) != ""))
    )
    if frame.height > MAX_ROWS:
        raise SurveyImportError(_("The file has more than 1,000,000 rows."))
    return frame.select(
        pl.col("number").cast(pl.Int64),
        *((pl.col(names[p]) if p < len(names) else pl.lit("")).alias(str(p)) for p in positions),
    )


def _read_csv(text: str, dialect: type[csv.Dialect] | csv.Dialect) -> pl.DataFrame | None:
    """Every record of a CSV as cells of text, read by Polars; None for a file that Polars does
    not read as the csv module does (lines ended by a bare CR, spaces before a quoted cell,
    records longer than the header, stray quotes): the csv module reads those."""
    quote = dialect.quotechar or '"'
    if dialect.skipinitialspace and quote in text:
        return None
    if text.count("\r") != text.count("\r\n") or not _well_quoted(text, dialect.delimiter, quote):
        return None
    try:
        return pl.read_csv(
            text.encode(),
            has_header=False,
            infer_schema=False,
            separator=dialect.delimiter,
            quote_char=quote,
        )
    except pl.exceptions.PolarsError:
        return None


def _well_quoted(text: str, delimiter: str, quote: str) -> bool:
    """Whether every quote is part of a quoted cell: one that opens a cell and closes right
    before a delimiter or a line end, with any quote inside doubled. The csv module and Polars
    read other quotes differently (a quote inside an unquoted cell, text after a closing
    quote)."""
    if quote not in text:
        return True
    d, q = re.escape(delimiter), re.escape(quote)
    cell = rf"(?:^|(?<=[{d}\n])){q}[^{q}]*(?:{q}{q}[^{q}]*)*{q}(?=[{d}\r\n]|\Z)"
    return not any(match["other"] for match in re.finditer(rf"{cell}|(?P<other>{q})", text))


def _table_of_rows(rows: Iterable[list[str]], positions: list[int]) -> pl.DataFrame:
    """The same table as read_table, from rows of cells (a spreadsheet, or a CSV that Polars does
    not read): short rows have empty cells at the end."""
    records = iter(rows)
    next(records, None)  # the header
    numbers: list[int] = []
    columns: list[list[str]] = [[] for _p in positions]
    for number, row in enumerate(records, start=2):
        cells = [cell.strip() for cell in row]
        if not any(cells):
            continue
        if len(numbers) == MAX_ROWS:
            raise SurveyImportError(_("The file has more than 1,000,000 rows."))
        numbers.append(number)
        for values, position in zip(columns, positions, strict=True):
            values.append(cells[position] if position < len(cells) else "")
    return pl.DataFrame(
        {"number": numbers} | {str(p): v for p, v in zip(positions, columns, strict=True)},
        schema={"number": pl.Int64} | {str(p): pl.String for p in positions},
    )
