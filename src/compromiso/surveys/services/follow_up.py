"""Closing the loop: the post-contact survey invitation after a case, and the follow-up case of a
dissatisfied respondent who agreed to be contacted."""

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from compromiso.catalog.models import Channel
from compromiso.core.actors import PUBLIC
from compromiso.core.audit import log_action
from compromiso.surveys.models import (
    Answer,
    Invitation,
    Question,
    Response,
    Wave,
    WaveStatus,
)
from compromiso.surveys.services.invitations import enqueue_invitations

if TYPE_CHECKING:
    from compromiso.cases.models import Case


def follow_up_low_score(
    response: Response, questions: list[Question], answers: list[Answer]
) -> None:
    """Close the loop: a dissatisfied respondent who agreed to be contacted becomes a case for
    the service's unit to follow up."""
    question = next((q for q in questions if q.is_overall and q.scale), None)
    score = response.grade(question.pk) if question else None
    if question is None or score is None or question.dissatisfied_max is None:
        return
    if score > question.dissatisfied_max:
        return
    from compromiso.cases import services as case_services

    channel = Channel.objects.filter(
        organization_id=response.wave.organization_id, kind="web", is_active=True
    ).first()
    if channel is None:
        return
    given = {a.question_id: a.text or ", ".join(a.choices) for a in answers}
    lines = [
        f"{q.text}: {grade if (grade := response.grade(q.pk)) is not None else given[q.pk]}"
        for q in questions
        if q.pk in given or response.grade(q.pk) is not None
    ]
    case, _secret = case_services.receive_case(
        organization=response.wave.organization,
        kind="complaint",
        channel=channel,
        service=response.service,
        subject=_("Low satisfaction in the survey “%(wave)s”") % {"wave": response.wave.title},
        description="\n".join(lines)[:20000],
        requester_name=_("Survey respondent"),
        requester_email=response.contact_email,
        by=PUBLIC,
    )
    log_action(response.wave, "surveys.response.follow_up", by=PUBLIC, data={"case": case.pk})


def invite_after_case(case: "Case") -> Invitation | None:
    """The post-contact survey: when a case with an e-mail address is closed and an open wave
    measures its service, the requester is invited once."""
    if not case.requester_email or case.service_id is None:
        return None
    today = case.organization.today()
    wave = (
        Wave.objects.filter(
            organization_id=case.organization_id,
            status=WaveStatus.OPEN,
            opens_on__lte=today,
            closes_on__gte=today,
            services=case.service_id,
        )
        .order_by("-opens_on")
        .first()
    )
    if wave is None or Invitation.objects.filter(case_id_ref=case.pk).exists():
        return None
    invitation = Invitation.objects.create(
        wave=wave, service_id=case.service_id, email=case.requester_email, case_id_ref=case.pk
    )
    enqueue_invitations([invitation.pk])
    return invitation
