"""Pages of the sign-in log: the members' sign-ins for those who manage the members, and one's
own recent sign-ins."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode

from compromiso.core.http import AuthenticatedHttpRequest
from compromiso.core.ids import parse_id
from compromiso.core.permissions import Perm, scope_for
from compromiso.organizations.current import require_organization
from compromiso.organizations.models import SignIn, SignInOutcome, User
from compromiso.organizations.sign_ins import visible_in

PAGE_SIZE = 50
OWN_RECENT = 20


def _page(rows: QuerySet[SignIn], before: int | None) -> tuple[list[SignIn], int | None]:
    """One page, newest first, and the id to continue from (keyset: no count of the table)."""
    if before is not None:
        rows = rows.filter(pk__lt=before)
    page = list(rows.order_by("-pk")[: PAGE_SIZE + 1])
    more = len(page) > PAGE_SIZE
    page = page[:PAGE_SIZE]
    return page, (page[-1].pk if more else None)


@login_required
def sign_ins(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Who signed in, failed, was locked out or signed out, filtered by person and outcome."""
    organization = require_organization(request)
    if not scope_for(request.user, Perm.MANAGE_MEMBERS).touches(organization.pk):
        raise PermissionDenied
    rows = visible_in(organization, request.user)
    people = User.objects.filter(pk__in=rows.values("user_id")).order_by("username")
    person = parse_id(request.GET.get("user", ""))
    if person is not None:
        rows = rows.filter(user_id=person)
    outcome = request.GET.get("outcome", "")
    if outcome not in SignInOutcome.values:
        outcome = ""
    if outcome:
        rows = rows.filter(outcome=outcome)
    page, next_before = _page(rows, parse_id(request.GET.get("before", "")))
    next_url = None
    if next_before is not None:
        query: dict[str, Any] = {"before": next_before}
        if person is not None:
            query["user"] = person
        if outcome:
            query["outcome"] = outcome
        next_url = f"{reverse('organizations:sign_ins')}?{urlencode(query)}"
    return render(
        request,
        "organizations/sign_ins.html",
        {
            "organization": organization,
            "rows": page,
            "people": people,
            "person": person,
            "outcomes": SignInOutcome.choices,
            "outcome": outcome,
            "next_url": next_url,
            "first_url": reverse("organizations:sign_ins") if request.GET.get("before") else None,
        },
    )


@login_required
def my_sign_ins(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The signed-in person's own recent sign-ins: a way to notice someone else used the
    account."""
    rows = SignIn.objects.filter(user=request.user).order_by("-pk")[:OWN_RECENT]
    return render(request, "organizations/my_sign_ins.html", {"rows": rows})
