"""Every change of training: the catalogue (the standard programmes installed in the
organisation's language, and its own), sessions (planned for a unit, their attendance and
results), the competences results earn, and the train-the-trainers cascade.

Who may act: the catalogue is the whole organisation's (`EDIT_CHARTERS` on all of it: quality
managers); a session belongs to a unit and a certification to the trainee's unit
(`EDIT_CHARTERS` there: quality managers, and unit heads within their subtree)."""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from compromiso.core.actors import Actor
from compromiso.core.audit import log_action
from compromiso.core.errors import DomainError
from compromiso.core.permissions import Perm, require
from compromiso.organizations.models import Organization, Unit
from compromiso.servicemodel.models import (
    Attendance,
    Competence,
    ProgrammeKind,
    Protocol,
    SessionStatus,
    StaffMember,
    TrainerCertification,
    TrainingProgramme,
    TrainingSession,
)
from compromiso.servicemodel.models.training import MAX_REASON

MAX_ATTENDEES = 200


class TrainingError(DomainError):
    pass


# (key, kind, hours, validity in months, {language: (name, description)}); the protocols
# programme covers every protocol in force when it is installed.
PROTOCOLS_KEY = "service-model"
STANDARD_PROGRAMMES: list[tuple[str, str, int, int | None, dict[str, tuple[str, str]]]] = [
    (
        PROTOCOLS_KEY,
        ProgrammeKind.PROGRAMME,
        16,
        24,
        {
            "es": (
                "El modelo de servicio y sus protocolos",
                "Los protocolos mínimos de atención de cada punto de contacto.",
            ),
            "ca": (
                "El model de servei i els seus protocols",
                "Els protocols mínims d'atenció de cada punt de contacte.",
            ),
            "en": (
                "The service model and its protocols",
                "The minimum attention protocols of each touch point.",
            ),
        },
    ),
    ("customer-orientation", ProgrammeKind.WORKSHOP, 8, None, {
        "es": ("Orientación a clientes", ""),
        "ca": ("Orientació a la ciutadania", ""),
        "en": ("Customer orientation", ""),
    }),
    ("communication-empathy", ProgrammeKind.WORKSHOP, 8, None, {
        "es": ("Comunicación efectiva – Empatía", ""),
        "ca": ("Comunicació efectiva – Empatia", ""),
        "en": ("Effective communication – Empathy", ""),
    }),
    ("time-management", ProgrammeKind.WORKSHOP, 4, None, {
        "es": ("Organización del tiempo", ""),
        "ca": ("Organització del temps", ""),
        "en": ("Time management", ""),
    }),
    ("conflict-handling", ProgrammeKind.WORKSHOP, 8, None, {
        "es": ("Manejo de conflictos", ""),
        "ca": ("Gestió de conflictes", ""),
        "en": ("Conflict handling", ""),
    }),
    ("teamwork", ProgrammeKind.WORKSHOP, 4, None, {
        "es": ("Trabajo en equipo", ""),
        "ca": ("Treball en equip", ""),
        "en": ("Teamwork", ""),
    }),
    ("stress-management", ProgrammeKind.WORKSHOP, 4, None, {
        "es": ("Manejo del estrés", ""),
        "ca": ("Gestió de l'estrès", ""),
        "en": ("Stress management", ""),
    }),
]  # fmt: skip
PROGRAMME_FIELDS = ("name", "kind", "description", "hours", "validity_months", "is_active")


def _require_catalogue(organization_id: int, by: Actor) -> None:
    require(by, Perm.EDIT_CHARTERS, organization_id=organization_id)


def _require_unit(unit: Unit, by: Actor) -> None:
    require(by, Perm.EDIT_CHARTERS, organization_id=unit.organization_id, unit_path=unit.path)


@transaction.atomic
def install_standard_programmes(
    organization: Organization, *, by: Actor
) -> list[TrainingProgramme]:
    """The seven standard programmes in the organisation's language; those already installed
    (by key) or whose name is taken are left alone. Returns the ones added."""
    _require_catalogue(organization.pk, by)
    have = TrainingProgramme.objects.filter(organization=organization)
    keys = set(have.values_list("key", flat=True))
    names = set(have.values_list("name", flat=True))
    added = []
    for key, kind, hours, validity, texts in STANDARD_PROGRAMMES:
        name, description = texts.get(organization.language, texts["es"])
        if key in keys or name in names:
            continue
        programme = TrainingProgramme.objects.create(
            organization=organization,
            key=key,
            name=name,
            kind=kind,
            description=description,
            hours=hours,
            validity_months=validity,
        )
        if key == PROTOCOLS_KEY:
            programme.covers_protocols.set(
                Protocol.objects.filter(organization=organization).active()
            )
        log_action(programme, "servicemodel.trainingprogramme.created", by=by, data={"key": key})
        added.append(programme)
    return added


def _protocols(organization_id: int, protocols: Iterable[Protocol]) -> list[Protocol]:
    chosen = list(protocols)
    if any(p.organization_id != organization_id for p in chosen):
        raise ValidationError({"covers_protocols": _("Choose protocols of this organisation.")})
    return chosen


@transaction.atomic
def save_programme(
    programme: TrainingProgramme,
    *,
    by: Actor,
    covers_protocols: Iterable[Protocol] | None = None,
    **fields: Any,
) -> TrainingProgramme:
    """Create (no pk yet) or change a programme of the catalogue."""
    _require_catalogue(programme.organization_id, by)
    for name, value in fields.items():
        if name not in PROGRAMME_FIELDS:
            raise TypeError(name)
        setattr(programme, name, value)
    created = programme.pk is None
    programme.full_clean()
    programme.save()
    if covers_protocols is not None:
        programme.covers_protocols.set(_protocols(programme.organization_id, covers_protocols))
    verb = "created" if created else "updated"
    log_action(
        programme, f"servicemodel.trainingprogramme.{verb}", by=by, data={"fields": sorted(fields)}
    )
    return programme


def active_certification(
    staff_member: StaffMember, programme: TrainingProgramme, on: dt.date
) -> TrainerCertification | None:
    """The person's certification as a trainer of the programme, valid on `on`."""
    for certification in TrainerCertification.objects.filter(
        staff_member=staff_member, programme=programme
    ).order_by("-certified_on", "-pk"):
        if certification.is_valid_on(on):
            return certification
    return None


def _check_trainer(
    programme: TrainingProgramme, trainer: StaffMember | None, external: str, on: dt.date
) -> None:
    if trainer is None and not external.strip():
        raise ValidationError(
            {"trainer": _("Choose a certified trainer or name the external provider.")}
        )
    if trainer is not None:
        if trainer.organization_id != programme.organization_id:
            raise ValidationError({"trainer": _("Choose a person of this organisation.")})
        if active_certification(trainer, programme, on) is None:
            raise TrainingError(
                _("%(name)s is not a certified trainer for this programme.")
                % {"name": trainer.name},
                code="not_a_trainer",
            )


def _staff_of(organization_id: int, people: Iterable[StaffMember]) -> list[StaffMember]:
    chosen = list(dict.fromkeys(people))
    if len(chosen) > MAX_ATTENDEES:
        raise ValidationError(
            {"attendees": _("At most %(count)d people per session.") % {"count": MAX_ATTENDEES}}
        )
    if any(p.organization_id != organization_id for p in chosen):
        raise ValidationError({"attendees": _("Choose people of this organisation.")})
    return chosen


@transaction.atomic
def plan_session(
    programme: TrainingProgramme,
    *,
    by: Actor,
    unit: Unit,
    starts_on: dt.date,
    ends_on: dt.date | None = None,
    place: str = "",
    trainer: StaffMember | None = None,
    external_trainer: str = "",
    attendees: Iterable[StaffMember] = (),
) -> TrainingSession:
    """A session of the programme for a unit, with the people enrolled."""
    if unit.organization_id != programme.organization_id:
        raise ValidationError({"unit": _("Choose a unit of this organisation.")})
    _require_unit(unit, by)
    if not programme.is_active:
        raise TrainingError(_("This programme is no longer offered."), code="inactive")
    _check_trainer(programme, trainer, external_trainer, starts_on)
    people = _staff_of(programme.organization_id, attendees)
    session = TrainingSession(
        organization_id=programme.organization_id,
        programme=programme,
        unit=unit,
        starts_on=starts_on,
        ends_on=ends_on,
        place=place,
        trainer=trainer,
        external_trainer=external_trainer.strip() if trainer is None else "",
    )
    session.full_clean()
    session.save()
    Attendance.objects.bulk_create([Attendance(session=session, staff_member=p) for p in people])
    log_action(
        session, "servicemodel.trainingsession.planned", by=by, data={"attendees": len(people)}
    )
    return session


@transaction.atomic
def enrol_in_session(
    session: TrainingSession, *, by: Actor, staff_members: Iterable[StaffMember]
) -> int:
    """Add active staff of the session's unit (or its subtree) to a session not cancelled;
    those already enrolled are skipped."""
    _require_unit(session.unit, by)
    if session.status == SessionStatus.CANCELLED:
        raise TrainingError(_("The session was cancelled."), code="cancelled")
    have = set(session.attendances.values_list("staff_member_id", flat=True))
    people = [p for p in _staff_of(session.organization_id, staff_members) if p.pk not in have]
    outside = [
        p for p in people if not p.is_active or not p.unit.path.startswith(session.unit.path)
    ]
    if outside:
        raise ValidationError(
            {
                "attendees": _("%(name)s is not active staff of the session's unit.")
                % {"name": outside[0].name}
            }
        )
    if len(have) + len(people) > MAX_ATTENDEES:
        raise ValidationError(
            {"attendees": _("At most %(count)d people per session.") % {"count": MAX_ATTENDEES}}
        )
    Attendance.objects.bulk_create([Attendance(session=session, staff_member=p) for p in people])
    log_action(session, "servicemodel.trainingsession.enrolled", by=by, data={"added": len(people)})
    return len(people)


@dataclass(frozen=True)
class Result:
    """One attendee's results, as recorded after the session."""

    attendance_id: int
    attended: bool
    completed: bool
    score: int | None
    passed: bool


@transaction.atomic
def record_session_results(
    session: TrainingSession, *, by: Actor, results: Sequence[Result]
) -> int:
    """Record attendance and assessment: the session is held, and each attendee who attended,
    completed and passed earns the programme's competence from the session's last day (valid
    for the programme's months). Recording again replaces the session's competences. Returns
    the number of competences earned."""
    _require_unit(session.unit, by)
    if session.status == SessionStatus.CANCELLED:
        raise TrainingError(_("The session was cancelled."), code="cancelled")
    rows = {a.pk: a for a in session.attendances.select_related("staff_member")}
    for result in results:
        attendance = rows.get(result.attendance_id)
        if attendance is None:
            raise ValidationError(_("One of the rows is not an attendee of this session."))
        if result.score is not None and not 0 <= result.score <= 100:
            raise ValidationError({"score": _("A score goes from 0 to 100.")})
        if (result.completed or result.passed) and not result.attended:
            raise ValidationError(
                _("%(name)s did not attend: they cannot have completed or passed.")
                % {"name": attendance.staff_member.name}
            )
        attendance.attended = result.attended
        attendance.completed = result.completed
        attendance.score = result.score
        attendance.passed = result.passed
    Attendance.objects.bulk_update(
        list(rows.values()), ["attended", "completed", "score", "passed"]
    )
    session.status = SessionStatus.HELD
    session.save(update_fields=["status", "updated_at"])
    Competence.objects.filter(session=session).delete()
    day = session.last_day
    expires = session.programme.expiry(day)
    earned = [
        Competence(
            organization_id=session.organization_id,
            staff_member_id=a.staff_member_id,
            programme_id=session.programme_id,
            session=session,
            achieved_on=day,
            expires_on=expires,
        )
        for a in rows.values()
        if a.earns_competence
    ]
    Competence.objects.bulk_create(earned)
    log_action(
        session,
        "servicemodel.trainingsession.results_recorded",
        by=by,
        data={"attendees": len(rows), "earned": len(earned)},
    )
    return len(earned)


@transaction.atomic
def cancel_session(session: TrainingSession, *, by: Actor) -> TrainingSession:
    _require_unit(session.unit, by)
    if session.status != SessionStatus.PLANNED:
        raise TrainingError(_("Only a planned session can be cancelled."), code="not_planned")
    session.status = SessionStatus.CANCELLED
    session.save(update_fields=["status", "updated_at"])
    log_action(session, "servicemodel.trainingsession.cancelled", by=by)
    return session


def _ancestors(certification: TrainerCertification) -> list[TrainerCertification]:
    """The certification and those above it, up to its root."""
    chain, seen = [], set()
    node: TrainerCertification | None = certification
    while node is not None and node.pk not in seen:
        seen.add(node.pk)
        chain.append(node)
        node = node.certified_by
    return chain


@transaction.atomic
def certify_trainer(
    programme: TrainingProgramme,
    staff_member: StaffMember,
    *,
    by: Actor,
    certified_on: dt.date,
    certifier: StaffMember | None = None,
    external_body: str = "",
) -> TrainerCertification:
    """Certify a person as a trainer of the programme: by a trainer certified for it (the
    cascade), or by an external body (a root). The person must have completed the programme
    (a valid competence on `certified_on`), cannot certify themselves, cannot be certified by
    someone they certified, directly or down the line, and holds one active certification
    per programme."""
    if staff_member.organization_id != programme.organization_id:
        raise ValidationError({"staff_member": _("Choose a person of this organisation.")})
    _require_unit(staff_member.unit, by)
    parent = None
    if certifier is not None:
        if certifier.pk == staff_member.pk:
            raise TrainingError(_("No one can certify themselves."), code="self")
        parent = active_certification(certifier, programme, certified_on)
        if parent is None:
            raise TrainingError(
                _(
                    "%(name)s is not a certified trainer for this programme, so cannot "
                    "certify others in it."
                )
                % {"name": certifier.name},
                code="outside_competence",
            )
        if any(node.staff_member_id == staff_member.pk for node in _ancestors(parent)):
            raise TrainingError(
                _(
                    "%(name)s certified %(certifier)s, directly or down the line: the "
                    "cascade cannot turn back on itself."
                )
                % {"name": staff_member.name, "certifier": certifier.name},
                code="cycle",
            )
    elif not external_body.strip():
        raise ValidationError(
            {"external_body": _("Name the external body that certified the trainer.")}
        )
    if not any(
        c.is_valid_on(certified_on)
        for c in Competence.objects.filter(staff_member=staff_member, programme=programme)
    ):
        raise TrainingError(
            _("%(name)s must complete the programme before being certified to teach it.")
            % {"name": staff_member.name},
            code="not_trained",
        )
    if TrainerCertification.objects.filter(
        staff_member=staff_member, programme=programme, revoked_on__isnull=True
    ).exists():
        raise TrainingError(_("This person is already a trainer for the programme."), code="exists")
    certification = TrainerCertification(
        organization_id=programme.organization_id,
        staff_member=staff_member,
        programme=programme,
        certified_by=parent,
        external_body="" if parent else external_body.strip(),
        certified_on=certified_on,
    )
    certification.full_clean()
    certification.save()
    log_action(
        certification,
        "servicemodel.trainercertification.certified",
        by=by,
        data={"certified_by": parent.pk if parent else None},
    )
    return certification


@transaction.atomic
def revoke_certification(
    certification: TrainerCertification, *, by: Actor, on: dt.date, reason: str
) -> TrainerCertification:
    """The person stops being a trainer from `on`, for the reason given. Those they certified
    keep their certifications: each was earned by completing the programme and teaching it,
    so they stay valid and keep their place in the tree (revoke them one by one if needed)."""
    _require_unit(certification.staff_member.unit, by)
    if certification.revoked_on is not None:
        raise TrainingError(_("This certification was already revoked."), code="revoked")
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the certification is revoked.")})
    if len(reason) > MAX_REASON:
        raise ValidationError(
            {"reason": _("At most %(count)d characters.") % {"count": MAX_REASON}}
        )
    if on < certification.certified_on:
        raise ValidationError({"on": _("A certification cannot be revoked before it was given.")})
    certification.revoked_on = on
    certification.revocation_reason = reason
    certification.save(update_fields=["revoked_on", "revocation_reason", "updated_at"])
    log_action(
        certification,
        "servicemodel.trainercertification.revoked",
        by=by,
        data={"on": on.isoformat(), "given_below": certification.children.count()},
    )
    return certification


def has_results(attendance: Attendance) -> bool:
    return (
        attendance.attended
        or attendance.completed
        or attendance.passed
        or attendance.score is not None
    )


@transaction.atomic
def unenrol_from_session(attendance: Attendance, *, by: Actor) -> None:
    """Take a person off a planned session, while nothing is recorded for them."""
    session = attendance.session
    _require_unit(session.unit, by)
    if session.status != SessionStatus.PLANNED or has_results(attendance):
        raise TrainingError(
            _("Only someone with no results in a planned session can be taken off it."),
            code="has_results",
        )
    staff_member_id = attendance.staff_member_id
    attendance.delete()
    log_action(
        session,
        "servicemodel.trainingsession.unenrolled",
        by=by,
        data={"staff_member": staff_member_id},
    )
