"""Demo: the legal deadlines of each jurisdiction, and a year of realistic cases.

Cases are spread over the last 365 days across channels, kinds, services and states: most older
cases answered and closed (a few late), recent ones open, some waiting for the requester, some
overdue. A case made in person is received at a counter or kiosk, inside the unit providing
its service when there is one there, else at a branch's; that unit owns it (so the Arica case
officer has the Arica branch's cases). The history's acknowledgements and answer notices are
not sent: those requesters were written to long ago. Loading twice adds nothing: cases are
generated only for an organisation that has none.
"""

import datetime as dt
import random
import unicodedata
from typing import Any

from django.db.models import F
from django.utils import timezone

from compromiso.cases import facts, services
from compromiso.cases.models import (
    CannedAnswer,
    Case,
    CaseEvent,
    CaseKind,
    Category,
    EventKind,
    HandlingRating,
    PendingAnswerNotice,
    Redress,
    RootCause,
    Status,
)
from compromiso.catalog.models import Audience, Channel, ChannelKind, Service, TouchPoint
from compromiso.core.actors import DEMO
from compromiso.organizations.models import Membership, Organization, UnitKind, User

# (kind, weight)
KINDS = [
    (CaseKind.COMPLAINT, 45),
    (CaseKind.INQUIRY, 25),
    (CaseKind.SUGGESTION, 12),
    (CaseKind.COMPLIMENT, 10),
    (CaseKind.INFORMATION_REQUEST, 8),
]
CHANNEL_WEIGHTS = {
    "web": 40,
    "in_person": 25,
    "phone": 15,
    "email": 12,
    "social": 4,
    "post": 2,
    "kiosk": 2,
}

SUBJECTS = {
    "es": {
        CaseKind.COMPLAINT: [
            "Tiempo de espera excesivo en la sucursal",
            "Me cobraron dos veces el trámite",
            "El funcionario no me dio información clara",
            "El sitio web no permite terminar el trámite",
            "No contestan el teléfono",
            "Me pidieron un documento que no correspondía",
            "Trato poco amable en el mesón",
            "El certificado llegó con errores",
        ],
        CaseKind.INQUIRY: [
            "¿Qué documentos necesito para el trámite?",
            "¿Cuál es el horario de atención?",
            "¿Puedo hacer el trámite en línea?",
            "¿Cuánto demora la respuesta?",
        ],
        CaseKind.SUGGESTION: [
            "Más asientos en la sala de espera",
            "Ampliar el horario los sábados",
            "Aviso por SMS cuando el trámite esté listo",
            "Formulario web más simple",
        ],
        CaseKind.COMPLIMENT: [
            "Excelente atención de la funcionaria del mesón",
            "Trámite rápido y claro",
            "Muy buena orientación por teléfono",
        ],
        CaseKind.INFORMATION_REQUEST: [
            "Solicito estadísticas de atención de 2025",
            "Solicito copia del contrato de aseo",
            "Solicito el presupuesto ejecutado por región",
        ],
    },
    "ca": {
        CaseKind.COMPLAINT: [
            "Massa temps d'espera a l'OAC",
            "La llicència d'obres s'endarrereix",
            "Error en el rebut de la taxa d'escombraries",
            "No responen el telèfon 010",
            "La web municipal no deixa pujar documents",
        ],
        CaseKind.INQUIRY: [
            "Quins documents cal per empadronar-se?",
            "Quin és l'horari de la piscina municipal?",
            "Com puc fraccionar l'IBI?",
        ],
        CaseKind.SUGGESTION: [
            "Obrir l'OAC els dijous a la tarda tot l'any",
            "Més places d'aparcament per a bicicletes",
            "Cita prèvia en línia per a Serveis Socials",
        ],
        CaseKind.COMPLIMENT: ["Molt bona atenció a l'OAC", "Tràmit del padró ràpid i clar"],
        CaseKind.INFORMATION_REQUEST: [
            "Sol·licito les actes del ple de 2025",
            "Sol·licito el cost de la Festa Major",
        ],
    },
}
FIRST = [
    "Ana",
    "Luis",
    "Carmen",
    "José",
    "María",
    "Pedro",
    "Camila",
    "Diego",
    "Laia",
    "Jordi",
    "Núria",
    "Pau",
]
LAST = [
    "González",
    "Muñoz",
    "Rojas",
    "Díaz",
    "Soto",
    "Contreras",
    "Puig",
    "Vidal",
    "Ferrer",
    "Serra",
]
# The suggestion each organisation hears first (improvement/demo.py answers it).
HOURS_SUGGESTION = {
    "es": "Ampliar el horario los sábados",
    "ca": "Obrir l'OAC els dijous a la tarda tot l'any",
}

CATEGORIES = {
    "es": ["Atención presencial", "Pagos y cobros", "Canales digitales", "Documentos y plazos"],
    "ca": ["Atenció presencial", "Tributs i taxes", "Canals digitals", "Tràmits i terminis"],
}
# Words in a subject → (category index, root-cause code) for coding the demo complaints.
# Opening hours (the Saturday and Thursday-afternoon suggestions) are about in-person attention.
CODING = [
    (("espera", "temps", "endarrereix", "demora", "Fila"), 0, "TIE"),
    (("sábados", "dijous a la tarda"), 0, "COM"),
    (("cobraron", "rebut", "taxa", "IBI"), 1, "PRO"),
    (("web", "sitio", "teléfono", "telèfon"), 2, "CAN"),
    (("información", "documento", "certificado"), 3, "INF"),
    (("amable", "Trato"), 0, "TRA"),
]
CODE_ALIASES = {"ca": {"TIE": "TEM"}}
CANNED = {
    "es": [
        (
            "Acuse y plazo",
            "Estimada/o {name}: hemos recibido su solicitud {code}. Le responderemos a más "
            "tardar el {due}. Atentamente, {officer}.",
        ),
        (
            "Disculpas por la espera",
            "Estimada/o {name}: lamentamos el tiempo de espera en {service}. Hemos reforzado "
            "la atención en las horas de mayor demanda.",
        ),
    ],
    "ca": [
        (
            "Justificant i termini",
            "Benvolgut/da {name}: hem rebut la vostra sol·licitud {code}. Us respondrem com a "
            "tard el {due}. Atentament, {officer}.",
        ),
    ],
}


def load(context: dict[str, Any]) -> None:
    count = int(context.get("case_count", 2000))
    for organization in context["organizations"].values():
        services.install_deadline_presets(organization, by=DEMO)
        services.install_root_causes(organization, by=DEMO)
        language = "ca" if organization.language == "ca" else "es"
        for name in CATEGORIES[language]:
            Category.objects.get_or_create(organization=organization, parent=None, name=name)
        for title, body in CANNED[language]:
            CannedAnswer.objects.get_or_create(
                organization=organization, title=title, defaults={"body": body}
            )
        if count and not Case.objects.filter(organization=organization).exists():
            share = count if organization.country == "CL" else max(count // 5, 1)
            _generate(organization, share, random.Random(organization.slug))
            _forget_history_notices(organization)
            facts.rebuild(organization)


def _generate(organization: Organization, count: int, rng: random.Random) -> None:
    channels = {c.kind: c for c in Channel.objects.filter(organization=organization)}
    places: dict[int, list[TouchPoint]] = {}
    for point in TouchPoint.objects.filter(
        organization=organization, is_active=True
    ).select_related("unit"):
        places.setdefault(point.channel_id, []).append(point)
    external = list(Service.objects.filter(organization=organization, audience=Audience.EXTERNAL))
    officers = {
        m.unit_id: m.user
        for m in Membership.objects.filter(organization=organization, role="case_officer")
    }
    handler = Membership.objects.filter(organization=organization, role="quality_manager").first()
    language = "ca" if organization.language == "ca" else "es"
    categories = list(
        Category.objects.filter(organization=organization, parent=None).order_by("pk")
    )
    causes = {c.code: c for c in RootCause.objects.filter(organization=organization)}
    now = timezone.now()
    kinds, kind_weights = zip(*KINDS, strict=True)
    channel_kinds = [k for k in CHANNEL_WEIGHTS if k in channels]
    heard_hours = False
    for _n in range(count):
        kind = rng.choices(kinds, kind_weights)[0]
        channel = channels[
            rng.choices(channel_kinds, [CHANNEL_WEIGHTS[k] for k in channel_kinds])[0]
        ]
        service = rng.choice(external)
        received = now - dt.timedelta(days=rng.uniform(0, 365), hours=rng.uniform(0, 8))
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        subject = rng.choice(SUBJECTS[language][kind])
        if kind == CaseKind.SUGGESTION and not heard_hours:
            subject, heard_hours = HOURS_SUGGESTION[language], True
        category_index, cause_code = _coding(subject, rng)
        if cause_code == "TIE" and (now - received).days < 150 and rng.random() < 0.6:
            # Appointments at peak hours (the demo's effective improvement action) cut the
            # complaints about waiting over the last five months.
            subject = rng.choice(
                [s for s in SUBJECTS[language][kind] if _coding(s, rng)[1] != "TIE"]
            )
            category_index, cause_code = _coding(subject, rng)
        in_person = channel.kind in (ChannelKind.IN_PERSON, ChannelKind.KIOSK)
        place, unit = _place(places.get(channel.pk, []) if in_person else [], service, rng)
        case, _secret = services.receive_case(
            organization=organization,
            kind=kind,
            channel=channel,
            service=service,
            subject=subject,
            description=f"{subject} ({service.name}).",
            requester_name=name,
            requester_email=f"{_ascii(name.split()[0])}.{rng.randrange(1000)}@example.org",
            category=categories[category_index] if categories else None,
            touch_point=place,
            unit=unit,
            received_at=received,
            by=DEMO,
        )
        cause_code = CODE_ALIASES.get(language, {}).get(cause_code, cause_code)
        cause = causes.get(cause_code) or next(iter(causes.values()), None)
        _advance(case, rng, now, officers.get(case.unit_id) or (handler.user if handler else None))
        if case.status == Status.CLOSED and case.kind == CaseKind.COMPLAINT and cause:
            Case.objects.filter(pk=case.pk).update(root_cause=cause)


def _place(
    places: list[TouchPoint], service: Service, rng: random.Random
) -> tuple[TouchPoint | None, Any]:
    """Where a case made in person came in, and the unit that owns it: a counter or kiosk inside
    the unit providing the service or, failing one, a branch's (the branch takes the case, as
    OIRS offices do). Anything else belongs to the unit providing the service."""
    provider = service.provider_unit
    inside = [p for p in places if provider and p.unit.path.startswith(provider.path)]
    branches = [p for p in places if p.unit.kind == UnitKind.BRANCH]
    if inside or branches:
        place = rng.choice(inside or branches)
        return place, place.unit
    return None, provider


def _forget_history_notices(organization: Organization) -> None:
    """Drop the e-mails the generated history queued for its requesters (the database backend
    keeps them in the transaction being written); any other queue is left alone."""
    from django_tasks_db.models import DBTaskResult

    from compromiso.cases.tasks import send_acknowledgement, send_answer_notice
    from compromiso.core.tasks import _stores_in_default_database

    if _stores_in_default_database(send_acknowledgement.get_backend()):
        DBTaskResult.objects.ready().filter(
            task_path__in=[send_acknowledgement.module_path, send_answer_notice.module_path],
            args_kwargs__kwargs__case_id__in=list(
                Case.objects.filter(organization=organization).values_list("pk", flat=True)
            ),
        ).delete()
        PendingAnswerNotice.objects.filter(event__case__organization=organization).delete()


def _coding(subject: str, rng: random.Random) -> tuple[int, str]:
    for words, category, cause in CODING:
        if any(word.lower() in subject.lower() for word in words):
            return category, cause
    return rng.randrange(len(CATEGORIES["es"])), rng.choice(["INF", "PRO", "COM", "TRA"])


def _ascii(word: str) -> str:
    return unicodedata.normalize("NFKD", word).encode("ascii", "ignore").decode().lower()


def _advance(case: Case, rng: random.Random, now: dt.datetime, person: User | None) -> None:
    """Take the case as far as a real office would have by now, then spread its timeline over
    plausible dates (the services stamp everything "now")."""
    age = (now - case.received_at).days
    services.acknowledge_case(case, by=DEMO)
    if person is not None and case.unit is not None:
        services.assign_case(case, assignee=person, by=DEMO)
    services.start_case(case, by=DEMO)
    late = rng.random() < 0.12
    if age < 20 and rng.random() < 0.6:
        return _backdate(case, rng, late, now)  # recent: still open
    if rng.random() < 0.08:
        services.request_information(case, message="Por favor adjunte el comprobante.", by=DEMO)
        if age < 40:
            return _backdate(case, rng, late, now)  # still waiting for the requester
        services.resume_case(case, comment="Comprobante recibido.", by=DEMO)
    if age < 60 and rng.random() < 0.1:
        return _backdate(case, rng, late, now)  # fell behind: open and probably overdue
    if case.kind == CaseKind.INFORMATION_REQUEST and late and rng.random() < 0.5:
        services.extend_deadline(case, reason="Volumen de información solicitada.", by=DEMO)
    services.answer_case(
        case, answer="Hemos revisado su caso y adoptado las medidas necesarias.", by=DEMO
    )
    complaint = case.kind == CaseKind.COMPLAINT
    if complaint and (late or rng.random() < 0.05):
        kind = rng.choice(["apology", "apology", "refund", "priority", "fee_waiver"])
        amount = rng.choice([1500, 3200, 5000, 12000]) if kind in ("refund", "fee_waiver") else 0
        services.record_redress(case, by=DEMO, kind=kind, amount=amount, breached=late)
    roll = rng.random()
    if complaint and roll < 0.06:
        services.record_verdict(case, accepted=False, comment="La respuesta no resuelve mi caso.")
        services.answer_case(
            case, answer="Revisamos de nuevo su caso: corregimos el error.", by=DEMO
        )
        services.close_case(case, by=DEMO)
    elif roll < 0.6:
        services.record_verdict(case, accepted=True)
    else:
        services.close_case(case, by=DEMO)
    if rng.random() < 0.35:
        mean = 2.6 if late else 4.2

        def score() -> int:
            return max(1, min(5, round(rng.gauss(mean, 0.9))))

        services.rate_handling(
            case, outcome=score(), courtesy=score(), clarity=score(), timeliness=score()
        )
    return _backdate(case, rng, late, now)


GAPS: dict[str, tuple[float, float]] = {  # days after the previous event, by what the event is
    EventKind.TRANSITION: (0.2, 3.0),
    EventKind.ASSIGNED: (0.1, 1.5),
    EventKind.PAUSED: (1.0, 6.0),
    EventKind.RESUMED: (1.0, 8.0),
    EventKind.EXTENDED: (10.0, 18.0),
    EventKind.REDRESS: (0.1, 1.0),
    EventKind.ACCEPTED: (0.5, 6.0),
    EventKind.REJECTED: (0.5, 6.0),
}


def _backdate(case: Case, rng: random.Random, late: bool, now: dt.datetime) -> None:
    moment = case.received_at
    stamps: dict[tuple[str, str], list[dt.datetime]] = {}
    events = list(case.events.order_by("pk")[1:])
    for event in events:
        if event.kind == EventKind.REPLY and event.to_status == Status.ANSWERED:
            low, high = (20.0, 40.0) if late else (2.0, 18.0)
        else:
            low, high = GAPS.get(event.kind, (0.2, 3.0))
        moment = min(moment + dt.timedelta(days=rng.uniform(low, high)), now)
        event.at = moment
        stamps.setdefault((event.kind, event.to_status), []).append(moment)
        if event.kind == EventKind.REDRESS:
            Redress.objects.filter(case=case).update(recorded_at=moment)
    CaseEvent.objects.bulk_update(events, ["at"])
    answered = stamps.get((EventKind.REPLY, Status.ANSWERED))
    closed = stamps.get((EventKind.TRANSITION, Status.CLOSED))
    acknowledged = stamps.get((EventKind.TRANSITION, Status.ACKNOWLEDGED))
    verdict = stamps.get((EventKind.ACCEPTED, "")) or stamps.get((EventKind.REJECTED, ""))
    Case.objects.filter(pk=case.pk).update(
        acknowledged_at=acknowledged[0] if acknowledged else None,
        answered_at=answered[-1] if answered else None,
        closed_at=closed[-1] if closed else None,
        verdict_at=verdict[0] if verdict else None,
    )
    if answered:
        HandlingRating.objects.filter(case=case).update(
            at=min(answered[-1] + dt.timedelta(days=rng.uniform(0.5, 5)), now)
        )
    case.refresh_from_db()
    services.recompute_deadline(case)
    Case.objects.filter(pk=case.pk, updated_at__lt=F("received_at")).update(
        updated_at=F("received_at")
    )
