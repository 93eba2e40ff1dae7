"""The role × route matrix for ids in a request's BODY: a form of one's own organisation, or an
API write, that names another organisation's row in a field (a unit, a service, a charter, a
queue, a person...) must store nothing that refers to that row; an API write must also answer
with a 4xx.

The forms are those of every staff page, as the organisation's own administrator sees them
(the accessibility walk's pages filled with the organisation's own rows). A field names a row
when its choices (select options, radio buttons, check boxes) or its hidden value are integers,
or when its name ends in `_id`; its model is the one a foreign key or many-to-many field of that
name points to in the business apps (`unit` -> Unit, `responsible` -> User...) whose rows of the
organisation include every value offered; where no relation bears the name, any model of an
organisation whose rows include every value offered. A model that belongs to no organisation
(no chain of foreign keys from it reaches an organisation) is left out: naming one of its rows
is no trespass.

Each such field is sent, the form's other fields as the page fills them, as the organisation's
administrator and quality manager, set to a row of the same model in the OTHER organisation
(the first whose pk is no row of one's own of any model the field may name). The status of
the answer cannot decide: the house's action views answer an invalid form by redirecting back
to the page with an error message, just as they answer a valid one, and a view may lawfully
ignore a field it does not bind (a filter, a hidden "next").
What decides is the database: the number of rows of every model that refer to the foreign row
(through every foreign key and many-to-many field pointing to its model, and to the same pk of
every other model the field's name may point to that the other organisation owns, in case a
view reads it as another model's id) must not grow. The redirects are counted and printed.
That is exact where a row-count fingerprint is not: a form may legitimately create a row with
the other, valid fields, but none of its rows may point across.
Each request runs in a savepoint rolled back afterwards, so every request meets the same data.

The form is also sent once with its own values; the run reports how many of those sends were
answered with a redirect (accepted, or refused with a message: see above).

API writes (POST, PUT, PATCH) whose request schema has an id property (`*_id`, or the name of a
relation such as `service`, `unit`, `channel`) are sent with the organisation's own token and the
other organisation's id in that property: a 4xx, and no row referring to it."""

import json
import re
import time
from collections import deque
from collections.abc import Callable
from io import StringIO
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import models, transaction
from django.http import HttpResponse
from django.test import Client
from django.urls import Resolver404, resolve

from compromiso.core.permissions import Role
from compromiso.core.tests.matrix import example, first_pk, signed_in, walk_module
from compromiso.core.tests.test_route_matrix_writes import (
    API_LITERALS,
    API_WRITE_PARAMETERS,
    FINGERPRINTED_APPS,
    FormReader,
    refused,
)
from compromiso.organizations.models import Membership, Organization

INTEGER = re.compile(r"^\d+$")
RELATIONS = (models.ForeignKey, models.ManyToManyField)  # a one-to-one is a foreign key
# A formset's management fields are counts, not ids.
MANAGEMENT = ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS")


def stem(name: str) -> str:
    """The relation a field's name points to: without a formset's prefix, a numbered suffix
    (`branch_1`) or `_id`."""
    base = name.rsplit("-", 1)[-1]
    base = re.sub(r"_\d+$", "", base)
    return base.removesuffix("_id")


class FieldReader(FormReader):
    """The POST forms of a page (as `FormReader` fills them) and, per form, the fields that may
    name a row: field -> the integer values the page offers (empty for a `*_id` text field)."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: dict[str, dict[str, set[str]]] = {}
        self.offered: dict[str, set[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {key: value or "" for key, value in attrs}
        if tag == "form" and values.get("method", "get").lower() == "post":
            self.offered = self.ids.setdefault(values.get("action", ""), {})
        elif self.offered is not None and self.current is not None:
            name, value = values.get("name"), values.get("value", "")
            kind = values.get("type", "text").lower()
            if tag == "input" and name and kind in ("hidden", "radio", "checkbox"):
                if INTEGER.match(value):
                    self.offered.setdefault(name, set()).add(value)
            elif tag == "input" and name and name.endswith("_id") and kind != "submit":
                self.offered.setdefault(name, set())
            elif tag == "option" and self.select and INTEGER.match(value):
                self.offered.setdefault(self.select, set()).add(value)
        super().handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.offered = None
        super().handle_endtag(tag)


def business_models() -> list[type[models.Model]]:
    return [
        model
        for app in FINGERPRINTED_APPS
        for model in apps.get_app_config(app).get_models()
        if not model._meta.proxy and model._meta.managed
    ]


def organisation_path(model: type[models.Model]) -> str | None:
    """The shortest chain of foreign keys from the model to its organisation (at most four)."""
    if model is Organization:
        return "pk"
    if model is get_user_model():
        return "memberships__organization"
    queue: deque[tuple[type[models.Model], str, int]] = deque([(model, "", 0)])
    seen = {model}
    while queue:
        current, path, depth = queue.popleft()
        for field in current._meta.concrete_fields:
            if not field.is_relation or field.related_model is None:
                continue
            related: Any = field.related_model
            step = f"{path}__{field.name}" if path else field.name
            if related is Organization:
                return step
            if related not in seen and depth < 3:
                seen.add(related)
                queue.append((related, step, depth + 1))
    return None


def relations_by_name() -> dict[str, set[type[models.Model]]]:
    """Field name -> the models that foreign keys and many-to-many fields of that name point to."""
    names: dict[str, set[type[models.Model]]] = {}
    for model in business_models():
        for field in model._meta.get_fields():
            if isinstance(field, RELATIONS):
                names.setdefault(field.name, set()).add(field.related_model)
    return names


def references(targets: list[tuple[type[models.Model], int]]) -> int:
    """How many rows of every model refer to one of the rows (model, pk) through a foreign key
    or a many-to-many field (one per link)."""
    total = 0
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        for field in model._meta.get_fields():
            if not isinstance(field, RELATIONS):
                continue
            for target, pk in targets:
                if field.related_model is target:
                    total += model._base_manager.filter(**{field.name: pk}).count()
    return total


class Models:
    """Which organisation-owned model a field names, and a row of it in each organisation."""

    def __init__(self) -> None:
        self.by_name = relations_by_name()
        self.owned = {
            model: path
            for model in [*business_models(), get_user_model()]
            if (path := organisation_path(model)) is not None
        }
        self.cache: dict[tuple[type[models.Model], int], set[int]] = {}
        self.offers_foreign: list[str] = []

    def rows(self, model: type[models.Model], organization: Organization) -> set[int]:
        key = (model, organization.pk)
        if key not in self.cache:
            self.cache[key] = set(
                model._base_manager.filter(**{self.owned[model]: organization.pk})
                .values_list("pk", flat=True)
                .distinct()
            )
        return self.cache[key]

    def of_field(
        self, name: str, offered: set[str], mine: Organization, other: Organization
    ) -> list[type[models.Model]]:
        base = stem(name)
        values = {int(value) for value in offered}
        named = [m for m in self.by_name.get(base, ()) if m in self.owned]
        fitting = [m for m in named if values <= self.rows(m, mine)]
        if fitting or (named and not values):
            return fitting or named
        # The page offers another organisation's rows: a leak in itself, and the field is tried.
        # Not for people: a peer auditor of the other organisation may lead an audit by design.
        offering = [m for m in named if values <= self.rows(m, mine) | self.rows(m, other)]
        if offering and get_user_model() not in offering:
            self.offers_foreign.append(f"{name}: {offering[0]._meta.label}")
            return offering
        if not values:
            return []
        # No relation of that name (a form field of its own): any owned model whose rows of the
        # organisation include every value offered.
        return [m for m in self.owned if values <= self.rows(m, mine)]

    def foreign(
        self,
        model: type[models.Model],
        mine: Organization,
        other: Organization,
        alike: list[type[models.Model]],
    ) -> Any:
        """The first row of the model in the other organisation whose pk is no row of mine of any
        model the field may name (so an answer taking it as another model's id is no excuse)."""
        taken = set().union(*(self.rows(m, mine) for m in [model, *alike]))
        return min(self.rows(model, other) - taken, default=None)


def succeeded(response: HttpResponse) -> bool:
    """A success: a redirect elsewhere than the log-in page (htmx's included), a 201 or a 204.
    A 200 is the form shown again (a page answers 200 with the form when it refuses a value)."""
    if refused(response):
        return False
    if response.status_code in (201, 204, 301, 302, 303):
        return True
    return "HX-Redirect" in response or "HX-Location" in response


@pytest.mark.django_db
def test_no_form_or_api_body_of_one_organisation_stores_a_reference_to_the_others_rows():
    from compromiso.organizations import services

    started = time.monotonic()
    call_command("demo", cases=5, stdout=StringIO())
    loaded = time.monotonic() - started
    walk = walk_module()
    chile, catalonia = (
        Organization.objects.filter(memberships__isnull=False).distinct().order_by("pk")[:2]
    )
    known = Models()
    schema = Client().get("/api/v1/openapi.json").json()
    components = schema.get("components", {}).get("schemas", {})

    leaks: list[str] = []
    errors: list[str] = []
    tries = {"forms": 0, "fields": 0, "posts": 0, "baseline accepted": 0, "answered success": 0}
    api_tries = 0
    unresolved: set[str] = set()
    not_owned: set[str] = set()
    successes: list[str] = []

    def attempt(
        label: str,
        call: Callable[[], HttpResponse],
        alike: list[type[models.Model]],
        pk: int,
        other: Organization,
    ) -> HttpResponse:
        # The pk is counted as a row of every model the field may name that the other
        # organisation has under that pk: a view reading it as another model's id is caught too.
        targets = [(model, pk) for model in alike if pk in known.rows(model, other)]
        with transaction.atomic():
            before = references(targets)
            response = call()
            after = references(targets)
            transaction.set_rollback(True)
        if response.status_code >= 500:
            errors.append(f"{label} -> {response.status_code}")
        if after > before:
            leaks.append(f"{label} -> {response.status_code}: {after - before} new references")
        return response

    for mine, other in ((chile, catalonia), (catalonia, chile)):
        senders = [
            Membership.objects.filter(organization=mine, role=role, unit__isnull=True)
            .select_related("user")
            .order_by("pk")
            .first()
            for role in (Role.ADMINISTRATOR, Role.QUALITY_MANAGER)
        ]
        assert all(senders), f"{mine} needs an administrator and a quality manager"
        administrator = senders[0]
        assert administrator is not None
        reader_client = signed_in(administrator)
        forms: dict[str, tuple[dict[str, str], dict[str, set[str]]]] = {}
        for url in walk.page_urls(mine):
            if not url.startswith("/staff/"):
                continue
            response = reader_client.get(url)
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            reader = FieldReader()
            reader.feed(response.content.decode())
            for action, fields in reader.forms.items():
                target = action or url
                if target.startswith("/staff/") and reader.ids.get(action):
                    forms.setdefault(target, (fields, reader.ids[action]))

        clients = [signed_in(m) for m in senders if m is not None]
        for target, (fields, offered) in sorted(forms.items()):
            try:
                resolve(target.split("?")[0])
            except Resolver404:
                continue
            tries["forms"] += 1
            for client in clients:
                with transaction.atomic():
                    if succeeded(client.post(target, fields)):
                        tries["baseline accepted"] += 1
                    transaction.set_rollback(True)
            for name, values in sorted(offered.items()):
                if name == "csrfmiddlewaretoken" or name.endswith(MANAGEMENT):
                    continue
                offering = len(known.offers_foreign)
                candidates = known.of_field(name, values, mine, other)
                if len(known.offers_foreign) > offering:
                    leaks.append(f"{target} offers the other organisation's rows in {name}")
                if not candidates:
                    unresolved.add(f"{target} {name}")
                    continue
                for model in candidates[:3]:
                    pk = known.foreign(model, mine, other, candidates)
                    if pk is None:
                        not_owned.add(f"{target} {name} ({model._meta.label})")
                        continue
                    tries["fields"] += 1
                    for sender, client in zip(senders, clients, strict=True):
                        assert sender is not None
                        body = {**fields, name: str(pk)}
                        label = (
                            f"{sender.user.username} ({sender.role}) POST {target} "
                            f"{name}={model._meta.label}#{pk}"
                        )
                        response = attempt(
                            label,
                            lambda c=client, t=target, b=body: c.post(t, b),
                            candidates,
                            pk,
                            other,
                        )
                        tries["posts"] += 1
                        if succeeded(response):
                            tries["answered success"] += 1
                            successes.append(f"{label} -> {response.status_code}")

        # The API: every write whose body has an id property, with the other's id in it.
        tokens = []
        for sender in senders:
            assert sender is not None
            _token, secret = services.create_api_token(
                user=sender.user, organization=mine, name="foreign fields", expires_at=None
            )
            tokens.append((sender, Client(HTTP_AUTHORIZATION=f"Bearer {secret}")))
        for path, operations in schema["paths"].items():
            for method in ("post", "put", "patch"):
                if method not in operations:
                    continue
                content = operations[method].get("requestBody", {}).get("content", {})
                body_schema = content.get("application/json", {}).get("schema")
                if not body_schema:
                    continue
                if "$ref" in body_schema:
                    body_schema = components[body_schema["$ref"].rsplit("/", 1)[-1]]
                url = path
                for parameter in re.findall(r"{(\w+)}", path):
                    value = API_LITERALS.get(parameter)
                    if value is None:
                        value = first_pk(*API_WRITE_PARAMETERS[parameter], mine)
                    url = url.replace(f"{{{parameter}}}", str(value))
                base = example(body_schema, components)
                for prop, part in body_schema.get("properties", {}).items():
                    if not (prop.endswith("_id") or stem(prop) in known.by_name):
                        continue
                    named = [m for m in known.by_name.get(stem(prop), ()) if m in known.owned]
                    for model in named[:3]:
                        pk = known.foreign(model, mine, other, named)
                        if pk is None:
                            continue
                        is_list = part.get("type") == "array" or any(
                            option.get("type") == "array" for option in part.get("anyOf", [])
                        )
                        body = json.dumps({**base, prop: [pk] if is_list else pk})
                        api_tries += 1
                        for sender, bearer in tokens:
                            label = (
                                f"{sender.user.username} ({sender.role}) API {method.upper()} "
                                f"{url} {prop}={model._meta.label}#{pk}"
                            )
                            response = attempt(
                                label,
                                lambda b=bearer, m=method, u=url, d=body: getattr(b, m)(
                                    u, d, content_type="application/json"
                                ),
                                named,
                                pk,
                                other,
                            )
                            if not 400 <= response.status_code < 500:
                                leaks.append(f"{label} -> {response.status_code}, not a 4xx")

    print(
        f"\nforeign fields: {tries['forms']} staff forms with an id field, "
        f"{tries['fields']} form × field × model tries × 2 roles = {tries['posts']} posts "
        f"(own values answered with a redirect {tries['baseline accepted']} times, the foreign "
        f"id {tries['answered success']} times); {api_tries} API bodies "
        f"× 2 roles; {len(leaks)} leaks, {len(errors)} server errors; "
        f"{len(unresolved)} fields of no owned model, {len(not_owned)} without a foreign row; "
        f"demo {loaded:.0f} s, total {time.monotonic() - started:.0f} s"
    )
    for line in sorted(unresolved):
        print(f"  no owned model: {line}")
    for line in sorted(not_owned):
        print(f"  no foreign row: {line}")
    for line in successes:
        print(f"  redirect (nothing stored): {line}")
    for line in errors:
        print(f"  ERROR {line}")
    for leak in leaks:
        print(f"  LEAK {leak}")
    assert errors == []
    assert leaks == []
