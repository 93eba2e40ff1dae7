"""Demo: a satisfaction questionnaire per organisation (1–7 scale, Chile's bands) with a
baseline wave (closed) and a follow-up wave (open) over its external services, and thousands of
responses with realistic differences between services, channels, offices and attributes — the
follow-up a little better than the baseline. Internal services get an open internal-customer
wave whose attributes the client units validated, and next year's wave still being validated.
Loading twice adds nothing."""

import datetime as dt
import random
from typing import Any

from django.utils import timezone

from compromiso.catalog.models import Attribute, Audience, Channel, Service, TouchPoint
from compromiso.core.actors import DEMO
from compromiso.organizations.models import Organization
from compromiso.surveys import services
from compromiso.surveys.models import (
    AgeBand,
    Answer,
    Question,
    Questionnaire,
    Response,
    ResponseSource,
    ReviewDecision,
    Stratum,
    UserType,
    Wave,
    WaveStatus,
)
from compromiso.surveys.services import validation

SCALE = {"kind": "scale", "scale_min": 1, "scale_max": 7, "satisfied_min": 6, "dissatisfied_max": 4}
QUESTIONS: list[dict[str, Any]] = [
    {
        **SCALE,
        "is_overall": True,
        "texts": {
            "es": "En general, ¿qué nota le pone a la atención recibida? (1 a 7)",
            "ca": "En general, quina nota poseu a l'atenció rebuda? (1 a 7)",
            "en": "Overall, how do you rate the service you received? (1 to 7)",
        },
    },
    {
        **SCALE,
        "texts": {
            "es": "Tiempo de espera",
            "ca": "Temps d'espera",
            "en": "Waiting time",
        },
    },
    {
        **SCALE,
        "texts": {
            "es": "Amabilidad del personal",
            "ca": "Amabilitat del personal",
            "en": "Staff courtesy",
        },
    },
    {
        **SCALE,
        "texts": {
            "es": "Claridad de la información",
            "ca": "Claredat de la informació",
            "en": "Clarity of the information",
        },
    },
    {
        **SCALE,
        "texts": {
            "es": "Facilidad del trámite",
            "ca": "Facilitat del tràmit",
            "en": "Ease of the procedure",
        },
    },
    {
        "kind": "yes_no",
        "texts": {
            "es": "¿Pudo resolver lo que necesitaba?",
            "ca": "Vau poder resoldre el que necessitàveu?",
            "en": "Did you get done what you needed?",
        },
    },
    {
        "kind": "text",
        "required": False,
        "texts": {
            "es": "¿Qué podríamos mejorar?",
            "ca": "Què podríem millorar?",
            "en": "What could we improve?",
        },
    },
    {
        "kind": "single",
        "required": False,
        "is_segment": True,
        "texts": {
            "es": "¿Cuántas veces ha usado este servicio en el último año?",
            "ca": "Quantes vegades heu fet servir aquest servei l'últim any?",
            "en": "How often have you used this service in the last year?",
        },
        "choices": [
            {
                "value": "first",
                "texts": {
                    "es": "Es la primera vez",
                    "ca": "És la primera vegada",
                    "en": "This is the first time",
                },
            },
            {
                "value": "some",
                "texts": {"es": "2 a 5 veces", "ca": "2 a 5 vegades", "en": "2 to 5 times"},
            },
            {
                "value": "often",
                "texts": {
                    "es": "Más de 5 veces",
                    "ca": "Més de 5 vegades",
                    "en": "More than 5 times",
                },
            },
        ],
    },
]
QUESTIONNAIRE_TITLES = {
    "es": "Encuesta de satisfacción de usuarios",
    "ca": "Enquesta de satisfacció",
    "en": "User satisfaction survey",
}
TITLES = {
    "es": ("Encuesta de satisfacción de usuarios", "Medición basal", "Medición de seguimiento"),
    "ca": ("Enquesta de satisfacció", "Mesura de base", "Mesura de seguiment"),
}
COMMENTS = {
    "es": [
        "Más personal en horas punta",
        "La web debería permitir terminar el trámite",
        "Muy buena atención",
        "Esperé demasiado",
        "Información más clara en el sitio web",
        "",
        "",
    ],
    "ca": [
        "Més personal a les hores punta",
        "Cita prèvia més fàcil",
        "Molt bona atenció",
        "Vaig esperar massa",
        "Informació més clara al web",
        "",
        "",
    ],
}
# How much each attribute weighs in the overall grade (the drivers the analysis should find).
WEIGHTS = [0.40, 0.15, 0.25, 0.20]


def load(context: dict[str, Any]) -> None:
    count = int(context.get("case_count", 2000)) * 6
    for organization in context["organizations"].values():
        if Questionnaire.objects.filter(organization=organization).exists():
            continue
        share = count if organization.country == "CL" else max(count // 5, 1)
        _generate(organization, share, random.Random(f"surveys-{organization.slug}"))


def _generate(organization: Organization, count: int, rng: random.Random) -> None:
    language = "ca" if organization.language == "ca" else "es"
    title, baseline_title, follow_title = TITLES[language]
    questionnaire = services.create_questionnaire(
        organization,
        by=DEMO,
        title=title,
        titles=QUESTIONNAIRE_TITLES,
        language=organization.language,
        questions=QUESTIONS,
    )
    measured = list(
        Service.objects.filter(organization=organization, audience=Audience.EXTERNAL).order_by(
            "code"
        )
    )
    today = timezone.localdate()
    baseline = services.create_wave(
        organization,
        by=DEMO,
        questionnaire=questionnaire,
        title=f"{baseline_title} {today.year - 1}",
        kind="baseline",
        services=measured,
        opens_on=today - dt.timedelta(days=365),
        closes_on=today - dt.timedelta(days=181),
    )
    follow_up = services.create_wave(
        organization,
        by=DEMO,
        questionnaire=questionnaire,
        title=f"{follow_title} {today.year}",
        kind="follow_up",
        services=measured,
        opens_on=today - dt.timedelta(days=180),
        closes_on=today + dt.timedelta(days=30),
        previous=baseline,
    )
    for wave in (baseline, follow_up):
        Wave.objects.filter(pk=wave.pk).update(status=WaveStatus.OPEN)
    Questionnaire.objects.filter(pk=questionnaire.pk).update(is_locked=True)
    channels = list(
        Channel.objects.filter(organization=organization, kind__in=["web", "in_person", "phone"])
    )
    points = list(TouchPoint.objects.filter(organization=organization, channel__kind="in_person"))
    # The users of each service in the period (from the agency's own records) for the weighted
    # figure, and the users' split by channel (web answers are over-represented) for raking.
    users = {s.pk: rng.randrange(2_000, 40_000) for s in measured}
    for wave in (baseline, follow_up):
        Stratum.objects.bulk_create(
            Stratum(wave=wave, service=service, population=users[service.pk])
            for service in measured
        )
    split = {"in_person": 50.0, "phone": 20.0, "web": 30.0}
    if {c.kind for c in channels} == set(split):
        services.set_weight_targets(
            follow_up, by=DEMO, targets={"channel": {c.pk: split[c.kind] for c in channels}}
        )
    questions = list(Question.objects.filter(questionnaire=questionnaire).order_by("order"))
    # Each service, channel and office has its own level; waiting time is the weak attribute.
    service_level = {s.pk: rng.uniform(-0.6, 0.6) for s in measured}
    channel_level = {c.pk: {"web": -0.4, "in_person": 0.3, "phone": -0.1}[c.kind] for c in channels}
    point_level = {p.pk: rng.uniform(-0.7, 0.5) for p in points}
    attribute_level = [-0.6, 0.5, 0.0, -0.2]
    for wave, share, lift in ((baseline, count // 2, 0.0), (follow_up, count - count // 2, 0.35)):
        start = wave.opens_on
        days = max((min(wave.closes_on, today) - start).days, 1)
        responses = []
        for _n in range(share):
            service = rng.choice(measured)
            channel = rng.choice(channels) if channels else None
            point = (
                rng.choice(points) if points and channel and channel.kind == "in_person" else None
            )
            moment = dt.datetime.combine(
                start + dt.timedelta(days=rng.randrange(days)),
                dt.time(rng.randrange(9, 18), rng.randrange(60)),
                tzinfo=timezone.get_current_timezone(),
            )
            responses.append(
                Response(
                    wave=wave,
                    service=service,
                    channel=channel,
                    touch_point=point,
                    user_type=rng.choice([UserType.CITIZEN] * 4 + [UserType.BUSINESS]),
                    age_band=rng.choice(AgeBand.values),
                    source=ResponseSource.WEB if rng.random() < 0.8 else ResponseSource.KIOSK,
                    submitted_at=moment,
                )
            )
        answers = []
        for response in responses:
            # Frequent users are a little harder to please than first-timers.
            use = rng.choices(["first", "some", "often"], weights=[3, 4, 3])[0]
            level = (
                {"first": 0.25, "some": 0.0, "often": -0.3}[use]
                + lift
                + service_level[response.service_id]
                + (channel_level.get(response.channel_id, 0.0) if response.channel_id else 0.0)
                + (
                    point_level.get(response.touch_point_id, 0.0)
                    if response.touch_point_id
                    else 0.0
                )
            )
            attributes = [_grade(5.3 + level + a + rng.gauss(0, 1.1)) for a in attribute_level]
            overall = _grade(
                sum(w * g for w, g in zip(WEIGHTS, attributes, strict=True))
                + 0.3
                + rng.gauss(0, 0.6)
            )
            response.grades = {str(questions[0].pk): overall} | {
                str(question.pk): grade
                for question, grade in zip(questions[1:5], attributes, strict=True)
            }
            answers.append(
                Answer(
                    response=response,
                    question=questions[5],
                    choices=["yes" if overall >= 5 or rng.random() < 0.3 else "no"],
                )
            )
            comment = rng.choice(COMMENTS[language])
            if comment:
                answers.append(Answer(response=response, question=questions[6], text=comment))
            if rng.random() < 0.9:
                answers.append(Answer(response=response, question=questions[7], choices=[use]))
        Response.objects.bulk_create(responses, batch_size=2000)
        Answer.objects.bulk_create(answers, batch_size=5000)
        services.rebuild_counts(wave)
    Wave.objects.filter(pk=baseline.pk).update(status=WaveStatus.CLOSED)
    _internal(organization, questionnaire, max(count // 20, 40), rng)


def _internal(
    organization: Organization, questionnaire: Questionnaire, count: int, rng: random.Random
) -> None:
    """An internal-customer wave: the units rate the services other units provide them."""
    from compromiso.organizations.models import Unit

    provided = list(
        Service.objects.filter(organization=organization, audience=Audience.INTERNAL).order_by(
            "code"
        )
    )
    clients = list(Unit.objects.filter(organization=organization, is_active=True))
    if not provided or len(clients) < 2:
        return
    today = timezone.localdate()
    title = "Clientes internos" if organization.language == "es" else "Clients interns"
    wave = services.create_wave(
        organization,
        by=DEMO,
        questionnaire=questionnaire,
        title=f"{title} {today.year}",
        kind="baseline",
        audience=Audience.INTERNAL,
        services=provided,
        opens_on=today - dt.timedelta(days=60),
        closes_on=today + dt.timedelta(days=30),
        client_units=clients,
    )
    # The client units validated the attributes their providers proposed before it opened.
    attributes = list(Attribute.objects.filter(service__in=provided, is_active=True))
    for unit in clients:
        for attribute in attributes:
            validation.review_attribute(
                wave, attribute, unit, by=DEMO, decision=ReviewDecision.AGREE
            )
    services.open_wave(wave, by=DEMO)
    Wave.objects.filter(pk=wave.pk).update(min_publish=5)
    questions = list(Question.objects.filter(questionnaire=questionnaire).order_by("order"))
    provider_level = {s.pk: rng.uniform(-1.0, 0.8) for s in provided}
    client_level = {u.pk: rng.uniform(-0.6, 0.6) for u in clients}
    responses = []
    for _n in range(count):
        service = rng.choice(provided)
        unit = rng.choice([u for u in clients if u.pk != service.provider_unit_id] or clients)
        responses.append(
            Response(
                wave=wave,
                service=service,
                client_unit=unit,
                user_type=UserType.STAFF,
                source=ResponseSource.WEB,
                submitted_at=dt.datetime.combine(
                    today - dt.timedelta(days=rng.randrange(60)),
                    dt.time(rng.randrange(9, 18)),
                    tzinfo=timezone.get_current_timezone(),
                ),
            )
        )
    for response in responses:
        level = provider_level[response.service_id] + client_level.get(
            response.client_unit_id or 0, 0.0
        )
        grades = [_grade(5.2 + level + rng.gauss(0, 1.0)) for _ in range(5)]
        response.grades = {
            str(question.pk): grade for question, grade in zip(questions[:5], grades, strict=True)
        }
    Response.objects.bulk_create(responses, batch_size=2000)
    services.rebuild_counts(wave)
    _next_internal(organization, questionnaire, wave, provided, attributes, rng)


def _next_internal(
    organization: Organization,
    questionnaire: Questionnaire,
    previous: Wave,
    provided: list[Service],
    attributes: list[Attribute],
    rng: random.Random,
) -> None:
    """Next year's internal wave, still a draft: the regional directorates and the citizen
    service division are validating the attributes. One region disagrees with one, another
    proposes a missing attribute, and one (the demo unit head's) has not reviewed yet."""
    from compromiso.organizations.models import Unit

    by_code = {
        u.code: u
        for u in Unit.objects.filter(
            organization=organization, code__in=["DAC", "R13", "R09", "R15"]
        )
    }
    if len(by_code) < 4 or not attributes:
        return
    today = timezone.localdate()
    wave = services.create_wave(
        organization,
        by=DEMO,
        questionnaire=questionnaire,
        title=f"{previous.title.rsplit(' ', 1)[0]} {today.year + 1}",
        kind="follow_up",
        audience=Audience.INTERNAL,
        services=provided,
        opens_on=today + dt.timedelta(days=45),
        closes_on=today + dt.timedelta(days=120),
        previous=previous,
        client_units=list(by_code.values()),
    )
    doubted = rng.choice(attributes)
    for code in ("DAC", "R13", "R09"):
        for attribute in attributes:
            if code == "R09" and attribute == doubted:
                validation.review_attribute(
                    wave,
                    attribute,
                    by_code[code],
                    by=DEMO,
                    decision=ReviewDecision.SUGGEST,
                    comment="En regiones importa más que el plazo se cumpla que la rapidez.",
                    proposed_name=f"{attribute.name} (según plazos comprometidos)",
                )
            else:
                validation.review_attribute(
                    wave, attribute, by_code[code], by=DEMO, decision=ReviewDecision.AGREE
                )
    validation.propose_attribute(
        wave,
        provided[0],
        by_code["R13"],
        by=DEMO,
        name="Seguimiento del requerimiento",
        comment="Saber en qué estado está la solicitud sin tener que llamar.",
    )


def _grade(value: float) -> int:
    return max(1, min(7, round(value)))
