"""Requesters' personal data: retention, export and erasure (GDPR arts. 15, 17 and 20; Chile's
Ley 21.719). Anonymising keeps the case and its figures (kind, dates, unit, service, category,
root cause, ratings, redress) and erases who the person is and what they wrote."""

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from compromiso.cases.models import OPEN_STATUSES, Case, CaseEvent, HandlingRating
from compromiso.core.audit import log_action
from compromiso.core.permissions import Perm, require
from compromiso.organizations.models import Organization, User

ERASED = "—"


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
    organization: Organization, *, by: User | None, email: str = "", national_id: str = ""
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
            }
            for case in cases.prefetch_related("attachments")
        ],
    }
    log_action(
        organization,
        "cases.personal_data.exported",
        by=by,
        data={"cases": [c["tracking_code"] for c in document["cases"]]},
    )
    return document


@transaction.atomic
def anonymise_case(case: Case, *, by: User | None, reason: str) -> Case:
    """Erase the requester's identity, texts and files from a case; keep what it counts for."""
    if case.anonymised_at is not None:
        return case
    case.is_anonymous = True
    case.requester_name = case.requester_national_id = case.requester_email = ""
    case.requester_phone = case.requester_address = ""
    case.description = ERASED
    case.subject = _("(anonymised)")
    case.anonymised_at = timezone.now()
    case.save()
    CaseEvent.objects.filter(case=case).exclude(comment="").update(comment=ERASED)
    HandlingRating.objects.filter(case=case).update(comment="")
    for attachment in case.attachments.all():
        attachment.file.delete(save=False)
        attachment.filename = ERASED
        attachment.file = ""
        attachment.save(update_fields=["file", "filename"])
    log_action(case, "cases.case.anonymised", by=by, data={"reason": reason})
    return case


def erase_requester(
    organization: Organization, *, by: User | None, email: str = "", national_id: str = ""
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
        anonymise_case(case, by=None, reason="retention")
        count += 1
    return count
