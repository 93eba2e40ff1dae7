"""Demo catalogue: every channel, touch points, services and their attributes for both demo
organisations (loaded after organizations.demo; idempotent)."""

from collections.abc import Sequence
from typing import Any

from compromiso.catalog import services
from compromiso.catalog.models import Channel, ChannelKind, Service, TouchPoint
from compromiso.core.actors import DEMO
from compromiso.organizations.models import Organization, Unit, UnitKind

CHANNELS = {
    "sntc": [
        (ChannelKind.IN_PERSON, "Atención presencial"),
        (ChannelKind.WEB, "Sitio web"),
        (ChannelKind.PHONE, "Call center 600"),
        (ChannelKind.EMAIL, "Correo electrónico"),
        (ChannelKind.KIOSK, "Tótem de autoatención"),
        (ChannelKind.SOCIAL, "Redes sociales"),
        (ChannelKind.POST, "Correo postal"),
    ],
    "sant-pere-de-riu": [
        (ChannelKind.IN_PERSON, "Presencial"),
        (ChannelKind.WEB, "Web municipal"),
        (ChannelKind.PHONE, "Telèfon 010"),
        (ChannelKind.EMAIL, "Correu electrònic"),
        (ChannelKind.KIOSK, "Punt d'autoservei"),
        (ChannelKind.SOCIAL, "Xarxes socials"),
        (ChannelKind.POST, "Correu postal"),
    ],
}

ES_ATTRIBUTES = {
    "rapidez": ("Rapidez en la atención", "responsiveness"),
    "trato": ("Amabilidad y trato", "empathy"),
    "claridad": ("Claridad de la información", "assurance"),
    "cumplimiento": ("Cumplimiento de lo prometido", "reliability"),
    "instalaciones": ("Comodidad de las instalaciones", "tangibles"),
    "competencia": ("Conocimiento del personal", "assurance"),
    "accesibilidad": ("Facilidad de acceso", "tangibles"),
    "oportunidad": ("Respuesta dentro de plazo", "reliability"),
}
CA_ATTRIBUTES = {
    "rapidesa": ("Rapidesa en l'atenció", "responsiveness"),
    "tracte": ("Amabilitat i tracte", "empathy"),
    "claredat": ("Claredat de la informació", "assurance"),
    "compliment": ("Compliment dels terminis", "reliability"),
    "espais": ("Comoditat de les instal·lacions", "tangibles"),
    "tramitacio": ("Facilitat de tramitació", "responsiveness"),
}

# (code, name, description, provider unit code, audience, channel kinds, attribute keys)
SERVICES = {
    "sntc": [
        (
            "CERT",
            "Emisión de certificados",
            "Certificados de antecedentes y de inscripción, en sucursal y en línea.",
            "DAC",
            "external",
            ["in_person", "web", "kiosk"],
            ["rapidez", "trato", "claridad", "cumplimiento", "instalaciones"],
        ),
        (
            "INSC",
            "Inscripción en el registro nacional",
            "Inscripciones, modificaciones y cancelaciones.",
            "DN",
            "external",
            ["in_person", "web", "post"],
            ["rapidez", "claridad", "cumplimiento", "competencia"],
        ),
        (
            "HORA",
            "Agenda de horas de atención",
            "Reserva de hora para atención presencial.",
            "DAC",
            "external",
            ["web", "phone"],
            ["accesibilidad", "cumplimiento", "rapidez"],
        ),
        (
            "INFO",
            "Información y orientación ciudadana",
            "Orientación sobre trámites, requisitos y plazos.",
            "DAC",
            "external",
            ["in_person", "web", "phone", "email", "social"],
            ["claridad", "trato", "competencia", "rapidez"],
        ),
        (
            "OIRS",
            "Reclamos, sugerencias y felicitaciones",
            "Recepción y respuesta de presentaciones ciudadanas (OIRS).",
            "DAC",
            "external",
            ["in_person", "web", "phone", "email", "post"],
            ["oportunidad", "claridad", "trato", "cumplimiento"],
        ),
        (
            "PAGO",
            "Pago de aranceles y devoluciones",
            "Pago de derechos y tramitación de devoluciones.",
            "AF",
            "external",
            ["in_person", "web"],
            ["rapidez", "claridad", "cumplimiento"],
        ),
        (
            "ATP-AP",
            "Atención de público en Arica y Parinacota",
            "Trámites presenciales en las sucursales de la región.",
            "R15",
            "external",
            ["in_person", "kiosk"],
            ["rapidez", "trato", "instalaciones", "accesibilidad"],
        ),
        (
            "ATP-AR",
            "Atención de público en La Araucanía",
            "Trámites presenciales en las sucursales de la región, con atención intercultural.",
            "R09",
            "external",
            ["in_person"],
            ["rapidez", "trato", "instalaciones", "accesibilidad"],
        ),
        (
            "TI-SOP",
            "Soporte informático",
            "Mesa de ayuda, equipos y sistemas para todas las unidades.",
            "TI",
            "internal",
            ["phone", "email", "web"],
            ["rapidez", "competencia", "cumplimiento", "trato"],
        ),
        (
            "GP-REM",
            "Remuneraciones y beneficios",
            "Pago de remuneraciones, licencias y beneficios del personal.",
            "GP",
            "internal",
            ["email", "in_person"],
            ["cumplimiento", "claridad", "trato"],
        ),
        (
            "AF-ADQ",
            "Adquisiciones y abastecimiento",
            "Compras públicas y abastecimiento de las unidades.",
            "AF",
            "internal",
            ["email", "web"],
            ["oportunidad", "claridad", "cumplimiento", "competencia"],
        ),
        (
            "JUR-ASE",
            "Asesoría jurídica",
            "Informes y asesoría legal a las unidades del servicio.",
            "JUR",
            "internal",
            ["email"],
            ["oportunidad", "competencia", "claridad"],
        ),
    ],
    "sant-pere-de-riu": [
        (
            "PAD",
            "Padró d'habitants",
            "Altes, baixes, canvis de domicili i volants d'empadronament.",
            "OAC",
            "external",
            ["in_person", "web", "kiosk"],
            ["rapidesa", "tracte", "claredat", "tramitacio"],
        ),
        (
            "LLO",
            "Llicències d'obres",
            "Llicències i comunicacions prèvies d'obres.",
            "URB",
            "external",
            ["in_person", "web"],
            ["compliment", "claredat", "tramitacio", "tracte"],
        ),
        (
            "TRI",
            "Tributs i taxes municipals",
            "Impostos, taxes, bonificacions i fraccionaments.",
            "HIS",
            "external",
            ["in_person", "web", "post"],
            ["claredat", "tramitacio", "compliment"],
        ),
        (
            "AJS",
            "Ajuts socials",
            "Ajuts d'urgència social i prestacions municipals.",
            "SS",
            "external",
            ["in_person", "phone"],
            ["tracte", "compliment", "claredat", "rapidesa"],
        ),
        (
            "ESP",
            "Instal·lacions esportives",
            "Reserva i ús de les instal·lacions esportives municipals.",
            "CUL",
            "external",
            ["web", "in_person", "social"],
            ["espais", "tracte", "tramitacio"],
        ),
        (
            "INF",
            "Informació ciutadana",
            "Informació sobre serveis i tràmits municipals.",
            "OAC",
            "external",
            ["in_person", "phone", "email", "social", "web"],
            ["claredat", "rapidesa", "tracte", "compliment", "espais"],
        ),
    ],
}

CHILE_ADDRESSES = {
    "S-ARI": "21 de Mayo 345, Arica",
    "S-PUT": "Baquedano 120, Putre",
    "S-STG": "Moneda 1050, Santiago",
    "S-MAI": "Av. 5 de Abril 80, Maipú",
    "S-PAL": "Concha y Toro 600, Puente Alto",
    "S-FLO": "Av. Vicuña Mackenna 7110, La Florida",
    "S-TCO": "Manuel Montt 850, Temuco",
    "S-VRR": "Pedro de Valdivia 400, Villarrica",
}
KIOSK_BRANCHES = ("S-ARI", "S-STG", "S-TCO")


def load(context: dict[str, Any]) -> None:
    for slug, organization in context["organizations"].items():
        units: dict[str, Unit] = context["units"][slug]
        channels = _channels(organization, CHANNELS[slug])
        _services(organization, units, channels, slug)
        if slug == "sntc":
            _chile_touch_points(organization, units, channels)
        else:
            _catalan_touch_points(organization, units, channels)


def _channels(organization: Organization, specs: Sequence[tuple[str, str]]) -> dict[str, Channel]:
    by_kind = {c.kind: c for c in Channel.objects.filter(organization=organization)}
    for kind, name in specs:
        if kind not in by_kind:
            by_kind[kind] = services.create_channel(
                organization=organization, kind=kind, name=name, by=DEMO
            )
    return by_kind


def _services(
    organization: Organization, units: dict[str, Unit], channels: dict[str, Channel], slug: str
) -> None:
    pool = ES_ATTRIBUTES if organization.language == "es" else CA_ATTRIBUTES
    existing = set(Service.objects.filter(organization=organization).values_list("code", flat=True))
    for code, name, description, unit_code, audience, kinds, keys in SERVICES[slug]:
        if code in existing:
            continue
        services.create_service(
            organization=organization,
            code=code,
            name=name,
            description=description,
            provider_unit=units[unit_code],
            audience=audience,
            channels=[channels[k] for k in kinds],
            attributes=[{"name": pool[k][0], "dimension": pool[k][1]} for k in keys],
            by=DEMO,
        )


def _touch_point(
    organization: Organization,
    unit: Unit,
    channel: Channel,
    name: str,
    address: str = "",
    hours: str = "",
) -> None:
    if not TouchPoint.objects.filter(unit=unit, channel=channel, name=name).exists():
        services.create_touch_point(
            organization=organization,
            unit=unit,
            channel=channel,
            name=name,
            address=address,
            opening_hours=hours,
            by=DEMO,
        )


def _chile_touch_points(
    organization: Organization, units: dict[str, Unit], channels: dict[str, Channel]
) -> None:
    for code, unit in units.items():
        if unit.kind != UnitKind.BRANCH:
            continue
        _touch_point(
            organization,
            unit,
            channels["in_person"],
            f"Mesón de atención {unit.name}",
            CHILE_ADDRESSES[code],
            "Lun–Vie 09:00–14:00",
        )
        if code in KIOSK_BRANCHES:
            _touch_point(
                organization,
                unit,
                channels["kiosk"],
                f"Tótem {unit.name}",
                CHILE_ADDRESSES[code],
                "Lun–Vie 08:00–18:00",
            )
    oirs = units["DAC"]
    _touch_point(
        organization, oirs, channels["web"], "Portal ciudadano y formulario OIRS", "", "24/7"
    )
    _touch_point(
        organization, oirs, channels["phone"], "Call center 600 360 0000", "", "Lun–Vie 08:30–18:00"
    )
    _touch_point(organization, oirs, channels["email"], "Buzón oirs@example.org", "", "")
    _touch_point(
        organization,
        oirs,
        channels["social"],
        "Cuentas institucionales en redes sociales",
        "",
        "Lun–Vie 09:00–18:00",
    )
    _touch_point(
        organization,
        units["DN"],
        channels["post"],
        "Oficina de partes",
        "Moneda 1050, Santiago",
        "Lun–Vie 09:00–14:00",
    )


def _catalan_touch_points(
    organization: Organization, units: dict[str, Unit], channels: dict[str, Channel]
) -> None:
    oac = units["OAC"]
    address = "Plaça de la Vila, 1, Sant Pere de Riu"
    _touch_point(
        organization,
        oac,
        channels["in_person"],
        "Taulell de l'OAC",
        address,
        "Dl–Dv 08:30–14:00; dj 16:00–19:00",
    )
    _touch_point(
        organization,
        oac,
        channels["kiosk"],
        "Punt d'autoservei del vestíbul",
        address,
        "Dl–Dv 08:00–20:00",
    )
    _touch_point(organization, oac, channels["web"], "Seu electrònica", "", "24/7")
    _touch_point(organization, oac, channels["phone"], "Telèfon 010", "", "Dl–Dv 08:00–20:00")
    _touch_point(organization, oac, channels["email"], "Bústia oac@example.org", "", "")
    _touch_point(
        organization, oac, channels["social"], "Xarxes socials municipals", "", "Dl–Dv 09:00–15:00"
    )
    _touch_point(
        organization, oac, channels["post"], "Registre general", address, "Dl–Dv 09:00–14:00"
    )
    _touch_point(
        organization,
        units["URB"],
        channels["in_person"],
        "Atenció tècnica d'Urbanisme",
        "Carrer Major, 12, Sant Pere de Riu",
        "Dt i dj 09:00–13:00",
    )
    _touch_point(
        organization,
        units["SS"],
        channels["in_person"],
        "Centre de Serveis Socials",
        "Carrer de l'Església, 4, Sant Pere de Riu",
        "Dl–Dv 09:00–14:00",
    )
