"""The role × endpoint matrix: every staff page and every API read, asked by every role of two
organisations (and by unit-scoped roles in two different units of each) for the OTHER
organisation's rows, must not answer 200. A 404, 403 or a redirect is a refusal; a 200 is a
leak unless the page is listed below as independent of the organisation.

The routes come from the URL configuration (`get_resolver()`, as the accessibility walk reads
it) and from the API's OpenAPI document; the ids come from the demo network (two organisations
with a row of every kind), through the same table of sample arguments the accessibility walk
uses, so a page added there is covered here. One client per person, plain GETs."""

import re
import time
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import NoReverseMatch, reverse

from compromiso.core.permissions import Role
from compromiso.core.tests.matrix import first_pk, walk_module
from compromiso.organizations.models import Membership, Organization

# Staff routes that answer 200 whatever the id, because they show nothing of the row it names.
ORGANISATION_INDEPENDENT: dict[str, str] = {}

# Parameterised GET routes the walk's table leaves out (htmx fragments, files, exports), filled
# with the other organisation's row: route -> {parameter: (model label, filter to the
# organisation, field giving the value) or a literal}.
FILLED: dict[str, dict[str, tuple[str, str, str] | str]] = {
    "organizations:unit_row": {"pk": ("organizations.Unit", "organization", "pk")},
    "catalog:attribute_edit": {"pk": ("catalog.Attribute", "service__organization", "pk")},
    "catalog:attribute_row": {"pk": ("catalog.Attribute", "service__organization", "pk")},
    "attention:desk_waiting": {"pk": ("attention.Desk", "branch__organization", "pk")},
    "cases:attachment": {
        "pk": ("cases.Attachment", "case__organization", "case_id"),
        "attachment_pk": ("cases.Attachment", "case__organization", "pk"),
    },
    "audits:file": {
        "pk": ("audits.AuditFile", "audit__organization", "audit_id"),
        "file_pk": ("audits.AuditFile", "audit__organization", "pk"),
    },
    "audits:evidence_file": {
        "pk": ("audits.AuditFile", "audit__organization", "audit_id"),
        "file_pk": ("audits.AuditFile", "audit__organization", "pk"),
    },
    "audits:mystery_export": {"pk": ("audits.Audit", "organization", "pk")},
    "audits:request_export": {"pk": ("audits.Audit", "organization", "pk")},
    "audits:report_pdf": {"pk": ("audits.Audit", "organization", "pk")},
    "surveys:export": {"pk": ("surveys.Wave", "organization", "pk"), "fmt": "csv"},
    "surveys:export_figures": {"pk": ("surveys.Wave", "organization", "pk"), "fmt": "csv"},
}

# The API's path parameters: name -> (model label, filter path to the organisation).
API_PARAMETERS: dict[str, tuple[str, str]] = {
    "case_id": ("cases.Case", "organization"),
    "channel_id": ("catalog.Channel", "organization"),
    "touch_point_id": ("catalog.TouchPoint", "organization"),
    "service_id": ("catalog.Service", "organization"),
    "charter_id": ("charters.Charter", "organization"),
    "action_id": ("improvement.ImprovementAction", "organization"),
    "unit_id": ("organizations.Unit", "organization"),
    "wave_id": ("surveys.Wave", "organization"),
    "audit_id": ("audits.Audit", "organization"),
    "programme_id": ("servicemodel.TrainingProgramme", "organization"),
}

# Rows placed in a unit (their `visible_to` filters by the unit's tree path): a role held on one
# unit must not read those of another unit of its own organisation. Staff route -> (model label,
# path to the row's unit path); API path parameter -> the same.
UNIT_PLACED: dict[str, tuple[str, str]] = {
    "cases:detail": ("cases.Case", "unit__path"),
    "catalog:service_detail": ("catalog.Service", "provider_unit__path"),
    "charters:detail": ("charters.Charter", "unit__path"),
    "attention:branch": ("attention.Branch", "touch_point__unit__path"),
    "attention:appointments": ("attention.Branch", "touch_point__unit__path"),
    "improvement:detail": ("improvement.ImprovementAction", "owner_unit__path"),
    "servicemodel:training_session": ("servicemodel.TrainingSession", "unit__path"),
    "servicemodel:person": ("servicemodel.StaffMember", "unit__path"),
}
API_UNIT_PATHS: dict[str, str] = {
    "case_id": "unit__path",
    "touch_point_id": "unit__path",
    "service_id": "provider_unit__path",
    "charter_id": "unit__path",
    "action_id": "owner_unit__path",
}


def _outside_unit(label: str, path: str, membership: Membership) -> int | None:
    """The first row of the member's organisation placed in a unit outside the member's
    subtree (a sibling, a parent or a cousin)."""
    from django.apps import apps

    assert membership.unit is not None
    return (
        apps.get_model(label)
        .objects.filter(organization=membership.organization, **{f"{path}__isnull": False})
        .exclude(**{f"{path}__startswith": membership.unit.path})
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )


def unit_urls(client: Client, membership: Membership) -> tuple[dict[str, str], dict[str, str]]:
    """(staff route -> URL, API path -> URL) naming rows of another unit of the member's own
    organisation."""
    pages = {}
    for name, (label, path) in UNIT_PLACED.items():
        pk = _outside_unit(label, path, membership)
        if pk is not None:
            pages[name] = reverse(name, kwargs={"pk": pk})
    schema = client.get("/api/v1/openapi.json").json()
    api = {}
    for api_path, operations in schema["paths"].items():
        names = re.findall(r"{(\w+)}", api_path)
        if "get" not in operations or not names or not set(names) <= set(API_UNIT_PATHS):
            continue
        url = api_path
        for name in names:
            pk = _outside_unit(API_PARAMETERS[name][0], API_UNIT_PATHS[name], membership)
            if pk is None:
                break
            url = url.replace(f"{{{name}}}", str(pk))
        else:
            api[api_path] = url
    return pages, api


def staff_urls(walk: Any, other: Organization) -> tuple[dict[str, str], dict[str, str]]:
    """(route name -> URL filled with the other organisation's ids, route name -> why not)."""
    table = walk.sample_kwargs(other)
    urls: dict[str, str] = {}
    skipped: dict[str, str] = {}
    for name, pattern in walk.named_routes():
        if not pattern.startswith("staff/") or "<" not in pattern:
            continue
        kwargs = table.get(name)
        if name in FILLED:
            kwargs = {
                key: value if isinstance(value, str) else first_pk(*value[:2], other, value[2])
                for key, value in FILLED[name].items()
            }
        if name not in table and name not in FILLED:
            reason = walk.NOT_PAGES.get(name, "no sample arguments")
            skipped[name] = reason
            continue
        if kwargs is None or None in kwargs.values():
            skipped[name] = "the demo has no such row"
            continue
        try:
            urls[name] = reverse(name, kwargs=kwargs)
        except NoReverseMatch:
            skipped[name] = "its arguments do not fit"
    return urls, skipped


def api_urls(client: Client, other: Organization) -> dict[str, str]:
    """Every GET of the OpenAPI document with a path parameter, filled with the other
    organisation's ids."""
    schema = client.get("/api/v1/openapi.json").json()
    urls = {}
    for path, operations in schema["paths"].items():
        if "get" not in operations or "{" not in path:
            continue
        names = re.findall(r"{(\w+)}", path)
        assert set(names) <= set(API_PARAMETERS), f"map the parameters of {path}"
        url = path
        for name in names:
            pk = first_pk(*API_PARAMETERS[name], other)
            assert pk is not None, f"the demo has no row for {name}"
            url = url.replace(f"{{{name}}}", str(pk))
        urls[path] = url
    return urls


@pytest.mark.django_db
def test_no_role_of_either_organisation_reads_the_other_organisations_rows():
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
    units = {(m.organization_id, m.unit_id) for m in people if m.unit_id}
    assert len([1 for org, _unit in units if org == chile.pk]) >= 2, "two units of each"
    assert len([1 for org, _unit in units if org == catalonia.pk]) >= 2, "two units of each"

    anonymous = Client()
    targets = {}
    for mine, other in ((chile, catalonia), (catalonia, chile)):
        targets[mine.pk] = (*staff_urls(walk, other), api_urls(anonymous, other))

    # A peer auditor from the other organisation let into one audit (time-limited, logged,
    # revoked when the audit closes: audits/services/grants.py) reads that audit's pages.
    granted = {
        (access.user_id, f"/staff/audits/{access.audit_id}/")
        for access in AuditAccess.objects.filter(revoked_at__isnull=True)
    }
    granted_reads: list[tuple[Client, str]] = []
    leaks: list[str] = []
    requests = 0
    for membership in people:
        user, organization = membership.user, membership.organization
        pages, _skipped, api = targets[organization.pk]
        client = Client()
        client.force_login(user)
        session = client.session
        session["organization_id"] = organization.pk
        session.save()
        for name, url in pages.items():
            status = client.get(url).status_code
            requests += 1
            if status == 200 and any(
                (user.pk, url[: len(prefix)]) == (who, prefix) for who, prefix in granted
            ):
                granted_reads.append((client, url))
            elif status == 200 and name not in ORGANISATION_INDEPENDENT:
                leaks.append(f"{user.username} ({membership.role}) GET {url} [{name}] -> 200")
            assert status < 500, f"{user.username} GET {url} -> {status}"
        _token, secret = services.create_api_token(
            user=user, organization=organization, name="matrix", expires_at=None
        )
        bearer = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
        for path, url in api.items():
            status = bearer.get(url).status_code
            requests += 1
            if status == 200:
                leaks.append(f"{user.username} ({membership.role}) API {url} [{path}] -> 200")
            assert status < 500, f"{user.username} API {url} -> {status}"

    # A role held on one unit reads nothing placed in another unit of its own organisation.
    unit_requests = 0
    for membership in people:
        if membership.unit is None:
            continue
        user, organization = membership.user, membership.organization
        pages, api = unit_urls(anonymous, membership)
        assert pages, f"the demo has no row outside {membership.unit} for {user}"
        assert api, f"the demo has no API row outside {membership.unit} for {user}"
        client = Client()
        client.force_login(user)
        session = client.session
        session["organization_id"] = organization.pk
        session.save()
        _token, secret = services.create_api_token(
            user=user, organization=organization, name="unit matrix", expires_at=None
        )
        bearer = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
        for who, urls in ((client, pages), (bearer, api)):
            for name, url in urls.items():
                status = who.get(url).status_code
                unit_requests += 1
                if status == 200:
                    leaks.append(
                        f"{user.username} ({membership.role} of {membership.unit}) GET {url} "
                        f"[{name}], another unit's row -> 200"
                    )
                assert status < 500, f"{user.username} GET {url} -> {status}"
    requests += unit_requests

    # Once the access is revoked, the peer's pages of that audit are refused too.
    for access in AuditAccess.objects.filter(revoked_at__isnull=True):
        administrator = Membership.objects.filter(
            organization=access.audit.organization, role=Role.ADMINISTRATOR
        ).first()
        assert administrator is not None
        audit_services.revoke_access(access, by=administrator.user, reason="matrix")
    for client, url in granted_reads:
        status = client.get(url).status_code
        requests += 1
        if status == 200:
            leaks.append(f"revoked peer GET {url} -> 200")

    pages, skipped, api = targets[chile.pk]
    print(
        f"\nroute matrix: {len(pages)} staff routes + {len(api)} API paths × {len(people)} "
        f"roles + {unit_requests} reads of another unit's rows by unit-scoped roles = "
        f"{requests} requests, {len(leaks)} leaks, {len(granted_reads)} reads of a "
        f"peer granted access to an audit; {len(skipped)} routes skipped; "
        f"demo {loaded:.0f} s, total {time.monotonic() - started:.0f} s"
    )
    for name, reason in sorted(skipped.items()):
        print(f"  skipped {name}: {reason}")
    for leak in leaks:
        print(f"  LEAK {leak}")
    assert leaks == []
