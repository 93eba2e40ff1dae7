"""Attention management of the token's organisation: its branches with who is waiting now and
the estimated wait per queue, the month's branch figures, the procedure directory, and the
contacts log (a contact centre's system can write its calls here one by one)."""

import datetime as dt
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import AfterValidator

from compromiso.api.inputs import InputSchema, Page, PlausibleDate, SearchText, checked
from compromiso.api.scoping import organization_of, resolve
from compromiso.attention import directory, figures, waits
from compromiso.attention.models import Branch, Contact, ContactKind, ContactOutcome
from compromiso.attention.services import record_contact
from compromiso.catalog.models import Channel, Service, TouchPoint
from compromiso.core.http import AuthenticatedHttpRequest
from compromiso.core.permissions import Perm, scope_for
from compromiso.organizations.models import Organization

router = Router(tags=["attention"])

MAX_PERIOD_DAYS = 366


class AttentionQueueOut(Schema):
    id: int
    name: str
    letter: str
    is_quick: bool
    service_level_minutes: int
    waiting: int
    desks_open: int
    estimated_wait_minutes: int | None


class AttentionBranchOut(Schema):
    id: int
    code: str
    name: str
    touch_point: int = Field(..., alias="touch_point_id")
    address: str
    has_oirs_desk: bool
    accepts_appointments: bool
    service_level_minutes: int
    queues: list[AttentionQueueOut]


class AttentionFiguresRowOut(Schema):
    branch: int | None
    label: str
    visits: int
    called: int
    served: int
    wait_median_minutes: int | None
    wait_p90_minutes: int | None
    wait_mean_minutes: float | None
    service_median_minutes: int | None
    service_p90_minutes: int | None
    within_percent: float | None
    abandonment_percent: float | None
    no_show_percent: float | None
    transfer_percent: float | None


class AttentionFiguresOut(Schema):
    start: dt.date
    end: dt.date
    minutes: int | None
    total: AttentionFiguresRowOut
    branches: list[AttentionFiguresRowOut]


class DirectoryProcedureOut(Schema):
    id: int
    code: str
    name: str
    institution: str
    summary: str
    who_may: str
    requirements: str
    cost: str
    how_and_where: str
    online_url: str
    branches: list[int]


class ContactIn(InputSchema):
    kind: ContactKind
    outcome: ContactOutcome
    started_at: dt.datetime | None = None
    channel: int | None = None
    touch_point: int | None = None
    service: int | None = None
    procedure: int | None = None
    wait_seconds: int | None = Field(None, ge=0, le=86_400)
    handle_seconds: int | None = Field(None, ge=0, le=86_400)
    first_contact_resolution: bool | None = None
    note: str = Field("", max_length=500)
    external_id: str = Field("", max_length=80)


class ContactOut(Schema):
    id: int
    kind: str
    outcome: str
    started_at: dt.datetime
    channel: int | None = Field(None, alias="channel_id")
    touch_point: int | None = Field(None, alias="touch_point_id")
    service: int | None = Field(None, alias="service_id")
    procedure: int | None = Field(None, alias="procedure_id")
    wait_seconds: int | None
    handle_seconds: int | None
    first_contact_resolution: bool | None
    source: str
    external_id: str


def _member(request: AuthenticatedHttpRequest) -> Organization:
    organization = organization_of(request)
    if not scope_for(request.user, Perm.VIEW).touches(organization.pk):
        raise Http404
    return organization


def _branches(request: AuthenticatedHttpRequest) -> QuerySet[Branch]:
    organization = _member(request)
    return (
        Branch.objects.filter(organization=organization, is_active=True)
        .visible_to(request.user)
        .select_related("touch_point")
        .order_by("touch_point__name", "pk")
    )


def _branch_out(branch: Branch) -> dict[str, Any]:
    estimates = waits.branch_estimates(branch)
    queues = branch.queues.filter(is_active=True).select_related("branch").order_by("order", "pk")
    return {
        "id": branch.pk,
        "code": branch.code,
        "name": branch.touch_point.name,
        "touch_point_id": branch.touch_point_id,
        "address": branch.touch_point.address,
        "has_oirs_desk": branch.has_oirs_desk,
        "accepts_appointments": branch.accepts_appointments,
        "service_level_minutes": branch.service_level_minutes,
        "queues": [
            {
                "id": queue.pk,
                "name": queue.name,
                "letter": queue.letter,
                "is_quick": queue.is_quick,
                "service_level_minutes": queue.service_level_minutes,
                "waiting": estimates[queue.pk].waiting if queue.pk in estimates else 0,
                "desks_open": estimates[queue.pk].desks_open if queue.pk in estimates else 0,
                "estimated_wait_minutes": (
                    estimates[queue.pk].minutes if queue.pk in estimates else None
                ),
            }
            for queue in queues
        ],
    }


@router.get(
    "/attention/branches",
    response=list[AttentionBranchOut],
    summary="The branches the token's user may see, with who waits now and the estimated wait",
)
@paginate(Page)
def list_branches(request: AuthenticatedHttpRequest) -> list[dict[str, Any]]:
    # Paginated over the ids; the live figures are read for the page only.
    return _LazyBranches(_branches(request))  # type: ignore[return-value]


class _LazyBranches:
    """A sequence the paginator slices: only the page's branches get their estimates read."""

    def __init__(self, queryset: QuerySet[Branch]) -> None:
        self.queryset = queryset

    def __len__(self) -> int:
        return self.queryset.count()

    def __getitem__(self, index: slice) -> list[dict[str, Any]]:
        return [_branch_out(branch) for branch in self.queryset[index]]


def _row(row: figures.Row, branch: int | None) -> dict[str, Any]:
    return {
        "branch": branch,
        "label": str(row.label),
        "visits": row.visits,
        "called": row.called,
        "served": row.served,
        "wait_median_minutes": row.wait_median,
        "wait_p90_minutes": row.wait_p90,
        "wait_mean_minutes": row.wait_mean,
        "service_median_minutes": row.service_median,
        "service_p90_minutes": row.service_p90,
        "within_percent": row.within,
        "abandonment_percent": row.abandonment,
        "no_show_percent": row.no_shows,
        "transfer_percent": row.transfers,
    }


Minutes = Annotated[int, AfterValidator(checked)]


@router.get(
    "/attention/figures",
    response=AttentionFiguresOut,
    summary="Waits, service times, service level, abandonment and no-shows of the branches the "
    "token's user may see over a period (local days, both included; at most a year)",
)
def get_figures(
    request: AuthenticatedHttpRequest,
    start: PlausibleDate,
    end: PlausibleDate,
    minutes: Annotated[Minutes | None, Query(ge=1, le=240)] = None,
) -> dict[str, Any]:
    organization = _member(request)
    if end < start:
        raise ValidationError({"end": _("The end comes before the start.")})
    if (end - start).days >= MAX_PERIOD_DAYS:
        raise ValidationError({"end": _("Ask for a year at most.")})
    branches = list(_branches(request).values_list("pk", flat=True))
    report = figures.compute(
        organization, start, end, branches=branches, minutes=minutes, detail=False
    )
    return {
        "start": start,
        "end": end,
        "minutes": minutes,
        "total": _row(report.total, None),
        "branches": [_row(row, row.key) for row in report.by_branch],
    }


@router.get(
    "/attention/procedures",
    response=list[DirectoryProcedureOut],
    summary="The published procedures the organisation owns or serves, searched with `q`",
)
@paginate(Page)
def list_procedures(
    request: AuthenticatedHttpRequest,
    q: Annotated[SearchText | None, Query(max_length=200, description="Words to find")] = None,
) -> list[dict[str, Any]]:
    organization = _member(request)
    found = directory.search(q or "", organizations=[organization])
    procedures = [hit.procedure for hit in found]
    return [
        {
            "id": p.pk,
            "code": p.code,
            "name": p.name,
            "institution": p.organization.name,
            "summary": p.summary,
            "who_may": p.who_may,
            "requirements": p.requirements,
            "cost": p.cost,
            "how_and_where": p.how_and_where,
            "online_url": p.online_url,
            "branches": sorted(p.branches.values_list("branch_id", flat=True)),
        }
        for p in procedures
    ]


@router.get(
    "/attention/contacts",
    response=list[ContactOut],
    summary="The contacts logged on the phone, chat, e-mail and self-service, newest first",
)
@paginate(Page)
def list_contacts(
    request: AuthenticatedHttpRequest,
    kind: ContactKind | None = None,
    since: PlausibleDate | None = None,
) -> QuerySet[Contact]:
    organization = _member(request)
    contacts = Contact.objects.filter(organization=organization)
    if kind is not None:
        contacts = contacts.filter(kind=kind)
    if since is not None:
        start = dt.datetime.combine(since, dt.time(), tzinfo=organization.zone)
        contacts = contacts.filter(started_at__gte=start)
    return contacts.order_by("-started_at", "-pk")


@router.post(
    "/attention/contacts",
    response={201: ContactOut, 200: ContactOut},
    summary="Log one contact; with an `external_id` already logged, the first one comes back "
    "(200) and nothing is logged twice",
)
def create_contact(request: AuthenticatedHttpRequest, payload: ContactIn) -> Status[Contact]:
    organization = _member(request)
    if not scope_for(request.user, Perm.SERVE_VISITORS).touches(organization.pk):
        raise PermissionDenied
    if payload.external_id:
        earlier = Contact.objects.filter(
            organization=organization, external_id=payload.external_id
        ).first()
        if earlier is not None:
            return Status(200, earlier)
    mine = {"organization": organization}
    contact = record_contact(
        organization,
        kind=payload.kind,
        outcome=payload.outcome,
        by=request.user,
        channel=resolve(
            Channel.objects.filter(**mine), payload.channel, "channel", _("Unknown channel.")
        ),
        touch_point=resolve(
            TouchPoint.objects.filter(**mine),
            payload.touch_point,
            "touch_point",
            _("Unknown touch point."),
        ),
        service=resolve(
            Service.objects.filter(**mine), payload.service, "service", _("Unknown service.")
        ),
        procedure=resolve(
            directory.directory([organization]),
            payload.procedure,
            "procedure",
            _("Unknown procedure."),
        ),
        started_at=payload.started_at,
        wait_seconds=payload.wait_seconds,
        handle_seconds=payload.handle_seconds,
        first_contact_resolution=payload.first_contact_resolution,
        note=payload.note,
        external_id=payload.external_id,
    )
    return Status(201, contact)
