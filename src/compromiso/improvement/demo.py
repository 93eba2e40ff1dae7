"""Demo: improvement actions born of the demo complaints — one checked effective and published,
one being checked, one in progress, one proposed — so the board, the effect chart and the public
"you said, we did" page have something real to show — and a change to the counter protocol
checked on the compliance observed with it. Loading twice adds nothing."""

import datetime as dt
from typing import Any

from django.utils import timezone

from compromiso.cases.demo import HOURS_SUGGESTION
from compromiso.cases.models import Case, RootCause
from compromiso.core.actors import DEMO
from compromiso.improvement import services
from compromiso.improvement.models import ActionStatus, ImprovementAction, MetricKind, RemedyKind
from compromiso.organizations.models import Membership, Organization, Unit
from compromiso.servicemodel.models import Protocol, ProtocolStatus

TEXTS = {
    "es": [
        (
            "Turnos con cita previa en horas punta",
            "Abrir cita previa en línea y reforzar el mesón de 11 a 13 h.",
            "Ahora puede pedir hora en línea y en las horas de más público hay más personas "
            "atendiendo.",
        ),
        (
            "Información clara en la web",
            "Reescribir las fichas de trámites con lenguaje claro.",
            "",
        ),
        ("Revisar el cobro en caja", "Conciliar los pagos duplicados cada día.", ""),
        (
            "Atención los sábados por la mañana",
            "Abrir las sucursales de más demanda los sábados de 9 a 13 h, como piden las "
            "sugerencias.",
            "",
        ),
    ],
    "ca": [
        (
            "Cita prèvia a l'OAC en hores punta",
            "Obrir cita prèvia en línia i reforçar l'atenció d'11 a 13 h.",
            "Ara podeu demanar cita en línia i a les hores de més gent hi ha més personal.",
        ),
        ("Informació clara al web", "Reescriure les fitxes de tràmits amb llenguatge clar.", ""),
        ("Revisar els rebuts", "Conciliar cada dia els cobraments duplicats.", ""),
        (
            "L'OAC oberta els dijous a la tarda",
            "Obrir l'OAC els dijous de 16 a 19 h tot l'any, com demanen els suggeriments.",
            "",
        ),
    ],
}
# The cause each demo action answers: waiting (the demo complaints about it fall over the last
# five months), information, procedure; the last comes from the suggestions about opening hours
# (Saturdays in Chile, Thursday afternoons in Catalonia) and is measured on the cases of their
# category, in-person attention.
CAUSES = ["TIE", "INF", "PRO", None]
STEPS = [
    [ActionStatus.APPROVED, ActionStatus.IN_PROGRESS, ActionStatus.CHECKING],
    [ActionStatus.APPROVED, ActionStatus.IN_PROGRESS, ActionStatus.CHECKING],
    [ActionStatus.APPROVED, ActionStatus.IN_PROGRESS],
    [],
]


# An action of the service model's own kind: the complaints about information propose a change
# to the counter protocol, checked on the compliance observed with it.
PROTOCOL_CHANGE = {
    "es": (
        "Confirmar lo entendido y ofrecer la encuesta al cerrar",
        "Reescribir los pasos de cierre del protocolo presencial y repasarlos con cada equipo.",
    ),
    "ca": (
        "Confirmar el que s'ha entès i oferir l'enquesta en tancar",
        "Reescriure els passos de tancament del protocol presencial i repassar-los amb cada equip.",
    ),
}


def load(context: dict[str, Any]) -> None:
    for organization in context["organizations"].values():
        if ImprovementAction.objects.filter(organization=organization).exists():
            continue
        _generate(organization)


def _generate(organization: Organization) -> None:
    today = timezone.localdate()
    by_code = {cause.code: cause for cause in RootCause.objects.filter(organization=organization)}
    # Catalan codes differ only for time ("TEM").
    causes = [
        (by_code.get(code) or by_code.get("TEM" if code == "TIE" else "")) if code else None
        for code in CAUSES
    ]
    unit = Unit.objects.filter(organization=organization, is_active=True).order_by("path").first()
    if unit is None or not by_code:
        return
    head = Membership.objects.filter(organization=organization, role="quality_manager").first()
    language = "ca" if organization.language == "ca" else "es"
    suggestions = list(
        Case.objects.filter(
            organization=organization, kind="suggestion", subject=HOURS_SUGGESTION[language]
        ).order_by("received_at")
    )
    for number, ((title, description, summary), steps) in enumerate(
        zip(TEXTS[language], STEPS, strict=True)
    ):
        cause = causes[number] or next(iter(by_code.values()))
        origins: list[dict[str, Any]] = [{"root_cause": cause}]
        if number == 3 and suggestions:
            origins = [{"case": suggestion} for suggestion in suggestions]
        action = services.create_action(
            organization,
            by=DEMO,
            title=title,
            description=description,
            owner_unit=unit,
            responsible=head.user if head else None,
            due_date=today + dt.timedelta(days=30 + 20 * number),
            origins=origins,
        )
        if steps:
            # Measured over the quarter before the action began, five months ago.
            action.baseline_start = today - dt.timedelta(days=240)
            action.baseline_end = today - dt.timedelta(days=151)
            action.baseline_count = services.metric_count(
                organization,
                kind=action.metric,
                root_cause=action.metric_root_cause,
                category=action.metric_category,
                start=action.baseline_start,
                end=action.baseline_end,
            )
            action.save()
        for step in steps:
            services.move_action(action, step, by=DEMO)
        if steps:
            action.after_start = today - dt.timedelta(days=150)
            action.save(update_fields=["after_start"])
        if number == 0:
            services.record_check(
                action,
                effective=True,
                evidence="Seguimiento mensual de reclamos por esperas tras el cambio.",
                by=DEMO,
            )
            services.publish(action, is_public=True, summary=summary, by=DEMO)

    _protocol_change(organization, unit, causes[1] or next(iter(by_code.values())), language, today)


def _protocol_change(
    organization: Organization, unit: Unit, cause: RootCause, language: str, today: dt.date
) -> None:
    """In progress for two months; its baseline is the quarter before it started."""
    protocol = (
        Protocol.objects.filter(
            organization=organization, status=ProtocolStatus.ACTIVE, channel_kind="in_person"
        )
        .order_by("pk")
        .first()
    )
    if protocol is None:
        return
    title, description = PROTOCOL_CHANGE[language]
    action = services.create_action(
        organization,
        by=DEMO,
        title=title,
        description=description,
        owner_unit=unit,
        due_date=today + dt.timedelta(days=45),
        origins=[{"root_cause": cause}],
        remedy=RemedyKind.PROTOCOL,
        remedy_protocol=protocol,
        check_on=MetricKind.PROTOCOL,
    )
    started = today - dt.timedelta(days=60)
    action.baseline_start = started - dt.timedelta(days=services.BASELINE_DAYS)
    action.baseline_end = started - dt.timedelta(days=1)
    part, whole = services.share_of(
        organization,
        kind=MetricKind.PROTOCOL,
        protocol=protocol,
        touch_points=[],
        start=action.baseline_start,
        end=action.baseline_end,
    )
    action.baseline_count, action.baseline_whole = part, whole
    action.baseline_value = services.share_percent(part, whole)
    action.save()
    for step in (ActionStatus.APPROVED, ActionStatus.IN_PROGRESS):
        services.move_action(action, step, by=DEMO)
    action.after_start = started
    action.save(update_fields=["after_start"])
