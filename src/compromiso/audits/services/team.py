"""Every change of an audit's team and of its agreement with the audited organisation.

The team: members of the organisation, or outside and peer auditors once granted an access to
the audit; a lead (also the audit's `lead`), roles; each member answers the seed's self-check
(yes/no and a note per question), declares independence and any conflict of interest, and
states their competence — kept, and dated.

The agreement (ISO 19011 §6.2): scope, criteria, dates, access and what will be published,
edited while the audit is planned by those who manage or conduct it; signed by the auditor side
(the lead or someone who conducts the audit) and by the audited side (who manages audits or
answers them for the audited unit), two different people. Changing the text after a signature
clears both signatures and makes a new version."""

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from compromiso.audits.access import Need, can, is_member
from compromiso.audits.models import (
    SELF_CHECK_QUESTIONS,
    Agreement,
    Audit,
    AuditAccess,
    AuditStatus,
    TeamMember,
    TeamRole,
)
from compromiso.core.actors import Actor, SystemActor, user_of
from compromiso.core.audit import log_action
from compromiso.core.errors import DomainError
from compromiso.organizations.models import User

AGREEMENT_FIELDS = ("scope", "criteria", "dates", "access", "publication")
SELF_CHECK_KEYS = tuple(key for key, _question in SELF_CHECK_QUESTIONS)
SELF_CHECK_NOTE_LIMIT = 1000


class TeamError(DomainError):
    pass


def _require(audit: Audit, by: Actor, need: Need) -> None:
    if not can(by, audit, need):
        raise PermissionDenied(_("You do not have permission to do this."))


def _open(audit: Audit) -> None:
    if not audit.is_open:
        raise TeamError(_("A closed or cancelled audit is no longer changed."), code="not_open")


def may_join(audit: Audit, user: User) -> bool:
    """Members of the organisation, and anyone holding a grant to this audit not yet ended."""
    if is_member(user, audit.organization_id):
        return True
    return AuditAccess.objects.filter(
        audit=audit, user=user, revoked_at__isnull=True, valid_until__gt=timezone.now()
    ).exists()


def _make_lead(member: TeamMember) -> None:
    audit = member.audit
    TeamMember.objects.filter(audit=audit, role=TeamRole.LEAD).exclude(pk=member.pk).update(
        role=TeamRole.AUDITOR
    )
    audit.lead = member.user
    audit.save(update_fields=["lead", "updated_at"])


@transaction.atomic
def add_team_member(
    audit: Audit,
    *,
    by: Actor,
    user: User,
    role: str = TeamRole.AUDITOR,
    affiliation: str = "",
    competence: str = "",
) -> TeamMember:
    _require(audit, by, "manage")
    _open(audit)
    if role not in TeamRole.values:
        raise ValidationError({"role": _("Unknown choice.")})
    if not user.is_active or not may_join(audit, user):
        raise ValidationError(
            {
                "user": _(
                    "Choose a member of the organisation, or grant the person an access to "
                    "this audit first."
                )
            }
        )
    if TeamMember.objects.filter(audit=audit, user=user).exists():
        raise ValidationError({"user": _("This person is already on the team.")})
    member = TeamMember(
        audit=audit, user=user, role=role, affiliation=affiliation.strip(), competence=competence
    )
    member.full_clean()
    member.save()
    if role == TeamRole.LEAD:
        _make_lead(member)
    log_action(
        audit, "audits.team.added", by=by, data={"member": member.pk, "user": user.pk, "role": role}
    )
    return member


@transaction.atomic
def change_team_role(member: TeamMember, *, by: Actor, role: str) -> TeamMember:
    audit = member.audit
    _require(audit, by, "manage")
    _open(audit)
    if role not in TeamRole.values:
        raise ValidationError({"role": _("Unknown choice.")})
    before = member.role
    member.role = role
    member.save(update_fields=["role"])
    if role == TeamRole.LEAD:
        _make_lead(member)
    elif before == TeamRole.LEAD and audit.lead_id == member.user_id:
        audit.lead = None
        audit.save(update_fields=["lead", "updated_at"])
    data = {"member": member.pk, "from": before, "to": role}
    log_action(audit, "audits.team.role_changed", by=by, data=data)
    return member


@transaction.atomic
def remove_team_member(member: TeamMember, *, by: Actor) -> None:
    audit = member.audit
    _require(audit, by, "manage")
    _open(audit)
    if audit.lead_id == member.user_id:
        audit.lead = None
        audit.save(update_fields=["lead", "updated_at"])
    log_action(
        audit, "audits.team.removed", by=by, data={"member": member.pk, "user": member.user_id}
    )
    member.delete()


def may_declare(member: TeamMember, by: Actor) -> bool:
    if isinstance(by, SystemActor):
        return True
    return member.user_id == by.pk or can(by, member.audit, "manage")


@transaction.atomic
def declare(
    member: TeamMember,
    *,
    by: Actor,
    self_check: Mapping[str, tuple[bool | None, str]],
    independent: bool | None,
    conflicts: str = "",
    competence: str = "",
) -> TeamMember:
    """The member's self-check (each question: yes, no or not answered, and a note), their
    declaration of independence and conflicts of interest, and their competence."""
    if not may_declare(member, by):
        raise PermissionDenied(_("You do not have permission to do this."))
    _open(member.audit)
    unknown = set(self_check) - set(SELF_CHECK_KEYS)
    if unknown:
        raise ValidationError({"self_check": _("Unknown question.")})
    answers: dict[str, dict[str, Any]] = {}
    for key in SELF_CHECK_KEYS:
        answer, note = self_check.get(key, (None, ""))
        if len(note) > SELF_CHECK_NOTE_LIMIT:
            raise ValidationError(
                {
                    f"note_{key}": _("At most %(count)d characters.")
                    % {"count": SELF_CHECK_NOTE_LIMIT}
                }
            )
        answers[key] = {"answer": answer, "note": note.strip()}
    member.self_check = answers
    member.independent = independent
    member.conflicts = conflicts.strip()
    member.competence = competence.strip()
    member.declared_at = timezone.now()
    member.full_clean()
    member.save()
    log_action(
        member.audit,
        "audits.team.declared",
        by=by,
        data={
            "member": member.pk,
            "independent": independent,
            "conflict": has_conflict(member),
        },
    )
    return member


def has_conflict(member: TeamMember) -> bool:
    """Flagged on the audit page: not independent, or a conflict declared."""
    return member.independent is False or bool(member.conflicts.strip())


# The agreement ----------------------------------------------------------------------------


def agreement_of(audit: Audit) -> Agreement:
    """The audit's agreement (an empty, unsaved one before anything is written)."""
    return Agreement.objects.filter(audit=audit).first() or Agreement(audit=audit)


def _planned(audit: Audit) -> None:
    if audit.status != AuditStatus.PLANNED:
        raise TeamError(
            _("The agreement is negotiated while the audit is planned."), code="not_planned"
        )


@transaction.atomic
def save_agreement(audit: Audit, *, by: Actor, **fields: Any) -> Agreement:
    if not (can(by, audit, "manage") or can(by, audit, "conduct")):
        raise PermissionDenied(_("You do not have permission to do this."))
    _planned(audit)
    agreement = agreement_of(audit)
    changed = []
    for name, value in fields.items():
        if name not in AGREEMENT_FIELDS:
            raise TypeError(name)
        if getattr(agreement, name) != value:
            changed.append(name)
        setattr(agreement, name, value)
    agreement.full_clean()
    reset = bool(changed) and (
        agreement.auditor_signed_at is not None or agreement.auditee_signed_at is not None
    )
    if reset:
        agreement.version += 1
        agreement.auditor_signed_by = agreement.auditee_signed_by = None
        agreement.auditor_signed_at = agreement.auditee_signed_at = None
    agreement.save()
    log_action(
        audit,
        "audits.agreement.saved",
        by=by,
        data={"fields": changed, "version": agreement.version, "signatures_cleared": reset},
    )
    return agreement


def may_sign(audit: Audit, user: Actor, side: str) -> bool:
    if side == "auditor":
        return (not isinstance(user, SystemActor) and audit.lead_id == user.pk) or can(
            user, audit, "conduct"
        )
    if side == "auditee":
        return can(user, audit, "manage") or can(user, audit, "answer")
    return False


@transaction.atomic
def sign_agreement(audit: Audit, *, by: Actor, side: str) -> Agreement:
    """Sign for the auditor side or for the audited side."""
    if side not in ("auditor", "auditee"):
        raise ValidationError({"side": _("Unknown choice.")})
    if not may_sign(audit, by, side):
        raise PermissionDenied(_("You do not have permission to do this."))
    _planned(audit)
    agreement = Agreement.objects.select_for_update().filter(audit=audit).first()
    if agreement is None or not agreement.scope.strip():
        raise TeamError(_("Write the agreed scope before signing."), code="empty")
    person = user_of(by)
    other = agreement.auditee_signed_by_id if side == "auditor" else agreement.auditor_signed_by_id
    if person is not None and other == person.pk:
        raise TeamError(_("The two sides are signed by two different people."), code="same_person")
    if getattr(agreement, f"{side}_signed_at") is not None:
        raise TeamError(_("This side has already signed."), code="signed")
    setattr(agreement, f"{side}_signed_by", person)
    setattr(agreement, f"{side}_signed_at", timezone.now())
    agreement.save()
    log_action(
        audit,
        "audits.agreement.signed",
        by=by,
        data={"side": side, "version": agreement.version},
    )
    return agreement
