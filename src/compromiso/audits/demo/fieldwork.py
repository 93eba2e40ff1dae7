"""Demo of an audit's fieldwork, for the audit of each demo organisation
(`context["audits"][slug]`, made by the engagement demo): an information-request list (most
answered with a small file and accepted, one partly, one overdue), a sampling record of 30 cases
of the audited period, and the checklist generated from the scope and answered — mostly
conforming, some nonconformities at one touch point, and one touch point left partly unanswered
so that the report's "areas not covered" has something honest to say.

Deterministic (fixed seeds) and idempotent: each part is skipped when it is already there.
The services refuse a closed audit: its fieldwork is then left as it is."""

import datetime as dt
import random
import uuid
from collections.abc import Iterable
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from compromiso.audits import services
from compromiso.audits.models import (
    Answer,
    AnswerResult,
    Audit,
    ChecklistItem,
    InformationRequest,
    Population,
    SamplingRecord,
)
from compromiso.audits.services.sampling import count_population
from compromiso.catalog.models import ChannelKind, TouchPoint
from compromiso.charters.models import Charter, CharterStatus
from compromiso.core.actors import DEMO, Actor
from compromiso.core.permissions import Role
from compromiso.organizations.models import Membership, Unit, User

SAMPLE_TITLE = {
    "es": "Reclamos del periodo (muestra aleatoria)",
    "ca": "Queixes del període (mostra aleatòria)",
}
SAMPLE_SEED = 20260706
ANSWER_SEED = 19011
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)

# (text, criterion, file name or "" for none, verdict, note): the last one stays unanswered.
REQUESTS: dict[str, list[tuple[str, str, str, str, str]]] = {
    "es": [
        (
            "Registro de reclamos y sugerencias del periodo, con fecha de ingreso y de respuesta.",
            "Ley 19.880, art. 24",
            "registro-reclamos.txt",
            "provided",
            "",
        ),
        (
            "Resolución que aprueba la carta de servicios vigente.",
            "Carta de servicios",
            "resolucion-carta.pdf",
            "provided",
            "",
        ),
        (
            "Horarios de atención publicados en cada sucursal y en el sitio web.",
            "Compromiso de información",
            "horarios.txt",
            "provided",
            "",
        ),
        (
            "Actas de capacitación del protocolo de atención presencial.",
            "Protocolo de atención",
            "actas-capacitacion.pdf",
            "partial",
            "Faltan las actas de la sucursal Putre.",
        ),
        (
            "Informe de tiempos de espera por sucursal (mensual).",
            "Compromiso de espera",
            "tiempos-espera.txt",
            "provided",
            "",
        ),
        (
            "Plan de mejora del último informe de auditoría y su avance.",
            "Seguimiento",
            "",
            "",
            "",
        ),
    ],
    "ca": [
        (
            "Registre de queixes i suggeriments del període, amb data d'entrada i de resposta.",
            "Llei 19/2014, art. 59",
            "registre-queixes.txt",
            "provided",
            "",
        ),
        (
            "Acord d'aprovació de la carta de serveis vigent.",
            "Carta de serveis",
            "acord-carta.pdf",
            "provided",
            "",
        ),
        (
            "Horaris d'atenció publicats a l'OAC i a la seu electrònica.",
            "Compromís d'informació",
            "horaris.txt",
            "provided",
            "",
        ),
        (
            "Fulls de signatura de la formació en el protocol d'atenció presencial.",
            "Protocol d'atenció",
            "formacio.pdf",
            "partial",
            "Falta la sessió de setembre.",
        ),
        (
            "Informe de temps d'espera a l'OAC (mensual).",
            "Compromís d'espera",
            "temps-espera.txt",
            "provided",
            "",
        ),
        (
            "Pla de millora de l'última auditoria i el seu estat.",
            "Seguiment",
            "",
            "",
            "",
        ),
    ],
}
FILE_TEXT = {
    "es": "Documento entregado a la auditoría (demo).\n",
    "ca": "Document lliurat a l'auditoria (demo).\n",
}
NOTES = {
    "es": {
        "nonconform": "No se cumple: observado en la visita.",
        "partial": "Se cumple a medias.",
        "conform": "",
    },
    "ca": {
        "nonconform": "No es compleix: observat a la visita.",
        "partial": "Es compleix parcialment.",
        "conform": "",
    },
}


def load(context: dict[str, Any]) -> None:
    for slug, audits in (context.get("audits") or {}).items():
        for audit in _as_list(audits):
            audit = Audit.objects.select_related("organization", "unit").get(pk=audit.pk)
            if not audit.is_open:
                continue
            language = "ca" if audit.organization.language == "ca" else "es"
            auditor = _person(audit, Role.AUDITOR) or DEMO
            _scope(audit)
            _requests(audit, language, auditor)
            _sample(audit, language, auditor)
            _checklist(audit, language, auditor)
            context.setdefault("fieldwork", {})[slug] = audit


def _as_list(value: Any) -> Iterable[Audit]:
    if isinstance(value, Audit):
        return [value]
    return list(value or [])


def _person(audit: Audit, role: str, unit: Unit | None = None) -> User | None:
    memberships = Membership.objects.filter(
        organization=audit.organization, role=role, user__is_active=True
    ).select_related("user", "unit")
    if unit is not None:
        memberships = memberships.filter(unit=unit)
    first = memberships.order_by("pk").first()
    return first.user if first else None


def _scope(audit: Audit) -> None:
    """The engagement sets the scope; an audit without one gets the in-person touch points of
    its unit (or the organisation) and the charters in force, so its checklist has content."""
    if not audit.touch_points.exists():
        points = TouchPoint.objects.filter(
            organization=audit.organization, is_active=True, channel__kind=ChannelKind.IN_PERSON
        )
        if audit.unit is not None:
            points = points.filter(unit__path__startswith=audit.unit.path) or points
        audit.touch_points.set(list(points.order_by("pk")[:3]))
    if not audit.charters.exists():
        audit.charters.set(
            Charter.objects.filter(
                organization=audit.organization, status=CharterStatus.PUBLISHED
            ).order_by("pk")[:1]
        )


def _moment(audit: Audit, day: dt.date, hour: int = 11) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=audit.organization.zone)


def _requests(audit: Audit, language: str, auditor: Actor) -> None:
    if InformationRequest.objects.filter(audit=audit).exists():
        return
    head = _head(audit)
    owner_unit = _answering_unit(audit, head)
    start = audit.planned_start
    for number, (text, criterion, filename, verdict, note) in enumerate(REQUESTS[language]):
        request = services.add_request(
            audit,
            by=auditor,
            text=text,
            criterion=criterion,
            owner=head,
            owner_unit=owner_unit,
            due_date=start - dt.timedelta(days=10 - number),
        )
        if not verdict:  # left unanswered: overdue
            continue
        content = PDF if filename.endswith(".pdf") else FILE_TEXT[language].encode()
        kind = "application/pdf" if filename.endswith(".pdf") else "text/plain"
        services.answer_request(
            request,
            by=head or DEMO,
            text=FILE_TEXT[language].strip(),
            uploads=[SimpleUploadedFile(filename, content, content_type=kind)],
        )
        services.review_request(request, by=auditor, status=verdict, note=note)
        InformationRequest.objects.filter(pk=request.pk).update(
            answered_at=_moment(audit, request.due_date - dt.timedelta(days=1))
        )


def _head(audit: Audit) -> User | None:
    """A unit head over the audited unit, else any unit head, to answer the requests."""
    heads = Membership.objects.filter(
        organization=audit.organization, role=Role.UNIT_HEAD, user__is_active=True
    ).select_related("user", "unit")
    for membership in heads.order_by("pk"):
        if audit.unit is None or membership.unit is None:
            continue
        if audit.unit.path.startswith(membership.unit.path) or membership.unit.path.startswith(
            audit.unit.path
        ):
            return membership.user
    first = heads.order_by("pk").first()
    return first.user if first else None


def _answering_unit(audit: Audit, head: User | None) -> Unit | None:
    if head is None:
        return audit.unit
    membership = Membership.objects.filter(
        organization=audit.organization, user=head, role=Role.UNIT_HEAD
    ).first()
    return membership.unit if membership and membership.unit else audit.unit


def _sample(audit: Audit, language: str, auditor: Actor) -> None:
    title = SAMPLE_TITLE[language]
    if SamplingRecord.objects.filter(audit=audit, title=title).exists():
        return
    available = count_population(audit, Population.CASES)
    if available == 0:
        return
    services.draw_sample(
        audit,
        by=auditor,
        title=title,
        population=Population.CASES,
        method="random",
        sample_size=min(30, available),
        seed=SAMPLE_SEED,
        rationale={
            "es": "Revisar el plazo de respuesta y la calidad de la respuesta de 30 reclamos.",
            "ca": "Revisar el termini i la qualitat de la resposta de 30 queixes.",
        }[language],
    )


def _checklist(audit: Audit, language: str, auditor: Actor) -> None:
    if Answer.objects.filter(item__audit=audit).exists():
        return
    services.generate_checklist(audit, by=auditor)
    items = list(
        ChecklistItem.objects.filter(audit=audit)
        .select_related("touch_point")
        .order_by("order", "pk")
    )
    points = sorted({i.touch_point_id for i in items if i.touch_point_id is not None})
    # Nonconformities at the first touch point; the last one is left half unanswered.
    troubled = points[0] if points else None
    unfinished = points[-1] if len(points) > 1 else None
    # Seeded by what names the audit, not its row id (which differs between databases).
    rng = random.Random(f"{ANSWER_SEED}:{audit.organization.slug}:{audit.reference}")
    seen_at_unfinished = 0
    first_at_troubled = next((i.pk for i in items if i.touch_point_id == troubled), None)
    for number, item in enumerate(items):
        if item.touch_point_id == unfinished:
            seen_at_unfinished += 1
            if seen_at_unfinished % 2 == 0:
                continue
        draw = rng.random()
        if item.pk == first_at_troubled or (item.touch_point_id == troubled and draw < 0.35):
            result = AnswerResult.NONCONFORM
        elif draw < 0.12:
            result = AnswerResult.PARTIAL
        else:
            result = AnswerResult.CONFORM
        score = {"conform": rng.choice([4, 5]), "partial": 3, "nonconform": rng.choice([1, 2])}
        saved = services.save_answer(
            item,
            by=auditor,
            result=result,
            score=score[result],
            notes=NOTES[language][result],
            client_id=uuid.UUID(int=rng.getrandbits(128), version=4),
            revision=0,
        )
        day = audit.planned_start + dt.timedelta(days=min(number // 12, 4))
        Answer.objects.filter(pk=saved.answer.pk).update(answered_at=_moment(audit, day))
