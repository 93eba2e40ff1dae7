"""Demo: each organisation's attention protocols in force for the counter, the phone and the web
(seed 002: the minimum protocols of attention at every touch point, so that users perceive one
"style" whatever the office or channel), one touch point's override, and four months of
observations with a realistic mix of results (the survey at the close is forgotten most)."""

import datetime as dt
import random
from typing import Any

from compromiso.catalog.models import TouchPoint
from compromiso.core.actors import DEMO
from compromiso.organizations.models import Organization
from compromiso.servicemodel import services
from compromiso.servicemodel.applicability import protocols_by_touch_point
from compromiso.servicemodel.models import (
    CheckMethod,
    Protocol,
    ProtocolCheck,
    ProtocolStatus,
    StepOutcome,
)
from compromiso.servicemodel.services import StepInput

# (behaviour, standard, {channel kind: how it is done there})
STEPS: dict[str, list[tuple[str, str, dict[str, str]]]] = {
    "es": [
        (
            "Saludar e identificarse",
            "Saluda en los primeros 5 segundos, mirando a la persona, y dice su nombre.",
            {
                "in_person": "Levanta la vista, sonríe y se presenta con la credencial visible.",
                "phone": "Contesta antes del tercer tono: «Servicio de Trámites, habla [nombre], "
                "¿en qué le puedo ayudar?».",
                "web": "Responde al primer mensaje del chat en menos de un minuto, con su nombre.",
                "email": "Encabeza la respuesta con un saludo personal y firma con su nombre.",
            },
        ),
        (
            "Escuchar sin interrumpir",
            "Deja que la persona explique su trámite completo y toma nota de los datos clave.",
            {
                "phone": "No pone en espera sin pedir permiso; una espera dura a lo más 60 "
                "segundos.",
                "web": "No envía respuestas predefinidas antes de leer el mensaje completo.",
            },
        ),
        (
            "Confirmar lo entendido",
            "Resume en una frase lo que la persona necesita y pide su confirmación.",
            {
                "phone": "Repite el RUT y el número de trámite, deletreando si hace falta.",
                "web": "Reformula la consulta por escrito antes de responder.",
            },
        ),
        (
            "Resolver o derivar con traspaso trazable",
            "Resuelve en el primer contacto; si no puede, deriva a la unidad competente y entrega "
            "el número de seguimiento de la derivación.",
            {
                "in_person": "Acompaña o indica el módulo exacto y avisa a quien recibe.",
                "phone": "Transfiere anunciando la llamada, o agenda una devolución en 24 horas.",
                "web": "Si deriva, envía el enlace de seguimiento del caso en el mismo chat.",
            },
        ),
        (
            "Informar requisitos y plazos completos",
            "Entrega todos los requisitos del trámite a la primera y el plazo comprometido en la "
            "carta de servicios.",
            {
                "in_person": "Entrega la ficha impresa del trámite.",
                "web": "Envía el enlace a la ficha del trámite en el portal.",
            },
        ),
        (
            "Cerrar y ofrecer la encuesta",
            "Pregunta si hay algo más, se despide por el nombre e invita a responder la encuesta "
            "de satisfacción.",
            {
                "in_person": "Indica el tótem o el código QR de la encuesta.",
                "phone": "Avisa que recibirá la encuesta por SMS al cortar.",
                "web": "Deja el enlace de la encuesta al cerrar el chat.",
            },
        ),
    ],
    "ca": [
        (
            "Saludar i identificar-se",
            "Saluda en els primers 5 segons, mirant la persona, i diu el seu nom.",
            {
                "in_person": "Aixeca la vista, somriu i es presenta amb la targeta visible.",
                "phone": "Respon abans del tercer to: «Ajuntament de Sant Pere, sóc [nom], en "
                "què la puc ajudar?».",
                "web": "Respon el primer missatge del xat en menys d'un minut, amb el seu nom.",
                "email": "Encapçala la resposta amb una salutació personal i signa amb el nom.",
            },
        ),
        (
            "Escoltar sense interrompre",
            "Deixa que la persona expliqui el tràmit sencer i pren nota de les dades clau.",
            {
                "phone": "No posa en espera sense demanar permís; una espera dura com a molt 60 "
                "segons.",
                "web": "No envia respostes predefinides abans de llegir el missatge sencer.",
            },
        ),
        (
            "Confirmar el que ha entès",
            "Resumeix en una frase el que la persona necessita i li demana que ho confirmi.",
            {
                "phone": "Repeteix el DNI i el número d'expedient, lletrejant si cal.",
                "web": "Reformula la consulta per escrit abans de respondre.",
            },
        ),
        (
            "Resoldre o derivar amb un traspàs traçable",
            "Resol al primer contacte; si no pot, deriva a la unitat competent i lliura el número "
            "de seguiment de la derivació.",
            {
                "in_person": "Acompanya o indica el lloc exacte i avisa qui l'ha de rebre.",
                "phone": "Transfereix anunciant la trucada, o programa una devolució en 24 hores.",
                "web": "Si deriva, envia l'enllaç de seguiment al mateix xat.",
            },
        ),
        (
            "Informar de tots els requisits i terminis",
            "Dona tots els requisits del tràmit a la primera i el termini compromès a la carta "
            "de serveis.",
            {
                "in_person": "Lliura la fitxa impresa del tràmit.",
                "web": "Envia l'enllaç a la fitxa del tràmit a la seu electrònica.",
            },
        ),
        (
            "Tancar i oferir l'enquesta",
            "Pregunta si hi ha res més, s'acomiada pel nom i convida a respondre l'enquesta de "
            "satisfacció.",
            {
                "in_person": "Indica el punt d'autoservei o el codi QR de l'enquesta.",
                "phone": "Avisa que rebrà l'enquesta per SMS en penjar.",
                "web": "Deixa l'enllaç de l'enquesta en tancar el xat.",
            },
        ),
    ],
}

# (channel kind, name, purpose) for each language
PROTOCOLS: dict[str, list[tuple[str, str, str]]] = {
    "es": [
        (
            "in_person",
            "Protocolo de atención presencial",
            "El mismo trato en el mesón de cada sucursal.",
        ),
        ("phone", "Protocolo de atención telefónica", "El call center atiende como una oficina."),
        ("web", "Protocolo de atención digital", "El portal y el chat responden con nombre."),
    ],
    "ca": [
        ("in_person", "Protocol d'atenció presencial", "El mateix tracte a cada taulell."),
        ("phone", "Protocol d'atenció telefònica", "El 010 atén com una oficina."),
        ("web", "Protocol d'atenció digital", "La seu electrònica i el xat responen amb nom."),
    ],
}

# A touch point that adds or excludes a protocol: (touch point name, channel kind, applies)
OVERRIDES = {
    "es": ("Buzón oirs@example.org", "web", True),  # e-mails follow the digital protocol
    "ca": ("Atenció tècnica d'Urbanisme", "in_person", False),  # by appointment, its own way
}

# How often each step is not met, before the improvement over the months.
FAILING = (0.08, 0.12, 0.22, 0.18, 0.15, 0.38)
MONTHS = 4
METHODS = (CheckMethod.SUPERVISION, CheckMethod.SELF, CheckMethod.AUDIT, CheckMethod.MYSTERY)


def load(context: dict[str, Any]) -> None:
    for organization in context["organizations"].values():
        language = "ca" if organization.language == "ca" else "es"
        protocols = {kind: _protocol(organization, language, kind) for kind in _kinds(language)}
        name, kind, applies = OVERRIDES[language]
        point = TouchPoint.objects.filter(organization=organization, name=name).first()
        if point is not None and not protocols[kind].overrides.filter(touch_point=point).exists():
            services.set_protocol_override(protocols[kind], point, by=DEMO, applies=applies)
        if not ProtocolCheck.objects.filter(organization=organization).exists():
            _observe(organization)


def _kinds(language: str) -> list[str]:
    return [kind for kind, _name, _purpose in PROTOCOLS[language]]


def _protocol(organization: Organization, language: str, kind: str) -> Protocol:
    _kind, name, purpose = next(p for p in PROTOCOLS[language] if p[0] == kind)
    protocol = Protocol.objects.filter(organization=organization, name=name).first()
    if protocol is None:
        steps = [
            StepInput(behaviour, standard, {k: t for k, t in variants.items() if k == kind})
            if kind != "web"
            else StepInput(
                behaviour, standard, {k: t for k, t in variants.items() if k in ("web", "email")}
            )
            for behaviour, standard, variants in STEPS[language]
        ]
        protocol = services.create_protocol(
            organization, by=DEMO, name=name, purpose=purpose, channel_kind=kind, steps=steps
        )
    if protocol.status == ProtocolStatus.DRAFT:
        services.activate_protocol(protocol, by=DEMO)
    return protocol


def _observe(organization: Organization) -> None:
    """Two observations a month of each protocol at each touch point where it applies."""
    rng = random.Random(organization.slug)
    today = organization.today()
    by_point = protocols_by_touch_point(organization)
    points = TouchPoint.objects.filter(organization=organization, pk__in=list(by_point))
    protocols = {p.pk: p for p in Protocol.objects.filter(organization=organization)}
    for point in points.order_by("pk"):
        for protocol_id in sorted(by_point[point.pk]):
            protocol = protocols[protocol_id]
            steps = list(protocol.steps.all())
            for month in range(MONTHS, 0, -1):
                for _visit in range(2):
                    day = today - dt.timedelta(days=30 * month - rng.randint(0, 29))
                    day = min(day, today)
                    progress = (MONTHS - month) / MONTHS  # later months fail less
                    results = {}
                    for number, step in enumerate(steps):
                        failing = FAILING[number % len(FAILING)] * (1.3 - 0.6 * progress)
                        draw = rng.random()
                        if number == 4 and draw < 0.15:
                            outcome = StepOutcome.NOT_APPLICABLE  # nothing to apply for
                        elif draw < failing + 0.15 * (number == 4):
                            outcome = StepOutcome.NOT_MET
                        else:
                            outcome = StepOutcome.MET
                        results[step.pk] = (outcome, "")
                    services.record_protocol_check(
                        protocol,
                        point,
                        by=DEMO,
                        observed_on=day,
                        method=rng.choice(METHODS),
                        results=results,
                    )
