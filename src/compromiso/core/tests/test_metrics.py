"""`/metrics`: Prometheus text that a scraper parses, labelled by route name (never by a path
with ids), open to the machine itself or to the bearer of METRICS_TOKEN and a 404 to anyone
else."""

import json
import re

import pytest
from django_tasks_db.models import DBTaskResult, get_date_max

from compromiso.cases.tests.factories import CaseFactory
from compromiso.core import metrics

pytestmark = pytest.mark.django_db

LINE = re.compile(
    r'^(?P<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?P<labels>([a-zA-Z_]\w*="([^"\\]|\\.)*",?)*)\})?'
    r" (?P<value>[-+]?(\d+(\.\d*)?([eE][-+]?\d+)?|Inf|NaN))$"
)


@pytest.fixture(autouse=True)
def _fresh_counters(monkeypatch):
    monkeypatch.delenv("METRICS_TOKEN", raising=False)
    monkeypatch.delenv("METRICS_DIR", raising=False)
    metrics.REGISTRY.reset()
    yield
    metrics.REGISTRY.reset()


def parse(text: str) -> dict[tuple[str, frozenset], float]:
    """Every sample as {(name, labels): value}; fails on any line out of the format."""
    samples: dict[tuple[str, frozenset], float] = {}
    types: dict[str, str] = {}
    assert text.endswith("\n")
    for line in text.splitlines():
        if line.startswith("# HELP "):
            continue
        if line.startswith("# TYPE "):
            _hash, _type, name, kind = line.split(" ")
            assert kind in {"counter", "gauge", "histogram"}
            assert name not in types, f"{name} declared twice"
            types[name] = kind
            continue
        match = LINE.match(line)
        assert match, f"not an exposition line: {line!r}"
        labels = frozenset(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', match["labels"] or ""))
        family = re.sub(r"_(bucket|sum|count)$", "", match["name"])
        assert match["name"] in types or family in types, f"{line!r} has no TYPE"
        samples[(match["name"], labels)] = float(match["value"])
    return samples


def scrape(client, **headers) -> dict[tuple[str, frozenset], float]:
    response = client.get("/metrics", **headers)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
    return parse(response.content.decode())


def test_requests_are_counted_by_route_name_and_status_class(client, officer, organization, branch):
    case = CaseFactory(organization=organization, unit=branch)
    client.force_login(officer)
    for _ in range(2):
        assert client.get(f"/staff/cases/{case.pk}/").status_code == 200
    assert client.get("/staff/cases/999999999/").status_code == 404
    client.get("/no/such/page/12345/")
    client.generic("BREW", "/health/")

    samples = scrape(client)

    def requests(method: str, route: str, status: str) -> float:
        key = frozenset({("method", method), ("route", route), ("status", status)})
        return samples.get(("compromiso_http_requests_total", key), 0)

    assert requests("GET", "cases:detail", "2xx") == 2
    assert requests("GET", "cases:detail", "4xx") == 1
    assert requests("GET", "unmatched", "4xx") == 1
    assert requests("other", "health", "4xx") == 1
    routes = {dict(labels).get("route") for _name, labels in samples}
    assert not any(route and re.search(r"\d{3,}|/", route) for route in routes), routes

    bucket = "compromiso_http_request_duration_seconds_bucket"
    detail = {
        dict(labels)["le"]: value
        for (name, labels), value in samples.items()
        if name == bucket and ("route", "cases:detail") in labels
    }
    assert detail["+Inf"] == 3
    assert list(detail.values()) == sorted(detail.values())  # cumulative
    key = frozenset({("route", "cases:detail")})
    assert samples[("compromiso_http_request_duration_seconds_count", key)] == 3
    assert samples[("compromiso_http_request_duration_seconds_sum", key)] > 0


def test_a_histogram_matches_the_times_observed():
    registry = metrics.Registry()
    for seconds in (0.003, 0.02, 0.02, 0.3, 12.0):
        registry.observe("GET", "portal:home", 200, seconds)
    snapshot = registry.snapshot()
    lines = metrics.request_lines(
        {
            "requests": {tuple(r[:3]): r[3] for r in snapshot["requests"]},
            "latency": snapshot["latency"],
        }
    )
    samples = parse("\n".join(lines) + "\n")
    le = {
        dict(labels)["le"]: value
        for (name, labels), value in samples.items()
        if name.endswith("_bucket")
    }
    assert (le["0.005"], le["0.01"], le["0.025"], le["0.25"], le["0.5"], le["10.0"]) == (
        1,
        1,
        3,
        3,
        4,
        4,
    )
    assert le["+Inf"] == 5
    key = frozenset({("route", "portal:home")})
    assert samples[("compromiso_http_request_duration_seconds_sum", key)] == pytest.approx(12.343)


def test_queue_cases_and_failed_e_mails_are_read_from_the_database(
    client, organization, other_organization
):
    CaseFactory.create_batch(3, organization=organization)
    CaseFactory(organization=other_organization)
    for status in ("READY", "READY", "FAILED"):
        DBTaskResult.objects.create(
            args_kwargs={"args": [], "kwargs": {}},
            task_path="compromiso.cases.tasks.send_acknowledgement",
            backend_name="default",
            run_after=get_date_max(),
            status=status,
        )

    samples = scrape(client)

    assert samples[("compromiso_tasks_ready", frozenset())] == 2
    assert samples[("compromiso_tasks_oldest_ready_age_seconds", frozenset())] >= 0
    received = "compromiso_cases_received_total"
    assert samples[(received, frozenset({("organization", organization.slug)}))] == 3
    assert samples[(received, frozenset({("organization", other_organization.slug)}))] == 1
    failed = "compromiso_email_tasks_failed"
    assert samples[(failed, frozenset({("task", "send_acknowledgement")}))] == 1
    assert samples[(failed, frozenset({("task", "send_invitation")}))] == 0


def test_every_listed_e_mail_task_exists_and_sends_mail():
    import inspect

    from django.tasks import Task
    from django.utils.module_loading import import_string

    for path in metrics.EMAIL_TASKS:
        work = import_string(path)
        assert isinstance(work, Task), path
        source = inspect.getsource(work.func)
        assert "send_mail(" in source or "message.send()" in source, path


def test_strangers_get_a_404_the_machine_itself_and_the_token_bearer_get_the_figures(
    client, monkeypatch
):
    elsewhere = {"REMOTE_ADDR": "203.0.113.9"}
    assert client.get("/metrics", **elsewhere).status_code == 404
    # Through a proxy on the same machine: the client is not local.
    relayed = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.9"}
    assert client.get("/metrics", **relayed).status_code == 404
    assert client.get("/metrics", REMOTE_ADDR="::1").status_code == 200
    assert client.get("/metrics").status_code == 200  # the test client is 127.0.0.1

    monkeypatch.setenv("METRICS_TOKEN", "s3cret-token")
    assert (
        client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-token", **elsewhere).status_code
        == 200
    )
    for wrong in ("Bearer wrong", "Bearer s3cret-token ", "Basic s3cret-token", "s3cret-token", ""):
        assert client.get("/metrics", HTTP_AUTHORIZATION=wrong, **elsewhere).status_code == 404
    assert client.post("/metrics").status_code == 404


def test_label_values_are_escaped():
    lines = metrics.family("x_total", "counter", "X.", [({"route": 'a"b\\c\nd'}, 1)])
    assert lines[-1] == 'x_total{route="a\\"b\\\\c\\nd"} 1'


def test_several_processes_add_up_through_the_metrics_folder(client, monkeypatch, tmp_path):
    monkeypatch.setenv("METRICS_DIR", str(tmp_path))
    other_worker = {
        "requests": [["GET", "health", "2xx", 5]],
        "latency": {"health": [5] + [0] * (len(metrics.BUCKETS) + 1)},
    }
    (tmp_path / "99999.json").write_text(json.dumps(other_worker))
    (tmp_path / "88888.json").write_text("{not json")  # half-written by a dying worker

    client.get("/health/")
    metrics.flush()
    assert (tmp_path / f"{__import__('os').getpid()}.json").exists()
    samples = scrape(client)

    key = frozenset({("method", "GET"), ("route", "health"), ("status", "2xx")})
    assert samples[("compromiso_http_requests_total", key)] == 6
    count = ("compromiso_http_request_duration_seconds_count", frozenset({("route", "health")}))
    assert samples[count] == 6
