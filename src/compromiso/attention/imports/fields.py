"""The fields each kind of import fills, and the column names that propose them on the mapping
page (English, Spanish, Catalan, and the names TheQ and Qmatic exports use)."""

import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from compromiso.attention.models import ImportKind

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise


@dataclass(frozen=True)
class Field:
    key: str
    label: "_StrPromise"
    required: bool
    names: tuple[str, ...]


def normal(text: str) -> str:
    """Lower case, no accents, letters and digits only: how names are compared."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", text.lower())


VISIT_FIELDS = (
    Field(
        "visit_id",
        _("Visit identifier"),
        True,
        ("visit id", "visit key", "visit", "citizen id", "id visita", "visita", "id"),
    ),
    Field(
        "queue",
        _("Queue or service"),
        True,
        ("queue", "queue name", "service", "service name", "fila", "cola", "servicio", "cua"),
    ),
    Field("ticket", _("Ticket number"), False, ("ticket", "ticket number", "numero", "número")),
    Field(
        "arrived_at",
        _("Ticket created (arrival)"),
        True,
        (
            "created",
            "create ts",
            "created at",
            "arrival",
            "arrival time",
            "start time",
            "visit transaction create ts",
            "llegada",
            "hora llegada",
            "emision",
        ),
    ),
    Field(
        "called_at",
        _("Called"),
        False,
        ("called", "call time", "call ts", "called at", "invited", "llamado", "hora llamado"),
    ),
    Field(
        "started_at",
        _("Service start"),
        False,
        ("service start", "serve start", "being served", "start", "inicio atencion", "inicio"),
    ),
    Field(
        "ended_at",
        _("Service end"),
        False,
        ("service end", "serve end", "end", "end time", "finished", "fin atencion", "fin"),
    ),
    Field("desk", _("Desk"), False, ("desk", "counter", "servicepoint", "modulo", "mesa")),
    Field("outcome", _("Outcome"), False, ("outcome", "result", "state", "resultado", "estado")),
)

CONTACT_FIELDS = (
    Field("external_id", _("Contact identifier"), False, ("id", "contact id", "call id")),
    Field(
        "started_at",
        _("Start"),
        True,
        ("start", "started", "date", "start time", "fecha", "inicio", "data"),
    ),
    Field("kind", _("Kind (phone, chat, e-mail, self-service)"), True, ("kind", "type", "tipo")),
    Field("channel", _("Channel"), False, ("channel", "canal")),
    Field(
        "wait_seconds",
        _("Seconds to answer"),
        False,
        ("wait", "wait seconds", "answer time", "speed of answer", "espera", "tiempo espera"),
    ),
    Field(
        "handle_seconds",
        _("Handling seconds"),
        False,
        ("handle", "handle time", "handling", "duration", "duracion", "tiempo atencion"),
    ),
    Field("outcome", _("Outcome"), True, ("outcome", "result", "resultado", "estado")),
    Field(
        "first_contact_resolution",
        _("Resolved at the first contact"),
        False,
        ("fcr", "first contact resolution", "resolved first contact", "resuelto primer contacto"),
    ),
    Field("service", _("Service code"), False, ("service", "service code", "servicio")),
    Field("note", _("Note"), False, ("note", "notes", "nota", "comment", "comentario")),
)

INTERVAL_FIELDS = (
    Field(
        "starts_at",
        _("Interval start"),
        True,
        ("interval", "interval start", "start", "date", "fecha", "inicio", "intervalo"),
    ),
    Field("line", _("Line or skill"), False, ("line", "skill", "queue", "split", "linea")),
    Field("minutes", _("Interval minutes"), False, ("minutes", "interval minutes", "minutos")),
    Field(
        "threshold",
        _("Service level threshold (seconds)"),
        False,
        ("threshold", "sl threshold", "umbral"),
    ),
    Field("offered", _("Offered"), False, ("offered", "calls offered", "ofrecidas", "entrantes")),
    Field("answered", _("Answered"), True, ("answered", "calls answered", "atendidas")),
    Field(
        "answered_within",
        _("Answered within the threshold"),
        True,
        ("answered within", "answered within threshold", "within sl", "atendidas en umbral"),
    ),
    Field("abandoned", _("Abandoned"), False, ("abandoned", "calls abandoned", "abandonadas")),
    Field(
        "abandoned_within",
        _("Abandoned within the threshold"),
        False,
        ("abandoned within", "abandoned within threshold", "abandonadas en umbral"),
    ),
    Field(
        "short_abandoned",
        _("Short abandons"),
        False,
        ("short abandons", "short abandoned", "abandonos cortos"),
    ),
    Field(
        "answer_seconds",
        _("Total answer seconds"),
        False,
        ("answer seconds", "total answer seconds", "total answer time", "tiempo espera total"),
    ),
    Field(
        "handle_seconds",
        _("Total handling seconds"),
        False,
        ("handle seconds", "total handle seconds", "total handle time", "tiempo atencion total"),
    ),
    Field(
        "resolved_first_contact",
        _("Resolved at the first contact"),
        False,
        ("fcr", "resolved first contact", "resueltas primer contacto"),
    ),
)

FIELDS: dict[str, tuple[Field, ...]] = {
    ImportKind.VISITS: VISIT_FIELDS,
    ImportKind.CONTACTS: CONTACT_FIELDS,
    ImportKind.INTERVALS: INTERVAL_FIELDS,
}


def propose(kind: str, headers: list[str]) -> dict[str, str]:
    """Field → the header whose name matches one of the field's names (exactly first, then a
    header that contains the name); each header proposed once."""
    normals = [normal(h) for h in headers]
    taken: set[int] = set()
    proposal: dict[str, str] = {}
    for exact in (True, False):
        for item in FIELDS[kind]:
            if item.key in proposal:
                continue
            for name in map(normal, (item.key, *item.names)):
                found = next(
                    (
                        i
                        for i, h in enumerate(normals)
                        if i not in taken and h and (h == name if exact else name in h)
                    ),
                    None,
                )
                if found is not None:
                    proposal[item.key] = headers[found]
                    taken.add(found)
                    break
    return proposal
