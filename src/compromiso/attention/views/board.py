"""The branch manager's board: per queue who waits and who is on hold, the longest current
wait and the estimated wait; who sits at which desk and whom they serve; today's service level
so far. The live part is refreshed every few seconds (htmx) from the same state the public
display shows (`attention.live.branch_state`)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from compromiso.attention.live import branch_state
from compromiso.attention.models import Branch
from compromiso.attention.views.common import branches_for, organization_of
from compromiso.core.http import AuthenticatedHttpRequest
from compromiso.core.permissions import Perm

REFRESH_SECONDS = 5


def _branch(request: AuthenticatedHttpRequest, pk: int) -> Branch:
    organization = organization_of(request)
    branch = (
        branches_for(request, organization, Perm.VIEW)
        .select_related("touch_point", "organization")
        .filter(pk=pk)
        .first()
    )
    if branch is None:
        raise Http404
    return branch


@login_required
def board(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    branch = _branch(request, pk)
    state = branch_state(branch, staff=True)
    context = {
        "tab": "branches",
        "branch": branch,
        "state": state,
        "refresh_seconds": REFRESH_SECONDS,
        "display_url": (
            reverse("portal:queue_display", args=[branch.display_key])
            if branches_for(request, branch.organization, Perm.MANAGE_ATTENTION)
            .filter(pk=branch.pk)
            .exists()
            else ""
        ),
    }
    if getattr(request, "htmx", False):
        return render(request, "attention/board/board.html#live", context)
    return render(request, "attention/board/board.html", context)
