"""Demo: a published charter for each demo organisation — the Chilean service's carta de
servicios and the Catalan council's carta de serveis, written in Catalan under its profile —
with about fifteen commitments over the demo cases, survey responses, branch visits and calls, a
manual one with approved results, and a year of measurements computed from them. Loading twice
adds nothing."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from compromiso.catalog.models import Channel, Service
from compromiso.charters import periods, services
from compromiso.charters.models import Charter, Compliance, Measurement
from compromiso.core.actors import DEMO, Actor
from compromiso.organizations.models import Membership, Organization

SECTIONS = {
    "es": {
        "identity": (
            "El Servicio Nacional de Trámites Ciudadanos emite certificados, mantiene el registro "
            "nacional y orienta a las personas en sus trámites, en sucursales, en línea y por "
            "teléfono. Gestionamos la calidad con esta carta, la medición de satisfacción y el "
            "sistema de reclamos (OIRS)."
        ),
        "managers": "Dirección Nacional y División de Atención Ciudadana (OIRS).",
        "law": (
            "Ley 19.880 de procedimiento administrativo; Ley 20.285 de acceso a la información "
            "pública; Ley 19.628 de protección de la vida privada."
        ),
        "rights": (
            "Recibir un trato amable y respetuoso; obtener información clara; conocer el estado "
            "de su trámite; presentar reclamos y sugerencias y recibir respuesta fundada.\n"
            "Deberes: entregar información veraz, respetar al personal y las instalaciones."
        ),
        "participation": "Consejo de la Sociedad Civil y encuestas de satisfacción anuales.",
        "complaints": (
            "Reclamos, sugerencias y felicitaciones en cualquier sucursal, en el sitio web, en el "
            "call center 600 y por correo electrónico. Con su código de seguimiento puede ver el "
            "estado en línea."
        ),
        "redress": (
            "Si no cumplimos un compromiso, le ofreceremos una disculpa formal, una explicación de "
            "lo ocurrido y, cuando corresponda, atención preferente o la devolución del arancel."
        ),
        "complementary": (
            "Sucursales de Arica, Putre, Santiago Centro, Maipú, Puente Alto, La Florida, Temuco "
            "y Villarrica, de lunes a viernes de 9:00 a 14:00. Unidad responsable de la carta: "
            "División de Atención Ciudadana."
        ),
        "communication": "La carta se publica en el sitio web y en cada sucursal.",
    },
    "ca": {
        "identity": (
            "L'Ajuntament de Sant Pere de Riu presta els serveis municipals d'atenció ciutadana, "
            "padró, llicències, tributs, serveis socials i equipaments. Gestionem la qualitat amb "
            "aquesta carta, les enquestes de satisfacció i el sistema de queixes i suggeriments."
        ),
        "managers": (
            "Alcaldia; Secretaria general; Oficina d'Atenció Ciutadana (OAC), responsable de la "
            "carta."
        ),
        "access": (
            "Presencialment a l'OAC amb cita prèvia o sense, per telèfon al 010 i a la seu "
            "electrònica les 24 hores."
        ),
        "fees": "Les taxes i preus públics són els de les ordenances fiscals vigents.",
        "law": "Llei 19/2014 de transparència; Llei 26/2010; Llei 39/2015.",
        "rights": (
            "Ser atès amb correcció i en català o castellà; obtenir informació clara i "
            "accessible; conèixer l'estat dels expedients; presentar queixes i suggeriments.\n"
            "Deures: aportar dades veraces i respectar el personal i els equipaments."
        ),
        "complaints": (
            "Queixes i suggeriments a l'OAC, a la web municipal, al 010 i per correu electrònic; "
            "amb el codi de seguiment en podeu consultar l'estat."
        ),
        "redress": (
            "Si incomplim un estàndard mínim, us ho explicarem per escrit, us demanarem disculpes "
            "i us atendrem amb prioritat; si és el cas, retornarem la taxa."
        ),
        "complementary": (
            "OAC: plaça de la Vila, 1; de dilluns a divendres de 9 a 14 h i dijous de 16 a 19 h. "
            "Unitat responsable: Oficina d'Atenció Ciutadana."
        ),
        "participation": "Consell de participació ciutadana i enquestes anuals.",
        "communication": "La carta es publica a la web i a l'OAC i es revisa cada dos anys.",
    },
}

# (service code, channel kind or "", text, indicator, source, extra, comparator, target, period)
COMMITMENTS: dict[str, list[tuple[Any, ...]]] = {
    "sntc": [
        (
            "OIRS",
            "",
            "Respondemos sus reclamos dentro del plazo legal.",
            "% de reclamos respondidos dentro del plazo legal",
            "cases_on_time",
            {"case_kind": "complaint", "is_minimum_standard": True},
            "gte",
            95,
            "monthly",
        ),
        (
            "OIRS",
            "",
            "Respondemos el 80 % de los reclamos en 10 días hábiles o menos.",
            "% de reclamos respondidos en 10 días hábiles",
            "cases_within_days",
            {"case_kind": "complaint", "threshold_days": 10},
            "gte",
            80,
            "monthly",
        ),
        (
            "OIRS",
            "",
            "Le enviamos acuse de recibo de su solicitud en 2 días hábiles.",
            "% de casos con acuse de recibo a tiempo",
            "cases_acknowledged",
            {},
            "gte",
            90,
            "monthly",
        ),
        (
            "CERT",
            "",
            "Resolvemos las solicitudes sobre certificados en una mediana de 8 días hábiles.",
            "Mediana de días hábiles para responder",
            "cases_median_days",
            {},
            "lte",
            8,
            "quarterly",
        ),
        (
            "CERT",
            "in_person",
            "Atendemos en sucursal con una espera de 15 minutos o menos.",
            "% de personas llamadas a módulo en 15 minutos (sistema de filas de las sucursales)",
            "attention_within",
            {
                "is_guarantee": True,
                "redress_policy": "Atención preferente en su próxima visita.",
                "threshold_minutes": 15,
            },
            "gte",
            80,
            "monthly",
        ),
        (
            "CERT",
            "",
            "Emitimos los certificados sin errores.",
            "% de certificados emitidos sin errores (control de calidad trimestral)",
            "manual",
            {"unit": "%"},
            "gte",
            85,
            "quarterly",
        ),
        (
            "INFO",
            "phone",
            "Contestamos el 80 % de las llamadas al call center antes de 20 segundos.",
            "% de llamadas contestadas en 20 segundos (centralita del call center)",
            "calls_within",
            {"threshold_seconds": 20},
            "gte",
            80,
            "monthly",
        ),
        (
            "INSC",
            "in_person",
            "Recibimos menos de 5 reclamos por cada 1.000 atenciones en sucursal.",
            "Reclamos por cada 1.000 atenciones presenciales",
            "attention_complaints_per_1000",
            {},
            "lte",
            5,
            "monthly",
        ),
        (
            "INSC",
            "",
            "El 80 % de las personas evalúa la inscripción con nota 6 o 7.",
            "% de personas satisfechas (nota 6–7, encuesta de satisfacción)",
            "survey_satisfied",
            {},
            "gte",
            80,
            "quarterly",
        ),
        (
            "INSC",
            "",
            "Mantenemos bajo el número de reclamos por inscripciones.",
            "Reclamos recibidos por trimestre",
            "cases_received",
            {"case_kind": "complaint"},
            "lte",
            25,
            "quarterly",
        ),
        (
            "HORA",
            "web",
            "Los reclamos sobre la agenda en línea se responden en 5 días hábiles.",
            "% de reclamos web respondidos en 5 días hábiles",
            "cases_within_days",
            {"case_kind": "complaint", "threshold_days": 5},
            "gte",
            60,
            "quarterly",
        ),
        (
            "INFO",
            "",
            "Quienes nos consultan valoran nuestra atención con 4 de 5 o más.",
            "Valoración media de la gestión (1–5)",
            "cases_handling",
            {},
            "gte",
            4,
            "quarterly",
        ),
        (
            "INFO",
            "phone",
            "Respondemos las consultas telefónicas registradas en 5 días hábiles.",
            "% de consultas telefónicas respondidas en 5 días hábiles",
            "cases_within_days",
            {"case_kind": "inquiry", "threshold_days": 5},
            "gte",
            70,
            "quarterly",
        ),
        (
            "PAGO",
            "",
            "Respondemos los reclamos por cobros dentro del plazo legal.",
            "% de reclamos por cobros respondidos en plazo",
            "cases_on_time",
            {
                "case_kind": "complaint",
                "is_guarantee": True,
                "redress_policy": "Devolución del arancel cobrado en exceso con sus reajustes.",
            },
            "gte",
            95,
            "monthly",
        ),
        (
            "CERT",
            "",
            "Mantenemos un índice de satisfacción neta de 50 puntos o más en certificados.",
            "Índice de satisfacción neta (nota 6–7 menos nota 1–4)",
            "survey_net_score",
            {},
            "gte",
            50,
            "quarterly",
        ),
        (
            "OIRS",
            "",
            "En cada oficina y canal le atendemos según nuestros protocolos de atención.",
            "% de pasos de los protocolos observados como cumplidos",
            "protocol_compliance",
            {},
            "gte",
            90,
            "quarterly",
        ),
        (
            "CERT",
            "in_person",
            "En cada mesón le saludamos, nos identificamos y le atendemos según el protocolo de "
            "atención presencial.",
            "% de pasos del protocolo presencial cumplidos en visitas de cliente incógnito",
            "protocol_compliance",
            {"check_method": "mystery"},
            "gte",
            90,
            "monthly",
        ),
        (
            "OIRS",
            "",
            "Todo nuestro personal de atención está formado en los protocolos de su punto de "
            "contacto.",
            "% del personal de atención formado en los protocolos",
            "training_coverage",
            {},
            "gte",
            80,
            "quarterly",
        ),
    ],
    "sant-pere-de-riu": [
        (
            "INF",
            "",
            "Responem les queixes dins del termini legal.",
            "% de queixes respostes dins del termini",
            "cases_on_time",
            {"case_kind": "complaint", "is_minimum_standard": True},
            "gte",
            95,
            "monthly",
        ),
        (
            "INF",
            "",
            "Responem el 75 % de les queixes en 10 dies hàbils o menys.",
            "% de queixes respostes en 10 dies hàbils",
            "cases_within_days",
            {"case_kind": "complaint", "threshold_days": 10},
            "gte",
            75,
            "monthly",
        ),
        (
            "PAD",
            "",
            "El 75 % de les persones usuàries valoren el padró amb un 6 o un 7.",
            "% de persones satisfetes (nota 6–7, enquesta de satisfacció)",
            "survey_satisfied",
            {},
            "gte",
            75,
            "quarterly",
        ),
        (
            "PAD",
            "",
            "Resolem les consultes sobre el padró en una mediana de 5 dies hàbils.",
            "Mediana de dies hàbils per respondre",
            "cases_median_days",
            {"case_kind": "inquiry"},
            "lte",
            5,
            "quarterly",
        ),
        (
            "PAD",
            "in_person",
            "A l'OAC us atenem amb una espera màxima de 10 minuts.",
            "% de persones cridades a taulell en 10 minuts (sistema de torns de l'OAC)",
            "attention_within",
            {
                "is_guarantee": True,
                "redress_policy": "Atenció prioritària i disculpa per escrit.",
                "threshold_minutes": 10,
            },
            "gte",
            85,
            "monthly",
        ),
        (
            "PAD",
            "",
            "Lliurem el volant de convivència en el mateix moment de la sol·licitud.",
            "% de volants lliurats en el moment (control trimestral)",
            "manual",
            {"unit": "%"},
            "gte",
            85,
            "quarterly",
        ),
        (
            "LLO",
            "",
            "Responem les queixes sobre llicències dins del termini.",
            "% de queixes sobre llicències respostes en termini",
            "cases_on_time",
            {"case_kind": "complaint"},
            "gte",
            90,
            "quarterly",
        ),
        (
            "LLO",
            "",
            "Mantenim baix el nombre de queixes sobre llicències.",
            "Queixes rebudes per trimestre",
            "cases_received",
            {"case_kind": "complaint"},
            "lte",
            15,
            "quarterly",
        ),
        (
            "TRI",
            "",
            "Responem les reclamacions de tributs dins del termini.",
            "% de queixes sobre tributs respostes en termini",
            "cases_on_time",
            {
                "case_kind": "complaint",
                "is_guarantee": True,
                "redress_policy": "Retorn de l'import cobrat de més amb els interessos.",
            },
            "gte",
            95,
            "quarterly",
        ),
        (
            "AJS",
            "",
            "Les persones que ens consulten valoren l'atenció amb un 4 sobre 5 o més.",
            "Valoració mitjana de la gestió (1–5)",
            "cases_handling",
            {},
            "gte",
            4,
            "quarterly",
        ),
        (
            "AJS",
            "",
            "Responem les consultes sobre ajuts en 10 dies hàbils.",
            "% de consultes respostes en 10 dies hàbils",
            "cases_within_days",
            {"case_kind": "inquiry", "threshold_days": 10},
            "gte",
            80,
            "quarterly",
        ),
        (
            "ESP",
            "",
            "Responem els suggeriments sobre equipaments en 15 dies hàbils.",
            "% de suggeriments responsos en 15 dies hàbils",
            "cases_within_days",
            {"case_kind": "suggestion", "threshold_days": 15},
            "gte",
            80,
            "quarterly",
        ),
        (
            "INF",
            "",
            "Mantenim un índex de satisfacció neta de 40 punts o més.",
            "Índex de satisfacció neta (nota 6–7 menys nota 1–4)",
            "survey_net_score",
            {},
            "gte",
            40,
            "quarterly",
        ),
        (
            "PAD",
            "",
            "A cada oficina i canal us atenem segons els nostres protocols d'atenció.",
            "% de passos dels protocols observats com a complerts",
            "protocol_compliance",
            {},
            "gte",
            90,
            "quarterly",
        ),
        (
            "PAD",
            "",
            "Tot el nostre personal d'atenció està format en els protocols del seu punt de "
            "contacte.",
            "% del personal d'atenció format en els protocols",
            "training_coverage",
            {},
            "gte",
            80,
            "quarterly",
        ),
    ],
}
TITLES = {
    "sntc": "Carta de servicios del Servicio Nacional de Trámites Ciudadanos",
    "sant-pere-de-riu": "Carta de serveis de l'Ajuntament de Sant Pere de Riu",
}
APPROVALS = {
    "sntc": "Resolución Exenta N° 1.245 de la Dirección Nacional",
    "sant-pere-de-riu": "Decret d'Alcaldia 2025/318",
}
EVIDENCE = {
    "es": "Informe trimestral del control de calidad de certificados (muestra revisada).",
    "ca": "Informe trimestral del control dels volants lliurats (mostra revisada).",
}
# Quarterly results of the manual commitment, as the quality control reported them.
MANUAL_RESULTS = [Decimal("88.4"), Decimal("83.1"), Decimal("86.9"), Decimal("90.2")]


def load(context: dict[str, Any]) -> None:
    for slug, organization in context["organizations"].items():
        if slug not in COMMITMENTS or Charter.objects.filter(organization=organization).exists():
            continue
        _generate(organization, slug)


def _staff(organization: Organization, role: str) -> Actor:
    membership = (
        Membership.objects.filter(organization=organization, role=role, unit__isnull=True)
        .select_related("user")
        .first()
    )
    return membership.user if membership else DEMO


def _generate(organization: Organization, slug: str) -> None:
    quality = _staff(organization, "quality_manager")
    admin = _staff(organization, "administrator")
    today = timezone.localdate()
    start = (today.replace(day=1) - dt.timedelta(days=365)).replace(day=1)
    codes = {spec[0] for spec in COMMITMENTS[slug]}
    covered = list(Service.objects.filter(organization=organization, code__in=codes))
    by_code = {s.code: s for s in covered}
    channels = {c.kind: c for c in Channel.objects.filter(organization=organization)}
    charter = services.create_charter(
        organization,
        by=quality,
        title=TITLES[slug],
        valid_from=start,
        valid_to=periods.add_years(start, 2) - dt.timedelta(days=1),
        services=covered,
    )
    services.save_sections(charter, SECTIONS[organization.language], by=quality)
    for code, kind, text, indicator, source, extra, comparator, target, period in COMMITMENTS[slug]:
        services.save_commitment(
            charter,
            by=quality,
            service=by_code[code],
            channel=channels.get(kind) if kind else None,
            text=text,
            indicator=indicator,
            source=source,
            comparator=comparator,
            target=Decimal(target),
            periodicity=period,
            **extra,
        )
    services.submit_for_review(charter, by=quality)
    services.approve_charter(charter, by=quality, reference=APPROVALS[slug])
    services.publish_charter(charter, by=quality, today=today)
    # The charter was approved and published when its validity began.
    moment = dt.datetime.combine(start, dt.time(10), tzinfo=dt.UTC)
    Charter.objects.filter(pk=charter.pk).update(approved_at=moment, published_at=moment)
    _manual_results(charter, entered_by=admin, approved_by=quality, today=today)
    services.compute_measurements(organization, today=today)


def _manual_results(
    charter: Charter, *, entered_by: Actor, approved_by: Actor, today: dt.date
) -> None:
    manual = charter.commitments.filter(source="manual").first()
    if manual is None:
        return
    closed = periods.closed_periods(manual.periodicity, charter.valid_from, charter.valid_to, today)
    for (period_start, _end), value in zip(closed, MANUAL_RESULTS, strict=False):
        result = services.record_manual_measurement(
            manual,
            by=entered_by,
            period_start=period_start,
            value=value,
            evidence=EVIDENCE[charter.language],
        )
        services.approve_measurement(result, by=approved_by)
    assert not Measurement.objects.filter(commitment=manual, compliance=Compliance.PENDING).exists()
