"""Demo: each organisation's service model in force (seed 002: one way of serving users, its
axes and values, promises, quality policy and value proposition), read by part of the staff."""

from typing import Any

from compromiso.core.actors import DEMO
from compromiso.organizations.models import Membership, Organization, User
from compromiso.servicemodel import services
from compromiso.servicemodel.models import ServiceModel

TEXTS: dict[str, dict[str, Any]] = {
    "es": {
        "project_name": "Contigo, siempre",
        "slogans": "Te recibimos, te resolvemos, te cumplimos.\nUn mismo trato en cada oficina.",
        "value_proposition": (
            "Cada persona que se acerca a nuestro servicio es recibida con prontitud y "
            "amabilidad, obtiene una respuesta rápida y clara a su consulta, y ve cumplido lo "
            "que le prometimos. Si algo falla, recibimos su reclamo, nos hacemos cargo y le "
            "contamos qué cambiamos. Sea cual sea la oficina o el canal, percibe el mismo estilo "
            "de atención."
        ),
        "quality_policy": (
            "El Servicio se compromete a prestar una atención de calidad, centrada en las "
            "personas usuarias, conocida y compartida por todo su personal.\n\n"
            "Para ello: aplicamos en cada punto de contacto los protocolos mínimos de atención; "
            "medimos la satisfacción de los usuarios y el cumplimiento de nuestros compromisos "
            "con indicadores claros; tratamos cada reclamo y sugerencia como una oportunidad de "
            "mejora; formamos a nuestras jefaturas intermedias para que mantengan el modelo en "
            "el día a día; y sometemos nuestros resultados a la certificación de un organismo "
            "independiente."
        ),
        "tangible_arguments": (
            "Plazos de respuesta publicados y cumplidos; tiempos de espera medidos en cada "
            "oficina; seguimiento del reclamo en línea con un código; resultados de satisfacción "
            "publicados cada semestre."
        ),
        "intangible_arguments": (
            "Un trato cálido y respetuoso; sentirse escuchado; la confianza de que alguien se "
            "hace cargo; la sorpresa de un servicio mejor de lo esperado."
        ),
        "axes": [
            ("Acogida", "Recibimos a cada persona con prontitud, por su nombre y con amabilidad."),
            ("Resolución", "Resolvemos las consultas con rapidez y en el primer contacto."),
            ("Cumplimiento", "Cumplimos lo pactado: plazos, requisitos y horarios."),
            ("Hacerse cargo", "Recibimos quejas y sugerencias y respondemos por ellas."),
            ("Calidez", "Servimos con empatía y respeto, sorprendiendo para bien."),
        ],
        "promises": [
            "Le atenderemos en menos de 15 minutos en nuestras oficinas.",
            "Responderemos su consulta en el primer contacto o le diremos cuándo.",
            "Responderemos su reclamo dentro del plazo legal.",
            "Le informaremos de los requisitos completos a la primera.",
            "Le trataremos con la misma calidad en cualquier oficina o canal.",
        ],
        "reference": "Resolución Exenta N.º 1234",
    },
    "ca": {
        "project_name": "Al teu costat",
        "slogans": "T'acollim, et resolem, complim.\nEl mateix tracte a cada oficina.",
        "value_proposition": (
            "Cada persona que s'adreça a l'Ajuntament és rebuda amb promptitud i amabilitat, "
            "obté una resposta ràpida i clara a la seva consulta i veu complert allò que li "
            "hem promès. Si alguna cosa falla, recollim la seva queixa, ens en fem càrrec i li "
            "expliquem què hem canviat. Sigui quina sigui l'oficina o el canal, percep el "
            "mateix estil d'atenció."
        ),
        "quality_policy": (
            "L'Ajuntament es compromet a oferir una atenció de qualitat, centrada en les "
            "persones usuàries, coneguda i compartida per tot el personal.\n\n"
            "Per això: apliquem a cada punt de contacte els protocols mínims d'atenció; mesurem "
            "la satisfacció de les persones usuàries i el compliment dels nostres compromisos "
            "amb indicadors clars; tractem cada queixa i suggeriment com una oportunitat de "
            "millora; formem els comandaments intermedis perquè mantinguin el model cada dia; i "
            "sotmetem els resultats a la certificació d'un organisme independent."
        ),
        "tangible_arguments": (
            "Terminis de resposta publicats i complerts; temps d'espera mesurats a cada oficina; "
            "seguiment de la queixa en línia amb un codi; resultats de satisfacció publicats "
            "cada semestre."
        ),
        "intangible_arguments": (
            "Un tracte proper i respectuós; sentir-se escoltat; la confiança que algú se'n fa "
            "càrrec; la sorpresa d'un servei millor del que s'esperava."
        ),
        "axes": [
            ("Acollida", "Rebem cada persona amb promptitud, pel seu nom i amb amabilitat."),
            ("Resolució", "Resolem les consultes amb rapidesa i al primer contacte."),
            ("Compliment", "Complim allò pactat: terminis, requisits i horaris."),
            ("Fer-se'n càrrec", "Recollim queixes i suggeriments i en responem."),
            ("Proximitat", "Servim amb empatia i respecte, sorprenent per a bé."),
        ],
        "promises": [
            "L'atendrem en menys de 15 minuts a l'Oficina d'Atenció Ciutadana.",
            "Respondrem la seva consulta al primer contacte o li direm quan.",
            "Respondrem la seva queixa dins del termini legal.",
            "L'informarem de tots els requisits a la primera.",
            "La tractarem amb la mateixa qualitat a qualsevol oficina o canal.",
        ],
        "reference": "Acord de la Junta de Govern Local de 12 de març",
    },
}


def load(context: dict[str, Any]) -> None:
    for organization in context["organizations"].values():
        if ServiceModel.objects.filter(organization=organization).exists():
            continue
        _publish(organization)


def _publish(organization: Organization) -> None:
    text = dict(TEXTS["ca" if organization.language == "ca" else "es"])
    reference = text.pop("reference")
    model = services.create_service_model(organization, by=DEMO, **text)
    services.approve_service_model(model, by=DEMO, reference=reference)
    services.publish_service_model(model, by=DEMO)
    # About two in three of the staff have read it, so the coverage table has something to say.
    staff = User.objects.filter(
        pk__in=Membership.objects.filter(organization=organization).values("user_id"),
        is_active=True,
    ).order_by("username")
    for number, user in enumerate(staff):
        if number % 3 != 2:
            services.acknowledge_service_model(model, by=user)
    _prepare_next_version(model, organization.language)


# The next version being drafted: the quality team sharpens one promise and adds one, so the
# comparison page has something to show.
NEXT = {
    "es": (
        "Le atenderemos en menos de 10 minutos en nuestras oficinas.",
        "Si no cumplimos, se lo explicaremos y le diremos qué cambiamos.",
    ),
    "ca": (
        "L'atendrem en menys de 10 minuts a les nostres oficines.",
        "Si no complim, li ho explicarem i li direm què canviem.",
    ),
}


def _prepare_next_version(model: ServiceModel, language: str) -> None:
    draft = services.new_service_model_version(model, by=DEMO)
    sharper, added = NEXT["ca" if language == "ca" else "es"]
    promises = [p.text for p in draft.promises.all()]
    services.update_service_model(draft, by=DEMO, promises=[sharper, *promises[1:], added])
