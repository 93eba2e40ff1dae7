"""What a citizen does with a branch queue without an account: take a ticket at the branch's
kiosk (the device is known by the branch's secret display key), join the queue from the web while
the branch is open, follow the ticket by its random code, say they are leaving, and, once served,
get a personal invitation to the post-visit survey.

Every choice a citizen sends (a procedure, a queue, a priority) is checked against the branch:
an id of another branch's queue is no choice at all."""

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from compromiso.attention.models import (
    OPEN_VISIT_STATES,
    Branch,
    BranchProcedure,
    OpeningHours,
    PriorityGroup,
    Procedure,
    Queue,
    Visit,
    VisitSource,
    VisitState,
    VisitSurvey,
)
from compromiso.attention.services.queue import issue_ticket, left
from compromiso.attention.waits import visit_estimate
from compromiso.catalog.models import Audience
from compromiso.core.actors import PUBLIC
from compromiso.core.audit import log_action
from compromiso.core.errors import DomainError
from compromiso.core.ids import parse_id
from compromiso.organizations.models import Organization
from compromiso.surveys.models import Invitation, Wave, WaveStatus

KEY_LENGTH = 32  # a display key is at most this long; anything longer is no key
KEY_CHARACTERS = re.compile(r"[A-Za-z0-9_-]+")  # URL-safe base64, as the keys are made


# -- finding the branch and the ticket ---------------------------------------------------------


def kiosk_branch(display_key: str) -> Branch | None:
    """The active branch whose kiosk (or display) holds this secret key."""
    if (
        not display_key
        or len(display_key) > KEY_LENGTH
        or not KEY_CHARACTERS.fullmatch(display_key)
    ):
        return None
    return (
        Branch.objects.active()
        .filter(display_key=display_key, organization__is_active=True)
        .select_related("organization", "touch_point__channel", "touch_point__unit")
        .first()
    )


def public_branch(slug: str, code: str) -> Branch | None:
    return (
        Branch.objects.active()
        .filter(organization__slug=slug, organization__is_active=True, code=code[:40])
        .select_related("organization", "touch_point__channel", "touch_point__unit")
        .first()
    )


def visit_by_code(code: str) -> Visit | None:
    """The visit a follow link names; None for anything that is not one."""
    code = (code or "").strip().upper()
    if not code or len(code) > 12:
        return None
    return (
        Visit.objects.filter(code=code, organization__is_active=True)
        .select_related(
            "organization", "branch__touch_point__channel", "queue", "desk", "procedure", "service"
        )
        .first()
    )


# -- what a kiosk or the web offers -------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    """One button of the kiosk or one option of the web form: a procedure (in its queue) or,
    in a branch that lists no procedures, a queue."""

    key: str  # "p<BranchProcedure id>" or "q<Queue id>"
    label: str
    queue: Queue
    procedure: Procedure | None = None


@dataclass
class ChoiceGroup:
    heading: str
    choices: list[Choice] = field(default_factory=list)


def choices(branch: Branch) -> list[ChoiceGroup]:
    """The branch's procedures grouped by the institution that owns them (the branch's own
    first); a branch that lists no procedure offers its active queues."""
    rows = (
        BranchProcedure.objects.filter(
            branch=branch, queue__is_active=True, procedure__is_published=True
        )
        .select_related("procedure__organization", "queue")
        .order_by("procedure__name", "pk")
    )
    groups: dict[int, ChoiceGroup] = {}
    for row in rows:
        owner = row.procedure.organization
        group = groups.setdefault(owner.pk, ChoiceGroup(heading=owner.name))
        group.choices.append(
            Choice(
                key=f"p{row.pk}", label=row.procedure.name, queue=row.queue, procedure=row.procedure
            )
        )
    if groups:
        ordered = sorted(
            groups.items(), key=lambda item: (item[0] != branch.organization_id, item[1].heading)
        )
        return [group for _pk, group in ordered]
    queues = Queue.objects.filter(branch=branch, is_active=True).order_by("order", "name")
    group = ChoiceGroup(heading=_("What do you come for?"))
    group.choices = [Choice(key=f"q{q.pk}", label=q.name, queue=q) for q in queues]
    return [group] if group.choices else []


def find_choice(branch: Branch, key: object) -> Choice | None:
    """The choice a form sent back, only if it is one of this branch's."""
    if not isinstance(key, str) or len(key) < 2 or key[0] not in "pq":
        return None
    pk = parse_id(key[1:])
    if pk is None:
        return None
    for group in choices(branch):
        for choice in group.choices:
            if choice.key == key:
                return choice
    return None


def priority_choices() -> list[tuple[str, str]]:
    return [(value, str(label)) for value, label in PriorityGroup.choices]


# -- opening hours ------------------------------------------------------------------------------


def is_open(branch: Branch, now: dt.datetime | None = None) -> bool:
    """Whether the branch takes visitors now (`is_open_at`, with its opening hours read)."""
    hours = list(OpeningHours.objects.filter(branch=branch))
    return is_open_at(branch.organization, hours, now or timezone.now())


def is_open_at(organization: Organization, hours: Iterable[OpeningHours], now: dt.datetime) -> bool:
    """Whether a branch of `organization` with these opening hours (its `OpeningHours` rows,
    for a caller that has them already) is open at `now`: within one of its periods for the
    weekday, in the organisation's time zone, or, when it lists none, within the organisation's
    office hours on a business day; never on a public holiday or a closure day. The one rule of
    the kiosk, the web queue and the public office and procedure directories."""
    local = organization.local(now)
    day, time = local.date(), local.time()
    calendar = organization.business_calendar()
    if calendar.holidays_between(day, day):  # public holidays and the closure days
        return False
    periods = list(hours)
    if periods:
        return any(h.weekday == day.weekday() and h.opens_at <= time < h.closes_at for h in periods)
    return calendar.is_business_day(day) and (
        organization.office_opens_at <= time < organization.office_closes_at
    )


# -- taking a ticket ----------------------------------------------------------------------------


def take_ticket(
    branch: Branch,
    choice: Choice,
    *,
    source: str,
    priority_group: str = PriorityGroup.NONE,
    language: str = "",
    phone: str = "",
    email: str = "",
    now: dt.datetime | None = None,
) -> Visit:
    """A ticket issued to the public at the kiosk or from the web (by the public actor), only
    within the branch's opening hours."""
    if source not in (VisitSource.KIOSK, VisitSource.WEB):
        raise DomainError(_("Unknown ticket source or priority."), code="invalid")
    if priority_group not in PriorityGroup.values:
        raise DomainError(_("Choose one of the priorities offered."), code="invalid_priority")
    if choice.queue.branch_id != branch.pk:
        raise DomainError(_("Choose one of the procedures offered."), code="invalid_choice")
    if source == VisitSource.WEB and not branch.accepts_web_queue:
        raise DomainError(
            _("This office does not take visitors from the web."), code="no_web_queue"
        )
    if not is_open(branch, now):
        raise DomainError(_("This office is closed now."), code="closed")
    service = choice.procedure.service if choice.procedure is not None else None
    if service is not None and not choice.queue.services.filter(pk=service.pk).exists():
        service = None  # another institution's service: the queue's own is counted
    visit = issue_ticket(
        choice.queue,
        by=PUBLIC,
        source=source,
        service=service,
        procedure=choice.procedure,
        priority_group=priority_group,
        at=now,
        language=language,
        phone=phone,
        email=email,
    )
    log_action(visit, "attention.visit.issued_public", by=PUBLIC, data={"source": source})
    return visit


# -- following a ticket -------------------------------------------------------------------------


@dataclass(frozen=True)
class TicketStatus:
    number: str
    state: str
    state_label: str
    is_open: bool
    ahead: int | None  # people called before this ticket (waiting only)
    minutes: int | None  # estimated wait left; None when it cannot be estimated
    desk: str  # where to go, once called

    def as_json(self) -> dict[str, object]:
        return {
            "number": self.number,
            "state": self.state,
            "state_label": self.state_label,
            "is_open": self.is_open,
            "ahead": self.ahead,
            "minutes": self.minutes,
            "desk": self.desk,
        }


def ticket_status(visit: Visit, *, now: dt.datetime | None = None) -> TicketStatus:
    """Where a ticket stands, as its holder sees it: never anyone's personal data."""
    waiting = visit.state == VisitState.WAITING
    estimate = visit_estimate(visit, now=now) if waiting else None
    called = visit.state in (VisitState.CALLED, VisitState.SERVING, VisitState.ON_HOLD)
    return TicketStatus(
        number=visit.number,
        state=visit.state,
        state_label=str(visit.get_state_display()),
        is_open=visit.state in OPEN_VISIT_STATES,
        ahead=estimate.waiting if estimate else None,
        minutes=estimate.minutes if estimate else None,
        desk=visit.desk.name if called and visit.desk is not None else "",
    )


def leave_queue(visit: Visit) -> Visit:
    """The visitor says, on their ticket's page, that they are leaving."""
    if visit.state not in (VisitState.WAITING, VisitState.CALLED):
        raise DomainError(_("This ticket is no longer waiting."), code="wrong_state")
    return left(visit, by=PUBLIC)


# -- the post-visit survey ----------------------------------------------------------------------


def survey_wave(visit: Visit) -> Wave | None:
    """The open survey for the public that measures the visit's service, if any."""
    if visit.service_id is None:
        return None
    today = visit.organization.today()
    return (
        Wave.objects.filter(
            organization_id=visit.organization_id,
            status=WaveStatus.OPEN,
            audience=Audience.EXTERNAL,
            opens_on__lte=today,
            closes_on__gte=today,
            services=visit.service_id,
        )
        .order_by("-opens_on", "pk")
        .first()
    )


def survey_offered(visit: Visit) -> bool:
    """A finished visit is offered the survey when an open wave measures its service (or its
    invitation was already made)."""
    if visit.state != VisitState.FINISHED:
        return False
    return VisitSurvey.objects.filter(visit=visit).exists() or survey_wave(visit) is not None


def invite_to_survey(visit: Visit) -> Invitation | None:
    """The visit's personal single-use invitation to the post-visit survey, made once (the same
    one on every later request), with the service, channel and touch point of the visit so the
    answer is counted where the person was served. None when no open wave measures it."""
    if visit.state != VisitState.FINISHED:
        return None
    with transaction.atomic():
        Visit.objects.select_for_update().filter(pk=visit.pk).first()
        link = VisitSurvey.objects.filter(visit=visit).select_related("invitation").first()
        if link is not None:
            return link.invitation
        wave = survey_wave(visit)
        if wave is None:
            return None
        point = visit.branch.touch_point
        invitation = Invitation.objects.create(
            wave=wave,
            service_id=visit.service_id,
            channel_id=point.channel_id,
            touch_point=point,
        )
        VisitSurvey.objects.create(visit=visit, invitation=invitation)
        log_action(visit, "attention.visit.survey_invited", by=PUBLIC, data={"wave": wave.pk})
    return invitation
