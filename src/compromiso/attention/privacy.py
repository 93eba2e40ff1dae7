"""Visitors' personal data in attention (the phone or address left to be told when one's turn
comes, an appointment's holder, a contact's note, imported files): exported, erased and expired
with the requesters' data (`cases/privacy.py` sends the news), field by field as the
personal-data registry (`core/personal_data.py`) says.

Retention: a visit's phone and address are only needed on the day of the visit, so they go once
the day after it has begun (open visits keep them); the rest follows the organisation's case
retention (`before`)."""

import datetime as dt
from typing import Any

from django.db.models import QuerySet

from compromiso.attention.models import (
    OPEN_VISIT_STATES,
    Appointment,
    Contact,
    ImportJob,
    Visit,
)
from compromiso.core import personal_data
from compromiso.organizations.models import Organization

VISIT_CONTACT_DAYS = 1  # a visit's phone and address are kept until this many days after it


def _visits(organization: Organization, email: str) -> "QuerySet[Visit]":
    email = email.strip()
    if not email:
        return Visit.objects.none()
    return Visit.objects.filter(organization=organization, email__iexact=email)


def _appointments(organization: Organization, email: str) -> "QuerySet[Appointment]":
    email = email.strip()
    if not email:
        return Appointment.objects.none()
    return Appointment.objects.filter(organization=organization, email__iexact=email)


def export(*, organization: Organization, email: str = "", **_kwargs: Any) -> dict[str, Any]:
    return {
        "attention_visits": [
            {
                "branch": str(visit.branch),
                "day": visit.day.isoformat(),
                "ticket": visit.number,
                **personal_data.exported(visit),
            }
            for visit in _visits(organization, email).select_related("branch__touch_point")
        ],
        "attention_appointments": [
            {
                "branch": str(appointment.branch),
                "starts_at": appointment.starts_at.isoformat(),
                "code": appointment.code,
                **personal_data.exported(appointment),
            }
            for appointment in _appointments(organization, email).select_related(
                "branch__touch_point"
            )
        ],
    }


def erase(*, organization: Organization, email: str = "", **_kwargs: Any) -> int:
    return personal_data.erase(_visits(organization, email)) + personal_data.erase(
        _appointments(organization, email)
    )


def expired_visits(organization: Organization, now: dt.datetime | None = None) -> Any:
    """Visits whose phone or address is no longer needed: closed, and their day (in the
    organisation's time zone) more than VISIT_CONTACT_DAYS before today."""
    today = organization.local(now).date() if now else organization.today()
    limit = today - dt.timedelta(days=VISIT_CONTACT_DAYS)
    return (
        Visit.objects.filter(organization=organization, day__lt=limit)
        .exclude(state__in=OPEN_VISIT_STATES)
        .exclude(phone="", email="")
    )


def expire(
    *,
    organization: Organization,
    before: dt.datetime,
    now: dt.datetime | None = None,
    **_kwargs: Any,
) -> int:
    """Retention: visits' contact details after their day; appointments, contacts' notes and
    imported files older than the organisation's retention limit."""
    appointments = Appointment.objects.filter(
        organization=organization, starts_at__lt=before
    ).exclude(name="", email="", phone="")
    contacts = Contact.objects.filter(organization=organization, started_at__lt=before).exclude(
        note=""
    )
    imports = ImportJob.objects.filter(organization=organization, created_at__lt=before)
    return sum(
        personal_data.erase(rows, retention=True)
        for rows in (expired_visits(organization, now), appointments, contacts, imports)
    )


def connect() -> None:
    personal_data.export_requested.connect(_on_export, dispatch_uid="attention.privacy.export")
    personal_data.erasure_requested.connect(_on_erase, dispatch_uid="attention.privacy.erase")
    personal_data.retention_due.connect(_on_expire, dispatch_uid="attention.privacy.expire")


def _on_export(sender: Any, **kwargs: Any) -> dict[str, Any]:
    return export(**kwargs)


def _on_erase(sender: Any, **kwargs: Any) -> int:
    return erase(**kwargs)


def _on_expire(sender: Any, **kwargs: Any) -> int:
    return expire(**kwargs)
