"""Demo of the quality seal (idempotent; runs after the other audit demos, whose checklist
answers and evidence the verification matrix reads).

The Chilean service installs both shipped frameworks, assesses itself against the one derived
from the service-quality model (most elements rated, in a fixed pattern, a few at touch points,
some with audit evidence), and holds a certificate granted this year by a (fictitious)
certification body after its initial assessment. The Catalan council has installed the same
framework and its self-assessment is in progress."""

import datetime as dt
from typing import Any

from compromiso.audits import services
from compromiso.audits.frameworks import CSE, SEAL
from compromiso.audits.models import (
    Certificate,
    CertificationBody,
    ElementRating,
    Evidence,
    Framework,
    FrameworkNode,
    Rating,
    ReviewStatus,
    SelfAssessment,
)
from compromiso.catalog.models import TouchPoint
from compromiso.charters.models import Charter, CharterStatus
from compromiso.core.actors import DEMO, Actor
from compromiso.organizations.models import Membership, Organization

# The pattern the Chilean ratings follow, element after element.
PATTERN = (
    Rating.FULL,
    Rating.FULL,
    Rating.COMPLIANCE_PLUS,
    Rating.PARTIAL,
    Rating.FULL,
    Rating.FULL,
    Rating.NON_COMPLIANCE,
    Rating.FULL,
    Rating.COMPLIANCE_PLUS,
    Rating.PARTIAL,
)
UNRATED_AT_THE_END = 3

NOTES = {
    "es": {
        "1": "Revisado el modelo de servicio vigente y las confirmaciones de lectura del personal.",
        "2": "Revisadas las observaciones de protocolo en sucursales, call center y web.",
        "3": "Revisada la matriz de verificación y los resultados publicados de la carta.",
        "4": "Revisadas las acciones de mejora en curso y la comprobación de su efecto.",
        "5": "Revisada la cobertura de formación por punto de contacto y la cascada de formadores.",
        "6": "Revisado el plan de comunicación y la estructura del proyecto.",
    },
    "ca": {
        "1": "Revisat el model de servei vigent i les confirmacions de lectura del personal.",
        "2": "Revisades les observacions de protocol a l'OAC, al telèfon i al web.",
        "3": "Revisada la matriu de verificació i els resultats publicats de la carta.",
        "4": "Revisades les accions de millora en curs i la comprovació del seu efecte.",
        "5": "Revisada la cobertura de formació per punt de contacte.",
        "6": "Revisat el pla de comunicació i l'estructura del projecte.",
    },
}


def load(context: dict[str, Any]) -> None:
    organizations: dict[str, Organization] = context.get("organizations", {})
    if "sntc" in organizations:
        _chile(organizations["sntc"])
    if "sant-pere-de-riu" in organizations:
        _catalonia(organizations["sant-pere-de-riu"])


def _member(organization: Organization, role: str) -> Actor:
    membership = (
        Membership.objects.filter(organization=organization, role=role, unit__isnull=True)
        .select_related("user")
        .first()
    )
    return membership.user if membership else DEMO


def _assessment(
    organization: Organization, framework: Framework, title: str, by: Actor
) -> SelfAssessment:
    existing = SelfAssessment.objects.filter(organization=organization, title=title).first()
    if existing is not None:
        return existing
    today = organization.today()
    return services.create_self_assessment(
        organization,
        by=by,
        framework=framework,
        title=title,
        started=today - dt.timedelta(days=45),
        cycle_start=today.replace(year=today.year - 1) + dt.timedelta(days=1),
        cycle_end=today,
    )


def _rate(
    assessment: SelfAssessment, *, by: Actor, how_many: int | None = None
) -> list[FrameworkNode]:
    """Rate the elements in order with the fixed pattern; leave the last ones unrated."""
    elements = list(
        FrameworkNode.objects.filter(framework=assessment.framework, assessable=True).order_by(
            "order", "pk"
        )
    )
    chosen = elements[: how_many if how_many is not None else len(elements) - UNRATED_AT_THE_END]
    notes = NOTES.get(assessment.organization.language, NOTES["es"])
    for number, element in enumerate(chosen):
        services.rate_element(
            assessment,
            element,
            by=by,
            rating=PATTERN[number % len(PATTERN)],
            note=notes.get(element.ref.split(".")[0], ""),
        )
    return elements


def _chile(organization: Organization) -> None:
    quality = _member(organization, "quality_manager")
    auditor = _member(organization, "auditor")
    framework = services.install_framework(organization, SEAL.code, by=quality)
    services.install_framework(organization, CSE.code, by=quality)
    assessment = _assessment(
        organization, framework, "Autoevaluación para el sello de calidad", quality
    )
    if not ElementRating.objects.filter(assessment=assessment).exists():
        _rate(assessment, by=auditor)
        _at_touch_points(assessment, by=auditor)
        _with_evidence(assessment, by=auditor)
    _certificate(organization, framework, assessment, quality)


def _at_touch_points(assessment: SelfAssessment, *, by: Actor) -> None:
    """ "Protocols applied at every touch point", rated at three counters."""
    element = FrameworkNode.objects.get(framework=assessment.framework, ref="2.2.1")
    counters = TouchPoint.objects.filter(
        organization=assessment.organization, is_active=True, channel__kind="in_person"
    ).order_by("unit__path", "name")[:3]
    for point, rating in zip(
        counters, (Rating.FULL, Rating.PARTIAL, Rating.COMPLIANCE_PLUS), strict=False
    ):
        services.rate_element(
            assessment,
            element,
            by=by,
            rating=rating,
            touch_point=point,
            note="Observación del protocolo de atención presencial en la sucursal.",
        )


def _with_evidence(assessment: SelfAssessment, *, by: Actor) -> None:
    """ "Each commitment verified where it applies", with the approved evidence of the audits."""
    pieces = list(
        Evidence.objects.filter(
            audit__organization=assessment.organization,
            review_status=ReviewStatus.APPROVED,
            commitment__isnull=False,
        ).order_by("taken_at", "pk")[:3]
    )
    if not pieces:
        return
    element = FrameworkNode.objects.get(framework=assessment.framework, ref="3.2.1")
    current = ElementRating.objects.get(
        assessment=assessment, node=element, touch_point__isnull=True
    )
    services.rate_element(
        assessment,
        element,
        by=by,
        rating=current.rating,
        note=current.note,
        evidence=pieces,
    )


def _certificate(
    organization: Organization,
    framework: Framework,
    assessment: SelfAssessment,
    quality: Actor,
) -> None:
    if Certificate.objects.filter(organization=organization, framework=framework).exists():
        return
    body = CertificationBody.objects.filter(organization=organization).first()
    if body is None:
        body = services.save_certification_body(
            organization,
            by=quality,
            name="Certificadora Andina de Calidad de Servicio (ficticia)",
            accreditation="Acreditación OC-000 (datos de demostración)",
        )
    covered = {
        service
        for charter in Charter.objects.filter(
            organization=organization, status=CharterStatus.PUBLISHED
        ).prefetch_related("services")
        for service in charter.services.all()
    }
    certificate = services.create_certificate(
        organization,
        by=quality,
        framework=framework,
        body=body,
        assessment=assessment,
        scope=(
            "Atención de público presencial, telefónica y digital de los servicios de la carta "
            "de servicios vigente, en todas las sucursales del país."
        ),
        services=sorted(covered, key=lambda s: s.code),
    )
    today = organization.today()
    issued_on = today - dt.timedelta(days=50)
    services.record_review(
        certificate,
        by=quality,
        kind="initial",
        date=issued_on - dt.timedelta(days=10),
        result="conditions",
        assessor="Equipo evaluador de la certificadora",
        notes=(
            "Se confirma la conformidad con el marco. Quedan cumplimientos parciales por cerrar "
            "en formación de formadores y en la verificación de compromisos en sucursales "
            "regionales; la organización presentó su plan de acción."
        ),
        ratings={"3.2.1": Rating.PARTIAL, "2.2.1": Rating.FULL, "1.1.1": Rating.COMPLIANCE_PLUS},
    )
    services.grant_certificate(
        certificate, by=quality, issued_on=issued_on, number=f"SNTC-{issued_on.year}-0001"
    )


def _catalonia(organization: Organization) -> None:
    quality = _member(organization, "quality_manager")
    auditor = _member(organization, "auditor")
    framework = services.install_framework(organization, SEAL.code, by=quality)
    assessment = _assessment(
        organization, framework, "Autoavaluació per al segell de qualitat", quality
    )
    if not ElementRating.objects.filter(assessment=assessment).exists():
        _rate(assessment, by=auditor, how_many=9)
