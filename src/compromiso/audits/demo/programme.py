"""Demo: each organisation's audit programme of the year, approved and in execution; two
proposals — one accepted, its need shown by a breached charter commitment and the rising
complaint cause of waiting, the other submitted (an equity gap between offices); the audit born
of the accepted one (AUD-<year>-01, internal, a branch's touch points and the charter in scope,
led by the organisation's auditor with the self-check and declarations answered, the agreement
signed by both sides) at the reporting stage; a planned follow-up audit; and, on the Catalan
audit, the Chilean auditor as a peer from the network with a time-limited access.

Every step acts as the organisation's own staff through the services, so the audit log reads as
it would in use. Loading twice changes nothing: an organisation whose programme exists is
skipped (its rows are only put in the context for the demos that build on them)."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from compromiso.audits import services
from compromiso.audits.models import (
    SELF_CHECK_QUESTIONS,
    Audit,
    AuditAccess,
    AuditKind,
    AuditProgramme,
    NeedReason,
    ServiceKind,
)
from compromiso.cases.models import RootCause
from compromiso.catalog.models import TouchPoint
from compromiso.charters.models import Charter, CharterStatus, Commitment, Compliance
from compromiso.core.permissions import Role
from compromiso.organizations.models import Membership, Organization, Unit, User


@dataclass(frozen=True)
class Texts:
    programme: str
    objectives: str
    extent: str
    risks: str
    resources: str
    accepted: str
    need: str
    supporters: str
    submitted: str
    submitted_need: str
    scope: str
    criteria: str
    methods: str
    agreement_scope: str
    agreement_access: str
    agreement_publication: str
    competence: str
    places: str


TEXTS = {
    "es": Texts(
        programme="Programa de auditorías de servicio {year}",
        objectives=(
            "Comprobar que cada compromiso de la carta se cumple en cada punto de contacto, "
            "que las quejas se responden a tiempo y que las mejoras acordadas funcionan."
        ),
        extent="Dos auditorías internas y una de seguimiento; sucursales de mayor demanda.",
        risks="Carga de atención en temporada alta; rotación del personal de sucursal.",
        resources="Auditora interna, jefe de calidad y una persona par de la red.",
        accepted="Atención presencial en la Sucursal Arica",
        need=(
            "El plazo de respuesta de la carta no se cumple desde hace varios meses y las "
            "quejas por tiempo de espera aumentan en la región."
        ),
        supporters="Dirección Regional de Arica y Parinacota; consejo de la sociedad civil.",
        submitted="Equidad de la atención entre sucursales",
        submitted_need="Los tiempos de respuesta difieren entre regiones.",
        scope="Mesón y tótem de la Sucursal Arica, trámites presenciales del periodo.",
        criteria="Carta de servicios vigente, protocolo de atención presencial, Ley 19.880.",
        methods="Observación en mesón, revisión de una muestra de casos, entrevistas.",
        agreement_scope="Mesón y tótem de la Sucursal Arica; casos del semestre.",
        agreement_access="Acceso al mesón en horario de atención y a los expedientes.",
        agreement_publication="Resumen de hallazgos y plan de mejora en el sitio web.",
        competence="Auditora interna formada en ISO 19011; cinco años en atención ciudadana.",
        places="Sucursal Arica, 21 de Mayo 345, Arica.",
    ),
    "ca": Texts(
        programme="Programa d'auditories de servei {year}",
        objectives=(
            "Comprovar que cada compromís de la carta es compleix a cada punt de contacte, "
            "que les queixes es responen a temps i que les millores acordades funcionen."
        ),
        extent="Dues auditories internes i una de seguiment; l'OAC i els canals remots.",
        risks="Càrrega d'atenció a l'estiu; canvis de personal a l'OAC.",
        resources="Auditora interna, cap de qualitat i una persona parella de la xarxa.",
        accepted="Atenció a l'Oficina d'Atenció Ciutadana",
        need=(
            "El termini de resposta de la carta no es compleix des de fa mesos i creixen les "
            "queixes pel temps d'espera."
        ),
        supporters="Regidoria de Bon Govern; consell de participació ciutadana.",
        submitted="Equitat de l'atenció entre serveis",
        submitted_need="Els temps de resposta d'Urbanisme són molt més llargs que els de l'OAC.",
        scope="Taulell, punt d'autoservei i telèfon 010 de l'OAC; casos del semestre.",
        criteria="Carta de serveis vigent, protocol d'atenció presencial, Llei 19/2014.",
        methods="Observació al taulell, revisió d'una mostra de casos, entrevistes.",
        agreement_scope="Taulell, autoservei i 010 de l'OAC; casos del semestre.",
        agreement_access="Accés al taulell en horari d'atenció i als expedients.",
        agreement_publication="Resum de les troballes i pla de millora al web municipal.",
        competence="Auditora interna formada en ISO 19011; sis anys a l'OAC.",
        places="OAC, Plaça de la Vila, 1, Sant Pere de Riu.",
    ),
}

# (unit code of the audited branch, touch point names in scope, waiting cause code)
SCOPE = {
    "sntc": ("S-ARI", None, "TIE"),
    "sant-pere-de-riu": (
        "OAC",
        ["Taulell de l'OAC", "Punt d'autoservei del vestíbul", "Telèfon 010"],
        "TEM",
    ),
}
PEER_FROM = {"sant-pere-de-riu": "sntc"}  # the audit on the left gets a peer from the right


def load(context: dict[str, Any]) -> None:
    organizations: dict[str, Organization] = context["organizations"]
    audits = context.setdefault("audits", {})
    programmes = context.setdefault("audit_programmes", {})
    today_year = timezone.localdate().year
    for slug, organization in organizations.items():
        if slug not in SCOPE:
            continue
        texts = TEXTS["ca" if organization.language == "ca" else "es"]
        title = texts.programme.format(year=today_year)
        programme = AuditProgramme.objects.filter(organization=organization, title=title).first()
        if programme is None:
            programme = _generate(organization, slug, texts, title, context["units"][slug])
        programmes[slug] = programme
        audits[slug] = (
            Audit.objects.filter(programme=programme, kind=AuditKind.INTERNAL)
            .order_by("pk")
            .first()
        )
    for audited, peer_slug in PEER_FROM.items():
        audit = audits.get(audited)
        if audit is not None and peer_slug in organizations:
            _peer(audit, organizations[peer_slug])


def _member(organization: Organization, role: str, unit: Unit | None = None) -> User:
    memberships = Membership.objects.filter(organization=organization, role=role)
    if unit is not None:
        memberships = memberships.filter(unit=unit)
    found = memberships.select_related("user").order_by("pk").first()
    if found is None:
        raise LookupError(f"the demo has no {role} in {organization.slug}")
    return found.user


def _answerer(organization: Organization, branch: Unit) -> User:
    """Who signs for the audited side: the head of the branch or of a unit above it, else the
    quality manager."""
    for membership in Membership.objects.filter(
        organization=organization, role=Role.UNIT_HEAD
    ).select_related("unit", "user"):
        if membership.unit is not None and branch.path.startswith(membership.unit.path):
            return membership.user
    return _member(organization, Role.QUALITY_MANAGER)


def _breached(organization: Organization) -> Commitment | None:
    commitments = Commitment.objects.filter(
        charter__organization=organization, charter__status=CharterStatus.PUBLISHED
    ).order_by("charter_id", "order", "pk")
    latest_not_met = [
        c
        for c in commitments
        if (latest := c.measurements.order_by("-period_start").first()) is not None
        and latest.compliance == Compliance.NOT_MET
    ]
    if latest_not_met:
        return latest_not_met[0]
    return (
        commitments.filter(measurements__compliance=Compliance.NOT_MET).distinct().first()
        or commitments.first()
    )


def _generate(
    organization: Organization, slug: str, texts: Texts, title: str, units: dict[str, Unit]
) -> AuditProgramme:
    quality = _member(organization, Role.QUALITY_MANAGER)
    auditor = _member(organization, Role.AUDITOR)
    today = organization.today()
    code, point_names, cause_code = SCOPE[slug]
    branch = units[code]
    programme = services.create_programme(
        organization,
        by=quality,
        title=title,
        period_start=dt.date(today.year, 1, 1),
        period_end=dt.date(today.year, 12, 31),
        objectives=texts.objectives,
        extent=texts.extent,
        risks=texts.risks,
        resources=texts.resources,
        budget_amount=8000 if slug == "sntc" else 6000,
        person_days=24,
        cycle_months=24,
        manager=quality,
    )
    services.approve_programme(programme, by=quality)
    services.start_programme(programme, by=quality)

    charters = list(Charter.objects.filter(organization=organization, status="published"))
    covered = [s for charter in charters for s in charter.services.all()]
    branch_services = [s for s in covered if s.provider_unit.path.startswith(branch.path)]
    points = TouchPoint.objects.filter(organization=organization, unit=branch, is_active=True)
    if point_names:
        points = points.filter(name__in=point_names)
    accepted = services.create_proposal(
        organization,
        by=auditor,
        title=texts.accepted,
        programme=programme,
        reasons=[NeedReason.USERS_INTERESTS, NeedReason.FUNDED_SERVICES],
        need=texts.need,
        service_kind=ServiceKind.FUNDED,
        supporters=texts.supporters,
        budget_amount=3500,
        person_days=10,
        services=(branch_services or covered)[:3],
    )
    commitment = _breached(organization)
    if commitment is not None:
        services.add_need_signal(
            accepted, by=auditor, kind="commitment", commitment=commitment, note=""
        )
    cause = RootCause.objects.filter(organization=organization, code=cause_code).first()
    if cause is not None:
        services.add_need_signal(
            accepted, by=auditor, kind="complaint_cause", root_cause=cause, note=""
        )
    services.submit_proposal(accepted, by=auditor)
    audit = services.accept_proposal(
        accepted,
        by=quality,
        programme=programme,
        planned_start=today - dt.timedelta(days=30),
        planned_end=today - dt.timedelta(days=19),
        note="",
        unit=branch,
        charters=charters,
        touch_points=list(points[:3]),
        scope=texts.scope,
        criteria=texts.criteria,
        methods=texts.methods,
        places=texts.places,
    )
    services.update_audit(
        audit,
        by=quality,
        actual_start=today - dt.timedelta(days=30),
        actual_end=today - dt.timedelta(days=19),
        person_days_actual=9,
    )
    member = services.add_team_member(
        audit, by=quality, user=auditor, role="lead", competence=texts.competence
    )
    services.declare(
        member,
        by=auditor,
        self_check={key: (True, "") for key, _question in SELF_CHECK_QUESTIONS},
        independent=True,
        conflicts="",
        competence=texts.competence,
    )
    answerer = _answerer(organization, branch)
    services.save_agreement(
        audit,
        by=auditor,
        scope=texts.agreement_scope,
        criteria=texts.criteria,
        dates=f"{audit.planned_start:%Y-%m-%d} – {audit.planned_end:%Y-%m-%d}",
        access=texts.agreement_access,
        publication=texts.agreement_publication,
    )
    services.sign_agreement(audit, by=auditor, side="auditor")
    services.sign_agreement(audit, by=answerer, side="auditee")
    for step in ("agree", "start", "report"):
        audit = services.move_audit(audit, step, by=quality)

    submitted = services.create_proposal(
        organization,
        by=quality,
        title=texts.submitted,
        programme=programme,
        reasons=[NeedReason.EQUITY],
        need=texts.submitted_need,
        service_kind=ServiceKind.REGULATED,
        supporters="",
        services=covered[-2:],
    )
    services.add_need_signal(submitted, by=quality, kind="equity_gap", unit=branch, note="")
    services.submit_proposal(submitted, by=quality)

    services.schedule_follow_up_audit(
        audit,
        by=quality,
        planned_start=today + dt.timedelta(days=90),
        planned_end=today + dt.timedelta(days=94),
    )
    return programme


def _peer(audit: Audit, home: Organization) -> None:
    """The other organisation's auditor joins the audit as a peer from the network, with an
    access for the audit's remaining months."""
    if not audit.is_open:
        return
    peer = _member(home, Role.AUDITOR)
    if AuditAccess.objects.filter(audit=audit, user=peer).exists():
        return
    quality = _member(audit.organization, Role.QUALITY_MANAGER)
    now = timezone.now()
    services.grant_access(
        audit,
        by=quality,
        user=peer,
        valid_from=now - dt.timedelta(days=35),
        valid_until=now + dt.timedelta(days=120),
        role="auditor",
    )
    member = audit.team.get(user=peer)
    services.declare(
        member,
        by=peer,
        self_check={key: (True, "") for key, _question in SELF_CHECK_QUESTIONS},
        independent=True,
        conflicts="",
        competence="",
    )
