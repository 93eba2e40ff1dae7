"""Demo: each organisation's completed audit gets its report, written in the organisation's
language and issued, and its remedies: an improvement action for every nonconformity (the first
done, its effect checked and verified by the lead; the others under way) and a review of
documents planned as follow-up. The audit stays in remedies and follow-up, as the issue asks.
Loading twice adds nothing.

The audits come from the demo steps before this one, in `context["audits"][slug]` (one audit, or
a list of them); without them there is nothing to do."""

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from compromiso.audits import services
from compromiso.audits.models import (
    Audit,
    AuditKind,
    AuditStatus,
    Finding,
    FindingStatus,
    FollowUp,
    FollowUpKind,
    Report,
)
from compromiso.audits.report import is_remedied
from compromiso.audits.services.remedies import OPEN_FINDING_STATUSES
from compromiso.audits.services.reports import awaiting_answer
from compromiso.core.actors import DEMO
from compromiso.core.audit import log_action
from compromiso.core.permissions import Role
from compromiso.improvement import services as improvement
from compromiso.improvement.models import ActionStatus, ImprovementAction
from compromiso.organizations.models import Membership, Unit, User

TEXTS: dict[str, dict[str, str]] = {
    "es": {
        "summary": (
            "La auditoría comprobó en terreno los compromisos de la carta de servicios en los "
            "puntos de contacto del alcance, con evidencia tomada de los datos del sistema y "
            "observación directa en los mesones."
        ),
        "participants": (
            "Jefatura de la Dirección Regional; encargadas y encargados de sucursal; dos "
            "ejecutivos de atención por cada punto visitado."
        ),
        "degree_met": (
            "Los compromisos se cumplen en lo esencial; la entrega del número de seguimiento y "
            "el registro de la capacitación no cumplen el criterio en todos los puntos."
        ),
        "areas_not_covered": (
            "No se visitaron los puntos de contacto rurales por la distancia; se revisarán en la "
            "próxima auditoría del programa."
        ),
        "obstacles": "La sucursal estuvo cerrada un día por un corte de luz.",
        "conclusions": (
            "El servicio cumple sus compromisos en la mayoría de los puntos de contacto. Las no "
            "conformidades requieren un plan de acción con responsables y plazos, cuyo efecto "
            "verificará el equipo auditor."
        ),
        "confidentiality": (
            "Informe de uso interno. Su publicación requiere la aprobación de la Dirección "
            "Nacional, salvo obligación legal."
        ),
        "distribution": "Dirección Nacional; Dirección Regional auditada; comité de calidad.",
        "action": "Corregir: %(statement)s",
        "description": "Definir el cambio, aplicarlo en cada punto de contacto y comprobarlo.",
        "root_cause": (
            "El procedimiento no indica quién hace este paso ni cómo se comprueba que se hizo."
        ),
        "answer": "La unidad acepta el hallazgo.",
        "evidence": "Observación en terreno: el paso se cumple en todas las atenciones revisadas.",
        "follow_up": "Revisar los registros y las evidencias de las acciones en curso.",
        "verified": "Comprobado en la revisión de registros.",
    },
    "ca": {
        "summary": (
            "L'auditoria va comprovar sobre el terreny els compromisos de la carta de serveis "
            "als punts de contacte de l'abast, amb evidència presa de les dades del sistema i "
            "observació directa a l'OAC."
        ),
        "participants": (
            "Cap de l'Oficina d'Atenció Ciutadana; dues persones d'atenció per cada punt "
            "visitat; responsable de qualitat."
        ),
        "degree_met": (
            "Els compromisos es compleixen en l'essencial; el lliurament del número de "
            "seguiment i el registre de la formació no compleixen el criteri a tots els punts."
        ),
        "areas_not_covered": (
            "No es va poder auditar l'atenció telefònica de la tarda; es revisarà a la propera "
            "auditoria del programa."
        ),
        "obstacles": "El sistema de cita prèvia va estar aturat un matí.",
        "conclusions": (
            "L'Ajuntament compleix els seus compromisos a la majoria dels punts de contacte. Les "
            "no conformitats requereixen un pla d'acció amb responsables i terminis, l'efecte "
            "del qual verificarà l'equip auditor."
        ),
        "confidentiality": (
            "Informe d'ús intern. La seva publicació requereix l'aprovació de l'Alcaldia, llevat "
            "d'obligació legal."
        ),
        "distribution": "Alcaldia; Oficina d'Atenció Ciutadana; comissió de qualitat.",
        "action": "Corregir: %(statement)s",
        "description": "Definir el canvi, aplicar-lo a cada punt de contacte i comprovar-lo.",
        "root_cause": (
            "El procediment no indica qui fa aquest pas ni com es comprova que s'ha fet."
        ),
        "answer": "La unitat accepta la troballa.",
        "evidence": "Observació sobre el terreny: el pas es compleix en totes les atencions.",
        "follow_up": "Revisar els registres i les evidències de les accions en curs.",
        "verified": "Comprovat en la revisió de registres.",
    },
}
REPORT_FIELDS = (
    "summary",
    "participants",
    "degree_met",
    "areas_not_covered",
    "obstacles",
    "conclusions",
    "confidentiality",
    "distribution",
)


def _audits(value: Any) -> Iterable[Audit]:
    """The audits of one organisation in the context: one, a list, or a dict of them."""
    if isinstance(value, Audit):
        return [value]
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list | tuple):
        return [a for a in value if isinstance(a, Audit)]
    return []


def load(context: dict[str, Any]) -> None:
    for slug, value in (context.get("audits") or {}).items():
        for audit in _audits(value):
            audit.refresh_from_db()
            if audit.kind in (AuditKind.MYSTERY, AuditKind.FOLLOW_UP):
                continue
            if audit.status not in (
                AuditStatus.FIELDWORK,
                AuditStatus.REPORTING,
                AuditStatus.FOLLOW_UP,
            ):
                continue
            texts = TEXTS.get(audit.organization.language, TEXTS["es"])
            _report(audit, texts)
            audit.refresh_from_db()
            if audit.status == AuditStatus.FOLLOW_UP:
                _remedies(audit, texts)
            context.setdefault("audit_reports", {})[slug] = audit


def _report(audit: Audit, texts: dict[str, str]) -> None:
    report = Report.objects.filter(audit=audit).first()
    if report is not None and report.issued_at is not None:
        return
    if audit.status == AuditStatus.FIELDWORK:
        audit.status = AuditStatus.REPORTING
        audit.actual_end = audit.actual_end or audit.organization.today()
        audit.save(update_fields=["status", "actual_end", "updated_at"])
        log_action(audit, "audits.audit.reporting", by=DEMO)
    for finding, _day in awaiting_answer(audit):
        # The audited side answers the findings still waiting, so that the report can be issued.
        finding.status = FindingStatus.ACCEPTED
        finding.response = texts["answer"]
        finding.responded_at = timezone.now()
        finding.save(update_fields=["status", "response", "responded_at", "updated_at"])
        log_action(audit, "audits.finding.answered", by=DEMO, data={"finding": finding.number})
    services.save_report(audit, by=DEMO, **{name: texts[name] for name in REPORT_FIELDS})
    services.issue_report(audit, by=DEMO)


def _owner(audit: Audit, finding: Finding) -> Unit:
    if audit.unit is not None:
        return audit.unit
    if finding.touch_point is not None:
        return finding.touch_point.unit
    unit = Unit.objects.filter(organization=audit.organization, is_active=True).order_by("path")
    return unit.first() or Unit.objects.filter(organization=audit.organization).get()


def _head(unit: Unit) -> User | None:
    """A unit head whose unit holds the owner unit (the person responsible)."""
    for membership in (
        Membership.objects.filter(organization_id=unit.organization_id, role=Role.UNIT_HEAD)
        .select_related("user", "unit")
        .order_by("pk")
    ):
        if membership.unit is None or unit.path.startswith(membership.unit.path):
            return membership.user
    return None


def _remedies(audit: Audit, texts: dict[str, str]) -> None:
    findings = list(
        Finding.objects.filter(audit=audit, grade__kind="nonconformity")
        .select_related("grade", "touch_point__unit", "commitment", "action", "audit")
        .order_by("number")
    )
    for position, finding in enumerate(findings):
        if finding.action_id is None and finding.status in OPEN_FINDING_STATUSES:
            owner = _owner(audit, finding)
            action = services.propose_remedy(
                finding,
                by=DEMO,
                title=(texts["action"] % {"statement": finding.statement})[:200],
                description=texts["description"],
                root_cause=texts["root_cause"],
                owner_unit=owner,
                responsible=_head(owner),
                check_on="" if finding.commitment_id else "protocol",
            )
            _advance(action, done=position == 0, texts=texts)
        finding.refresh_from_db()
        current = (
            ImprovementAction.objects.filter(pk=finding.action_id).first()
            if finding.action_id
            else None
        )
        ready = finding.status == FindingStatus.IN_ACTION and is_remedied(current)
        if position == 0 and ready:
            services.verify_finding(finding, by=DEMO, note=texts["verified"])
    if not FollowUp.objects.filter(audit=audit, kind=FollowUpKind.DESK_REVIEW).exists():
        services.plan_follow_up(
            audit,
            by=DEMO,
            kind=FollowUpKind.DESK_REVIEW,
            scheduled_on=audit.organization.today() + dt.timedelta(days=45),
            notes=texts["follow_up"],
        )


def _advance(action: ImprovementAction, *, done: bool, texts: dict[str, str]) -> None:
    """The first remedy is done and found effective; the others are under way."""
    action = improvement.move_action(action, ActionStatus.APPROVED, by=DEMO)
    action = improvement.move_action(action, ActionStatus.IN_PROGRESS, by=DEMO)
    if done:
        action = improvement.move_action(action, ActionStatus.CHECKING, by=DEMO)
        improvement.record_check(action, effective=True, evidence=texts["evidence"], by=DEMO)
