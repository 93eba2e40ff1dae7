"""Cases: intake for a call centre or another system (with Idempotency-Key), and reading."""

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from ninja import Field, FilterLookup, Header, Query, Router, Schema, Status
from ninja.pagination import paginate

from compromiso.api.inputs import InputFilter, InputSchema, Page, PlausibleDate, SearchText
from compromiso.api.scoping import get_visible, organization_of, resolve
from compromiso.cases import analytics, services
from compromiso.cases.models import (
    Case,
    CaseAction,
    CaseKind,
    Category,
    IntakeKey,
    Priority,
    ReplyChannel,
    RootCause,
)
from compromiso.cases.models import Status as CaseStatus
from compromiso.cases.reference import intake_reference
from compromiso.cases.search import search
from compromiso.catalog.models import Channel, Service
from compromiso.core.http import AuthenticatedHttpRequest
from compromiso.core.permissions import Perm, scope_for
from compromiso.organizations.models import Unit, User

router = Router(tags=["cases"])

# The key is stored as "api:<key>" in IntakeKey.key (100 characters); visible ASCII only, as
# the Idempotency-Key header's draft standard has it (no spaces or control characters).
_STORED_KEY_LENGTH = IntakeKey._meta.get_field("key").max_length
assert _STORED_KEY_LENGTH is not None
KEY_LENGTH = _STORED_KEY_LENGTH - len("api:")
KEY_PATTERN = r"^[\x21-\x7e]+$"


class CaseIn(InputSchema):
    kind: CaseKind
    channel: int
    service: int | None = None
    priority: Priority = Priority.NORMAL
    subject: Annotated[str, Field(min_length=1, max_length=200)]
    description: Annotated[str, Field(min_length=1, max_length=20000)]
    is_anonymous: bool = False
    requester_name: Annotated[str, Field(max_length=200)] = ""
    requester_national_id: Annotated[str, Field(max_length=20)] = ""
    requester_email: Annotated[str, Field(max_length=254)] = ""
    requester_phone: Annotated[str, Field(max_length=40)] = ""
    requester_address: Annotated[str, Field(max_length=300)] = ""
    reply_channel: ReplyChannel = ReplyChannel.EMAIL
    category: int | None = None
    received_at: dt.datetime | None = None


class CaseOut(Schema):
    id: int
    tracking_code: str
    kind: CaseKind
    status: CaseStatus
    priority: Priority
    subject: str
    channel: int = Field(..., alias="channel_id")
    service: int | None = Field(None, alias="service_id")
    unit: int | None = Field(None, alias="unit_id")
    assignee: int | None = Field(None, alias="assignee_id")
    category: int | None = Field(None, alias="category_id")
    root_cause: int | None = Field(None, alias="root_cause_id")
    received_at: dt.datetime
    due_at: dt.datetime | None
    answered_at: dt.datetime | None
    closed_at: dt.datetime | None
    verdict: str
    legal_basis: str
    actions: list[CaseAction] = Field(
        ...,
        description="The actions the case allows in its present state "
        "(POST /cases/{id}/actions/{action}).",
    )

    @staticmethod
    def resolve_actions(obj: Case) -> list[str]:
        return obj.allowed_actions()


class CaseActionIn(Schema):
    text: Annotated[
        str,
        Field(
            max_length=20000,
            description="The message, answer or reason the action needs (empty for none).",
        ),
    ] = ""
    assignee: int | None = Field(None, description="For assign: the person to assign.")
    root_cause: int | None = Field(None, description="For close: the root cause coded.")
    into: int | None = Field(None, description="For merge: the case that goes on.")
    body: Annotated[str, Field(max_length=300, description="For derive: the competent body.")] = ""


class CaseCreatedOut(CaseOut):
    secret: str = Field(
        "", description="For the requester's public tracking; returned once, at creation."
    )


class CaseFilter(InputFilter):
    status: CaseStatus | None = None
    kind: CaseKind | None = None
    unit: Annotated[int | None, FilterLookup("unit_id")] = None
    service: Annotated[int | None, FilterLookup("service_id")] = None
    channel: Annotated[int | None, FilterLookup("channel_id")] = None
    category: Annotated[int | None, FilterLookup("category_id")] = None
    assignee: Annotated[int | None, FilterLookup("assignee_id")] = None
    received_after: Annotated[dt.datetime | None, FilterLookup("received_at__gte")] = None
    received_before: Annotated[dt.datetime | None, FilterLookup("received_at__lt")] = None


class TaxonomyOut(Schema):
    id: int
    name: str
    is_active: bool


class CategoryOut(TaxonomyOut):
    parent: int | None = Field(None, alias="parent_id")


class RootCauseOut(TaxonomyOut):
    code: str


class AnalyticsOut(Schema):
    start: dt.date
    end: dt.date
    unit: int | None
    totals: dict[str, float | int | str | None]
    by: dict[str, list[tuple[str, int]]]
    months: list[tuple[str, int, int]]
    pareto: list[tuple[str, int, float]]
    rising: list[tuple[str, int, int]]
    backlog: list[tuple[str, int]]


def _cases(request: AuthenticatedHttpRequest) -> QuerySet[Case]:
    return Case.objects.visible_to(request.user).filter(organization=organization_of(request))


@router.post(
    "/cases",
    response={201: CaseCreatedOut, 200: CaseOut},
    summary="Register a case (send an Idempotency-Key header so a retry never makes two)",
)
def create_case(
    request: AuthenticatedHttpRequest,
    payload: CaseIn,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            max_length=KEY_LENGTH,
            pattern=KEY_PATTERN,
            description="Up to 96 visible ASCII characters; a retry with the same key and body "
            "gets the first case back (200), with another body a 409.",
        ),
    ] = None,
) -> Status[Case]:
    organization = organization_of(request)
    if not scope_for(request.user, Perm.HANDLE_CASES).touches(organization.pk):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    body = payload.dict()
    body_hash = hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()
    key = f"api:{idempotency_key}" if idempotency_key else None
    # The organisation was read with the token in this request: its reference data are current.
    reference = intake_reference(organization)
    channel = reference.channels.get(payload.channel)
    if channel is None:
        raise ValidationError({"channel": _("Unknown channel.")})
    # Only for the references sent: building a queryset costs its filters even when unused.
    service = category = None
    if payload.service is not None:
        service = resolve(
            Service.objects.filter(organization=organization).select_related("provider_unit"),
            payload.service,
            "service",
            _("Unknown service."),
        )
    if payload.category is not None:
        category = resolve(
            Category.objects.filter(organization=organization, is_active=True),
            payload.category,
            "category",
            _("Unknown category."),
        )
    fields = {k: v for k, v in body.items() if k not in ("channel", "service", "category")}
    # The key is claimed in the case's own transaction, so a retry (even one sent while the first
    # request is still running) gets the first case back and never makes a second.
    try:
        case, secret = services.receive_case(
            organization=organization,
            channel=channel,
            service=service,
            category=category,
            by=request.user,
            intake_key=key,
            body_hash=body_hash,
            reference=reference,
            **fields,
        )
    except services.AlreadyReceived as retry:
        return Status(200, retry.case)  # the same case, no secret again
    case.secret = secret  # type: ignore[attr-defined]
    return Status(201, case)


@router.get("/cases", response=list[CaseOut], summary="Cases in the caller's scope, newest first")
@paginate(Page)
def list_cases(
    request: AuthenticatedHttpRequest,
    filters: Query[CaseFilter],
    q: Annotated[SearchText | None, Query(max_length=100, description="Full-text search")] = None,
) -> QuerySet[Case]:
    cases = filters.filter(_cases(request))
    if q and q.strip():
        cases = search(cases, q, language=organization_of(request).language)  # type: ignore[arg-type]
    return cases.order_by("-received_at", "-pk")


@router.get(
    "/cases/analytics",
    response=AnalyticsOut,
    summary="Case figures for a period (from the daily facts), in the caller's scope",
)
def case_analytics(
    request: AuthenticatedHttpRequest,
    start: PlausibleDate | None = None,
    end: PlausibleDate | None = None,
    kind: CaseKind | None = None,
    unit: int | None = None,
    service: int | None = None,
    channel: int | None = None,
) -> dict[str, Any]:
    organization = organization_of(request)
    end = end or organization.today()
    start = start or end - dt.timedelta(days=364)
    if start > end or (end - start).days > 3660:
        raise ValidationError(
            {"start": _("The period must start before it ends and last at most ten years.")}
        )
    units = Unit.objects.visible_to(request.user).filter(organization=organization)
    filters = analytics.Filters(
        start=start,
        end=end,
        kind=kind or "",
        unit=analytics.unit_in_scope(
            request.user, organization, resolve(units, unit, "unit", _("Unknown unit."))
        ),
        service=resolve(
            Service.objects.filter(organization=organization),
            service,
            "service",
            _("Unknown service."),
        ),
        channel=resolve(
            Channel.objects.filter(organization=organization),
            channel,
            "channel",
            _("Unknown channel."),
        ),
    )
    figures = analytics.compute(organization, filters)
    totals = {
        name: str(value) if isinstance(value, Decimal) else value
        for name, value in figures.totals.items()
    }
    return {
        "start": start,
        "end": end,
        "unit": filters.unit.pk if filters.unit else None,
        "totals": totals,
        "by": figures.by,
        "months": figures.months,
        "pareto": figures.pareto,
        "rising": figures.rising,
        "backlog": figures.backlog,
    }


@router.get("/case-categories", response=list[CategoryOut], summary="The case categories")
def list_categories(request: AuthenticatedHttpRequest) -> QuerySet[Category]:
    return Category.objects.filter(organization=organization_of(request)).order_by("pk")


@router.get("/root-causes", response=list[RootCauseOut], summary="The root-cause coding")
def list_root_causes(request: AuthenticatedHttpRequest) -> QuerySet[RootCause]:
    return RootCause.objects.filter(organization=organization_of(request)).order_by("code")


@router.get("/cases/{case_id}", response=CaseOut)
def get_case(request: AuthenticatedHttpRequest, case_id: int) -> Case:
    return get_visible(_cases(request), case_id)


@router.post(
    "/cases/{case_id}/actions/{action}",
    response=CaseOut,
    summary="Act on a case: only the actions it allows in its state (its `actions`); any other "
    "is a 409",
)
def act_on_case(
    request: AuthenticatedHttpRequest, case_id: int, action: CaseAction, payload: CaseActionIn
) -> Case:
    case = get_visible(_cases(request).select_related("unit", "organization"), case_id)
    organization = case.organization
    user, text = request.user, payload.text
    if action == CaseAction.ASSIGN:
        assignee = resolve(
            User.objects.filter(memberships__organization=organization, is_active=True).distinct(),
            payload.assignee,
            "assignee",
            _("Unknown person."),
        )
        if assignee is None:
            raise ValidationError({"assignee": _("Choose a person.")})
        services.assign_case(case, assignee=assignee, by=user)
    elif action == CaseAction.MERGE:
        into = resolve(_cases(request), payload.into, "into", _("Unknown case."))
        if into is None:
            raise ValidationError({"into": _("Choose the case that goes on.")})
        services.merge_case(case, into=into, by=user)
    elif action == CaseAction.CLOSE:
        cause = resolve(
            RootCause.objects.filter(organization=organization),
            payload.root_cause,
            "root_cause",
            _("Unknown root cause."),
        )
        services.close_case(case, comment=text, by=user, root_cause=cause)
    elif action == CaseAction.DERIVE:
        services.derive_case(case, body=payload.body or text[:300], message=text, by=user)
    else:
        LIFECYCLE[action](case, text, user)
    return case


# action → service call taking (case, text, user); each service asks `Case.allowed_actions`.
LIFECYCLE: dict[str, Callable[[Case, str, Any], Any]] = {
    CaseAction.ACKNOWLEDGE: lambda c, t, u: services.acknowledge_case(c, message=t, by=u),
    CaseAction.START: lambda c, t, u: services.start_case(c, by=u),
    CaseAction.REQUEST_INFORMATION: lambda c, t, u: services.request_information(
        c, message=t, by=u
    ),
    CaseAction.RESUME: lambda c, t, u: services.resume_case(c, comment=t, by=u),
    CaseAction.EXTEND: lambda c, t, u: services.extend_deadline(c, reason=t, by=u),
    CaseAction.ANSWER: lambda c, t, u: services.answer_case(c, answer=t, by=u),
    CaseAction.REOPEN: lambda c, t, u: services.reopen_case(c, reason=t, by=u),
    CaseAction.WITHDRAW: lambda c, t, u: services.withdraw_case(c, reason=t, by=u),
    CaseAction.NOTE: lambda c, t, u: services.add_note(c, text=t, by=u),
    CaseAction.REPLY: lambda c, t, u: services.add_note(c, text=t, by=u, public=True),
}
