"""Contacts, one per row, and a contact centre's interval figures, checked row by row: each
valid row is stored, each other row rejected with its reason."""

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from compromiso.attention.imports.fields import normal
from compromiso.attention.imports.reading import (
    CellError,
    parse_count,
    parse_seconds,
    parse_time,
    parse_yes_no,
)
from compromiso.attention.imports.visits import IMPORTER
from compromiso.attention.models import (
    ContactInterval,
    ContactKind,
    ContactOutcome,
    ContactSource,
    ImportJob,
)
from compromiso.attention.services.contacts import record_contact
from compromiso.catalog.models import Channel, Service
from compromiso.core.errors import DomainError

Rejected = list[dict[str, object]]

KINDS: dict[str, tuple[str, ...]] = {
    ContactKind.PHONE: ("phone", "call", "telephone", "telefono", "llamada", "telefon", "trucada"),
    ContactKind.CHAT: ("chat", "webchat", "web chat", "xat"),
    ContactKind.EMAIL: ("email", "e-mail", "mail", "correo", "correu"),
    ContactKind.SELF_SERVICE: ("self-service", "selfservice", "kiosk", "totem", "autoservicio"),
}
CONTACT_OUTCOMES: dict[str, tuple[str, ...]] = {
    ContactOutcome.RESOLVED: ("resolved", "resuelto", "resuelta", "resolt"),
    ContactOutcome.ANSWERED: ("answered", "atendido", "atendida", "respondido", "ates"),
    ContactOutcome.REFERRED: ("referred", "derivado", "derivada", "derivat"),
    ContactOutcome.ABANDONED: ("abandoned", "abandonado", "abandonada", "abandonat", "abandon"),
}


def _choice(value: str, names: dict[str, tuple[str, ...]], missing: str, unknown: str) -> str:
    key = normal(value)
    for choice, options in names.items():
        if key == normal(choice) or key in {normal(o) for o in options}:
            return choice
    if not key:
        raise CellError(missing)
    raise CellError(unknown % {"value": value[:40]})


class RowImport:
    def __init__(self, job: ImportJob, mapping: dict[str, int]) -> None:
        self.job = job
        self.organization = job.organization
        self.zone = self.organization.zone
        self.mapping = mapping

    def _get(self, cells: list[str], key: str) -> str:
        position = self.mapping.get(key)
        if position is None or position >= len(cells):
            return ""
        return cells[position]

    def run(self, records: Iterable[tuple[int, list[str]]]) -> tuple[int, Rejected]:
        imported, rejected = 0, []
        for number, cells in records:
            try:
                with transaction.atomic():
                    self.store(cells)
            except (CellError, DomainError) as error:
                reason = error.message if isinstance(error, DomainError) else str(error)
                rejected.append({"row": number, "reason": reason})
            else:
                imported += 1
        return imported, rejected

    def store(self, cells: list[str]) -> None:
        raise NotImplementedError


class ContactImport(RowImport):
    def __init__(self, job: ImportJob, mapping: dict[str, int]) -> None:
        super().__init__(job, mapping)
        self.channels = {
            normal(c.name): c for c in Channel.objects.filter(organization=job.organization)
        }
        self.services = {
            normal(s.code): s for s in Service.objects.filter(organization=job.organization)
        }

    def store(self, cells: list[str]) -> None:
        started = parse_time(self._get(cells, "started_at"), self.zone)
        if started is None:
            raise CellError(_("The start time is missing."))
        kind = _choice(
            self._get(cells, "kind"),
            KINDS,
            _("The kind of contact is missing."),
            _("Unknown kind of contact “%(value)s”: use phone, chat, e-mail or self-service."),
        )
        outcome = _choice(
            self._get(cells, "outcome"),
            CONTACT_OUTCOMES,
            _("The outcome is missing."),
            _("Unknown outcome “%(value)s”: use resolved, answered, referred or abandoned."),
        )
        channel = None
        if name := self._get(cells, "channel"):
            channel = self.channels.get(normal(name))
            if channel is None:
                raise CellError(_("Unknown channel “%(name)s”.") % {"name": name[:60]})
        service = None
        if code := self._get(cells, "service"):
            service = self.services.get(normal(code))
            if service is None:
                raise CellError(_("Unknown service “%(code)s”.") % {"code": code[:60]})
        record_contact(
            self.organization,
            kind=kind,
            outcome=outcome,
            by=IMPORTER,
            channel=channel,
            service=service,
            started_at=started,
            wait_seconds=parse_seconds(self._get(cells, "wait_seconds")),
            handle_seconds=parse_seconds(self._get(cells, "handle_seconds")),
            first_contact_resolution=parse_yes_no(self._get(cells, "first_contact_resolution")),
            note=self._get(cells, "note"),
            source=ContactSource.IMPORT,
            external_id=self._get(cells, "external_id"),
        )


class IntervalImport(RowImport):
    def __init__(self, job: ImportJob, mapping: dict[str, int]) -> None:
        super().__init__(job, mapping)
        self.seen: set[tuple[str, dt.datetime]] = set()

    def _count(self, cells: list[str], key: str, *, required: bool = False) -> int | None:
        return parse_count(self._get(cells, key), required=required)

    def store(self, cells: list[str]) -> None:
        starts = parse_time(self._get(cells, "starts_at"), self.zone)
        if starts is None:
            raise CellError(_("The interval start is missing."))
        line = self._get(cells, "line")[:120]
        answered = self._count(cells, "answered", required=True) or 0
        within = self._count(cells, "answered_within", required=True) or 0
        abandoned = self._count(cells, "abandoned") or 0
        abandoned_within = self._count(cells, "abandoned_within") or 0
        short = self._count(cells, "short_abandoned") or 0
        offered = self._count(cells, "offered")
        offered = answered + abandoned if offered is None else offered
        minutes = self._count(cells, "minutes") or 30
        threshold = self._count(cells, "threshold") or 20
        if within > answered:
            raise CellError(_("More calls answered within the threshold than answered."))
        if abandoned_within > abandoned or short > abandoned:
            raise CellError(_("More short or early abandons than abandoned calls."))
        if answered + abandoned > offered:
            raise CellError(_("More calls answered and abandoned than offered."))
        if not 1 <= minutes <= 1440 or not 1 <= threshold <= 3600:
            raise CellError(_("The interval's minutes or threshold are out of range."))
        resolved = self._count(cells, "resolved_first_contact")
        if resolved is not None and resolved > answered:
            raise CellError(_("More calls resolved at the first contact than answered."))
        key = (line, starts)
        exists = ContactInterval.objects.filter(
            organization=self.organization, line=line, starts_at=starts
        ).exists()
        if key in self.seen or exists:
            raise CellError(
                _("The interval of %(time)s of line “%(line)s” was already imported.")
                % {"time": starts.astimezone(self.zone).strftime("%Y-%m-%d %H:%M"), "line": line}
            )
        self.seen.add(key)
        ContactInterval.objects.create(
            organization=self.organization,
            line=line,
            starts_at=starts,
            minutes=minutes,
            threshold_seconds=threshold,
            offered=offered,
            answered=answered,
            answered_within=within,
            abandoned=abandoned,
            abandoned_within=abandoned_within,
            short_abandoned=short,
            answer_seconds=parse_seconds(self._get(cells, "answer_seconds")) or 0,
            handle_seconds=parse_seconds(self._get(cells, "handle_seconds")) or 0,
            resolved_first_contact=resolved,
            import_job=self.job,
        )
