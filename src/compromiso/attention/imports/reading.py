"""Reading an import's file into rows of text cells, within bounds: a CSV (delimiter sniffed;
UTF-8 with or without BOM, else Windows-1252, else Latin-1) or an XLSX read row by row; and
the cell values every import needs: local times, counts, seconds, yes/no."""

import csv
import datetime as dt
import io
import re
import zoneinfo
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from compromiso.core.errors import DomainError

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 200_000
XLSX_MAX_EXPANDED_BYTES = 200 * 1024 * 1024


class CellError(ValueError):
    """A cell that cannot be read; its message is the row's reason, in the user's language."""


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")  # every byte is a character: never fails


def _dialect(text: str) -> type[csv.Dialect] | csv.Dialect:
    try:
        return csv.Sniffer().sniff(text[:8192], delimiters=",;\t|")
    except csv.Error:
        return csv.excel


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def rows_of(data: bytes, name: str) -> Iterator[list[str]]:
    """Every record of the file (the header first) as stripped text cells."""
    if name.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        from compromiso.core.archives import ArchiveTooLargeError, check_archive

        try:
            check_archive(io.BytesIO(data), max_total=XLSX_MAX_EXPANDED_BYTES)
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except ArchiveTooLargeError as error:
            raise DomainError(
                _("The spreadsheet is not accepted: %(reason)s.") % {"reason": error}
            ) from None
        except Exception as error:  # openpyxl raises many kinds for a damaged file
            raise DomainError(_("The spreadsheet cannot be opened.")) from error
        try:
            if not book.worksheets:
                raise DomainError(_("The spreadsheet cannot be opened."))
            for row in book.worksheets[0].iter_rows(values_only=True):
                yield [_cell(v).strip() for v in row]
        except DomainError:
            raise
        except Exception as error:  # a damaged sheet found while reading it
            raise DomainError(_("The spreadsheet cannot be opened.")) from error
        finally:
            book.close()
        return
    text = _decode(data)
    try:
        for row in csv.reader(io.StringIO(text), _dialect(text), doublequote=True):
            yield [cell.strip() for cell in row]
    except csv.Error as error:
        raise DomainError(_("The file is not a readable CSV.")) from error


def header_of(data: bytes, name: str) -> list[str]:
    header = next(rows_of(data, name), None) or []
    return [h[:120] for h in header]


def records(data: bytes, name: str) -> Iterator[tuple[int, list[str]]]:
    """(row number in the file, cells) of every non-blank record after the header; the header
    is row 1."""
    count = 0
    for number, row in enumerate(rows_of(data, name), start=1):
        if number == 1 or not any(row):
            continue
        count += 1
        if count > MAX_ROWS:
            raise DomainError(
                _("The file has more than %(rows)s rows.") % {"rows": f"{MAX_ROWS:,}"},
                code="too_many_rows",
            )
        yield number, row


# -- cells ------------------------------------------------------------------------------

_OFFSET = re.compile(r"(Z|[+-]\d{2}:?\d{2})$")
_FORMATS = (
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d-%m-%Y %H:%M:%S",
    "%d-%m-%Y %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
)


def parse_time(
    value: str, zone: zoneinfo.ZoneInfo, *, day: dt.date | None = None
) -> dt.datetime | None:
    """An aware moment from a cell: ISO 8601 or day-first dates; a time without an offset is a
    local time of the organisation; a time of day alone (09:15) takes `day`. Empty → None."""
    value = value.strip()
    if not value:
        return None
    moment: dt.datetime | None = None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        for fmt in _FORMATS:
            try:
                moment = dt.datetime.strptime(value, fmt)
                break
            except ValueError:
                continue
    if moment is None and day is not None:
        try:
            moment = dt.datetime.combine(day, dt.time.fromisoformat(value))
        except ValueError:
            moment = None
    if moment is None:
        raise CellError(_("“%(value)s” is not a date and time.") % {"value": value[:40]})
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=zone)
    return moment


def parse_count(value: str, *, required: bool = False) -> int | None:
    """A whole number ≥ 0 ("12", "12.0"); empty → None (or an error when required)."""
    value = value.strip().replace(" ", "")
    if not value:
        if required:
            raise CellError(_("A number is missing."))
        return None
    try:
        number = Decimal(value.replace(",", "."))
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or number < 0 or number != number.to_integral():
        raise CellError(_("“%(value)s” is not a whole number.") % {"value": value[:40]})
    if number > 10**12:
        raise CellError(_("“%(value)s” is too large.") % {"value": value[:40]})
    return int(number)


def parse_seconds(value: str) -> int | None:
    """Seconds as a number ("75", "75.4") or a duration ("1:15", "0:01:15"); empty → None."""
    value = value.strip()
    if not value:
        return None
    if ":" in value:
        parts = value.split(":")
        if len(parts) in (2, 3) and all(p.isdigit() for p in parts):
            total = 0
            for part in parts:
                total = total * 60 + int(part)
            return total
        raise CellError(_("“%(value)s” is not a duration.") % {"value": value[:40]})
    try:
        number = Decimal(value.replace(",", "."))
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or number < 0 or number > 10**9:
        raise CellError(_("“%(value)s” is not a number of seconds.") % {"value": value[:40]})
    return int(number.to_integral())


YES = {"1", "yes", "y", "true", "si", "sí", "s", "x", "oui"}
NO = {"0", "no", "n", "false"}


def parse_yes_no(value: str) -> bool | None:
    value = value.strip().lower()
    if not value:
        return None
    if value in YES:
        return True
    if value in NO:
        return False
    raise CellError(_("“%(value)s” is not yes or no.") % {"value": value[:40]})
