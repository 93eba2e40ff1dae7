"""The role × endpoint matrix for writes: every parameterised staff route and every API write
(POST, PUT, PATCH, DELETE) naming a row, sent by every role of two organisations (and by
unit-scoped roles in two different units of each) for the OTHER organisation's rows (or
another unit's), must be refused — 403, 404, 405 or a redirect to the log-in page — and must
change nothing in the database.

Every parameterised staff route is posted to, whether its view takes POST or not: one that
only reads must refuse the other organisation's row all the same. The ids come from the read
matrix (`test_route_matrix.py`, itself fed by the accessibility walk's table of sample
arguments); a route the table leaves out borrows the arguments of the route it hangs from (the
same path up to its last parameter, or the longest filled route its path starts with), and
what is left is named in `WRITE_FILLED`. A route that cannot be sent is listed in `NOT_SENT`
with the reason; any other route left without arguments fails the test, so a new route cannot
be skipped unnoticed.

The body is the one the route's form sends: the forms of each page, as the organisation's own
administrator sees them, are read once and the one posting to the route is filled in (empty
fields get a plausible value); a route with no form gets an empty body, which the refusal must
come before anyway. An API write gets the required fields of its request schema.

Nothing changed: a fingerprint of the database (row counts of every model of the business
apps, and the latest `updated_at` where a model has one; the sign-in log is left out) is taken
before and after each route's requests, inside a savepoint rolled back afterwards so every
route meets the same data. When it differs, the route's requests are sent again one at a time,
each in its own savepoint, to name the one that wrote."""

import json
import re
import time
from collections.abc import Callable
from html.parser import HTMLParser
from io import StringIO
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, Max
from django.http import HttpResponse
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import NoReverseMatch, resolve, reverse

from compromiso.core.permissions import Role
from compromiso.core.tests.matrix import example, first_pk, signed_in, walk_module
from compromiso.core.tests.test_route_matrix import (
    API_PARAMETERS,
    API_UNIT_PATHS,
    UNIT_PLACED,
    _outside_unit,
    staff_urls,
)
from compromiso.organizations.models import Membership, Organization

# Staff routes not sent, with why (the list may only shrink).
NOT_SENT: dict[str, str] = {
    "cases:received": "names the case by a token signed for the officer who recorded it, not an id",
    "cases:assignment_rule": "the demo has no assignment rule in either organisation",
    "cases:attachment": "the demo has no case attachment in either organisation",
    "servicemodel:import_preview": "the demo has no staff list import",
    "servicemodel:import_confirm": "the demo has no staff list import",
    "servicemodel:import_rejected": "the demo has no staff list import",
    "surveys:bonus_scheme": "the demo has no incentive scheme in either organisation",
    "surveys:bonus_record": "the demo has no incentive scheme in either organisation",
    "surveys:import_job": "the demo has no survey response import",
    "surveys:import_mapping": "the demo has no survey response import",
    "surveys:kiosk_revoke": "the demo has no survey kiosk",
}

# Arguments of staff routes that neither the walk's table nor a route they hang from gives:
# route -> {parameter: (model label, filter to the organisation, field) or a literal}.
WRITE_FILLED: dict[str, dict[str, tuple[str, str, str] | str]] = {
    "cases:act": {"action": "start"},
    "charters:move": {"step": "submit"},
    "servicemodel:move": {"step": "publish"},
    "servicemodel:protocol_move": {"step": "activate"},
    "audits:programme_move": {"step": "approve"},
    "audits:audit_move": {"step": "agree"},
    "audits:agreement_sign": {"side": "auditee"},
    "audits:seal_status_change": {"action": "suspend"},
    "surveys:step": {"to": "close"},
    "improvement:move": {"to": "approved"},
    "surveys:question_move": {"direction": "down"},
    "surveys:review": {"unit": ("organizations.Unit", "organization", "pk")},
    "audits:access_revoke": {"pk": ("audits.AuditAccess", "audit__organization", "pk")},
    "audits:checklist_answer": {
        "pk": ("audits.ChecklistItem", "audit__organization", "audit_id"),
        "item_pk": ("audits.ChecklistItem", "audit__organization", "pk"),
    },
    "audits:follow_up_record": {
        "pk": ("audits.FollowUp", "audit__organization", "audit_id"),
        "follow_up": ("audits.FollowUp", "audit__organization", "pk"),
    },
    "audits:signal_remove": {"pk": ("audits.NeedSignal", "proposal__organization", "pk")},
    "charters:approve_result": {
        "pk": ("charters.Measurement", "commitment__charter__organization", "pk")
    },
    "organizations:membership_remove": {"pk": ("organizations.Membership", "organization", "pk")},
    "organizations:reset_two_factor": {
        "user_pk": ("organizations.Membership", "organization", "user_id")
    },
    "organizations:token_revoke": {"pk": ("organizations.ApiToken", "organization", "pk")},
    "servicemodel:member_remove": {
        "pk": ("servicemodel.TeamMember", "team__project__organization", "pk")
    },
    "servicemodel:training_attendance_remove": {
        "pk": ("servicemodel.Attendance", "session__organization", "session_id"),
        "attendance": ("servicemodel.Attendance", "session__organization", "pk"),
    },
    "servicemodel:training_revoke": {
        "pk": ("servicemodel.TrainerCertification", "staff_member__organization", "pk")
    },
}

# The API's path parameters that only writes take, and its literal ones.
API_WRITE_PARAMETERS: dict[str, tuple[str, str]] = {
    **API_PARAMETERS,
    "attribute_id": ("catalog.Attribute", "service__organization"),
}
API_LITERALS: dict[str, str] = {"action": "start"}

WRITES = ("post", "put", "patch", "delete")

# The apps whose rows a write would change; the sign-in log changes with every log-in.
FINGERPRINTED_APPS = (
    "cases",
    "surveys",
    "charters",
    "audits",
    "improvement",
    "attention",
    "catalog",
    "organizations",
    "servicemodel",
)
NOT_FINGERPRINTED = {"organizations.SignIn"}


def fingerprint() -> dict[str, tuple[Any, ...]]:
    """Per model: (rows, latest updated_at where it has one)."""
    prints: dict[str, tuple[Any, ...]] = {}
    for app in FINGERPRINTED_APPS:
        for model in apps.get_app_config(app).get_models():
            meta = model._meta
            if meta.proxy or not meta.managed or meta.label in NOT_FINGERPRINTED:
                continue
            if any(field.name == "updated_at" for field in meta.concrete_fields):
                row = model._base_manager.aggregate(rows=Count("pk"), latest=Max("updated_at"))
                prints[meta.label] = (row["rows"], row["latest"])
            else:
                prints[meta.label] = (model._base_manager.count(),)
    return prints


def changes(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    return [
        f"{label} {before[label]} -> {after[label]}"
        for label in before
        if before[label] != after[label]
    ]


class FormReader(HTMLParser):
    """The POST forms of a page: action -> {field: value}, filled as a person would."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: dict[str, dict[str, str]] = {}
        self.current: dict[str, str] | None = None
        self.select: str | None = None
        self.textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {key: value or "" for key, value in attrs}
        if tag == "form":
            if values.get("method", "get").lower() == "post":
                self.current = self.forms.setdefault(values.get("action", ""), {})
            return
        if self.current is None:
            return
        name = values.get("name")
        if tag == "input" and name:
            kind = values.get("type", "text").lower()
            if kind == "file" or (kind in ("checkbox", "radio") and "checked" not in values):
                if kind == "radio":
                    self.current.setdefault(name, values.get("value", "on"))
                return
            if kind == "submit":
                self.current.setdefault(name, values.get("value", ""))
                return
            self.current[name] = values.get("value") or plausible(kind)
        elif tag == "button" and name:
            self.current.setdefault(name, values.get("value", ""))
        elif tag == "select" and name:
            self.select = name
        elif tag == "option" and self.select:
            first = self.select not in self.current
            if ("selected" in values or first) and values.get("value"):
                self.current[self.select] = values["value"]
        elif tag == "textarea" and name:
            self.textarea = name
            self.current[name] = "Matrix"

    def handle_data(self, data: str) -> None:
        if self.current is not None and self.textarea and data.strip():
            self.current[self.textarea] = data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.current = None
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None


def plausible(kind: str) -> str:
    return {
        "number": "1",
        "date": "2026-12-01",
        "datetime-local": "2026-12-01T10:00",
        "time": "10:00",
        "email": "matrix@example.org",
        "url": "https://example.org/",
    }.get(kind, "Matrix")


def read_forms(client: Client, url: str, into: dict[str, dict[str, str]]) -> None:
    response = client.get(url)
    if (
        response.status_code != 200
        or response.streaming
        or "html" not in response.get("Content-Type", "")
    ):
        return
    reader = FormReader()
    reader.feed(response.content.decode())
    for action, fields in reader.forms.items():
        into.setdefault(action or url, fields)


def _stem(pattern: str) -> str:
    """The pattern up to its last parameter."""
    return pattern[: pattern.rfind(">") + 1]


def _alike(one: str, other: str) -> int:
    """How many leading characters two names share."""
    shared = 0
    while shared < min(len(one), len(other)) and one[shared] == other[shared]:
        shared += 1
    return shared


def _parameters(pattern: str) -> list[str]:
    return re.findall(r"<(?:\w+:)?(\w+)>", pattern)


def write_targets(
    walk: Any, other: Organization
) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """(route -> URL naming the other organisation's row, route -> the filled route whose page
    carries its form, route -> why it has no URL)."""
    filled, _skipped = staff_urls(walk, other)
    known = {name: dict(resolve(url).kwargs) for name, url in filled.items()}
    routes = {
        name: pattern
        for name, pattern in walk.named_routes()
        if pattern.startswith("staff/") and "<" in pattern and name not in NOT_SENT
    }
    urls: dict[str, str] = {}
    pages: dict[str, str] = {}
    missing: dict[str, str] = {}
    for name, pattern in sorted(routes.items()):
        wanted = _parameters(pattern)
        source = name if name in known else None
        if source is None:
            # The nearest relative: the same path up to the last parameter, else the longest
            # filled path it starts with; among equals, the most alike name.
            def kinship(s: str, name: str = name) -> tuple[int, int, str]:
                return (-len(_stem(routes[s])), -_alike(s, name), s)

            siblings = sorted(
                (s for s in known if _stem(routes.get(s, "")) == _stem(pattern)), key=kinship
            )
            parents = sorted(
                (s for s in known if s in routes and pattern.startswith(_stem(routes[s]))),
                key=kinship,
            )
            source = (siblings or parents or [None])[0]
        kwargs = {key: value for key, value in known.get(source or "", {}).items() if key in wanted}
        for key, spec in WRITE_FILLED.get(name, {}).items():
            kwargs[key] = spec if isinstance(spec, str) else first_pk(*spec[:2], other, spec[2])
        if sorted(kwargs) != sorted(wanted) or None in kwargs.values():
            missing[name] = f"{pattern}: no value for {sorted(set(wanted) - set(kwargs))}"
            continue
        try:
            urls[name] = reverse(name, kwargs=kwargs)
        except NoReverseMatch:
            missing[name] = f"{pattern}: {kwargs} do not fit"
            continue
        if source is not None:
            pages[name] = filled[source]
    return urls, pages, missing


def unit_write_urls(urls: dict[str, str], membership: Membership) -> dict[str, str]:
    """The writes whose row is placed in a unit, naming a row of another unit of the member's
    own organisation: the route's URL lies under a page of `UNIT_PLACED` with the same `pk`,
    and its other arguments are literals."""
    targets = {}
    for name, url in urls.items():
        kwargs = dict(resolve(url).kwargs)
        if "pk" not in kwargs or any(
            key != "pk" and not isinstance(value, str) for key, value in kwargs.items()
        ):
            continue
        page = next(
            (p for p in UNIT_PLACED if url.startswith(reverse(p, kwargs={"pk": kwargs["pk"]}))),
            None,
        )
        if page is None:
            continue
        pk = _outside_unit(*UNIT_PLACED[page], membership)
        if pk is not None:
            targets[name] = reverse(name, kwargs={**kwargs, "pk": pk})
    return targets


def api_writes(
    schema: dict[str, Any], fill: Callable[[str], Any]
) -> dict[tuple[str, str], tuple[str, str]]:
    """(method, path) -> (URL, JSON body) of every API write with a path parameter, the
    parameters filled by `fill` (None: no such row, the write is left out)."""
    components = schema.get("components", {}).get("schemas", {})
    writes = {}
    for path, operations in schema["paths"].items():
        if "{" not in path:
            continue
        for method in WRITES:
            if method not in operations:
                continue
            url = path
            for name in re.findall(r"{(\w+)}", path):
                value = API_LITERALS.get(name)
                if value is None:
                    assert name in API_WRITE_PARAMETERS, f"map the parameter {name} of {path}"
                    value = fill(name)
                if value is None:
                    break
                url = url.replace(f"{{{name}}}", str(value))
            else:
                content = operations[method].get("requestBody", {}).get("content", {})
                body = content.get("application/json", {}).get("schema")
                writes[(method, path)] = (
                    url,
                    json.dumps(example(body, components) if body else {}),
                )
    return writes


# One request of the matrix: (what it is, who sends it, how).
Request = tuple[str, Membership, Callable[[], HttpResponse]]


def refused(response: HttpResponse) -> bool:
    if response.status_code in (403, 404, 405):
        return True
    login = resolve_url(settings.LOGIN_URL)
    return response.status_code == 302 and response["Location"].startswith(login)


@pytest.mark.django_db
def test_no_role_of_either_organisation_writes_the_other_organisations_rows():
    from compromiso.audits import services as audit_services
    from compromiso.audits.models import AuditAccess
    from compromiso.organizations import services

    started = time.monotonic()
    call_command("demo", cases=5, stdout=StringIO())
    loaded = time.monotonic() - started
    walk = walk_module()
    chile, catalonia = (
        Organization.objects.filter(memberships__isnull=False).distinct().order_by("pk")[:2]
    )
    people = list(
        Membership.objects.filter(organization__in=[chile, catalonia])
        .select_related("user", "organization", "unit")
        .order_by("pk")
    )
    unit_people = [m for m in people if m.unit_id]
    assert len({m.unit_id for m in unit_people if m.organization_id == chile.pk}) >= 2
    assert len({m.unit_id for m in unit_people if m.organization_id == catalonia.pk}) >= 2

    # Every person's browser and API token, made before the targets are
    # read (a token of the other organisation is one) and the first fingerprint.
    clients = {m.pk: signed_in(m) for m in people}
    bearers = {}
    for membership in people:
        _token, secret = services.create_api_token(
            user=membership.user,
            organization=membership.organization,
            name="write matrix",
            expires_at=None,
        )
        bearers[membership.pk] = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")

    schema = Client().get("/api/v1/openapi.json").json()
    staff: dict[int, dict[str, str]] = {}
    bodies: dict[int, dict[str, dict[str, str]]] = {}
    api: dict[int, dict[tuple[str, str], tuple[str, str]]] = {}
    missing_in: list[dict[str, str]] = []
    for mine, other in ((chile, catalonia), (catalonia, chile)):
        urls, pages, missing = write_targets(walk, other)
        missing_in.append(missing)
        staff[mine.pk] = urls
        # The forms as the other organisation's administrator sees them on its own rows.
        owner = Membership.objects.filter(organization=other, role=Role.ADMINISTRATOR).first()
        assert owner is not None
        client = signed_in(owner)
        forms: dict[str, dict[str, str]] = {}
        read: set[str] = set()
        for name, url in urls.items():
            for page in (url if name not in walk.NOT_PAGES else None, pages.get(name)):
                if page and page not in read:
                    read.add(page)
                    read_forms(client, page, forms)
        bodies[mine.pk] = {url: forms.get(url, {}) for url in urls.values()}
        api[mine.pk] = api_writes(
            schema, lambda name, other=other: first_pk(*API_WRITE_PARAMETERS[name], other)
        )
    # A route is covered when it is sent in at least one direction (some rows exist in one
    # organisation of the demo only).
    uncovered = {name: why for name, why in missing_in[0].items() if name in missing_in[1]}
    assert not uncovered, (
        "give these routes arguments in WRITE_FILLED or list them in NOT_SENT:\n"
        + ("\n".join(f"{name}: {why}" for name, why in sorted(uncovered.items())))
    )
    covered = set(staff[chile.pk]) | set(staff[catalonia.pk])
    covered_api = set(api[chile.pk]) | set(api[catalonia.pk])

    # A peer auditor let into one audit of the other organisation may work in it; those writes
    # are sent after the access is revoked, and must be refused then.
    granted = {
        (access.user_id, f"/staff/audits/{access.audit_id}/")
        for access in AuditAccess.objects.filter(revoked_at__isnull=True)
    }

    def is_granted(membership: Membership, url: str) -> bool:
        return any(membership.user_id == who and url.startswith(prefix) for who, prefix in granted)

    # (label, who, send) per route: every role's request of that route.
    by_route: dict[str, list[Request]] = {}
    held_back: list[Request] = []
    for membership in people:
        client, bearer = clients[membership.pk], bearers[membership.pk]
        mine = membership.organization_id
        for name, url in staff[mine].items():
            body = bodies[mine][url]
            request: Request = (
                f"POST {url} [{name}]",
                membership,
                lambda client=client, url=url, body=body: client.post(url, body),
            )
            (held_back if is_granted(membership, url) else by_route.setdefault(name, [])).append(
                request
            )
        for (method, path), (url, body) in api[mine].items():
            by_route.setdefault(f"API {method.upper()} {path}", []).append(
                (
                    f"API {method.upper()} {url}",
                    membership,
                    lambda bearer=bearer, method=method, url=url, body=body: getattr(
                        bearer, method
                    )(url, body, content_type="application/json"),
                )
            )
    # A role held on one unit writes nothing placed in another unit of its own organisation.
    unit_requests = 0
    for membership in unit_people:
        client, bearer = clients[membership.pk], bearers[membership.pk]
        mine = membership.organization_id
        pages = unit_write_urls(staff[mine], membership)
        assert pages, f"the demo has no row outside {membership.unit} for {membership.user}"
        for name, url in pages.items():
            by_route.setdefault(name, []).append(
                (
                    f"POST {url} [{name}], another unit's row",
                    membership,
                    lambda client=client, url=url: client.post(url, {}),
                )
            )
            unit_requests += 1

        def outside(name: str, membership: Membership = membership) -> Any:
            if name not in API_UNIT_PATHS:
                return None
            return _outside_unit(API_WRITE_PARAMETERS[name][0], API_UNIT_PATHS[name], membership)

        for (method, path), (url, body) in api_writes(schema, outside).items():
            by_route.setdefault(f"API {method.upper()} {path}", []).append(
                (
                    f"API {method.upper()} {url}, another unit's row",
                    membership,
                    lambda bearer=bearer, method=method, url=url, body=body: getattr(
                        bearer, method
                    )(url, body, content_type="application/json"),
                )
            )
            unit_requests += 1

    leaks: list[str] = []
    requests = 0

    def judge(label: str, membership: Membership, response: HttpResponse) -> None:
        who = f"{membership.user.username} ({membership.role}"
        who += f" of {membership.unit})" if membership.unit else ")"
        assert response.status_code < 500, f"{who} {label} -> {response.status_code}"
        if not refused(response):
            where = response.get("Location", "")
            leaks.append(f"{who} {label} -> {response.status_code} {where}".rstrip())

    def send(batch: list[Request]) -> list[str]:
        """Send the batch in a savepoint rolled back afterwards; what it changed."""
        nonlocal requests
        with transaction.atomic():
            before = fingerprint()
            for label, membership, call in batch:
                judge(label, membership, call())
                requests += 1
            changed = changes(before, fingerprint())
            transaction.set_rollback(True)
        return changed

    for _route, batch in sorted(by_route.items()):
        if send(batch):
            for label, membership, call in batch:
                with transaction.atomic():
                    before = fingerprint()
                    call()
                    changed = changes(before, fingerprint())
                    transaction.set_rollback(True)
                if changed:
                    leaks.append(
                        f"{membership.user.username} ({membership.role}) {label} changed "
                        + "; ".join(changed)
                    )

    # Once the access is revoked, the peer's writes into that audit are refused too.
    for access in AuditAccess.objects.filter(revoked_at__isnull=True):
        administrator = Membership.objects.filter(
            organization=access.audit.organization, role=Role.ADMINISTRATOR
        ).first()
        assert administrator is not None
        audit_services.revoke_access(access, by=administrator.user, reason="matrix")
    changed = send(held_back)
    if changed:
        leaks.append("a revoked peer's writes changed " + "; ".join(changed))

    print(
        f"\nwrite matrix: {len(covered)} staff routes + {len(covered_api)} API writes "
        f"× {len(people)} roles + {unit_requests} writes to another unit's "
        f"rows by unit-scoped roles = {requests} requests ({len(held_back)} by a peer granted "
        f"an audit, sent after revocation), {len(leaks)} leaks; {len(NOT_SENT)} routes not "
        f"sent; demo {loaded:.0f} s, total {time.monotonic() - started:.0f} s"
    )
    for name, reason in sorted(NOT_SENT.items()):
        print(f"  not sent {name}: {reason}")
    for leak in leaks:
        print(f"  LEAK {leak}")
    assert leaks == []
