"""The audit report (ISO 19011 §6.5): the texts the lead auditor writes, and issuing it.

Issuing needs the conclusions and every finding answered by the audited side, or its time to
answer gone by (`ANSWER_WINDOW_BUSINESS_DAYS` from when the finding was recorded). It freezes
the report's content and its fingerprint, numbers the version (a reissue is the next version)
and takes the audit from reporting to remedies and follow-up. The team writes; only the lead
(or, for an audit with no lead named, anyone who conducts it) issues."""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from compromiso.audits.access import can
from compromiso.audits.models import (
    Audit,
    AuditStatus,
    Finding,
    FindingStatus,
    Report,
    TeamMember,
    TeamRole,
)
from compromiso.audits.report import build, fingerprint, to_data
from compromiso.core.actors import Actor, SystemActor, user_of
from compromiso.core.audit import changes, log_action, snapshot
from compromiso.core.calendar import BusinessCalendar
from compromiso.core.errors import DomainError

ANSWER_WINDOW_BUSINESS_DAYS = 10
REPORT_TEXTS = (
    "summary",
    "participants",
    "degree_met",
    "areas_not_covered",
    "obstacles",
    "conclusions",
    "confidentiality",
    "distribution",
)
WRITABLE_STATUSES = (AuditStatus.FIELDWORK, AuditStatus.REPORTING, AuditStatus.FOLLOW_UP)
ISSUABLE_STATUSES = (AuditStatus.REPORTING, AuditStatus.FOLLOW_UP)


class ReportError(DomainError):
    pass


def is_lead(user: Actor, audit: Audit) -> bool:
    """The lead auditor: the audit's lead, a team member with the lead's role, or — when the
    audit names no lead at all — anyone who conducts it. The system acts as the lead."""
    if isinstance(user, SystemActor):
        return True
    if not can(user, audit, "conduct"):
        return False
    if audit.lead_id == user.pk:
        return True
    leads = set(
        TeamMember.objects.filter(audit=audit, role=TeamRole.LEAD).values_list("user_id", flat=True)
    )
    if user.pk in leads:
        return True
    return audit.lead_id is None and not leads


def require_lead(audit: Audit, by: Actor) -> None:
    if not is_lead(by, audit):
        raise PermissionDenied(_("Only the lead auditor may do this."))


def require_team(audit: Audit, by: Actor) -> None:
    if not can(by, audit, "conduct"):
        raise PermissionDenied(_("Only the audit team may do this."))


def report_of(audit: Audit) -> Report | None:
    return Report.objects.filter(audit=audit).select_related("issued_by").first()


@transaction.atomic
def save_report(audit: Audit, *, by: Actor, **texts: str) -> Report:
    """Write the report's texts (the team). Unknown names are ignored."""
    require_team(audit, by)
    if audit.status not in WRITABLE_STATUSES:
        raise ReportError(
            _("The report is written during fieldwork, reporting and follow-up."), code="state"
        )
    report, _created = Report.objects.get_or_create(audit=audit)
    names = [name for name in REPORT_TEXTS if name in texts]
    before = snapshot(report, names)
    for name in names:
        setattr(report, name, (texts[name] or "").strip())
    report.full_clean(exclude=["audit", "issued_by"])
    report.save()
    diff = changes(before, snapshot(report, names))
    if diff:
        log_action(
            audit,
            "audits.report.written",
            by=by,
            data={"fields": sorted(diff), "version": report.version},
        )
    return report


def answer_window_closes(
    finding: Finding, audit: Audit | None = None, calendar: BusinessCalendar | None = None
) -> dt.date:
    """The last day the audited side has to answer the finding: ten business days of the
    organisation after the day it was recorded."""
    organization = (audit or finding.audit).organization
    calendar = calendar or organization.business_calendar()
    recorded = organization.local(finding.created_at).date()
    return calendar.add_business_days(recorded, ANSWER_WINDOW_BUSINESS_DAYS)


def awaiting_answer(audit: Audit, today: dt.date | None = None) -> list[tuple[Finding, dt.date]]:
    """Findings not answered yet whose time to answer has not gone by, each with its last day
    (the organisation's calendar is read once)."""
    today = today or audit.organization.today()
    waiting = list(
        Finding.objects.filter(
            audit=audit, status=FindingStatus.OPEN, responded_at__isnull=True
        ).order_by("number")
    )
    if not waiting:
        return []
    calendar = audit.organization.business_calendar()
    closing = [(f, answer_window_closes(f, audit, calendar)) for f in waiting]
    return [(f, day) for f, day in closing if day >= today]


def issue_problems(audit: Audit, report: Report | None = None) -> list[str]:
    """Why the report cannot be issued now (nothing when it can)."""
    problems = []
    if audit.status not in ISSUABLE_STATUSES:
        problems.append(_("The audit must be in its reporting stage."))
    if report is None or not report.conclusions.strip():
        problems.append(_("Write the conclusions first."))
    waiting = awaiting_answer(audit)
    if waiting:
        problems.append(
            _(
                "The audited side can still answer findings %(numbers)s (until %(date)s), "
                "and has not yet."
            )
            % {
                "numbers": ", ".join(str(f.number) for f, _day in waiting),
                "date": date_format(max(day for _f, day in waiting), "j F Y"),
            }
        )
    return problems


def _enter_follow_up(audit: Audit, *, by: Actor) -> None:
    """Reporting → remedies and follow-up, once the report is issued."""
    before = audit.status
    audit.status = AuditStatus.FOLLOW_UP
    audit.save(update_fields=["status", "updated_at"])
    log_action(
        audit, "audits.audit.follow_up", by=by, data={"status": [before, AuditStatus.FOLLOW_UP]}
    )


@transaction.atomic
def issue_report(audit: Audit, *, by: Actor) -> Report:
    """Issue the report (the lead): freeze what it says, number the version, and move the
    audit on to its remedies."""
    audit = (
        Audit.objects.select_for_update(of=("self",))
        .select_related("organization")
        .get(pk=audit.pk)
    )
    require_lead(audit, by)
    report = Report.objects.select_for_update().filter(audit=audit).first()
    problems = issue_problems(audit, report)
    if report is None or not report.conclusions.strip():
        raise ValidationError({"conclusions": _("Write the conclusions first.")})
    if problems:
        raise ReportError(" ".join(problems), code="not_ready")
    reissue = report.issued_at is not None
    if reissue:
        report.version += 1
    report.issued_at = timezone.now()
    report.issued_by = user_of(by)
    data = to_data(build(audit, report))
    report.content = data
    report.fingerprint = fingerprint(data)
    report.save()
    log_action(
        audit,
        "audits.report.reissued" if reissue else "audits.report.issued",
        by=by,
        data={"version": report.version, "fingerprint": report.fingerprint},
    )
    if audit.status == AuditStatus.REPORTING:
        _enter_follow_up(audit, by=by)
    return report


def report_texts(report: Report | None) -> dict[str, Any]:
    """The texts as the form shows them."""
    if report is None:
        return {}
    return {name: getattr(report, name) for name in REPORT_TEXTS}
