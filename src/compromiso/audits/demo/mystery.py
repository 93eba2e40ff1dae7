"""Demo: a mystery-shopping round in the past month for each demo organisation — two or three
scenario scripts, about twenty visits drawn by the seeded schedule over some counters and the
phone line, most of them recorded with results drawn from a seeded generator (the closing
survey is forgotten most, as in the service model's demo) and a few missed. The Chilean
charter's commitment measured by mystery shopping is then measured again, so its last month
counts the round. Loading twice adds nothing."""

import datetime as dt
import random
from typing import Any

from compromiso.audits import services
from compromiso.audits.models import AuditKind, MysteryRound, MysteryScenario, VisitStatus
from compromiso.catalog.models import Service, TouchPoint
from compromiso.charters.services import compute_measurements
from compromiso.core.actors import DEMO, Actor
from compromiso.core.permissions import Role
from compromiso.organizations.models import Membership, Organization, User
from compromiso.servicemodel.checklists import checklist_for_touch_point
from compromiso.servicemodel.models import StepOutcome

# (service code, channel kind, title, persona, script, expected outcome)
SCENARIOS: dict[str, list[tuple[str, str, str, str, str, str]]] = {
    "sntc": [
        (
            "CERT",
            "in_person",
            "Certificado de antecedentes sin hora",
            "Trabajador de 35 años que necesita el certificado para un empleo, sin hora reservada.",
            "Pide un certificado de antecedentes para fines especiales. Pregunta si puede "
            "obtenerlo también en línea y cuánto cuesta.",
            "Sale con el certificado y sabe que puede obtenerlo gratis en línea.",
        ),
        (
            "INFO",
            "in_person",
            "Requisitos para inscribir una modificación",
            "Adulta mayor que no usa internet, acompañada de su nieto.",
            "Pregunta qué documentos necesita para inscribir un cambio de domicilio y si puede "
            "hacerlo un familiar por ella.",
            "Recibe la ficha impresa con todos los requisitos y sabe que puede ir con un poder "
            "simple.",
        ),
        (
            "INFO",
            "phone",
            "Consulta telefónica por el estado de un trámite",
            "Persona que presentó una solicitud hace dos semanas y no tiene noticias.",
            "Llama al call center con su número de solicitud y pregunta en qué estado está y "
            "cuándo se resolverá.",
            "Le informan el estado y el plazo comprometido en la carta, sin transferirla más de "
            "una vez.",
        ),
    ],
    "sant-pere-de-riu": [
        (
            "PAD",
            "in_person",
            "Volant d'empadronament per a l'escola",
            "Pare d'una família acabada d'arribar al municipi.",
            "Demana un volant d'empadronament per matricular la filla a l'escola i pregunta si "
            "el pot obtenir a la seu electrònica.",
            "Surt amb el volant en menys de 10 minuts i sap que també el pot descarregar.",
        ),
        (
            "AJS",
            "in_person",
            "Informació sobre ajuts d'urgència social",
            "Veïna que s'ha quedat sense feina i té factures pendents.",
            "Pregunta quins ajuts hi ha per pagar el subministrament i com demanar cita amb "
            "la treballadora social.",
            "Li expliquen els ajuts i surt amb una cita amb data i hora.",
        ),
        (
            "INF",
            "phone",
            "Consulta al 010 sobre la deixalleria",
            "Veí que fa obres a casa.",
            "Truca al 010 i pregunta l'horari de la deixalleria i si pot portar-hi runa.",
            "Rep l'horari i les condicions per a la runa en la mateixa trucada.",
        ),
    ],
}
# The touch points in scope and the visits each gets.
POINTS = {
    "sntc": [
        "Mesón de atención Sucursal Arica",
        "Mesón de atención Sucursal Santiago Centro",
        "Mesón de atención Sucursal Maipú",
        "Mesón de atención Sucursal Temuco",
        "Call center 600 360 0000",
    ],
    "sant-pere-de-riu": ["Taulell de l'OAC", "Centre de Serveis Socials", "Telèfon 010"],
}
VISITS = {"sntc": 4, "sant-pere-de-riu": 7}
MISSED = {"sntc": 3, "sant-pere-de-riu": 2}
TITLES = {
    "sntc": "Cliente incógnito en sucursales y call center",
    "sant-pere-de-riu": ("Client misteriós a l'OAC, Serveis Socials i el 010"),
}
OBJECTIVES = {
    "sntc": "Comprobar que el protocolo de atención se aplica igual en cada sucursal y en el "
    "call center, con visitas sin aviso en días y horas al azar.",
    "sant-pere-de-riu": "Comprovar que el protocol d'atenció s'aplica igual al taulell, als "
    "Serveis Socials i al 010, amb visites sense avís en dies i hores a l'atzar.",
}
# How often each protocol step is not met (the closing survey is forgotten most).
FAILING = (0.06, 0.1, 0.18, 0.15, 0.12, 0.4)
SEED = 20260101


def load(context: dict[str, Any]) -> None:
    for slug, organization in context["organizations"].items():
        if slug not in SCENARIOS:
            continue
        if MysteryRound.objects.filter(
            audit__organization=organization, audit__kind=AuditKind.MYSTERY
        ).exists():
            continue
        _round(organization, slug)


def _member(organization: Organization, role: str) -> User | None:
    membership = (
        Membership.objects.filter(organization=organization, role=role, unit__isnull=True)
        .select_related("user")
        .first()
    )
    return membership.user if membership else None


def _scenarios(organization: Organization, slug: str) -> list[MysteryScenario]:
    services_by_code = {s.code: s for s in Service.objects.filter(organization=organization)}
    made = []
    for code, kind, title, persona, script, outcome in SCENARIOS[slug]:
        scenario = MysteryScenario.objects.filter(organization=organization, title=title).first()
        if scenario is None:
            scenario = services.save_scenario(
                organization,
                by=DEMO,
                service=services_by_code[code],
                channel_kind=kind,
                title=title,
                persona=persona,
                script=script,
                expected_outcome=outcome,
            )
        made.append(scenario)
    return made


def _round(organization: Organization, slug: str) -> None:
    quality = _member(organization, Role.QUALITY_MANAGER)
    auditor = _member(organization, Role.AUDITOR)
    if quality is None or auditor is None:
        return
    today = organization.today()
    end = today.replace(day=1) - dt.timedelta(days=1)
    start = end.replace(day=1)
    points = list(TouchPoint.objects.filter(organization=organization, name__in=POINTS[slug]))
    round_ = services.create_round(
        organization,
        by=quality,
        reference=f"CI-{start:%Y-%m}",
        title=TITLES[slug],
        objectives=OBJECTIVES[slug],
        planned_start=start,
        planned_end=end,
        touch_points=points,
        scenarios=_scenarios(organization, slug),
        observers=[auditor, quality],
        visits_per_stratum=VISITS[slug],
        seed=SEED,
    )
    services.schedule_round(round_, by=quality)
    _visit(round_, slug, fallback=quality)
    if slug == "sntc":
        compute_measurements(organization)


def _visit(round_: MysteryRound, slug: str, *, fallback: Actor) -> None:
    """Record the visits with seeded results; a few are missed."""
    rng = random.Random(f"mystery/{slug}")
    visits = list(
        round_.visits.select_related("touch_point__channel", "observer").order_by("number")
    )
    missed = set(rng.sample(range(len(visits)), MISSED[slug]))
    for index, visit in enumerate(visits):
        observer: Actor = visit.observer or fallback
        if index in missed:
            services.close_visit(visit, by=observer, status=VisitStatus.MISSED)
            continue
        steps = {}
        for number, item in enumerate(checklist_for_touch_point(visit.touch_point)):
            draw = rng.random()
            if number == 4 and draw < 0.1:
                outcome = StepOutcome.NOT_APPLICABLE
            elif draw < FAILING[number % len(FAILING)]:
                outcome = StepOutcome.NOT_MET
            else:
                outcome = StepOutcome.MET
            steps[item.step.pk] = (outcome, "")
        achieved = rng.random() < 0.8
        answers = {
            "outcome": (
                StepOutcome.MET if achieved else StepOutcome.NOT_MET,
                "" if achieved else _shortfall(slug),
            ),
            "information": (
                StepOutcome.MET if rng.random() < 0.85 else StepOutcome.NOT_MET,
                "",
            ),
        }
        services.record_visit(
            visit,
            by=observer,
            visited_at=visit.scheduled_at + dt.timedelta(minutes=rng.randint(0, 45)),
            steps=steps,
            answers=answers,
            wait_minutes=rng.randint(0, 25),
            service_minutes=rng.randint(3, 18),
        )


def _shortfall(slug: str) -> str:
    if slug == "sntc":
        return "Lo derivaron a otra ventanilla sin indicarle dónde."
    return "L'han derivat a un altre servei sense dir-li on."
