"""Every public (no log-in) form and upload, found from the URL configuration and the pages it
serves, gets every entry of the hostile corpus (`hostile_corpus.py`) in every field: never a
server error, never the input sent back unescaped, nothing saved that a form should refuse, and
a refusal explained in the visitor's language (Spanish here).

Discovery: every named route outside the staff pages, the admin and the API is opened
anonymously with the demo network's arguments (the accessibility walk's table); every
`<form method="post">` on those pages is a target, with its fields and their values read from
the markup. Pages reached only with a secret (a case's tracking page, a booking's page, a
password reset) are opened the way their owner would. A route whose view takes POST and that no
form reached fails the test, so a new public form cannot be missed.

Bounded: where fields × inputs is large, each input goes into a deterministic share of the
fields, so every field and every input are used; the whole run takes a few minutes on SQLite."""

import importlib.util
import inspect
import itertools
import re
import time
import uuid
from html import unescape
from html.parser import HTMLParser
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils import timezone

from compromiso.core.tests.hostile_corpus import TEXTS, UPLOADS
from compromiso.organizations.models import Organization

WALK = Path(__file__).resolve().parents[4] / "e2e" / "test_accessibility.py"

# Routes that are not forms at all, or whose POST carries nothing a visitor types.
NOT_FORMS = {
    "portal:queue_display_events": "a server-sent event stream",
    "logout": "POST-only, no fields: ends the session",
    "login_code": "the second step of a staff log-in: shown only after a right password",
    "password_change": "needs a log-in: a staff page",
    "password_change_done": "needs a log-in: a staff page",
}
# Public POST routes this run does not reach yet, with why. The list may only shrink: a route
# missing from every form and not listed here fails the test.
NOT_REACHED_YET: dict[str, str] = {}
# Apps whose rows a refused input must not create.
# (Not organizations: a refused log-in is rightly written to the sign-in log.)
WATCHED_APPS = ("cases", "surveys", "attention")
MAX_POSTS_PER_FORM = 100
# Not typed by anyone (and not checked by the test client).
UNTYPED = {"csrfmiddlewaretoken"}
# Django's English messages: seeing one means the refusal is not in the visitor's language.
ENGLISH = re.compile(
    r"This field is required|Enter a valid|Ensure this value|Select a valid choice|"
    r"Null characters are not allowed|The submitted file is empty|No file was submitted"
)
ERROR_MARKS = ("data-error-summary", "invalid-feedback", "errorlist", 'role="alert"')


class Form:
    def __init__(self, action: str, page: str, multipart: bool) -> None:
        self.action = action
        self.page = page
        self.multipart = multipart
        self.fields: dict[str, str] = {}  # name -> baseline value
        self.kinds: dict[str, str] = {}  # name -> input type
        self.choices: dict[str, list[str]] = {}


class Forms(HTMLParser):
    """The POST forms of a page with their fields and a valid-looking value for each."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.forms: list[Form] = []
        self.current: Form | None = None
        self.select: str | None = None
        self.textarea: str | None = None

    def handle_starttag(self, tag: str, attributes: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attributes}
        if tag == "form" and a.get("method", "").lower() == "post":
            self.current = Form(a.get("action") or self.page, self.page, "multipart" in str(a))
            self.forms.append(self.current)
        form = self.current
        if form is None or not a.get("name"):
            return
        name = a["name"]
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "image", "reset"):
                if name not in form.fields:
                    form.fields[name], form.kinds[name] = a.get("value", "1"), "submit"
                return
            if kind in ("radio", "checkbox"):
                form.choices.setdefault(name, []).append(a.get("value", "on"))
                if name not in form.fields or "checked" in a:
                    form.fields[name] = a.get("value", "on")
                form.kinds[name] = kind
                return
            form.kinds[name] = kind
            form.fields[name] = a.get("value") or baseline(name, kind)
        elif tag == "select":
            self.select = name
            form.kinds[name] = "select"
            form.fields[name] = ""
        elif tag == "option" and self.select:
            value = a.get("value", "")
            form.choices.setdefault(self.select, []).append(value)
            if value and (not form.fields[self.select] or "selected" in a):
                form.fields[self.select] = value
        elif tag == "textarea":
            self.textarea = name
            form.kinds[name] = "textarea"
            form.fields[name] = baseline(name, "textarea")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.current = None
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None


def baseline(name: str, kind: str) -> str:
    if kind == "email" or "email" in name:
        return "ana@example.org"
    if kind == "tel" or "phone" in name:
        return "+56 9 1234 5678"
    if kind == "number":
        return "3"
    if kind == "date":
        return "2030-01-15"
    if kind == "file" or name == "website":
        return ""
    if "national_id" in name:
        return ""
    return "Texto de prueba"


def _walk_module() -> Any:
    spec = importlib.util.spec_from_file_location("accessibility_walk", WALK)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def takes_post(view: Any) -> bool:
    """Whether the view acts on a POST: a class-based view with `post`, a view restricted to
    methods that include POST, or one whose code reads the POST body."""
    if hasattr(view, "view_class"):
        return hasattr(view.view_class, "post")
    for cell in getattr(view, "__closure__", None) or ():
        contents = cell.cell_contents
        if isinstance(contents, list) and contents and all(isinstance(m, str) for m in contents):
            return "POST" in contents
    target = inspect.unwrap(view)
    try:
        source = inspect.getsource(target)
    except (OSError, TypeError):
        return True
    return "request.POST" in source or 'method == "POST"' in source or "request.FILES" in source


class Address:
    """A different client address for each post, so the per-address rate limits never answer
    in place of the form."""

    def __init__(self) -> None:
        self.counter = itertools.count(1)

    def __call__(self) -> str:
        n = next(self.counter)
        return f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"


def rows() -> int:
    return sum(
        model.objects.count()
        for label in WATCHED_APPS
        for model in apps.get_app_config(label).get_models()
    )


def secret_pages(client: Client, organization: Organization, address: Address) -> list[str]:
    """Pages only their owner opens: a case's tracking page (after code and secret), a booking's
    page and its change form (with the e-mailed key), a password reset (with its token)."""
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from compromiso.attention import slots as slot_math
    from compromiso.attention.models import SlotPlan, Visit, VisitState
    from compromiso.attention.services import appointments as booking
    from compromiso.cases import services as case_services
    from compromiso.cases.models import Status
    from compromiso.catalog.models import Channel, ChannelKind
    from compromiso.organizations.models import User

    pages = []
    web = Channel.objects.filter(organization=organization, kind=ChannelKind.WEB).first()
    assert web is not None
    from compromiso.core.actors import PUBLIC

    case, secret = case_services.receive_case(
        organization=organization,
        kind="complaint",
        channel=web,
        subject="Seguimiento",
        description="Caso para seguir",
        by=PUBLIC,
        requester_name="Ana",
        requester_email="ana@example.org",
    )
    assert case.status != Status.CLOSED
    client.post(
        reverse("portal:track"),
        {"code": case.tracking_code, "secret": secret},
        REMOTE_ADDR=address(),
    )
    pages.append(reverse("portal:tracked", kwargs={"code": case.tracking_code}))
    # A booking made on the portal now (the demo's were made without a key anyone knows).
    plan = (
        SlotPlan.objects.filter(branch__organization=organization, is_active=True)
        .select_related("queue__branch")
        .order_by("pk")
        .first()
    )
    assert plan is not None
    days = slot_math.bookable_days(plan.queue)
    slot = next(slot for day in sorted(days) for slot in days[day] if slot.free)
    appointment, key = booking.book(
        plan.queue, slot.starts_at, by=PUBLIC, name="Ana", email="ana@example.org"
    )
    url = reverse("portal:appointment", kwargs={"code": appointment.code})
    assert client.get(f"{url}?key={key}", REMOTE_ADDR=address()).status_code == 200
    pages += [url, reverse("portal:appointment_change", kwargs={"code": appointment.code})]
    # A ticket's page: waiting ("I am leaving"), and served (the post-visit survey).
    for visit in (
        Visit.objects.filter(organization=organization, state=VisitState.WAITING).last(),
        Visit.objects.filter(organization=organization).order_by("pk").first(),
    ):
        if visit is not None:
            pages.append(reverse("portal:queue_ticket", kwargs={"code": visit.code}))
    user = User.objects.filter(is_active=True).order_by("pk").first()
    assert user is not None
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    reset = reverse(
        "password_reset_confirm",
        kwargs={"uidb64": uid, "token": default_token_generator.make_token(user)},
    )
    pages.append(client.get(reset, REMOTE_ADDR=address()).get("Location") or reset)
    return pages


def open_queue(organization: Organization) -> Any:
    """Move the clock to the next hour at which the organisation's first branch is open, and
    have that branch take visitors from the web with a ticket waiting: its kiosk, its join form
    and a ticket's "I am leaving" form are then on show. Returns the started clock."""
    import datetime as dt

    import time_machine

    from compromiso.attention.models import Branch
    from compromiso.attention.services import public

    branch = Branch.objects.filter(organization=organization).order_by("pk").first()
    assert branch is not None
    now = organization.local(timezone.now()).replace(minute=30, second=0, microsecond=0)
    moment = next(
        m
        for m in (now + dt.timedelta(hours=h) for h in range(1, 24 * 14))
        if public.is_open(branch, m)
    )
    clock = time_machine.travel(moment, tick=True)
    clock.start()
    Branch.objects.filter(pk=branch.pk).update(accepts_web_queue=True)
    public.take_ticket(branch, public.choices(branch)[0].choices[0], source="kiosk")
    return clock


def kiosk_pages(organization: Organization) -> list[str]:
    """The kiosk's priority page (its form issues the ticket), for the first procedure."""
    from compromiso.attention.models import Branch
    from compromiso.attention.services import public

    branch = Branch.objects.filter(organization=organization).order_by("pk").first()
    assert branch is not None
    url = reverse("portal:queue_kiosk", kwargs={"display_key": branch.display_key})
    return [f"{url}?choice={public.choices(branch)[0].choices[0].key}"]


def route_of(url: str) -> str | None:
    try:
        match = resolve(url.split("?")[0])
    except Resolver404:
        return None
    return match.view_name


def shares(fields: list[str], entries: int) -> list[list[str]]:
    """For each entry, the fields it goes into: all of them when the product is small, else a
    rotating share, so every field meets every ⌈entries / step⌉-th entry."""
    if len(fields) * entries <= MAX_POSTS_PER_FORM:
        return [fields for _ in range(entries)]
    step = -(-len(fields) * entries // MAX_POSTS_PER_FORM)
    return [[f for j, f in enumerate(fields) if (i + j) % step == 0] for i in range(entries)]


@pytest.mark.django_db
def test_every_public_form_survives_the_hostile_corpus(settings, request):
    settings.LANGUAGE_CODE = "es"
    started = time.monotonic()
    call_command("demo", cases=5, stdout=StringIO())
    walk = _walk_module()
    organization = (
        Organization.objects.filter(memberships__isnull=False).distinct().order_by("pk").first()
    )
    assert organization is not None
    request.addfinalizer(open_queue(organization).stop)
    table = walk.sample_kwargs(organization)
    address = Address()
    visitor = Client(HTTP_ACCEPT_LANGUAGE="es", raise_request_exception=False)

    # 1. The public routes and the forms their pages hold.
    public: dict[str, str] = {}
    for name, pattern in walk.named_routes():
        if pattern.startswith("staff/") or name in NOT_FORMS:
            continue
        public[name] = pattern
    pages: list[str] = []
    for name, pattern in public.items():
        try:
            url = reverse(name, kwargs=table.get(name)) if "<" in pattern else reverse(name)
        except NoReverseMatch:
            continue
        pages.append(url)
    pages += secret_pages(visitor, organization, address) + kiosk_pages(organization)
    forms: dict[tuple[str, tuple[str, ...]], Form] = {}
    for url in pages:
        response = visitor.get(url, REMOTE_ADDR=address())
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        parser = Forms(url)
        parser.feed(response.content.decode())
        for form in parser.forms:
            form.action = unescape(form.action)
            forms.setdefault((route_of(form.action) or form.action, tuple(form.fields)), form)

    # 2. Every public route that takes POST is reached by a form.
    reached = {route for route, _fields in forms}
    uncovered = []
    for name in public:
        pattern_view = resolve_view(name)
        if pattern_view is not None and takes_post(pattern_view) and name not in reached:
            uncovered.append(name)

    # 3. Post the corpus.
    crashes: list[str] = []
    reflected: list[str] = []
    saved: list[str] = []
    silent: list[str] = []
    posts = 0
    for (route, _names), form in sorted(forms.items(), key=lambda item: str(item[0])):
        typed = [
            n
            for n, kind in form.kinds.items()
            if kind not in ("submit", "file") and n not in UNTYPED
        ]
        files = [n for n, kind in form.kinds.items() if kind == "file"]
        for entry, targets in zip(TEXTS, shares(typed, len(TEXTS)), strict=True):
            for field in targets:
                data = fresh(form)
                data[field] = entry.value
                posts += 1
                check(
                    visitor,
                    address,
                    form,
                    route,
                    field,
                    entry.name,
                    data,
                    entry.reject,
                    entry.marker,
                    crashes,
                    reflected,
                    saved,
                    silent,
                )
        for upload in UPLOADS:
            for field in files:
                data = fresh(form)
                data[field] = SimpleUploadedFile(
                    upload.filename, upload.content, upload.content_type
                )
                posts += 1
                check(
                    visitor,
                    address,
                    form,
                    route,
                    field,
                    upload.name,
                    data,
                    upload.reject,
                    "<script>alert(",
                    crashes,
                    reflected,
                    saved,
                    silent,
                )

    print(
        f"\nhostile inputs: {len(forms)} public forms on {len({r for r, _ in forms})} routes, "
        f"{len(TEXTS)} texts + {len(UPLOADS)} uploads = {posts} posts; {len(crashes)} server "
        f"errors, {len(reflected)} reflected, {len(saved)} saved when refused, {len(silent)} "
        f"refusals without a Spanish message; {time.monotonic() - started:.0f} s"
    )
    for route, _names in sorted(forms, key=str):
        print(f"  form {route}: {', '.join(_names)}")
    for line in crashes + reflected + saved + silent:
        print(f"  {line}")
    for name in uncovered:
        print(f"  not reached: {name} ({NOT_REACHED_YET.get(name, 'NOT LISTED')})")
    unlisted = [name for name in uncovered if name not in NOT_REACHED_YET]
    assert unlisted == [], f"public POST routes no form reached: {unlisted}"
    assert crashes == []
    assert reflected == []
    assert saved == []
    assert silent == []


def resolve_view(name: str) -> Any:
    from django.urls import get_resolver

    for pattern in walk_patterns(get_resolver().url_patterns, None):
        if pattern[0] == name:
            return pattern[1]
    return None


def walk_patterns(patterns: list[Any], namespace: str | None) -> Any:
    from django.urls import URLPattern, URLResolver

    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from walk_patterns(entry.url_patterns, entry.namespace or namespace)
        elif isinstance(entry, URLPattern) and entry.name:
            yield (f"{namespace}:{entry.name}" if namespace else entry.name), entry.callback


def fresh(form: Form) -> dict[str, Any]:
    data: dict[str, Any] = {k: v for k, v in form.fields.items() if form.kinds[k] != "file"}
    if "submission_id" in data:
        data["submission_id"] = str(uuid.uuid4())
    return data


def check(
    client: Client,
    address: Address,
    form: Form,
    route: str,
    field: str,
    entry: str,
    data: dict[str, Any],
    reject: bool,
    marker: str,
    crashes: list[str],
    reflected: list[str],
    saved: list[str],
    silent: list[str],
) -> None:
    where = f"{route} [{field}] <- {entry}"
    before = rows() if reject else 0
    response = client.post(form.action, data, REMOTE_ADDR=address())
    if response.status_code >= 500:
        crashes.append(f"{where}: {response.status_code}")
        return
    for header, value in response.items():
        if "X-Injected" in header or "\n" in value or "\r" in value:
            crashes.append(f"{where}: header {header!r} split")
    body = response.content.decode(errors="replace")
    if marker and marker in body:
        reflected.append(where)
    # A checkbox is ticked by any value it is sent: refusing is for the fields that read it.
    if not reject or form.kinds.get(field) == "checkbox":
        return
    if rows() != before:
        saved.append(where)
    # A form already used up (a rating given, a reset link spent) answers without the form.
    still_open = f'name="{field}"' in body
    if still_open and response.status_code == 200 and "html" in response.get("Content-Type", ""):
        if not any(mark in body for mark in ERROR_MARKS):
            silent.append(f"{where}: no error shown")
        elif ENGLISH.search(body):
            silent.append(f"{where}: {ENGLISH.search(body).group(0)!r} in English")


@pytest.mark.django_db
def test_every_api_write_refuses_hostile_json_with_a_json_error(quality_manager, organization):
    """Every operation of the OpenAPI document that takes a body gets each hostile JSON body:
    a 4xx answer in JSON, never a server error."""
    from compromiso.api.urls import api
    from compromiso.core.tests.hostile_corpus import JSON_BODIES
    from compromiso.organizations.services import create_api_token

    _token, secret = create_api_token(user=quality_manager, organization=organization, name="h")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}", raise_request_exception=False)
    document = api.get_openapi_schema()
    failures = []
    requests = 0
    for path, operations in document["paths"].items():
        url = re.sub(r"{\w+}", "1", path)
        for method, operation in operations.items():
            if "requestBody" not in operation:
                continue
            for name, body in JSON_BODIES:
                response = client.generic(
                    method.upper(), url, body, content_type="application/json"
                )
                requests += 1
                # An object of unknown fields is no error (ignored, as in every PATCH); any other
                # hostile body is refused.
                refused = 400 <= response.status_code < 500 or name == "deeply nested"
                if response.status_code >= 500 or not refused:
                    failures.append(f"{method.upper()} {url} <- {name}: {response.status_code}")
                elif not response["Content-Type"].startswith("application/json"):
                    failures.append(f"{method.upper()} {url} <- {name}: not JSON")
    print(f"\nhostile JSON: {requests} requests, {len(failures)} failures")
    for failure in failures:
        print(f"  {failure}")
    assert requests > 0
    assert failures == []
