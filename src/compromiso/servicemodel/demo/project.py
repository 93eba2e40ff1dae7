"""Demo: each organisation's quality project (seed 002): sponsor and leader, a steering
committee and a quality team, milestones over about eighteen months (design done, deployment
per regional directorate or office — some done, one late, some ahead —, a measurement wave,
the certification by a seal) and a communication plan of ten messages, internal and external:
some sent with their reach, some planned, one cancelled. Dates are relative to today."""

import datetime as dt
from typing import Any

from compromiso.core.actors import DEMO
from compromiso.organizations.models import Organization, Unit, User
from compromiso.servicemodel import services
from compromiso.servicemodel.models import QualityProject, TeamKind, TeamRole

# (kind, title, unit code or None, planned in days from today, done in days from today or None)
MILESTONES: dict[str, list[tuple[str, str, str | None, int, int | None]]] = {
    "es": [
        ("design", "Diseño del modelo de servicio aprobado", None, -300, -295),
        (
            "deployment",
            "Despliegue en la Dirección Regional de Arica y Parinacota",
            "R15",
            -200,
            -190,
        ),
        ("deployment", "Despliegue en la Dirección Regional Metropolitana", "R13", -60, None),
        ("deployment", "Despliegue en la Dirección Regional de La Araucanía", "R09", 45, None),
        ("measurement", "Primera medición de satisfacción", None, 120, None),
        ("certification", "Certificación con sello de calidad", None, 240, None),
    ],
    "ca": [
        ("design", "Disseny del model de servei aprovat", None, -300, -290),
        ("deployment", "Desplegament a l'Oficina d'Atenció Ciutadana", "OAC", -180, -175),
        ("deployment", "Desplegament a Serveis Socials", "SS", -40, None),
        ("deployment", "Desplegament a Urbanisme i Obres", "URB", 60, None),
        ("measurement", "Primera mesura de satisfacció", None, 130, None),
        ("certification", "Certificació amb segell de qualitat", None, 240, None),
    ],
}
# (title, direction, audience, channel, planned in days, milestone index or None,
#  sent: (days, reach) or None, or "cancelled")
MESSAGES: dict[str, list[tuple[str, str, str, str, int, int | None, Any]]] = {
    "es": [
        (
            "Lanzamiento del proyecto a todo el personal",
            "internal",
            "all_staff",
            "email",
            -290,
            0,
            (-289, 412),
        ),
        (
            "Reunión con jefaturas intermedias",
            "internal",
            "managers",
            "meeting",
            -280,
            0,
            (-280, 38),
        ),
        (
            "Afiches del modelo en las oficinas",
            "internal",
            "contact_staff",
            "poster",
            -195,
            1,
            (-192, 9),
        ),
        (
            "Noticia en la web: nuestros compromisos",
            "external",
            "users",
            "web",
            -185,
            1,
            (-185, 5200),
        ),
        (
            "Boletín de intranet: avance del despliegue",
            "internal",
            "all_staff",
            "intranet",
            -70,
            2,
            None,
        ),
        ("Nota de prensa regional", "external", "media", "press", -55, 2, "cancelled"),
        (
            "Afiches en las sucursales de La Araucanía",
            "internal",
            "contact_staff",
            "poster",
            40,
            3,
            None,
        ),
        ("Redes sociales: publicamos nuestra carta", "external", "users", "social", 50, 3, None),
        ("Invitación a responder la encuesta", "external", "users", "email", 115, 4, None),
        ("Anuncio de la certificación", "external", "organisations", "web", 245, 5, None),
    ],
    "ca": [
        (
            "Presentació del projecte a tot el personal",
            "internal",
            "all_staff",
            "email",
            -290,
            0,
            (-288, 186),
        ),
        (
            "Reunió amb els comandaments intermedis",
            "internal",
            "managers",
            "meeting",
            -282,
            0,
            (-282, 17),
        ),
        ("Cartells del model a l'OAC", "internal", "contact_staff", "poster", -178, 1, (-176, 3)),
        (
            "Notícia al web: els nostres compromisos",
            "external",
            "users",
            "web",
            -170,
            1,
            (-170, 2300),
        ),
        (
            "Butlletí d'intranet: avenç del desplegament",
            "internal",
            "all_staff",
            "intranet",
            -45,
            2,
            None,
        ),
        ("Nota de premsa al diari local", "external", "media", "press", -35, 2, "cancelled"),
        ("Sessió informativa a Urbanisme", "internal", "contact_staff", "meeting", 55, 3, None),
        ("Xarxes socials: publiquem la carta", "external", "users", "social", 65, 3, None),
        ("Invitació a respondre l'enquesta", "external", "users", "email", 125, 4, None),
        ("Anunci de la certificació", "external", "organisations", "web", 245, 5, None),
    ],
}
TEXTS = {
    "es": {
        "objective": (
            "Desplegar el modelo de servicio en todas las direcciones regionales y sucursales, "
            "medir sus resultados y obtener la certificación de un organismo independiente."
        ),
        "sponsor_position": "Directora Nacional",
        "teams": [
            ("Comité directivo", TeamKind.STEERING, "Aprueba el plan y resuelve los obstáculos."),
            ("Equipo de calidad", TeamKind.QUALITY, "Diseña, despliega y mide el modelo."),
        ],
    },
    "ca": {
        "objective": (
            "Desplegar el model de servei a totes les oficines i serveis, mesurar-ne els "
            "resultats i obtenir la certificació d'un organisme independent."
        ),
        "sponsor_position": "Alcaldessa",
        "teams": [
            ("Comitè de direcció", TeamKind.STEERING, "Aprova el pla i resol els obstacles."),
            ("Equip de qualitat", TeamKind.QUALITY, "Dissenya, desplega i mesura el model."),
        ],
    },
}
# Sponsor and leader, then the members: (team index, username suffix, role).
SPONSOR, LEADER = "admin", "calidad"
MEMBERS: list[tuple[int, str, str]] = [
    (0, "admin", TeamRole.CHAIR),
    (0, "calidad", TeamRole.SECRETARY),
    (0, "jefe", TeamRole.MEMBER),
    (1, "calidad", TeamRole.CHAIR),
    (1, "jefe", TeamRole.MEMBER),
    (1, "oficial", TeamRole.MEMBER),
]
CATALAN_NAMES = {"calidad": "qualitat", "jefe": "cap", "oficial": "gestor"}


def load(context: dict[str, Any]) -> None:
    for organization in context["organizations"].values():
        if QualityProject.objects.filter(organization=organization).exists():
            continue
        _project(organization)


def _user(organization: Organization, suffix: str) -> User | None:
    prefix = "ca" if organization.language == "ca" else "es"
    username = "ct-" + CATALAN_NAMES.get(suffix, suffix) if prefix == "ca" else "cl-" + suffix
    return User.objects.filter(username=username).first()


def _project(organization: Organization) -> None:
    language = "ca" if organization.language == "ca" else "es"
    text = TEXTS[language]
    today = organization.today()

    def day(offset: int) -> dt.date:
        return today + dt.timedelta(days=offset)

    project = services.create_quality_project(
        organization,
        by=DEMO,
        objective=text["objective"],
        sponsor=_user(organization, SPONSOR),
        sponsor_position=text["sponsor_position"],
        leader=_user(organization, LEADER),
        starts_on=day(-320),
        ends_on=day(260),
    )
    teams = [
        services.add_project_team(project, by=DEMO, name=name, kind=kind, purpose=purpose)
        for name, kind, purpose in text["teams"]
    ]
    for index, suffix, role in MEMBERS:
        user = _user(organization, suffix)
        if user is not None:
            services.add_team_member(teams[index], by=DEMO, user=user, role=role)
    units = {u.code: u for u in Unit.objects.filter(organization=organization)}
    milestones = []
    for kind, title, code, planned, done in MILESTONES[language]:
        milestone = services.add_milestone(
            project,
            by=DEMO,
            kind=kind,
            title=title,
            unit=units.get(code) if code else None,
            planned_on=day(planned),
        )
        if done is not None:
            services.mark_milestone_done(milestone, by=DEMO, done_on=day(done))
        milestones.append(milestone)
    owner = _user(organization, LEADER)
    for title, direction, audience, channel, planned, n, outcome in MESSAGES[language]:
        item = services.add_communication_item(
            project,
            by=DEMO,
            title=title,
            direction=direction,
            audience=audience,
            channel=channel,
            planned_on=day(planned),
            milestone=milestones[n] if n is not None else None,
            owner=owner,
        )
        if outcome == "cancelled":
            services.cancel_communication_item(item, by=DEMO)
        elif outcome is not None:
            sent, reach = outcome
            services.mark_communication_sent(item, by=DEMO, sent_on=day(sent), reach=reach)
