"""The public promise page of an organisation: its service model in force (name, slogans, value
proposition, axes and values, promises, and what users can see and feel) and, for each kind of
channel it attends on, the attention protocols in force that are shown to the public, as the
steps a user can expect there.

The quality policy stays on the staff pages: it is the organisation's commitment to itself,
addressed to its staff. The standards of each step are the audit's yardstick, not shown either.
Without a published model there is no promise: the page is a 404 and no page links to it."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from compromiso.catalog.models import ChannelKind, TouchPoint
from compromiso.organizations.models import Organization
from compromiso.servicemodel.applicability import protocols_by_touch_point
from compromiso.servicemodel.models import ModelStatus, Protocol, ServiceModel


def promise_in_force(organization: Organization) -> ServiceModel | None:
    return ServiceModel.objects.filter(
        organization=organization, status=ModelStatus.PUBLISHED
    ).first()


def has_promise(organization: Organization) -> bool:
    """Whether the organisation has a promise page to link to."""
    return ServiceModel.objects.filter(
        organization=organization, status=ModelStatus.PUBLISHED
    ).exists()


@dataclass
class Step:
    behaviour: str
    on_channel: str  # how it is done on this channel, or ""


@dataclass
class ShownProtocol:
    name: str
    purpose: str
    steps: list[Step] = field(default_factory=list)


@dataclass
class ChannelPromise:
    kind: str
    label: str
    protocols: list[ShownProtocol] = field(default_factory=list)


def channel_promises(organization: Organization) -> list[ChannelPromise]:
    """Per kind of channel the organisation attends on (its active touch points of active
    channels), the public protocols in force at any of them, by name, with their steps."""
    in_force = protocols_by_touch_point(organization)
    ids_by_kind: dict[str, set[int]] = defaultdict(set)
    for pk, kind in TouchPoint.objects.filter(
        organization=organization, is_active=True, channel__is_active=True
    ).values_list("pk", "channel__kind"):
        ids_by_kind[kind] |= in_force.get(pk, frozenset())
    every_id = set().union(*ids_by_kind.values()) if ids_by_kind else set()
    protocols = {
        protocol.pk: protocol
        for protocol in Protocol.objects.filter(pk__in=every_id, is_public=True)
        .order_by("name", "pk")
        .prefetch_related("steps__variants")
    }
    result = []
    for kind, label in ChannelKind.choices:
        shown = [
            ShownProtocol(
                name=protocol.name,
                purpose=protocol.purpose,
                steps=[
                    Step(
                        behaviour=step.behaviour,
                        on_channel=next(
                            (v.text for v in step.variants.all() if v.channel_kind == kind), ""
                        ),
                    )
                    for step in protocol.steps.all()
                ],
            )
            for pk, protocol in protocols.items()
            if pk in ids_by_kind.get(kind, ())
        ]
        if shown:
            result.append(ChannelPromise(kind=kind, label=str(label), protocols=shown))
    return result


def promise_page(request: HttpRequest, slug: str) -> HttpResponse:
    organization = get_object_or_404(Organization, slug=slug, is_active=True)
    timezone.activate(organization.zone)
    model = promise_in_force(organization)
    if model is None:
        return render(
            request, "portal/promise_none.html", {"organization": organization}, status=404
        )
    return render(
        request,
        "portal/promise.html",
        {
            "organization": organization,
            "model": model,
            "axes": model.axes.all(),
            "promises": model.promises.all(),
            "channels": channel_promises(organization),
        },
    )
