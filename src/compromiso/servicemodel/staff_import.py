"""Reading and checking an uploaded staff list (CSV in UTF-8, comma or semicolon separated, or
XLSX) into a plan: who will be added, who changed, who left as is, which rows are rejected (line,
column and reason) and, on request, who will be deactivated. Nothing is saved here: applying the
plan is `services.people.apply_staff_import`, which checks the file again."""

import csv
import datetime as dt
import functools
import io
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from compromiso.catalog.models import TouchPoint
from compromiso.core.actors import Actor, SystemActor
from compromiso.core.errors import DomainError
from compromiso.core.permissions import scope_for
from compromiso.organizations.models import Organization, Unit
from compromiso.servicemodel.models import StaffMember, StaffRole
from compromiso.servicemodel.services.people import PERM

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 50_000
MAX_LINES = 2 * MAX_ROWS
MAX_CELL = 500
XLSX_MAX_EXPANDED_BYTES = 100 * 1024 * 1024

# The columns, and the header words (es, ca, en) that name each one, compared without accents,
# case, spaces or punctuation.
COLUMNS: dict[str, Any] = {
    "code": gettext_lazy("employee number"),
    "name": gettext_lazy("full name"),
    "email": gettext_lazy("e-mail"),
    "unit": gettext_lazy("unit"),
    "role": gettext_lazy("role"),
    "manager": gettext_lazy("middle manager"),
    "touch_points": gettext_lazy("touch points"),
}
HEADERS = {
    "code": "employeenumber employeeno employeeid number code codigo numero numerodeempleado "
    "nempleado numempleado codi numerodempleat nempleat matricula legajo rut dni id",
    "name": "fullname name nombre nombrecompleto nombreyapellidos nom nomcomplet nomicognoms",
    "email": "email mail correo correoelectronico correu correuelectronic",
    "unit": "unit unitcode unitname unidad codigodeunidad codigounidad unitat codidunitat "
    "codiunitat",
    "role": "role rolewithusers rol funcion funcio tipo tipus",
    "manager": "middlemanager manager mandointermedio mando comandamentintermedi comandament",
    "touch_points": "touchpoints puntosdecontacto puntosdeatencion puntsdecontacte puntsdatencio",
}
REQUIRED = ("code", "name", "unit")
ROLES = {
    StaffRole.CONTACT: "contact contactstaff contacto personaldecontacto frontoffice front "
    "atencion primeralinea contacte personaldecontacte atencio primeralinia",
    StaffRole.BACK_OFFICE: "backoffice back trastienda soporte interno personalinterno "
    "rerebotiga suport intern personalintern",
}
YES = {"yes", "y", "true", "1", "si", "s", "x"}
NO = {"no", "n", "false", "0"}


class StaffImportError(DomainError):
    """The whole file is refused: nothing is saved."""


def _word(text: str) -> str:
    """Lower case, without accents, spaces or punctuation: "Número d'empleat" → numerodempleat."""
    text = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in text if c.isalnum() and not unicodedata.combining(c))


def _lookup(table: dict[Any, str]) -> dict[str, Any]:
    return {word: key for key, words in table.items() for word in words.split()}


HEADER_WORDS = _lookup(HEADERS)
ROLE_WORDS = _lookup(ROLES)


# Reading


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _xlsx_rows(data: bytes) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    from compromiso.core.archives import ArchiveTooLargeError, check_archive

    try:
        check_archive(io.BytesIO(data), max_total=XLSX_MAX_EXPANDED_BYTES)
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except ArchiveTooLargeError as error:
        raise StaffImportError(
            _("The spreadsheet is not accepted: %(reason)s.") % {"reason": error}
        ) from None
    except Exception as error:  # openpyxl and zipfile raise many kinds for a damaged file
        raise StaffImportError(_("The spreadsheet cannot be opened.")) from error
    try:
        if not book.worksheets:
            return
        for row in book.worksheets[0].iter_rows(values_only=True):
            yield [_cell(value) for value in row]
    finally:
        book.close()


def _csv_rows(data: bytes) -> Iterator[list[str]]:
    if b"\x00" in data:
        raise StaffImportError(_("The file is not a CSV text file: save it as CSV UTF-8 or XLSX."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise StaffImportError(
            _("The file is not in UTF-8: save it as CSV UTF-8 or as XLSX.")
        ) from None
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    try:
        yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    except csv.Error as error:
        raise StaffImportError(
            _("The CSV file cannot be read: %(reason)s.") % {"reason": error}
        ) from None


def read_rows(data: bytes, name: str) -> Iterator[list[str]]:
    """The file's rows as cells of text; a refusal for a file that is not one we read."""
    if not data.strip():
        raise StaffImportError(_("The file is empty."))
    if len(data) > MAX_BYTES:
        raise StaffImportError(_("The file is larger than 5 MB."))
    is_zip = zipfile.is_zipfile(io.BytesIO(data))
    if name.lower().endswith(".xlsx") or is_zip:
        return _xlsx_rows(data)
    return _csv_rows(data)


# Checking


@dataclass(frozen=True)
class Known:
    """A person already on the list, read as plain values (a list of 50,000 people is read in
    a second, not built as model instances)."""

    pk: int
    code: str
    name: str
    email: str
    unit: Unit
    role: str
    is_manager: bool
    is_active: bool
    touch_point_ids: frozenset[int]


@dataclass
class Row:
    """One accepted row: the person as the file gives them."""

    line: int
    code: str
    name: str
    email: str
    unit: Unit
    role: str | None  # None: unchanged (or contact staff for a new person)
    is_manager: bool | None
    touch_points: list[TouchPoint] | None  # as the file names them; None: not given
    member: Known | None  # the person already on the list
    touch_point_ids: frozenset[int] = frozenset()  # the person's touch points once applied
    changes: list[str] = field(default_factory=list)


@dataclass
class Rejected:
    line: int
    column: str
    reason: str
    code: str = ""
    name: str = ""

    def as_list(self) -> list[Any]:
        return [self.line, self.column, self.reason, self.code, self.name]


@dataclass
class Plan:
    create: list[Row] = field(default_factory=list)
    update: list[Row] = field(default_factory=list)
    unchanged: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    deactivate: list[Known] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.create or self.update or self.deactivate)


class _RowError(Exception):
    def __init__(self, column: str, reason: str) -> None:
        super().__init__(reason)
        self.column = column
        self.reason = reason


def _header(row: list[str]) -> dict[str, int]:
    positions: dict[str, int] = {}
    for position, title in enumerate(row):
        key = HEADER_WORDS.get(_word(title))
        if key is not None and key not in positions:
            positions[key] = position
    missing = [str(COLUMNS[key]) for key in REQUIRED if key not in positions]
    if missing:
        raise StaffImportError(
            _("The first row must name the columns; missing: %(columns)s.")
            % {"columns": ", ".join(missing)}
        )
    return positions


class _Checker:
    """What a row is checked against, read once: the units, touch points and people."""

    def __init__(self, organization: Organization, by: Actor) -> None:
        self.organization = organization
        self.scope = None if isinstance(by, SystemActor) else scope_for(by, PERM)
        units = list(Unit.objects.filter(organization=organization))
        self.by_code = {_word(u.code): u for u in units if u.code}
        self.by_name: dict[str, list[Unit]] = {}
        for unit in units:
            self.by_name.setdefault(unit.name.casefold().strip(), []).append(unit)
        self.touch_points: dict[str, list[TouchPoint]] = {}
        for touch_point in TouchPoint.objects.filter(
            organization=organization, is_active=True
        ).select_related("unit"):
            self.touch_points.setdefault(touch_point.name.casefold().strip(), []).append(
                touch_point
            )
        links: dict[int, set[int]] = {}
        through = StaffMember.touch_points.through
        for member_id, touch_point_id in through.objects.filter(
            staffmember__organization=organization
        ).values_list("staffmember_id", "touchpoint_id"):
            links.setdefault(member_id, set()).add(touch_point_id)
        units_by_id = {unit.pk: unit for unit in units}
        self.touch_point_paths = dict(
            TouchPoint.objects.filter(organization=organization).values_list("pk", "unit__path")
        )
        self.people = {
            code: Known(
                pk,
                code,
                name,
                email,
                units_by_id[unit_id],
                role,
                is_manager,
                is_active,
                frozenset(links.get(pk, ())),
            )
            for pk, code, name, email, unit_id, role, is_manager, is_active in (
                StaffMember.objects.filter(organization=organization).values_list(
                    "pk", "code", "name", "email", "unit_id", "role", "is_manager", "is_active"
                )
            )
        }

    def keeps(self, unit: Unit) -> bool:
        return self.scope is None or self.scope.covers(self.organization.pk, unit.path)

    def unit(self, text: str) -> Unit:
        column = str(COLUMNS["unit"])
        unit = self.by_code.get(_word(text))
        if unit is None:
            named = self.by_name.get(text.casefold(), [])
            if len(named) > 1:
                raise _RowError(column, _("Several units have this name: give the unit code."))
            unit = named[0] if named else None
        if unit is None:
            raise _RowError(column, _("No unit has this code or name."))
        if not unit.is_active:
            raise _RowError(column, _("The unit is inactive."))
        if not self.keeps(unit):
            raise _RowError(column, _("You do not keep the staff list of this unit."))
        return unit

    def touch_points_of(self, text: str, unit: Unit) -> list[TouchPoint]:
        column = str(COLUMNS["touch_points"])
        found: list[TouchPoint] = []
        for name in (part.strip() for part in text.split("|")):
            if not name:
                continue
            inside = [
                tp
                for tp in self.touch_points.get(name.casefold(), [])
                if tp.unit.path.startswith(unit.path)
            ]
            if not inside:
                raise _RowError(
                    column,
                    _("“%(name)s” is not an active touch point of the unit.") % {"name": name},
                )
            if len(inside) > 1:
                raise _RowError(
                    column,
                    _("Several touch points of the unit are named “%(name)s”.") % {"name": name},
                )
            if inside[0] not in found:
                found.append(inside[0])
        return found


@functools.cache
def _role_labels() -> dict[str, str]:
    """The roles as the pages name them in every language (a list exported from them)."""
    labels = {}
    for language in ("es", "ca", "en"):
        with translation.override(language):
            labels.update({_word(str(label)): str(role) for role, label in StaffRole.choices})
    return labels


def _role(text: str) -> str | None:
    if not text:
        return None
    role = ROLE_WORDS.get(_word(text)) or _role_labels().get(_word(text))
    if role is None:
        raise _RowError(str(COLUMNS["role"]), _("Write contact or back office."))
    return str(role)


def _yes_no(text: str) -> bool | None:
    word = _word(text)
    if not word:
        return None
    if word in YES:
        return True
    if word in NO:
        return False
    raise _RowError(str(COLUMNS["manager"]), _("Write yes or no."))


def _row(checker: _Checker, line: int, cells: dict[str, str]) -> Row:
    for key, value in cells.items():
        if len(value) > MAX_CELL:
            raise _RowError(
                str(COLUMNS[key]), _("At most %(count)d characters.") % {"count": MAX_CELL}
            )
    code, name, email = cells["code"], " ".join(cells["name"].split()), cells["email"]
    if not code:
        raise _RowError(str(COLUMNS["code"]), _("The employee number is missing."))
    if len(code) > 40:
        raise _RowError(str(COLUMNS["code"]), _("At most %(count)d characters.") % {"count": 40})
    if not name:
        raise _RowError(str(COLUMNS["name"]), _("The name is missing."))
    if len(name) > 200:
        raise _RowError(str(COLUMNS["name"]), _("At most %(count)d characters.") % {"count": 200})
    if len(email) > 254:
        raise _RowError(str(COLUMNS["email"]), _("At most %(count)d characters.") % {"count": 254})
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise _RowError(str(COLUMNS["email"]), _("This is not an e-mail address.")) from None
    if not cells["unit"]:
        raise _RowError(str(COLUMNS["unit"]), _("The unit is missing."))
    unit = checker.unit(cells["unit"])
    role = _role(cells["role"])
    is_manager = _yes_no(cells["manager"])
    touch_points = (
        checker.touch_points_of(cells["touch_points"], unit) if cells["touch_points"] else None
    )
    member = checker.people.get(code)
    if member is not None and not checker.keeps(member.unit):
        raise _RowError(
            str(COLUMNS["code"]), _("This person is in a unit whose staff list you do not keep.")
        )
    row = Row(line, code, name, email, unit, role, is_manager, touch_points, member)
    if touch_points is not None:
        row.touch_point_ids = frozenset(tp.pk for tp in touch_points)
    elif member is not None:  # those outside a new unit go
        row.touch_point_ids = frozenset(
            pk
            for pk in member.touch_point_ids
            if checker.touch_point_paths.get(pk, "").startswith(unit.path)
        )
    if member is not None:
        row.changes = _changes(row, member)
    return row


def _changes(row: Row, member: Known) -> list[str]:
    changes = []
    if member.name != row.name:
        changes.append(str(COLUMNS["name"]))
    if row.email and member.email != row.email:
        changes.append(str(COLUMNS["email"]))
    if member.unit.pk != row.unit.pk:
        changes.append(str(COLUMNS["unit"]))
    if row.role is not None and member.role != row.role:
        changes.append(str(COLUMNS["role"]))
    if row.is_manager is not None and member.is_manager != row.is_manager:
        changes.append(str(COLUMNS["manager"]))
    if member.touch_point_ids != row.touch_point_ids:
        changes.append(str(COLUMNS["touch_points"]))
    if not member.is_active:
        changes.append(_("active again"))
    return changes


def _at(record: list[str], position: int | None) -> str:
    if position is None or position >= len(record):
        return ""
    return record[position].strip()


def check_file(
    data: bytes, name: str, organization: Organization, *, by: Actor, deactivate_missing: bool
) -> Plan:
    """The plan for this file, or a StaffImportError for a file we cannot take at all."""
    rows = read_rows(data, name)
    try:
        header = next(rows, None)
        if header is None or not any(cell.strip() for cell in header):
            raise StaffImportError(_("The file is empty."))
        positions = _header(header)
        checker = _Checker(organization, by)
        plan = Plan()
        seen: dict[str, int] = {}
        mentioned: set[str] = set()  # rejected rows too: their people are not deactivated
        count = 0
        for line, record in enumerate(rows, start=2):
            if line > MAX_LINES:  # blank lines too: a sheet of a million empty rows is refused
                raise StaffImportError(
                    _("The file has more than %(count)s rows.") % {"count": f"{MAX_LINES:,}"}
                )
            cells = {key: _at(record, positions.get(key)) for key in COLUMNS}
            if not any(cells.values()):
                continue
            count += 1
            if count > MAX_ROWS:
                raise StaffImportError(
                    _("The file has more than %(count)s rows.") % {"count": f"{MAX_ROWS:,}"}
                )
            code, person = cells["code"][:40], cells["name"][:200]
            mentioned.add(code)
            if code and code in seen:
                plan.rejected.append(
                    Rejected(
                        line,
                        str(COLUMNS["code"]),
                        _("The same employee number is on line %(line)d.") % {"line": seen[code]},
                        code,
                        person,
                    )
                )
                continue
            try:
                row = _row(checker, line, cells)
            except _RowError as error:
                plan.rejected.append(Rejected(line, error.column, error.reason, code, person))
                continue
            seen[code] = line
            if row.member is None:
                plan.create.append(row)
            elif row.changes:
                plan.update.append(row)
            else:
                plan.unchanged += 1
        if count == 0:
            raise StaffImportError(_("The file has no rows under its header."))
    except csv.Error as error:
        raise StaffImportError(
            _("The CSV file cannot be read: %(reason)s.") % {"reason": error}
        ) from None
    if deactivate_missing:
        plan.deactivate = [
            member
            for code, member in checker.people.items()
            if member.is_active and code not in mentioned and checker.keeps(member.unit)
        ]
        plan.deactivate.sort(key=lambda m: (m.name, m.pk))
    return plan
