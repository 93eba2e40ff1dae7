"""A branch's public display for a TV browser: the last numbers called and their desks, who is
waiting and the estimated wait per queue, the branch's name and clock. Its address carries the
branch's secret display key (a wrong key is a 404). The page updates through server-sent events
(`display_events`), or by fetching `display_state` every few seconds where EventSource is
missing."""

import asyncio
import re

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from compromiso.attention import streams
from compromiso.attention.live import branch_state, load_branch
from compromiso.attention.models import Branch

KEY_LENGTH = 64  # longer keys are not looked up
KEY_CHARACTERS = re.compile(r"[A-Za-z0-9_-]+")


def _branch(key: str) -> Branch:
    # A key is URL-safe base64: anything else (a NUL byte PostgreSQL refuses) is looked up never.
    if not key or len(key) > KEY_LENGTH or not KEY_CHARACTERS.fullmatch(key):
        raise Http404
    try:
        return load_branch(display_key=key, is_active=True, organization__is_active=True)
    except Branch.DoesNotExist:
        raise Http404 from None


@never_cache
def queue_display(request: HttpRequest, key: str) -> HttpResponse:
    branch = _branch(key)
    timezone.activate(branch.organization.zone)
    return render(
        request,
        "portal/display/display.html",
        {
            "branch": branch,
            "state": branch_state(branch),
            "events_url": reverse("portal:queue_display_events", args=[key]),
            "state_url": reverse("portal:queue_display_state", args=[key]),
        },
    )


@never_cache
def queue_display_state(request: HttpRequest, key: str) -> JsonResponse:
    return JsonResponse(branch_state(_branch(key)), json_dumps_params={"ensure_ascii": False})


async def queue_display_events(request: HttpRequest, key: str) -> StreamingHttpResponse:
    """A server-sent event stream of the display's state (see `attention.streams`)."""
    if isinstance(request, ASGIRequest):  # no database connection of the request's own
        branch_id = await asyncio.wrap_future(streams.WATCHER.run(lambda: _branch(key).pk))
    else:
        branch_id = await sync_to_async(_branch_id_and_let_go)(key)
    return streams.response(request, branch_id)


def _branch_id_and_let_go(key: str) -> int:
    """Under WSGI: the branch, then the thread's database connection is closed, so that a
    stream open for minutes does not keep one (the watcher's connection serves it)."""
    branch_id = _branch(key).pk
    if not connection.in_atomic_block:
        connection.close()
    return branch_id
