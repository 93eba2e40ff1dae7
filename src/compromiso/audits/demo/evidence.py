"""Demo: the evidence and findings of each organisation's audit (`context["audits"][slug]`):
snapshots of what the system knows for the audited period (a commitment's measurements, the
cases and the protocol compliance of the touch points, a survey's net score, the case sample
when one was drawn), all approved; a document, left in review; an observation, rejected once
and approved once corrected; the shipped grading scale; and six findings — a major and two
minor nonconformities resting on that evidence, an observation, an opportunity for improvement
and a good practice — one minor nonconformity disputed by the audited side, its diverging
opinion left for the report. Idempotent: an audit that already has snapshots or findings is
left as it is."""

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from compromiso.audits import services, snapshots
from compromiso.audits.models import Audit, Evidence, EvidenceKind, SnapshotKind
from compromiso.core.actors import DEMO
from compromiso.surveys.segments import overall_question

TEXTS: dict[str, dict[str, str]] = {
    "es": {
        "file_title": "Acta de la reunión de apertura",
        "file_body": (
            "Acta de la reunión de apertura de la auditoría.\n"
            "Asisten el equipo auditor y la jefatura de la unidad auditada.\n"
            "Se acuerdan el alcance, los criterios, el calendario y el acceso a registros.\n"
        ),
        "observation_title": "Espera en la sala de atención",
        "observation": (
            "A las 10:40 había 14 personas esperando; dos de los cuatro módulos estaban "
            "atendiendo. El letrero de turnos no funcionaba y no había encuestas disponibles."
        ),
        "major": (
            "En %(point)s se respondió dentro del plazo legal solo el %(value)s %% de los "
            "casos del período auditado, bajo la meta comprometida en la carta."
        ),
        "major_generic": (
            "En %(point)s una parte relevante de los casos del período se respondió fuera "
            "del plazo legal comprometido en la carta."
        ),
        "major_criterion": "Carta de servicios: %(commitment)s",
        "minor_protocol": (
            "En %(point)s el protocolo de atención se cumplió en el %(value)s %% de los "
            "ítems observados; el paso «%(step)s» es el que más se omite."
        ),
        "minor_protocol_generic": (
            "En %(point)s no se observan de forma regular los pasos del protocolo de atención."
        ),
        "protocol_criterion": "Protocolo de atención vigente en el punto de contacto.",
        "minor_disputed": (
            "La satisfacción neta medida en «%(wave)s» (%(value)s puntos) no alcanza el "
            "nivel que el modelo de servicio declara para la atención."
        ),
        "minor_disputed_generic": (
            "Los casos de la muestra no siempre registran la respuesta dentro del plazo."
        ),
        "survey_criterion": "Modelo de servicio: satisfacción de las personas usuarias.",
        "diverging": (
            "La unidad no comparte el hallazgo: la medición coincidió con el cambio de sistema "
            "de turnos y no representa la atención habitual."
        ),
        "observation_finding": (
            "La información de turnos y la encuesta de satisfacción no estaban disponibles "
            "en la sala de atención durante la visita."
        ),
        "improvement": (
            "Publicar en la sala y en la web el tiempo medio de espera del día anterior "
            "ayudaría a las personas a elegir el mejor momento para venir."
        ),
        "good_practice": (
            "En %(point)s el saludo, la identificación y la escucha se cumplen de forma "
            "consistente en todas las observaciones."
        ),
        "response": "La unidad acepta el hallazgo y prepara el plan de acción.",
        "root_cause": "Dotación insuficiente en horas punta y falta de seguimiento de plazos.",
        "rejected": "Falta indicar el día de la visita.",
        "observation_day": "Visita realizada el primer día del trabajo de campo.",
    },
    "ca": {
        "file_title": "Acta de la reunió d'obertura",
        "file_body": (
            "Acta de la reunió d'obertura de l'auditoria.\n"
            "Hi assisteixen l'equip auditor i la direcció de la unitat auditada.\n"
            "S'acorden l'abast, els criteris, el calendari i l'accés als registres.\n"
        ),
        "observation_title": "Espera a la sala d'atenció",
        "observation": (
            "A les 10:40 hi havia 14 persones esperant; dos dels quatre taulells atenien. "
            "El rètol de torns no funcionava i no hi havia enquestes disponibles."
        ),
        "major": (
            "A %(point)s només es va respondre dins del termini legal el %(value)s %% dels "
            "casos del període auditat, per sota de la meta compromesa a la carta."
        ),
        "major_generic": (
            "A %(point)s una part rellevant dels casos del període es va respondre fora del "
            "termini legal compromès a la carta."
        ),
        "major_criterion": "Carta de serveis: %(commitment)s",
        "minor_protocol": (
            "A %(point)s el protocol d'atenció es va complir en el %(value)s %% dels ítems "
            "observats; el pas «%(step)s» és el que més s'omet."
        ),
        "minor_protocol_generic": (
            "A %(point)s no s'observen de manera regular els passos del protocol d'atenció."
        ),
        "protocol_criterion": "Protocol d'atenció vigent al punt de contacte.",
        "minor_disputed": (
            "La satisfacció neta mesurada a «%(wave)s» (%(value)s punts) no arriba al nivell "
            "que el model de servei declara per a l'atenció."
        ),
        "minor_disputed_generic": (
            "Els casos de la mostra no sempre registren la resposta dins del termini."
        ),
        "survey_criterion": "Model de servei: satisfacció de les persones usuàries.",
        "diverging": (
            "La unitat no comparteix la troballa: la mesura va coincidir amb el canvi del "
            "sistema de torns i no representa l'atenció habitual."
        ),
        "observation_finding": (
            "La informació de torns i l'enquesta de satisfacció no estaven disponibles a la "
            "sala d'atenció durant la visita."
        ),
        "improvement": (
            "Publicar a la sala i al web el temps mitjà d'espera del dia anterior ajudaria les "
            "persones a triar el millor moment per venir."
        ),
        "good_practice": (
            "A %(point)s la salutació, la identificació i l'escolta es compleixen de manera "
            "consistent en totes les observacions."
        ),
        "response": "La unitat accepta la troballa i prepara el pla d'acció.",
        "root_cause": "Dotació insuficient en hores punta i manca de seguiment dels terminis.",
        "rejected": "Hi falta el dia de la visita.",
        "observation_day": "Visita feta el primer dia del treball de camp.",
    },
}


def _audits(value: Any) -> list[Audit]:
    """The audit(s) the engagement demo left for an organisation: one, or the first open one
    of a list or dict."""
    if isinstance(value, Audit):
        return [value]
    found = list(value.values()) if isinstance(value, dict) else list(value or [])
    audits = [a for a in found if isinstance(a, Audit)]
    open_ones = [a for a in audits if a.is_open]
    return open_ones[:1] or audits[:1]


def load(context: dict[str, Any]) -> None:
    for value in (context.get("audits") or {}).values():
        for audit in _audits(value):
            audit.refresh_from_db()
            if audit.is_open:
                load_audit(audit)


def load_audit(audit: Audit) -> None:
    texts = TEXTS.get(audit.organization.language, TEXTS["es"])
    services.ensure_grades(audit.organization, by=DEMO)
    if not audit.evidence.filter(kind=EvidenceKind.SNAPSHOT).exists():
        _evidence(audit, texts)
    if not audit.findings.exists():
        _findings(audit, texts)


def _evidence(audit: Audit, texts: dict[str, str]) -> None:
    taken: list[Evidence] = []
    commitment = (
        snapshots.commitments_in_scope(audit).filter(measurements__isnull=False).first()
        or snapshots.commitments_in_scope(audit).first()
    )
    if commitment is not None:
        taken.append(services.take_snapshot(audit, "commitment", by=DEMO, commitment=commitment))
    for point in snapshots.touch_points_in_scope(audit).order_by("pk")[:2]:
        taken.append(services.take_snapshot(audit, "tp_cases", by=DEMO, touch_point=point))
        taken.append(services.take_snapshot(audit, "protocol", by=DEMO, touch_point=point))
    wave = snapshots.default_wave(audit)
    if wave is not None and overall_question(wave) is not None:
        taken.append(
            services.take_snapshot(audit, "survey_segment", by=DEMO, wave=wave, segment="all")
        )
    sample = snapshots.case_samples(audit).first()
    if sample is not None:
        taken.append(services.take_snapshot(audit, "case_sample", by=DEMO, sample=sample))
    document = SimpleUploadedFile(
        "acta.txt", texts["file_body"].encode("utf-8"), content_type="text/plain"
    )
    taken.append(
        services.record_evidence(
            audit, "file", by=DEMO, title=texts["file_title"], uploads=[document]
        )
    )
    first_point = snapshots.touch_points_in_scope(audit).order_by("pk").first()
    observation = services.record_evidence(
        audit,
        "observation",
        by=DEMO,
        title=texts["observation_title"],
        description=texts["observation"],
        touch_point=first_point,
    )
    for evidence in [*taken, observation]:
        services.submit_evidence(evidence, by=DEMO)
    for evidence in taken[:-1]:  # the document stays in review
        services.review_evidence(evidence, by=DEMO, approve=True)
    services.review_evidence(observation, by=DEMO, approve=False, note=texts["rejected"])
    services.update_evidence(
        observation, by=DEMO, description=f"{texts['observation']} {texts['observation_day']}"
    )
    services.submit_evidence(observation, by=DEMO)
    services.review_evidence(observation, by=DEMO, approve=True)


def _of(audit: Audit, kind: str) -> list[Evidence]:
    return list(audit.evidence.filter(snapshot_kind=kind).order_by("pk"))


def _number(value: Any) -> str:
    return "—" if value is None else f"{value:g}".replace(".", ",")


def _findings(audit: Audit, texts: dict[str, str]) -> None:
    grades = {g.code: g for g in services.ensure_grades(audit.organization, by=DEMO)}
    cases, protocols = _of(audit, SnapshotKind.TOUCH_POINT_CASES), _of(audit, "protocol")
    commitments = _of(audit, SnapshotKind.COMMITMENT)
    notes = list(audit.evidence.exclude(kind=EvidenceKind.SNAPSHOT).order_by("pk"))
    everything = list(audit.evidence.order_by("pk"))
    if not everything:
        return

    major_evidence = (cases[:1] + commitments[:1]) or everything[:1]
    point = major_evidence[0].touch_point
    on_time = cases[0].payload["totals"].get("answered_on_time") if cases else None
    name = point.name if point else audit.title
    commitment = commitments[0].commitment if commitments else None
    major_text = texts["major"] if on_time is not None else texts["major_generic"]
    major = services.record_finding(
        audit,
        by=DEMO,
        grade=grades["major_nc"],
        statement=major_text % {"point": name, "value": _number(on_time)},
        criterion=texts["major_criterion"]
        % {"commitment": commitment.text if commitment else audit.criteria[:200]},
        touch_point=point,
        commitment=commitment,
        evidence=major_evidence,
    )

    protocol = protocols[0] if protocols else None
    share = protocol.payload["total"]["percent"] if protocol else None
    steps = [s for s in (protocol.payload["steps"] if protocol else []) if s["applicable"]]
    worst = min(steps, key=lambda s: s["percent"]) if steps else None
    where = protocol.touch_point if protocol and protocol.touch_point else point
    minor_text = texts["minor_protocol"] if worst and share is not None else ""
    minor = services.record_finding(
        audit,
        by=DEMO,
        grade=grades["minor_nc"],
        statement=(minor_text or texts["minor_protocol_generic"])
        % {
            "point": where.name if where else name,
            "value": _number(share),
            "step": worst["behaviour"] if worst else "",
        },
        criterion=texts["protocol_criterion"],
        touch_point=where,
        evidence=[protocol] if protocol else everything[:1],
    )

    surveys = _of(audit, SnapshotKind.SURVEY_SEGMENT) or _of(audit, SnapshotKind.CASE_SAMPLE)
    survey = surveys[0] if surveys else None
    net = (survey.payload.get("net") or {}).get("value") if survey else None
    statement = texts["minor_disputed_generic"]
    if survey is not None and net is not None and "wave" in survey.payload:
        values = {"wave": survey.payload["wave"]["title"], "value": _number(net)}
        statement = texts["minor_disputed"] % values
    disputed = services.record_finding(
        audit,
        by=DEMO,
        grade=grades["minor_nc"],
        statement=statement,
        criterion=texts["survey_criterion"],
        evidence=[survey] if survey else everything[-1:],
    )

    observed = [n for n in notes if n.kind == EvidenceKind.OBSERVATION]
    observation = services.record_finding(
        audit,
        by=DEMO,
        grade=grades["observation"],
        statement=texts["observation_finding"],
        touch_point=observed[0].touch_point if observed else point,
        evidence=observed[:1],
    )
    services.record_finding(
        audit, by=DEMO, grade=grades["improvement"], statement=texts["improvement"]
    )
    good = protocols[-1] if protocols else None
    good_point = good.touch_point if good and good.touch_point else None
    services.record_finding(
        audit,
        by=DEMO,
        grade=grades["good_practice"],
        statement=texts["good_practice"] % {"point": good_point.name if good_point else name},
        touch_point=good_point,
        evidence=[good] if good else [],
    )

    for finding in (major, minor, observation):
        services.answer_finding(
            finding,
            by=DEMO,
            accepts=True,
            response=texts["response"],
            root_cause=texts["root_cause"] if finding.grade.is_nonconformity else "",
        )
    services.answer_finding(disputed, by=DEMO, accepts=False, diverging_opinion=texts["diverging"])
