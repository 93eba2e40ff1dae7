"""Demo procedure directory. A second Chilean institution joins the network (the Instituto
Nacional de Previsión de Ejemplo, with one unit, its services and a quality manager who logs in
as `inp-calidad`); the Chilean service publishes its own procedures and, under a front-office
agreement in force (served within 15 minutes for 80 % of visitors), serves the institution's
procedures at its branches' pensions queue. The Catalan council publishes four procedures of its
OAC. Everything is looked up by code first: loading twice adds nothing."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone

from compromiso.attention.models import (
    Branch,
    BranchProcedure,
    FrontOfficeAgreement,
    Procedure,
    Queue,
)
from compromiso.catalog import services as catalog_services
from compromiso.catalog.models import Channel, ChannelKind, Service
from compromiso.core.actors import DEMO
from compromiso.core.permissions import Role
from compromiso.organizations import services as organization_services
from compromiso.organizations.demo import _user
from compromiso.organizations.models import Membership, Organization, Unit, UnitKind

INSTITUTION = {
    "slug": "inpe",
    "name": "Instituto Nacional de Previsión de Ejemplo (demo)",
    "country": "CL",
    "subdivision": "RM",
    "time_zone": "America/Santiago",
    "language": "es",
    "jurisdiction": "cl_public",
    "office_opens_at": dt.time(9, 0),
    "office_closes_at": dt.time(17, 0),
}
INSTITUTION_UNIT = ("DAU", "Departamento de Atención de Usuarios")
INSTITUTION_LOGIN = ("inp-calidad", "Claudia", "Herrera Saavedra")
INSTITUTION_CHANNELS = [
    (ChannelKind.IN_PERSON, "Atención presencial (red de sucursales)"),
    (ChannelKind.WEB, "Sitio web"),
    (ChannelKind.PHONE, "Línea previsional"),
    (ChannelKind.EMAIL, "Correo electrónico"),
    (ChannelKind.KIOSK, "Tótem de autoatención"),
    (ChannelKind.SOCIAL, "Redes sociales"),
    (ChannelKind.POST, "Correo postal"),
]
# (code, name, description, channel kinds)
INSTITUTION_SERVICES = [
    (
        "PEN",
        "Pensiones",
        "Solicitud y pago de pensiones del pilar solidario.",
        ("in_person", "web"),
    ),
    (
        "BEN",
        "Bonos y beneficios",
        "Bonos, asignaciones y beneficios sociales.",
        ("in_person", "web"),
    ),
    ("CER", "Certificados previsionales", "Certificados de pensión y de pagos.", ("web", "kiosk")),
]
ATTRIBUTES = [
    {"name": "Rapidez en la atención", "dimension": "responsiveness"},
    {"name": "Claridad de la información", "dimension": "assurance"},
    {"name": "Cumplimiento de lo prometido", "dimension": "reliability"},
]


@dataclass(frozen=True)
class ProcedureSpec:
    code: str
    name: str
    service: str
    summary: str
    who_may: str
    requirements: str
    cost: str
    how_and_where: str
    keywords: str
    queue: str  # the letter of the queue that serves it at the branches
    channels: tuple[str, ...] = ("in_person", "web")


def _p(*fields: str, channels: tuple[str, ...] = ("in_person", "web")) -> ProcedureSpec:
    code, name, service, summary, who_may, requirements, cost, how_and_where, keywords, queue = (
        fields
    )
    return ProcedureSpec(
        code,
        name,
        service,
        summary,
        who_may,
        requirements,
        cost,
        how_and_where,
        keywords,
        queue,
        channels,
    )


SNTC_WHERE = (
    "En línea con ClaveÚnica, en cualquier sucursal (Arica, Santiago Centro, Maipú, Temuco) "
    "de lunes a viernes de 8:30 a 14:00, o en los tótems de autoatención."
)
SNTC_PROCEDURES = [
    _p(
        "CERT-ANT",
        "Certificado de antecedentes",
        "CERT",
        "Documento que informa si una persona registra anotaciones penales.",
        "Cualquier persona con RUN, para sí misma.",
        "Cédula de identidad vigente.",
        "Gratuito",
        SNTC_WHERE,
        "antecedentes, papel de antecedentes, récord",
        "B",
        channels=("in_person", "web", "kiosk"),
    ),
    _p(
        "CERT-NAC",
        "Certificado de nacimiento",
        "CERT",
        "Certificado de nacimiento para todo trámite o para asignación familiar.",
        "Cualquier persona, de sí misma o de un tercero.",
        "RUN de la persona inscrita.",
        "Gratuito",
        SNTC_WHERE,
        "partida de nacimiento",
        "B",
        channels=("in_person", "web", "kiosk"),
    ),
    _p(
        "CLAVE",
        "Obtener o recuperar la ClaveÚnica",
        "INFO",
        "Contraseña única para hacer trámites del Estado en línea.",
        "Personas mayores de 14 años con RUN.",
        "Cédula de identidad vigente; correo electrónico o teléfono móvil.",
        "Gratuito",
        "Presencialmente en cualquier sucursal (la primera vez) o en línea si ya tiene una.",
        "clave única, contraseña, activar clave",
        "A",
    ),
    _p(
        "INSC-REG",
        "Inscripción en el registro nacional",
        "INSC",
        "Inscribir por primera vez una persona o un hecho en el registro nacional.",
        "La persona interesada o su representante con poder simple.",
        "Cédula de identidad; documentos que acrediten el hecho a inscribir.",
        "$3.200",
        SNTC_WHERE,
        "registro, inscribir, inscripción",
        "A",
    ),
    _p(
        "MOD-DOM",
        "Cambio de domicilio en el registro",
        "INSC",
        "Actualizar el domicilio registrado.",
        "La persona inscrita.",
        "Cédula de identidad; comprobante de domicilio.",
        "Gratuito",
        SNTC_WHERE,
        "dirección, domicilio, cambio de dirección",
        "A",
    ),
    _p(
        "DEV-PAGO",
        "Devolución de aranceles pagados",
        "PAGO",
        "Solicitar la devolución de un arancel pagado dos veces o por un trámite no realizado.",
        "Quien pagó el arancel.",
        "Comprobante de pago; cuenta bancaria a su nombre.",
        "Gratuito",
        SNTC_WHERE,
        "reembolso, devolución, pago duplicado",
        "B",
    ),
    _p(
        "OIRS",
        "Reclamos, sugerencias y felicitaciones (OIRS)",
        "OIRS",
        "Presentar un reclamo, una sugerencia o una felicitación sobre la atención recibida.",
        "Cualquier persona.",
        "Ninguno.",
        "Gratuito",
        "En línea, por teléfono, por correo o en la OIRS de la sucursal de Arica.",
        "reclamo, queja, sugerencia, felicitación",
        "A",
        channels=("in_person", "web", "phone", "email"),
    ),
]
INSTITUTION_WHERE = (
    "En línea en el sitio del Instituto o en las sucursales del Servicio Nacional de Trámites "
    "Ciudadanos (fila «Pensiones y beneficios»), de lunes a viernes de 8:30 a 14:00."
)
INSTITUTION_PROCEDURES = [
    _p(
        "PGU",
        "Pensión Garantizada Universal",
        "PEN",
        "Pensión mensual para personas de 65 años o más que cumplen los requisitos.",
        "Personas de 65 años o más, no pertenecientes al 10 % más rico, con 20 años de "
        "residencia en Chile.",
        "Cédula de identidad vigente.",
        "Gratuito",
        INSTITUTION_WHERE,
        "pensión, PGU, vejez, jubilación",
        "C",
    ),
    _p(
        "INV",
        "Pensión de invalidez",
        "PEN",
        "Pensión para personas declaradas inválidas por la comisión médica.",
        "Personas de 18 a 64 años con dictamen de invalidez.",
        "Cédula de identidad; dictamen de la comisión médica.",
        "Gratuito",
        INSTITUTION_WHERE,
        "invalidez, discapacidad, pensión",
        "C",
    ),
    _p(
        "BONO-HIJO",
        "Bono por hijo para mujeres",
        "BEN",
        "Aumento de la pensión de las mujeres por cada hijo nacido vivo o adoptado.",
        "Mujeres de 65 años o más con pensión.",
        "Cédula de identidad; certificados de nacimiento de los hijos.",
        "Gratuito",
        INSTITUTION_WHERE,
        "bono por hijo, maternidad",
        "C",
    ),
    _p(
        "ASIG-FAM",
        "Asignación familiar",
        "BEN",
        "Pago mensual por cada carga familiar acreditada.",
        "Trabajadores y pensionados con cargas familiares.",
        "Cédula de identidad; certificado de nacimiento o matrimonio de la carga.",
        "Gratuito",
        INSTITUTION_WHERE,
        "cargas familiares, asignación",
        "C",
    ),
    _p(
        "CERT-PEN",
        "Certificado de pensión",
        "CER",
        "Certificado con el monto de la pensión y los pagos del año.",
        "Pensionados del Instituto.",
        "Cédula de identidad vigente.",
        "Gratuito",
        INSTITUTION_WHERE,
        "liquidación de pensión, certificado de pago",
        "B",
        channels=("in_person", "web", "kiosk"),
    ),
]
CATALAN_WHERE = (
    "A l'OAC (plaça de la Vila, 1), de dilluns a divendres de 8:30 a 14:00 i dijous de 16:00 "
    "a 19:00, o a la seu electrònica."
)
CATALAN_PROCEDURES = [
    _p(
        "EMPAD",
        "Empadronament",
        "PAD",
        "Alta al padró municipal d'habitants o canvi de domicili dins del municipi.",
        "Qualsevol persona que visqui al municipi.",
        "DNI, NIE o passaport; contracte de lloguer, escriptura o autorització de la persona "
        "titular de l'habitatge.",
        "Gratuït",
        CATALAN_WHERE,
        "padró, alta, canvi de domicili",
        "P",
    ),
    _p(
        "VOLANT",
        "Volant de convivència",
        "PAD",
        "Document que acredita les persones empadronades en un mateix domicili.",
        "Les persones empadronades o qui en tingui autorització.",
        "DNI o NIE.",
        "Gratuït",
        CATALAN_WHERE,
        "certificat de convivència, volant",
        "P",
        channels=("in_person", "web", "kiosk"),
    ),
    _p(
        "REG-ENT",
        "Registre d'entrada de documents",
        "INF",
        "Presentar sol·licituds, instàncies i documents adreçats a qualsevol administració.",
        "Qualsevol persona.",
        "Document d'identitat; la documentació a presentar.",
        "Gratuït",
        CATALAN_WHERE,
        "instància, registre, presentar documents",
        "R",
    ),
    _p(
        "TAP",
        "Targeta d'aparcament per a persones amb discapacitat",
        "AJS",
        "Targeta que permet aparcar a les places reservades.",
        "Persones amb mobilitat reduïda o discapacitat visual reconeguda.",
        "DNI; dictamen de discapacitat; fotografia.",
        "Gratuït",
        CATALAN_WHERE,
        "aparcament, discapacitat, targeta",
        "R",
    ),
]
BASE_URL = {
    "sntc": "https://tramites.example.org/sntc/",
    "inpe": "https://prevision.example.org/tramites/",
    "sant-pere-de-riu": "https://seu.example.org/sant-pere-de-riu/",
}


def load(context: dict[str, Any]) -> None:
    chile: Organization = context["organizations"]["sntc"]
    institution = _institution(context)
    own = _procedures(chile, SNTC_PROCEDURES, "sntc")
    theirs = _procedures(institution, INSTITUTION_PROCEDURES, "inpe")
    agreement = _agreement(chile, institution, list(theirs.values()))
    catalan = _procedures(
        context["organizations"]["sant-pere-de-riu"], CATALAN_PROCEDURES, "sant-pere-de-riu"
    )
    branches: dict[str, dict[str, Branch]] = context["attention_branches"]
    for branch in branches["sntc"].values():
        _serve(branch, SNTC_PROCEDURES, own)
        _serve(branch, INSTITUTION_PROCEDURES, theirs)
    for branch in branches["sant-pere-de-riu"].values():
        _serve(branch, CATALAN_PROCEDURES, catalan)
    context["attention_institution"] = institution
    context["attention_agreement"] = agreement
    context["attention_procedures"] = {"sntc": own, "inpe": theirs, "sant-pere-de-riu": catalan}


def _institution(context: dict[str, Any]) -> Organization:
    organization = Organization.objects.filter(slug=INSTITUTION["slug"]).first()
    if organization is None:
        organization = organization_services.create_organization(by=DEMO, **INSTITUTION)
    code, name = INSTITUTION_UNIT
    unit = Unit.objects.filter(organization=organization, code=code).first()
    if unit is None:
        unit = organization_services.create_unit(
            organization=organization, name=name, kind=UnitKind.AREA, code=code, by=DEMO
        )
    channels = {c.kind: c for c in Channel.objects.filter(organization=organization)}
    for kind, channel_name in INSTITUTION_CHANNELS:
        if kind not in channels:
            channels[kind] = catalog_services.create_channel(
                organization=organization, kind=kind, name=channel_name, by=DEMO
            )
    existing = set(Service.objects.filter(organization=organization).values_list("code", flat=True))
    for service_code, service_name, description, kinds in INSTITUTION_SERVICES:
        if service_code not in existing:
            catalog_services.create_service(
                organization=organization,
                code=service_code,
                name=service_name,
                description=description,
                provider_unit=unit,
                channels=[channels[k] for k in kinds],
                attributes=ATTRIBUTES,
                by=DEMO,
            )
    for kind, point_name in (
        (ChannelKind.WEB, "Sitio web del Instituto"),
        (ChannelKind.PHONE, "Línea previsional 600 000 0000"),
    ):
        if not unit.touch_points.filter(name=point_name).exists():
            catalog_services.create_touch_point(
                organization=organization,
                unit=unit,
                channel=channels[kind],
                name=point_name,
                opening_hours="Lun–Vie 09:00–17:00" if kind == ChannelKind.PHONE else "24/7",
                by=DEMO,
            )
    username, first, last = INSTITUTION_LOGIN
    user = _user(username, first, last, "es", context["password_hash"])
    if not Membership.objects.filter(
        user=user, organization=organization, role=Role.QUALITY_MANAGER
    ).exists():
        organization_services.add_membership(
            organization=organization, user=user, role=Role.QUALITY_MANAGER, by=DEMO
        )
    context["logins"].append(
        (organization.name, username, Role(Role.QUALITY_MANAGER).label, organization.name)
    )
    return organization


def _procedures(
    organization: Organization, specs: list[ProcedureSpec], slug: str
) -> dict[str, Procedure]:
    found = {p.code: p for p in Procedure.objects.filter(organization=organization)}
    services = {s.code: s for s in Service.objects.filter(organization=organization)}
    channels = {c.kind: c for c in Channel.objects.filter(organization=organization)}
    for spec in specs:
        if spec.code in found:
            continue
        procedure = Procedure.objects.create(
            organization=organization,
            service=services.get(spec.service),
            code=spec.code,
            name=spec.name,
            summary=spec.summary,
            who_may=spec.who_may,
            requirements=spec.requirements,
            cost=spec.cost,
            how_and_where=spec.how_and_where,
            online_url=f"{BASE_URL[slug]}{spec.code.lower()}",
            keywords=spec.keywords,
            is_published=True,
        )
        procedure.channels.set([channels[k] for k in spec.channels if k in channels])
        found[spec.code] = procedure
    return found


def _agreement(
    front_office: Organization, institution: Organization, procedures: list[Procedure]
) -> FrontOfficeAgreement:
    agreement = FrontOfficeAgreement.objects.filter(
        front_office=front_office, institution=institution
    ).first()
    if agreement is None:
        agreement = FrontOfficeAgreement.objects.create(
            front_office=front_office,
            institution=institution,
            reference="Convenio de colaboración N.º 14",
            valid_from=dt.date(timezone.localdate().year - 1, 1, 1),
            target_within_minutes=15,
            target_share=Decimal("80"),
            notes="Atención de los trámites de pensiones y beneficios en las sucursales.",
        )
        agreement.procedures.set(procedures)
    return agreement


def _serve(branch: Branch, specs: list[ProcedureSpec], procedures: dict[str, Procedure]) -> None:
    queues = {q.letter: q for q in Queue.objects.filter(branch=branch)}
    served = set(BranchProcedure.objects.filter(branch=branch).values_list("procedure", flat=True))
    BranchProcedure.objects.bulk_create(
        [
            BranchProcedure(branch=branch, procedure=procedures[s.code], queue=queues[s.queue])
            for s in specs
            if procedures[s.code].pk not in served and s.queue in queues
        ]
    )
