"""Legal answer deadlines that ship with Compromiso, per jurisdiction profile and request kind.

Each preset carries its legal basis; organisations install them and may then edit them. Figures
come from the team's research notes (complaints.md §3), which cite the official texts.
"""

from dataclasses import dataclass

from compromiso.core.calendar import DeadlineUnit


@dataclass(frozen=True)
class Preset:
    amount: int
    unit: DeadlineUnit
    legal_basis: str
    extension: int = 0  # the most the term may be extended
    extension_unit: DeadlineUnit | None = None  # when it differs from the term's own unit
    extension_requires_notice: bool = False
    external_recourse: str = ""  # where the requester can turn if they disagree


BD = DeadlineUnit.BUSINESS_DAYS
MONTHS = DeadlineUnit.MONTHS

CL_DECISION = Preset(
    20,
    BD,
    "Ley 19.880, art. 24 (decisiones en 20 días) y art. 25 (son inhábiles los sábados, "
    "domingos y festivos).",
    external_recourse="Si no está conforme con la respuesta, puede presentar un reclamo ante la "
    "Contraloría General de la República o recurrir según la Ley 19.880 (recursos de reposición "
    "y jerárquico, art. 59).",
)
CL_TRANSPARENCY = Preset(
    20,
    BD,
    "Ley 20.285, art. 14: 20 días hábiles, prorrogables excepcionalmente por 10 días hábiles "
    "con comunicación al solicitante antes del vencimiento. Amparo ante el Consejo para la "
    "Transparencia dentro de 15 días hábiles.",
    extension=10,
    extension_requires_notice=True,
    external_recourse="Si su solicitud fue denegada o no fue respondida a tiempo, puede presentar "
    "un amparo ante el Consejo para la Transparencia (CPLT) dentro de 15 días hábiles.",
)
ES_COMPLAINT = Preset(
    20,
    BD,
    "Real Decreto 951/2005, art. 16: la unidad afectada informa a quien presentó la queja o "
    "sugerencia en el plazo de 20 días (hábiles: Ley 39/2015, art. 30.2). Sin respuesta, puede "
    "dirigirse a la Inspección General de Servicios.",
    external_recourse="Si no ha recibido respuesta o no está conforme, puede dirigirse a la "
    "Inspección General de Servicios del departamento o al Defensor del Pueblo.",
)
ES_DEFAULT = Preset(
    3,
    MONTHS,
    "Ley 39/2015, art. 21.3: tres meses cuando la norma no fija plazo; art. 30: cómputo de plazos.",
    external_recourse="Puede dirigirse al Defensor del Pueblo.",
)
ES_TRANSPARENCY = Preset(
    1,
    MONTHS,
    "Ley 19/2013, art. 20.1: un mes, ampliable por otro mes con notificación al solicitante. "
    "Reclamación ante el Consejo de Transparencia y Buen Gobierno.",
    extension=1,
    extension_requires_notice=True,
    external_recourse="Puede presentar una reclamación ante el Consejo de Transparencia y Buen "
    "Gobierno en el plazo de un mes.",
)
CT_COMPLAINT = Preset(
    3,
    MONTHS,
    "Llei 26/2010 i Llei 39/2015, art. 21: tres mesos des del registre de la queixa o "
    "suggeriment. Recurs al Síndic de Greuges de Catalunya.",
    external_recourse="Si no esteu d'acord amb la resposta, podeu adreçar-vos al Síndic de "
    "Greuges de Catalunya.",
)
# Checked against public guidance of Catalan administrations (Generalitat, municipal procedure
# pages): resolution within one month of the request, extendable by up to half that term (15
# days) when the volume or complexity of the information justifies it, with notice to the
# requester; silence grants access unless a law says otherwise; claims go to the GAIP.
CT_TRANSPARENCY = Preset(
    1,
    MONTHS,
    "Llei 19/2014, de transparència (títol III): un mes, prorrogable fins a la meitat del termini "
    "inicial comunicant-ho a la persona sol·licitant; el silenci és estimatori. Reclamació "
    "davant la Comissió de Garantia del Dret d'Accés (GAIP).",
    extension=15,
    extension_unit=DeadlineUnit.CALENDAR_DAYS,
    extension_requires_notice=True,
    external_recourse="Podeu presentar una reclamació davant la Comissió de Garantia del Dret "
    "d'Accés a la Informació Pública (GAIP).",
)
ES_COMPANY = Preset(
    15,
    BD,
    "Ley 10/2025 de servicios de atención a la clientela: resolver las quejas y reclamaciones "
    "en 15 días hábiles.",
    external_recourse="Si no está conforme, puede acudir a las autoridades de consumo o a una "
    "entidad de resolución alternativa de litigios.",
)
CL_COMPANY = Preset(
    10,
    BD,
    "Ley 19.496 (Sello SERNAC): responder fundadamente en 10 días hábiles.",
    external_recourse="Si no está conforme, puede presentar un reclamo ante el SERNAC.",
)
OWN_POLICY = Preset(20, BD, "Política propia de la organización.")

KINDS = ("complaint", "suggestion", "inquiry", "compliment", "information_request")

PRESETS: dict[str, dict[str, Preset]] = {
    "cl_public": {**dict.fromkeys(KINDS, CL_DECISION), "information_request": CL_TRANSPARENCY},
    "es_public": {
        "complaint": ES_COMPLAINT,
        "suggestion": ES_COMPLAINT,
        "inquiry": ES_DEFAULT,
        "compliment": ES_DEFAULT,
        "information_request": ES_TRANSPARENCY,
    },
    "es_ct_public": {**dict.fromkeys(KINDS, CT_COMPLAINT), "information_request": CT_TRANSPARENCY},
    "es_company": dict.fromkeys(KINDS, ES_COMPANY),
    "cl_company": dict.fromkeys(KINDS, CL_COMPANY),
    "other": dict.fromkeys(KINDS, OWN_POLICY),
}
