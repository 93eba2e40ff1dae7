"""Survey respondents' personal data (the contact address they gave, the invitation's address,
the panel key made from it, their free-text answers, imported files): exported, erased and
expired with the requesters' data (`cases/privacy.py` sends the news), field by field as the
personal-data registry (`core/personal_data.py`) says."""

import datetime as dt
from typing import Any

from compromiso.core import personal_data
from compromiso.organizations.models import Organization
from compromiso.surveys.models import Answer, ImportJob, Invitation, Response


def _responses(organization: Organization, email: str) -> Any:
    from compromiso.surveys.services import panel_key_of

    email = email.strip().lower()
    if not email:
        return Response.objects.none()
    keyed = Response.objects.filter(
        wave__organization=organization, panel_key=panel_key_of(organization.pk, email)
    )
    given = Response.objects.filter(wave__organization=organization, contact_email__iexact=email)
    # One table, forward joins only: the union holds each response once, and DISTINCT cannot
    # compare the json grades on PostgreSQL.
    return keyed | given


def _invitations(organization: Organization, email: str) -> Any:
    if not email.strip():
        return Invitation.objects.none()
    return Invitation.objects.filter(wave__organization=organization, email__iexact=email.strip())


def export(*, organization: Organization, email: str = "", **_kwargs: Any) -> dict[str, Any]:
    responses = _responses(organization, email).select_related("wave")
    return {
        "survey_responses": [
            {
                "wave": response.wave.title,
                "submitted_at": response.submitted_at.isoformat(),
                **personal_data.exported(response),
                "answers": [
                    personal_data.exported(answer)
                    for answer in Answer.objects.filter(response=response).exclude(text="")
                ],
            }
            for response in responses
        ],
        "survey_invitations": [
            {"wave": invitation.wave.title, **personal_data.exported(invitation)}
            for invitation in _invitations(organization, email).select_related("wave")
        ],
    }


def erase(*, organization: Organization, email: str = "", **_kwargs: Any) -> int:
    responses = list(_responses(organization, email))
    erased = personal_data.erase(Answer.objects.filter(response__in=responses).exclude(text=""))
    erased += personal_data.erase(responses)
    Response.objects.filter(pk__in=[r.pk for r in responses]).update(contact_ok=False)
    return erased + personal_data.erase(_invitations(organization, email))


def expire(*, organization: Organization, before: dt.datetime, **_kwargs: Any) -> int:
    """Retention: the addresses given or invited, and imported files, older than the limit."""
    responses = Response.objects.filter(
        wave__organization=organization, submitted_at__lt=before
    ).exclude(contact_email="", panel_key="")
    invitations = Invitation.objects.filter(
        wave__organization=organization, created_at__lt=before
    ).exclude(email="")
    imports = ImportJob.objects.filter(wave__organization=organization, created_at__lt=before)
    return sum(
        personal_data.erase(rows, retention=True) for rows in (responses, invitations, imports)
    )


def connect() -> None:
    personal_data.export_requested.connect(_on_export, dispatch_uid="surveys.privacy.export")
    personal_data.erasure_requested.connect(_on_erase, dispatch_uid="surveys.privacy.erase")
    personal_data.retention_due.connect(_on_expire, dispatch_uid="surveys.privacy.expire")


def _on_export(sender: Any, **kwargs: Any) -> dict[str, Any]:
    return export(**kwargs)


def _on_erase(sender: Any, **kwargs: Any) -> int:
    return erase(**kwargs)


def _on_expire(sender: Any, **kwargs: Any) -> int:
    return expire(**kwargs)
