"""Mixed load on the production server (locust), every acknowledgement checked in the database.

A fresh PostgreSQL database with the demo network, `compromiso serve --production` (gunicorn with
its default workers, the task worker beside it), and locust running bench/load/locustfile.py
headless for LOAD_MINUTES (default 10): citizens filing cases with a file attached and following
them, survey answers on the web and on kiosks, officers logging in and working the inbox, an
intake system POSTing to the API. The number of simulated users grows steadily from 0 to
LOAD_USERS (default 300) over the run, so the figures per minute show where the latency turns.

Afterwards every acknowledgement a client received (tracking codes, 201 ids, thank-you pages) is
looked up: each case must be in the database and no case may be there that nobody was told
about; survey responses are counted per survey and source against the thank-you pages.

    .venv/bin/python bench/run.py load          # or: .venv/bin/python bench/bench_load.py
    LOAD_MINUTES=2 LOAD_USERS=60 .venv/bin/python bench/bench_load.py   # a short check
"""

import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from pathlib import Path

from pg import ROOT, VAR, database, free_port, psql, require_postgresql, server

LOAD_MINUTES = float(os.environ.get("LOAD_MINUTES", "10"))
LOAD_USERS = int(os.environ.get("LOAD_USERS", "300"))
P95_TARGET_MS = float(os.environ.get("LOAD_P95_MS", "1000"))
LOCUSTFILE = Path(__file__).resolve().parent / "load" / "locustfile.py"

SETUP = """
import json
from compromiso.cases.models import Case
from compromiso.catalog.models import Audience, Channel, ChannelKind
from compromiso.organizations.models import Membership, Organization
from compromiso.organizations.services import create_api_token
from compromiso.surveys import services as survey_services
from compromiso.surveys.models import Wave, WaveStatus
best = None
for org in Organization.objects.filter(is_active=True):
    web = Channel.objects.filter(organization=org, kind=ChannelKind.WEB, is_active=True).first()
    waves = [w.token for w in Wave.objects.filter(organization=org, status=WaveStatus.OPEN,
             audience=Audience.EXTERNAL) if survey_services.is_accepting(w)
             and not survey_services.needs_invitation(w)]
    cases = Case.objects.filter(organization=org).count()
    if web and waves and (best is None or cases > best[3]):
        best = (org, web, waves, cases)
org, web, waves, _count = best
manager = Membership.objects.filter(organization=org, role="quality_manager").first().user
staff = sorted({m.user.username for m in Membership.objects.filter(organization=org,
                role__in=["quality_manager", "unit_head", "officer"]).select_related("user")})
_token, raw = create_api_token(user=manager, organization=org, name="load")
print(json.dumps({"organization": org.slug, "surveys": waves, "staff": staff,
                  "api_token": raw, "api_channel": web.pk}))
"""


def _quantiles(values: list[float]) -> tuple[float, float]:
    if len(values) < 2:
        return (values[0], values[0]) if values else (0.0, 0.0)
    q = statistics.quantiles(values, n=100)
    return q[49], q[94]


def _check(url: str, acks: list[dict], first_case: int, responses_before: dict) -> dict:
    """Each acknowledgement against the rows made during the run."""
    import psycopg

    with psycopg.connect(url) as connection:
        rows = connection.execute(
            "SELECT id, tracking_code FROM cases_case WHERE id > %s", [first_case]
        ).fetchall()
        after = dict(
            connection.execute(
                "SELECT w.token || ':' || r.source, count(*) FROM surveys_response r "
                "JOIN surveys_wave w ON w.id = r.wave_id GROUP BY 1"
            ).fetchall()
        )
    by_code = {code: pk for pk, code in rows}
    told = {a["code"] for a in acks if a["kind"] == "case_web"}
    told_ids = {by_code.get(code) for code in told} | {
        a["id"] for a in acks if a["kind"] == "case_api"
    }
    missing_web = sum(1 for code in told if code not in by_code)
    missing_api = sum(
        1 for a in acks if a["kind"] == "case_api" and a["id"] not in {pk for pk, _c in rows}
    )
    extra_cases = sum(1 for pk, _code in rows if pk not in told_ids)
    thanked = Counter(
        f"{a['wave']}:{a['kind'].removeprefix('survey_')}"
        for a in acks
        if a["kind"].startswith("survey_")
    )
    made = {k: after.get(k, 0) - responses_before.get(k, 0) for k in set(after) | set(thanked)}
    return {
        "cases acknowledged on the portal": len(told),
        "cases acknowledged by the API (201)": sum(1 for a in acks if a["kind"] == "case_api"),
        "acknowledged cases missing from the database": missing_web + missing_api,
        "cases in the database nobody was told about": extra_cases,
        "survey thank-you pages": sum(thanked.values()),
        "survey responses stored": sum(v for v in made.values() if v > 0),
        "surveys whose responses differ from thank-you pages": sum(
            1 for k in made if made[k] != thanked.get(k, 0)
        ),
    }


def run() -> list[tuple[str, float, str]]:
    require_postgresql()
    VAR.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="load-", dir=VAR))
    with database(f"compromiso_load_{os.getpid()}") as url:
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT / "src"),
            "DATABASE_URL": url,
            "DEBUG": "false",
            "SECRET_KEY": "load-" + uuid.uuid4().hex,
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "false",
            "SESSION_COOKIE_SECURE": "false",
            "CSRF_COOKIE_SECURE": "false",
            "EMAIL_BACKEND": "file",
            "EMAIL_FILE_PATH": str(work / "mail"),
            "STATIC_ROOT": str(work / "static"),
            "TASKS_BACKEND": "database",
            "CONN_MAX_AGE": "60",
            "GUNICORN_LOG_LEVEL": "warning",
        }
        cli = [sys.executable, "-m", "compromiso.cli"]
        subprocess.run([*cli, "migrate", "-v0"], env=env, check=True, cwd=ROOT)
        subprocess.run([*cli, "demo"], env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
        out = subprocess.run(
            [*cli, "shell", "-v0", "-c", SETUP],
            env=env, check=True, capture_output=True, text=True, cwd=ROOT,
        ).stdout  # fmt: skip
        targets = json.loads(out.strip().splitlines()[-1])
        targets["password"] = "compromiso-demo"
        (work / "targets.json").write_text(json.dumps(targets))
        name = url.rsplit("/", 1)[1]
        first_case = int(psql("SELECT coalesce(max(id), 0) FROM cases_case", name))
        import psycopg

        with psycopg.connect(url) as connection:
            responses_before = dict(
                connection.execute(
                    "SELECT w.token || ':' || r.source, count(*) FROM surveys_response r "
                    "JOIN surveys_wave w ON w.id = r.wave_id GROUP BY 1"
                ).fetchall()
            )
        port = free_port()
        serve = [*cli, "serve", "--production", f"127.0.0.1:{port}"]
        seconds = int(LOAD_MINUTES * 60)
        started = time.time()
        with server(serve, env, port, ROOT):
            subprocess.run(
                [
                    str(Path(sys.executable).parent / "locust"),
                    "-f", str(LOCUSTFILE),
                    "--headless", "--only-summary",
                    "-u", str(LOAD_USERS),
                    "-r", f"{max(LOAD_USERS / seconds, 0.01):.3f}",
                    "-t", f"{seconds}s",
                    "--stop-timeout", "30",
                    "--host", f"http://127.0.0.1:{port}",
                    "--csv", str(work / "locust"),
                ],
                env={
                    **os.environ,
                    "LOAD_TARGETS": str(work / "targets.json"),
                    "LOAD_ACKS": str(work / "acks.jsonl"),
                    "LOAD_REQUESTS": str(work / "requests.csv"),
                    "LOAD_RESENDS": str(work / "resends.csv"),
                },
                check=False,
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
            )  # fmt: skip
            time.sleep(2)
        acks = [json.loads(line) for line in (work / "acks.jsonl").read_text().splitlines()]
        checks = _check(url, acks, first_case, responses_before)
    return _figures(work / "requests.csv", started, checks) + _resends(work / "resends.csv")


def _resends(resends_csv: Path) -> list[tuple[str, float, str]]:
    """Requests a client sent again because the server closed their kept-alive connection
    without answering, with how long that connection had been idle (gunicorn closes one after
    GUNICORN_KEEPALIVE seconds)."""
    rows = list(csv.reader(resends_csv.open())) if resends_csv.exists() else []
    figures: list[tuple[str, float, str]] = [
        ("requests sent again (closed kept-alive connection)", len(rows), "")
    ]
    for (method, path), count in sorted(Counter((r[1], r[2]) for r in rows).items()):
        figures.append((f"  sent again: {method} {path}", count, ""))
    idle = sorted(float(r[3]) for r in rows)
    if idle:
        figures += [
            ("  idle time before them: least", idle[0], "s"),
            ("  idle time before them: median", statistics.median(idle), "s"),
            ("  idle time before them: most", idle[-1], "s"),
        ]
    for error, count in sorted(Counter(r[4] for r in rows).items()):
        figures.append((f"  error seen: {error or 'none given'}", count, ""))
    return figures


def _figures(requests_csv: Path, started: float, checks: dict) -> list[tuple[str, float, str]]:
    latencies: dict[str, list[float]] = defaultdict(list)
    errors: Counter[str] = Counter()
    minutes: dict[int, list[float]] = defaultdict(list)
    filed: Counter[int] = Counter()
    answered: Counter[int] = Counter()
    with requests_csv.open() as f:
        for at, label, ms, ok in csv.reader(f):
            minute = int((float(at) - started) // 60)
            latencies[label].append(float(ms))
            minutes[minute].append(float(ms))
            if ok != "1":
                errors[label] += 1
            elif label in ("portal: file a case", "api: POST /api/v1/cases"):
                filed[minute] += 1
            elif label.endswith(": answer"):
                answered[minute] += 1
    figures: list[tuple[str, float, str]] = []
    for label in sorted(latencies):
        p50, p95 = _quantiles(latencies[label])
        figures += [
            (f"{label}: requests", len(latencies[label]), ""),
            (f"{label}: p50", p50, "ms"),
            (f"{label}: p95", p95, "ms"),
            (f"{label}: errors", errors[label], ""),
        ]
    within = (0, 0, 0.0)  # cases and responses in the busiest minute within the p95 target
    busiest = (0, 0, 0.0)  # and in the busiest minute of all, with its p95
    for minute in sorted(minutes):
        _p50, p95 = _quantiles(minutes[minute])
        figures += [
            (f"minute {minute + 1}: requests per second", len(minutes[minute]) / 60, "/s"),
            (f"minute {minute + 1}: p95 (all pages)", p95, "ms"),
            (f"minute {minute + 1}: cases filed", filed[minute], ""),
            (f"minute {minute + 1}: survey responses", answered[minute], ""),
        ]
        done = filed[minute] + answered[minute]
        if p95 <= P95_TARGET_MS and done > within[0] + within[1]:
            within = (filed[minute], answered[minute], p95)
        if done > busiest[0] + busiest[1]:
            busiest = (filed[minute], answered[minute], p95)
    figures += [(check, value, "") for check, value in checks.items()]
    for name, (cases, responses, p95) in (
        (f"busiest minute within p95 {P95_TARGET_MS:g} ms", within),
        ("busiest minute of the run", busiest),
    ):
        figures += [
            (f"{name}: p95", p95, "ms"),
            ("  cases per day per web node at that p95", cases * 60 * 24, "/day"),
            ("  survey responses per day per web node at that p95", responses * 60 * 24, "/day"),
        ]
    return figures


if __name__ == "__main__":
    for label, value, unit in run():
        print(f"{label:<62} {value:>12,.1f} {unit}")
