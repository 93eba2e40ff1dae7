"""The public office directory of an organisation: every active touch point of its in-person
channels (a branch running a queue or not), with address, hours, phone, the procedures served
there, whether it has an OIRS desk (complaints and suggestions), today's estimated wait per queue
while it is open, and the links to file a complaint or answer a survey about it."""

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from compromiso.attention.models import Branch, BranchProcedure, OpeningHours, Queue, Weekday
from compromiso.attention.services import public
from compromiso.attention.waits import Estimate, branch_estimates
from compromiso.catalog.models import Audience, ChannelKind, TouchPoint
from compromiso.core.ids import parse_id
from compromiso.organizations.models import Organization
from compromiso.surveys import services as survey_services
from compromiso.surveys.models import Wave, WaveStatus

_POINT_CODE = re.compile(r"p([0-9]{1,18})")


@dataclass
class Office:
    touch_point: TouchPoint
    branch: Branch | None
    code: str
    hours: list[tuple[str, str]] = field(default_factory=list)  # (day, "08:30–14:00")
    is_open: bool = False
    waits: list[tuple[Queue, Estimate | None]] = field(default_factory=list)
    procedures: list[Any] = field(default_factory=list)

    @property
    def has_oirs_desk(self) -> bool:
        return self.branch is not None and self.branch.has_oirs_desk

    @property
    def phone(self) -> str:
        return self.branch.phone if self.branch is not None else ""


def _organization(slug: str) -> Organization:
    organization = get_object_or_404(Organization, slug=slug, is_active=True)
    timezone.activate(organization.zone)
    return organization


def _points(organization: Organization) -> Any:
    return (
        TouchPoint.objects.filter(
            organization=organization,
            is_active=True,
            channel__kind=ChannelKind.IN_PERSON,
            channel__is_active=True,
        )
        .select_related("channel", "unit")
        .order_by("name", "pk")
    )


def _branch(point: TouchPoint) -> Branch | None:
    branch = getattr(point, "branch", None)  # the reverse one-to-one, absent when none
    return branch if branch is not None and branch.is_active else None


def hours_by_day(rows: list[OpeningHours]) -> list[tuple[str, str]]:
    """ "Monday: 08:30–14:00, 15:00–17:00" per weekday that has opening periods."""
    days: dict[int, list[str]] = {}
    for row in sorted(rows, key=lambda r: (r.weekday, r.opens_at)):
        days.setdefault(row.weekday, []).append(f"{row.opens_at:%H:%M}–{row.closes_at:%H:%M}")
    return [(str(Weekday(day).label), ", ".join(spans)) for day, spans in sorted(days.items())]


def _office(organization: Organization, point: TouchPoint, now: dt.datetime) -> Office:
    branch = _branch(point)
    office = Office(point, branch, branch.code if branch else f"p{point.pk}")
    if branch is None:
        return office
    rows = list(branch.hours.all())
    office.hours = hours_by_day(rows)
    office.is_open = public.is_open_at(organization, rows, now)
    office.procedures = [
        row.procedure
        for row in BranchProcedure.objects.filter(
            branch=branch, procedure__is_published=True, procedure__organization__is_active=True
        )
        .select_related("procedure", "procedure__organization")
        .order_by("procedure__name")
    ]
    if office.is_open:
        estimates = branch_estimates(branch, now=now)
        queues = Queue.objects.filter(branch=branch, is_active=True).order_by("order", "name")
        office.waits = [(queue, estimates.get(queue.pk)) for queue in queues]
    return office


def _survey(organization: Organization) -> Wave | None:
    """The organisation's open public survey, when there is one."""
    for wave in Wave.objects.filter(
        organization=organization, status=WaveStatus.OPEN, audience=Audience.EXTERNAL
    ).order_by("closes_on", "pk"):
        if survey_services.is_accepting(wave):
            return wave
    return None


def touch_point_from(request: HttpRequest, organization: Organization) -> TouchPoint | None:
    """The touch point a complaint is about, from the office page's link (`?touch_point=`):
    an active one of this organisation, or none (a wrong id is ignored)."""
    point = parse_id(request.GET.get("touch_point", ""))
    if point is None:
        return None
    return TouchPoint.objects.filter(organization=organization, is_active=True, pk=point).first()


def offices(request: HttpRequest, slug: str) -> HttpResponse:
    organization = _organization(slug)
    now = timezone.now()
    listed = [
        _office(organization, point, now)
        for point in _points(organization).prefetch_related("branch__hours")
    ]
    return render(
        request,
        "portal/offices/list.html",
        {"organization": organization, "offices": listed, "survey": _survey(organization)},
    )


def office(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    organization = _organization(slug)
    points = _points(organization)
    branch = Branch.objects.filter(
        organization=organization, code=code[:40], is_active=True
    ).first()
    point = None
    if branch is not None:
        point = points.filter(pk=branch.touch_point_id).first()
    else:
        match = _POINT_CODE.fullmatch(code)
        if match:
            point = points.filter(pk=int(match[1])).first()
            if point is not None and _branch(point) is not None:
                point = None  # a branch is addressed by its own short name
    if point is None:
        raise Http404
    return render(
        request,
        "portal/offices/detail.html",
        {
            "organization": organization,
            "office": _office(organization, point, timezone.now()),
            "survey": _survey(organization),
        },
    )
