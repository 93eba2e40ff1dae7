"""Requesters' personal data: retention, export and erasure (GDPR arts. 15, 17 and 20; Chile's
Ley 21.719). Anonymising keeps the case and its figures (kind, dates, unit, service, category,
root cause, ratings, redress) and erases who the person is and what they wrote."""

import datetime as dt
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from compromiso.cases.models import (
    OPEN_STATUSES,
    Case,
    CaseEvent,
    HandlingRating,
    PendingAcknowledgement,
    Redress,
)
from compromiso.core import personal_data
from compromiso.core.actors import Actor, SystemActor
from compromiso.core.audit import log_action
from compromiso.core.models import AuditEntry
from compromiso.core.permissions import Perm, require
from compromiso.organizations.models import Organization

ERASED = personal_data.ERASED

# The retention job erases personal data past its term: no person acts.
RETENTION = SystemActor("retention")


def cases_of_requester(
    organization: Organization, *, email: str = "", national_id: str = ""
) -> Any:
    """The cases of one person, found by e-mail address or national ID (exact match)."""
    email, national_id = email.strip(), national_id.strip()
    if not email and not national_id:
        return Case.objects.none()
    match = Q()
    if email:
        match |= Q(requester_email__iexact=email)
    if national_id:
        match |= Q(requester_national_id__iexact=national_id)
    return Case.objects.filter(organization=organization, anonymised_at__isnull=True).filter(match)


def export_requester_data(
    organization: Organization, *, by: Actor, email: str = "", national_id: str = ""
) -> dict[str, Any]:
    """Everything held about a person, as a portable document (access and portability)."""
    require(by, Perm.MANAGE_ORGANIZATION, organization_id=organization.pk)
    cases = cases_of_requester(organization, email=email, national_id=national_id)
    document: dict[str, Any] = {
        "organization": organization.name,
        "generated_at": timezone.now().isoformat(),
        "cases": [
            {
                "tracking_code": case.tracking_code,
                "kind": case.kind,
                "status": case.status,
                "received_at": case.received_at.isoformat(),
                "subject": case.subject,
                "description": case.description,
                "requester": {
                    "name": case.requester_name,
                    "national_id": case.requester_national_id,
                    "email": case.requester_email,
                    "phone": case.requester_phone,
                    "address": case.requester_address,
                    "reply_channel": case.reply_channel,
                },
                "messages": [
                    {"at": event.at.isoformat(), "kind": event.kind, "text": event.comment}
                    for event in case.events.filter(is_public=True)
                ],
                "attachments": [a.filename for a in case.attachments.all()],
                "redress": [r.description for r in case.redresses.all() if r.description],
                "rating_comments": [
                    r.comment for r in HandlingRating.objects.filter(case=case) if r.comment
                ],
            }
            for case in cases.prefetch_related("attachments", "redresses")
        ],
    }
    for _receiver, held in personal_data.export_requested.send(
        sender=Case, organization=organization, email=email, national_id=national_id
    ):
        if isinstance(held, dict):
            document.update(held)
    log_action(
        organization,
        "cases.personal_data.exported",
        by=by,
        data={"cases": [c["tracking_code"] for c in document["cases"]]},
    )
    return document


@transaction.atomic
def anonymise_case(case: Case, *, by: Actor, reason: str) -> Case:
    """Erase the requester's identity, texts and files from a case, walking the personal-data
    registry over the case and the rows that hold its data (events, files, redress, rating, the
    audit log's labels); keep what it counts for."""
    if case.anonymised_at is not None:
        return case
    personal_data.erase(
        [case],
        also={
            "is_anonymous": True,
            "subject": _("(anonymised)"),
            "anonymised_at": timezone.now(),
            "updated_at": None,  # auto_now: saved with the change
        },
    )
    for rows in (
        CaseEvent.objects.filter(case=case),
        case.attachments.all(),
        Redress.objects.filter(case=case),
        HandlingRating.objects.filter(case=case),
        AuditEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Case), object_id=str(case.pk)
        ),
    ):
        personal_data.erase(rows)
    log_action(case, "cases.case.anonymised", by=by, data={"reason": reason})
    return case


def erase_requester(
    organization: Organization, *, by: Actor, email: str = "", national_id: str = ""
) -> list[str]:
    """Erasure on request: anonymise every case of the person; returns their tracking codes.
    Open cases are refused: they must be answered or withdrawn first."""
    require(by, Perm.MANAGE_ORGANIZATION, organization_id=organization.pk)
    cases = list(cases_of_requester(organization, email=email, national_id=national_id))
    still_open = [case.tracking_code for case in cases if case.status in OPEN_STATUSES]
    if still_open:
        from django.core.exceptions import ValidationError

        raise ValidationError(
            _("These cases are still open; close or withdraw them first: %(codes)s")
            % {"codes": ", ".join(still_open)}
        )
    for case in cases:
        anonymise_case(case, by=by, reason="request")
    personal_data.erasure_requested.send(
        sender=Case, organization=organization, email=email, national_id=national_id, by=by
    )
    return [case.tracking_code for case in cases]


def anonymise_expired(organization: Organization, now: dt.datetime | None = None) -> int:
    """Retention: anonymise cases closed longer ago than the organisation keeps data."""
    now = now or timezone.now()
    limit = now - dt.timedelta(days=organization.case_retention_days)
    expired = Case.objects.filter(
        organization=organization, anonymised_at__isnull=True, closed_at__lt=limit
    ).exclude(status__in=OPEN_STATUSES)
    count = 0
    for case in expired.iterator():
        anonymise_case(case, by=RETENTION, reason="retention")
        count += 1
    personal_data.retention_due.send(sender=Case, organization=organization, before=limit)
    return count


def purge_pending_acknowledgements(older_than: dt.timedelta = dt.timedelta(days=2)) -> int:
    """Drop the sealed secrets of acknowledgements that were never sent (no worker ran, the
    mail server refused): a secret waits no longer than this."""
    deleted, _types = PendingAcknowledgement.objects.filter(
        created_at__lt=timezone.now() - older_than
    ).delete()
    return deleted


MASK = "•••"


def contact_details(case: Case, *, full: bool) -> dict[str, str]:
    """The requester's contact details as a page shows them: in full to those who handle the
    case (its unit's officers and heads, quality managers, administrators); masked for the rest
    (viewers, auditors), who see that a detail exists but not what it is."""
    details = {
        "name": case.requester_name,
        "national_id": case.requester_national_id,
        "email": case.requester_email,
        "phone": case.requester_phone,
    }
    if full:
        return details
    masked = {key: (MASK if value else "") for key, value in details.items()}
    masked["name"] = " ".join(f"{part[0]}." for part in case.requester_name.split()) or ""
    if case.requester_email and "@" in case.requester_email:
        masked["email"] = f"{MASK}@{case.requester_email.rsplit('@', 1)[1]}"
    return masked
